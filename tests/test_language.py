"""winnow.extract.language runs langdetect's algorithm on langdetect's profiles: it must give the answer
langdetect's own Detector gives, on the same sample, seed and number of restarts."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from tests.conftest import SHARED, SHIPPED_SAMPLES
from winnow.extract.language import detect_language, sample_text

_factory = DetectorFactory()
_factory.load_profile(PROFILES_DIRECTORY)
_factory.set_seed(0)

TEXTS = [
    "The quick brown fox jumps over the lazy dog, and the committee met on Tuesday to discuss it.",
    "Le gouvernement a annoncé mardi une réforme des retraites qui suscite une forte opposition.",
    "Die Regierung hat am Dienstag eine Reform angekündigt, die auf starken Widerstand stößt.",
    "El gobierno anunció el martes una reforma que ha generado una fuerte oposición social.",
    "Правительство во вторник объявило о реформе, которая вызвала сильное сопротивление.",
    "政府は火曜日に年金改革を発表し、強い反対を引き起こしている。東京の記者会見で首相が説明した。",
    "政府周二宣布了一项养老金改革，引起了强烈反对。总理在北京的新闻发布会上作了说明。",
    "정부는 화요일 연금 개혁을 발표했으며 강한 반발을 불러일으켰다.",
    "Chính phủ đã công bố cải cách lương hưu vào thứ Ba, gây ra sự phản đối mạnh mẽ.",
    "الحكومة أعلنت يوم الثلاثاء عن إصلاح نظام التقاعد الذي أثار معارضة قوية",
    "NASA AND THE ESA SAID ON MONDAY THAT THE LAUNCH WAS DELAYED. Officials gave no date.",
    "Visit https://example.com/news?id=4 or write to desk@example.com for more, said the editor.",
    "Ça va? Oui, ça va très bien — merci! «Évidemment», répondit-elle, 100 % d’accord.",
    "a b c d e f",
    "Ok",
]


def langdetect_reference(text: str, trials: int = 3) -> tuple[str | None, float | None]:
    detector = _factory.create()
    detector.n_trial = trials
    detector.append(text)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return None, None
    if not ranked:
        return None, None
    return str(ranked[0].lang), round(float(ranked[0].prob), 4)


def _same(text: str, trials: int = 3) -> None:
    if not any(ch.isalpha() for ch in text):
        assert detect_language(text, trials=trials, limit=len(text) + 1) == (None, None)
        return
    ours = detect_language(text, trials=trials, limit=len(text) + 1)
    assert ours == langdetect_reference(text, trials), text


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("trials", [1, 3, 7])
def test_same_answer_as_langdetect(text: str, trials: int) -> None:
    _same(text, trials)


def test_same_answer_on_real_bodies() -> None:
    folders = [SHIPPED_SAMPLES, SHARED / "samples", SHARED / "eval" / "text"]
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.iterdir()) if p.is_file()]
    assert paths, "the project's raw/ samples are always here"
    for path in paths[:80]:
        _same(sample_text(path.read_text("utf-8", errors="replace"), 600))


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_same_answer_on_any_text(text: str) -> None:
    _same(text)


def test_no_letters_no_language() -> None:
    assert detect_language("1234 — 5678 !!!") == (None, None)
    assert detect_language("") == (None, None)


def test_sample_is_bounded_and_spread(tmp_path: Path) -> None:
    text = "start " * 500 + "middle " * 500 + "end " * 500
    sample = sample_text(text, 600)
    assert len(sample) <= 602
    assert sample.startswith("start") and "middle" in sample and sample.rstrip().endswith("end")


def test_profiles_read_as_langdetect_reads_them() -> None:
    """The numpy reader of the profiles (winnow.extract.language._read_profiles, 5x faster) holds
    exactly langdetect's languages, n-grams and probabilities."""
    import numpy as np

    from winnow.extract.language import _read_profiles

    model = _read_profiles(PROFILES_DIRECTORY)
    assert model.langs == tuple(_factory.langlist)
    assert list(model.index) == list(_factory.word_lang_prob_map)
    expected = np.array(list(_factory.word_lang_prob_map.values()), dtype=np.float64)
    assert np.array_equal(model.matrix, expected)


def test_the_language_model_is_cached_with_the_same_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The model is built once into the `cache_dir` setting's folder and read back from it with
    exactly the values a build makes; a damaged entry is built again."""
    import numpy as np

    from winnow.extract import language
    from winnow.settings import get_settings

    monkeypatch.setenv("WINNOW_CACHE_DIR", str(tmp_path / "cache"))
    get_settings.cache_clear()
    try:
        built = language._read_profiles(PROFILES_DIRECTORY)
        first = language._cached_model(PROFILES_DIRECTORY)  # builds and stores
        (entry,) = (tmp_path / "cache").iterdir()
        assert entry.name.startswith("langdetect-") and (entry / "matrix.npy").is_file()
        again = language._cached_model(PROFILES_DIRECTORY)  # reads the entry
        for model in (first, again):
            assert model.langs == built.langs and model.index == built.index
            assert list(model.index) == list(built.index)
            assert model.matrix.dtype == built.matrix.dtype and model.matrix.shape == built.matrix.shape
            assert model.matrix.tobytes() == built.matrix.tobytes()
        assert type(again.matrix) is np.ndarray and not again.matrix.flags.writeable  # mapped
        (entry / "matrix.npy").write_bytes(b"not a matrix")
        damaged = language._cached_model(PROFILES_DIRECTORY)  # falls back to a build, forgets the entry
        assert damaged.matrix.tobytes() == built.matrix.tobytes() and not entry.exists()
        language._cached_model(PROFILES_DIRECTORY)  # the next process writes it again
        assert language._read_model(entry).matrix.tobytes() == built.matrix.tobytes()
    finally:
        get_settings.cache_clear()


def test_an_unwritable_cache_folder_still_detects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from winnow.extract import language
    from winnow.settings import get_settings

    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", "utf-8")
    monkeypatch.setenv("WINNOW_CACHE_DIR", str(blocked / "cache"))
    get_settings.cache_clear()
    try:
        model = language._cached_model(PROFILES_DIRECTORY)
        assert model.langs == language._read_profiles(PROFILES_DIRECTORY).langs
    finally:
        get_settings.cache_clear()
