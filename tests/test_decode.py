from __future__ import annotations

import codecs

import pytest
from hypothesis import given
from hypothesis import strategies as st

from winnow.read.decode import decode

TEXT = "Café “quoted” naïve — déjà vu. Zürich, São Paulo, Kraków."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-bom"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "utf-16-le-bom"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16-be-bom"),
        (TEXT.encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_unicode_forms_round_trip(data: bytes, encoding: str) -> None:
    result = decode(data)
    assert result.text == TEXT
    assert result.encoding == encoding


def test_cp1252_is_detected() -> None:
    text = (
        "Le café était plein. « Où êtes-vous ? » demanda-t-il — personne ne répondit. "
        "Les élèves étudiaient près de la fenêtre, à côté du théâtre. "
    ) * 3
    result = decode(text.encode("cp1252"))
    assert result.text == text.strip() or result.text == text


def test_mojibake_is_repaired() -> None:
    good = "The café’s owner said the naïve résumé was fine — really."
    broken = good.encode().decode("cp1252").encode("utf-8")
    assert broken != good.encode()
    assert decode(broken).text == good


def test_newlines_controls_and_zero_width() -> None:
    raw = "one\r\ntwo\rthree\u2028four\u200b five\x07six\ufeff".encode()
    assert decode(raw).text == "one\ntwo\nthree\nfour fivesix"


def test_nfc_normalisation() -> None:
    assert decode("Cafe\u0301".encode()).text == "Café"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"   \n\t \r\n", "empty"),
        (bytes(range(256)) * 40, "binary"),
        (b"\x00\x01\x02\x03garbage\x00\xff\xfe\x00" * 100, "binary"),
        ("\u200b\u200b".encode(), "empty"),
    ],
)
def test_garbage_is_named(data: bytes, problem: str) -> None:
    result = decode(data)
    assert result.text is None
    assert result.problem == problem


@given(st.binary(max_size=4096))
def test_decode_never_raises_on_bytes(data: bytes) -> None:
    result = decode(data)
    assert (result.text is None) == (result.problem is not None)
    if result.text is not None:
        assert "\r" not in result.text and "\x00" not in result.text


@given(st.text(max_size=2000))
def test_decode_utf8_text_keeps_visible_text(text: str) -> None:
    # Idempotence is not claimed: ftfy's mojibake repair can fire again on text it produced from
    # nonsense input (e.g. "\x8a\x9d¯" -> "Š¯" -> "Н"). What holds: no raise, clean characters,
    # and plain text without mojibake markers comes back as it went in.
    result = decode(text.encode("utf-8", "replace"))
    if result.text is not None:
        assert "\r" not in result.text and "\x00" not in result.text
        if text.isascii() and text.isprintable() and text.strip() == text and text:
            assert result.text == text


CP1252_ARTICLES = [
    "The council said on Tuesday that the new bridge would open in the spring. “We have waited a "
    "long time for this,” said the mayor. It’s expected to carry 20,000 cars a day.\n\nWork began in "
    "2021 and was delayed twice by floods — the contractor called the delays ‘unavoidable’ … and "
    "residents on both banks welcomed the news.\n",
    "Der Bürgermeister sagte am Dienstag: „Wir müssen schneller handeln.“ Die Straßen waren "
    "überflutet – viele Häuser sind beschädigt, und die Feuerwehr war die ganze Nacht im Einsatz.\n",
    "« Nous n’avons jamais vu ça », a déclaré la propriétaire du café — qui l’a ouvert en 1998. "
    "C’est la troisième inondation cette année, et le maire se dit “très inquiet”.\n",
    "El alcalde dijo que la obra “terminará en primavera”. Según los vecinos, el puente —construido "
    "en los años cincuenta— ya no soporta el tráfico de cada día, sobre todo los fines de semana.\n",
]


@pytest.mark.parametrize("text", CP1252_ARTICLES)
def test_western_single_byte_text_is_read_as_cp1252(text: str) -> None:
    result = decode((text * 3).encode("cp1252"))
    assert result.encoding == "cp1252"
    assert (result.text or "").strip() == (text * 3).strip()  # quotes intact: no 'ItÆs'


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        (
            "Prezydent powiedział, że rząd musi działać szybciej. Ulice były zalane, a wiele domów "
            "zostało zniszczonych przez wodę. ",
            "cp1250",
        ),
        (
            "Президент заявил, что правительство должно действовать быстрее. «Улицы были затоплены» — "
            "сказал он. ",
            "cp1251",
        ),
        ("Η κυβέρνηση είπε ότι η νέα γέφυρα θα ανοίξει την άνοιξη, σύμφωνα με τον δήμαρχο. ", "cp1253"),
    ],
)
def test_other_single_byte_sets_are_not_taken_for_cp1252(text: str, codec: str) -> None:
    result = decode((text * 4).encode(codec))
    assert result.encoding != "cp1252"
    assert (result.text or "").strip() == (text * 4).strip()
