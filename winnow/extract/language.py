"""Language identification: langdetect's model and algorithm, seeded, bounded and made fast.

langdetect (naive Bayes over character 1-3-grams, averaged over random restarts) is the detector
the design names. Its own Detector spends most of its time in pure-Python loops: n-gram
extraction character by character, and a loop over its 55 languages for every n-gram it draws.
This module runs the same algorithm on the same profiles and returns the same answer:

- the text is prepared as Detector.append and cleaning_text do (URLs and e-mail addresses out,
  Vietnamese normalised, runs of spaces collapsed, Latin letters dropped from mostly non-Latin
  text), with langdetect's own per-character normaliser applied through a cached str.translate;
- the n-grams are the same, in the same order (random draws pick them by position);
- the restarts draw from random.Random(seed) exactly as langdetect does, and the probability
  updates run in numpy over all languages, the five draws between two normalisations as one
  running product (the same IEEE operations in the same order; the normalising sum is
  sequential, as Python's is).

tests/test_language.py checks the results against langdetect's Detector. It reads a bounded,
spread-out sample of the body (the start, the middle and the end).

The model (langdetect's 55 JSON profiles, read into numpy: 0.2-0.4 s) is built once and kept in
winnow's cache folder (winnow.cache) under a hash of the profiles' bytes: the n-grams as JSON
and the probability matrix as a .npy file mapped into memory, which load in about 0.03 s and
hold exactly the values a build makes (tests/test_language.py compares them).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

from winnow import cache
from winnow.records import Document

_lock = threading.Lock()
_LATIN = re.compile("[A-z]")  # langdetect's test: 'A' <= ch <= 'z'
_NON_LATIN = re.compile("[\u0300-\U0010ffff]")  # its block test never excludes anything: see _prepare
_SPACES = re.compile(" +")


@dataclass(frozen=True)
class _Model:
    langs: tuple[str, ...]
    index: dict[str, int]  # n-gram -> row of `matrix`
    matrix: np.ndarray  # (n-grams, languages): P(n-gram | language), as langdetect's profiles hold it


_model: _Model | None = None


def _load() -> _Model:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = _cached_model(PROFILES_DIRECTORY)
    return _model


_CACHE_FORMAT = "1"  # bump when _read_profiles or the files below change


def _profiles_key(folder: str) -> str:
    """A hash of the profiles as _read_profiles reads them (names in listing order, bytes)."""
    digest = hashlib.sha256(f"winnow-langdetect-{_CACHE_FORMAT}".encode())
    for name in os.listdir(folder):
        if name.startswith("."):
            continue
        with open(os.path.join(folder, name), "rb") as fh:
            data = fh.read()
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:24]


def _write_model(model: _Model, folder: Path) -> None:
    ngrams = sorted(model.index, key=model.index.__getitem__)  # row order
    (folder / "ngrams.json").write_text(json.dumps({"langs": model.langs, "ngrams": ngrams}), "utf-8")
    np.save(folder / "matrix.npy", np.ascontiguousarray(model.matrix), allow_pickle=False)


def _read_model(folder: Path) -> _Model:
    meta = json.loads((folder / "ngrams.json").read_text("utf-8"))
    langs, ngrams = tuple(meta["langs"]), meta["ngrams"]
    # Mapped, not read: a process touches the rows of the n-grams it meets, and worker processes
    # share the pages. np.asarray: a plain ndarray over the map (no np.memmap subclass in the math).
    matrix = np.asarray(np.load(folder / "matrix.npy", mmap_mode="r", allow_pickle=False))
    if matrix.dtype != np.float64 or matrix.ndim != 2 or matrix.shape[0] != len(ngrams):
        raise ValueError(f"language model in {folder}: matrix {matrix.shape} {matrix.dtype}")
    index = dict(zip(ngrams, range(len(ngrams)), strict=True))
    if len(index) != len(ngrams) or not all(isinstance(x, str) for x in langs):
        raise ValueError(f"language model in {folder}: malformed n-gram list")
    return _Model(langs, index, matrix)


def _cached_model(folder: str) -> _Model:
    """The model from the cache, built and stored first if it is not there (or is unreadable)."""
    name = f"langdetect-{_profiles_key(folder)}"
    built: list[_Model] = []

    def write(scratch: Path) -> None:
        built.append(_read_profiles(folder))
        _write_model(built[0], scratch)

    where = cache.entry(name, write)
    if built:  # this process built it: use the build itself (the same values)
        return built[0]
    if where is not None:
        try:
            return _read_model(where)
        except (OSError, ValueError, KeyError, TypeError):
            cache.forget(name)  # damaged: the next process writes it again
    return _read_profiles(folder)


def _read_profiles(folder: str) -> _Model:
    """langdetect's profiles as DetectorFactory.load_profile reads them (the same languages in
    the same order, the same n-grams and probabilities), in numpy: its per-n-gram Python loop
    took 0.6 s, which a run that finds one new file waited for."""
    names = os.listdir(folder)  # its order, as load_profile takes it; a column per entry
    langs: list[str] = []
    index: dict[str, int] = {}
    cells: list[tuple[np.ndarray, int, np.ndarray]] = []
    for column, name in enumerate(names):
        if name.startswith("."):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            profile = json.load(fh)
        langs.append(profile["name"])
        freq: dict[str, int] = profile["freq"]
        words = list(freq)
        new = [w for w in words if w not in index]
        index.update(zip(new, range(len(index), len(index) + len(new)), strict=True))
        rows = np.fromiter(map(index.__getitem__, words), dtype=np.int64, count=len(words))
        sizes = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        counts = np.fromiter(freq.values(), dtype=np.float64, count=len(words))
        scored = (sizes >= 1) & (sizes <= 3)  # add_profile's rule: longer words get no probability
        n_words = np.asarray(profile["n_words"], dtype=np.float64)
        cells.append((rows[scored], column, counts[scored] / n_words[sizes[scored] - 1]))
    matrix = np.zeros((len(index), len(names)), dtype=np.float64)
    for rows, column, probs in cells:
        matrix[rows, column] = probs
    return _Model(tuple(langs), index, matrix)


class _Normalised(dict[int, str]):
    """str.translate table of langdetect's per-character normaliser, filled as characters appear."""

    def __missing__(self, code: int) -> str:
        out = self[code] = NGram.normalize(chr(code))
        return out


