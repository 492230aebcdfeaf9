"""Bytes to clean Unicode text: BOM, UTF-8, detected legacy charsets, mojibake, NFC, controls."""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import ftfy
from charset_normalizer import from_bytes
from ftfy.badness import is_bad

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Zero-width and invisible formatting characters that scrapers leave behind. ZWJ/ZWNJ stay:
# emoji sequences and Persian/Indic spelling need them.
_INVISIBLE = "\u200b\u2060\ufeff\u180e\u00ad\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0/C1 controls except tab and newline (carriage returns are already normalised away).
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_DROPPED = re.compile(f"[{_INVISIBLE}{_CONTROLS}]")  # one scan of the text for both
_OTHER_NEWLINES = re.compile("[\u2028\u2029\x85\x0b\x0c]")  # a class alone: scanned fast
# Every mojibake pattern ftfy's is_bad() looks for is one unbroken run of non-ASCII characters
# (all of its character classes are non-ASCII) with at most two characters of context on either
# side; checking only those stretches is the same test at a fraction of the cost on mostly-ASCII
# text (is_bad over a whole 10 KB article costs ~1 ms).
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_REPLACEMENT_OR_CONTROL = re.compile("[\ufffd\x00-\x08\x0e-\x1f]")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    uncurl_quotes=False,  # curly quotes are the author's, keep them verbatim
    fix_latin_ligatures=False,
    fix_character_width=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str | None
    encoding: str
    problem: str | None = None  # check name when text is None: empty, binary, undecodable
    detail: str = ""


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        # NULs in text only come from UTF-16/32; those are handled before we get here.
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32 or b == 127)
    return controls / len(sample) > 0.05


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 with no BOM shows as NULs in every other byte of ASCII-heavy text."""
    sample = data[:4096]
    if len(sample) < 4 or len(data) % 2:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) / 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) / 2)
    for ratio, codec in ((odd_nuls, "utf-16-le"), (even_nuls, "utf-16-be")):
        if ratio > 0.3:
            try:
                return codec if data.decode(codec) is not None else None
            except UnicodeDecodeError:
                return None
    return None


def _decode_bytes(data: bytes) -> tuple[str | None, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec + "-bom"
            except UnicodeDecodeError:
                return None, codec + "-bom"
    # Before UTF-8: ASCII-heavy UTF-16 without a BOM is also valid UTF-8 (full of NULs).
    codec16 = _utf16_without_bom(data) if b"\x00" in data[:4096] else None
    if codec16:
        return data.decode(codec16), codec16
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            # Cut off mid-character (a truncated download): keep the text, drop the stub.
            return data[: exc.start].decode("utf-8"), "utf-8-truncated"
    if _looks_binary(data):
        return None, "binary"
    if _western_single_byte(data):
        return data.decode("cp1252"), "cp1252"
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        return None, "unknown"
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError):
        return None, best.encoding


# cp1252's punctuation (0x91-0x97: ‘ ’ “ ” • – —) sits between or beside letters in Western text.
_CP1252_PUNCTUATION = frozenset("‘’‚“”„•–—…‹›")
WESTERN_MAX_HIGH_SHARE = 0.25  # Western text: most letters are ASCII (accents are the exception)
WESTERN_MAX_ODD_SHARE = 0.02  # high characters that are neither letters nor punctuation in a word


def _western_single_byte(data: bytes) -> bool:
    """Non-UTF-8 bytes that read as Western European text in cp1252 (the Windows default that
    scrapers and editors write): few high bytes, each an accented letter inside a word or cp1252's
    quotes and dashes. The bytes say otherwise (charset detection decides) when most letters are
    high bytes (Cyrillic, Greek, Hebrew, Arabic single-byte sets) or when high bytes read as
    symbols inside words (cp1250's ł ą ś read as ³ ¹ œ)."""
    sample = data[:200_000]
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False  # 0x81, 0x8d, 0x8f, 0x90, 0x9d: not cp1252
    high = [i for i, ch in enumerate(text) if ord(ch) >= 0x80]
    letters = sum(1 for ch in text if ch.isalpha())
    if not high or len(high) > WESTERN_MAX_HIGH_SHARE * max(letters, 1):
        return False
    odd = 0
    for i in high:
        ch = text[i]
        if ch.isalpha() or ch in _CP1252_PUNCTUATION or not 0 < i < len(text) - 1:
            continue
        if text[i - 1].isalpha() and text[i + 1].isalpha():
            odd += 1  # '³' in 'by³y': a symbol inside a word, some other code page's letter
    return odd <= WESTERN_MAX_ODD_SHARE * len(high)


def _maybe_mojibake(text: str) -> bool:
    if text.isascii():
        return False
    windows = [text[max(m.start() - 2, 0) : m.end() + 2] for m in _NON_ASCII_RUN.finditer(text)]
    if not any(map(_bad, windows)):
        return False
    # A window cut from its context can look bad where the whole text does not ('Â \xa0' inside
    # 'ZÂ \xa0'): the rare flagged text is judged whole, so the answer is ftfy's own.
    return bool(is_bad(text))


@lru_cache(maxsize=16_384)
def _bad(window: str) -> bool:
    # The same few stretches (a curly apostrophe between two letters, a dash between spaces) make
    # up most of what a page's non-ASCII runs are: each is judged once.
    return bool(is_bad(window))


def normalise_text(text: str) -> str:
    """Newlines to \\n, mojibake repaired, invisible and control characters dropped, NFC."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _OTHER_NEWLINES.sub("\n", text)
    if _maybe_mojibake(text):
        text = ftfy.fix_text(text, _FTFY_CONFIG)
    text = _DROPPED.sub("", text)
    return unicodedata.normalize("NFC", text)


def decode(data: bytes) -> Decoded:
    """Decode scraped bytes. Never raises: a failure comes back as a named problem."""
    if not data.strip():
        return Decoded(None, "", "empty", "the file is empty or holds only whitespace")
    text, encoding = _decode_bytes(data)
    if text is None:
        if encoding == "binary":
            return Decoded(None, encoding, "binary", "the file holds binary data, not text")
        return Decoded(None, encoding, "undecodable", f"no text encoding fits ({encoding})")
    if "\x00" in text[:8192] or _replacement_heavy(text):
        return Decoded(None, encoding, "binary", "decoded text is mostly control characters")
    text = normalise_text(text)
    if not text.strip():
        return Decoded(None, encoding, "empty", "no visible text after decoding")
    return Decoded(text, encoding)


def _replacement_heavy(text: str) -> bool:
    sample = text[:8192]
    return len(_REPLACEMENT_OR_CONTROL.findall(sample)) / max(len(sample), 1) > 0.05