_NORMALISED = _Normalised()


def _prepare(text: str) -> str:
    """The text langdetect's Detector analyses after append() and cleaning_text()."""
    text = Detector.URL_RE.sub(" ", text)
    text = Detector.MAIL_RE.sub(" ", text)
    text = NGram.normalize_vi(text)
    text = _SPACES.sub(" ", text[:10_000])  # Detector.max_text_length
    # cleaning_text counts characters from U+0300 up as non-Latin unless they are in the Latin
    # Extended Additional block, but compares the block's number with its name, so it never
    # excludes them: count them all, as it does.
    if 2 * len(_LATIN.findall(text)) < len(_NON_LATIN.findall(text)):
        text = _LATIN.sub("", text)
    return text


def _ngram_rows(text: str, index: dict[str, int]) -> list[int]:
    """Rows of the profile n-grams in `text`, in the order langdetect's _extract_ngrams finds them.

    langdetect slides a 3-character window over each space-padded word (the first word padded
    by its initial space, every word followed by a space also padded after) and, at each position,
    takes the 1-, 2- and 3-gram ending there, except at a capital that follows a capital. What a
    word gives depends on the word alone, so common words are worked out once.
    """
    rows: list[int] = []
    parts = text.translate(_NORMALISED).split(" ")
    last = len(parts) - 1
    for k, word in enumerate(parts):
        if word:
            padded = " " + word + " " if k < last else " " + word
            found = _WORD_ROWS.get(padded)
            if found is None:
                if len(_WORD_ROWS) >= _WORD_ROWS_MAX:
                    _WORD_ROWS.clear()
                found = _WORD_ROWS[padded] = _word_rows(padded, index)
            rows.extend(found)
    return rows


_WORD_ROWS: dict[str, tuple[int, ...]] = {}
_WORD_ROWS_MAX = 200_000


def _word_rows(padded: str, index: dict[str, int]) -> tuple[int, ...]:
    rows: list[int] = []
    add = rows.append
    for j in range(1, len(padded)):
        ch = padded[j]
        if ch.isupper() and padded[j - 1].isupper():
            continue
        if ch != " " and (row := index.get(ch)) is not None:
            add(row)
        if (row := index.get(padded[j - 1 : j + 1])) is not None:
            add(row)
        if j >= 2 and (row := index.get(padded[j - 2 : j + 1])) is not None:
            add(row)
    return tuple(rows)


def _probabilities(rows: list[int], model: _Model, seed: int, trials: int) -> np.ndarray:
    """langdetect's Detector._detect_block over the drawn n-grams' rows.

    Its loop multiplies the probabilities by the drawn n-gram's row (plus alpha) once a draw and
    normalises them after the first draw and every fifth after it, stopping at a normalisation.
    So after the first the draws come in fives, and a five is one running product down the five
    rows (np.multiply.accumulate: the same multiplications in the same order) instead of five
    operations; only the drawn rows get alpha added, not every distinct row of the text."""
    rng = random.Random()
    rng.seed(seed)
    choice = rng.choice
    matrix = model.matrix
    languages = len(model.langs)
    result = np.zeros(languages)
    for _ in range(trials):
        alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        offset = alpha / Detector.BASE_FREQ  # a draw multiplies by offset + its row
        prob = np.full(languages, 1.0 / languages)
        prob *= offset + matrix[choice(rows)]
        prob /= np.add.accumulate(prob)[-1]  # summed in order, as Python's sum() does
        i = 0
        while not (prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT):
            five = matrix[[choice(rows), choice(rows), choice(rows), choice(rows), choice(rows)]]
            five += offset
            five[0] *= prob
            prob = np.multiply.accumulate(five, axis=0)[-1]
            prob /= np.add.accumulate(prob)[-1]
            i += 5
        result += prob / trials
    return result


def sample_text(text: str, limit: int) -> str:
    """Up to `limit` characters: three windows from start, middle and end, cut at spaces."""
    if len(text) <= limit:
        return text
    third = limit // 3
    mid = len(text) // 2 - third // 2
    windows = (text[:third], text[mid : mid + third], text[-third:])
    return " ".join(w.strip() for w in windows)


def detect_language(
    text: str, *, seed: int = 0, limit: int = 600, trials: int = 3
) -> tuple[str | None, float | None]:
    """(ISO 639-1 code such as 'en' or 'zh-cn', probability), or (None, None) for no letters.

    `trials` is langdetect's number of random restarts (its default is 7); 3 restarts on a
    600-character sample score the same on ../shared/eval as 7 on 2,000
    (bench/language_sample.py measures it).
    """
    sample = sample_text(text, limit)
    if not any(ch.isalpha() for ch in sample):
        return None, None
    model = _load()
    rows = _ngram_rows(_prepare(sample), model.index)
    if not rows:
        return None, None
    prob = _probabilities(rows, model, seed, trials)
    best = int(prob.argmax())  # the first of equals, as langdetect's stable sort keeps them
    if prob[best] <= Detector.PROB_THRESHOLD:
        return None, None
    return model.langs[best], round(float(prob[best]), 4)


def declared_primary(language: str | None) -> str | None:
    """'en-US' -> 'en'; None for anything that is not a language tag."""
    if not language:
        return None
    primary = re.split(r"[-_]", language.strip().lower())[0]
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else None


def set_language(doc: Document, *, seed: int, limit: int, trials: int) -> None:
    """The body's language and its probability; the source's own declaration wins where they differ."""
    doc.language, doc.language_prob = detect_language(doc.body, seed=seed, limit=limit, trials=trials)
    declared = declared_primary(doc.declared_language)
    if declared and declared != (doc.language or "").split("-")[0]:
        # The source names its language (<html lang>, a field): trust it over a statistical guess.
        doc.language, doc.language_prob = declared, None
