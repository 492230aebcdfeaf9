"""Language identification with langdetect, seeded and bounded.

langdetect is random unless seeded and costs milliseconds per kilobyte, so it reads a bounded,
spread-out sample of the body: the start, the middle and the end.
"""

from __future__ import annotations

import threading

from langdetect import DetectorFactory
from langdetect.detector_factory import init_factory
from langdetect.lang_detect_exception import LangDetectException

_lock = threading.Lock()
_ready = False


def _ensure_factory(seed: int) -> None:
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                DetectorFactory.seed = seed
                init_factory()
                _ready = True


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

    `trials` is langdetect's number of random restarts (its default is 7); each costs about as
    much as reading 600 characters, and 3 restarts on a 600-character sample score the same on
    ../shared/eval as 7 on 2,000 (bench/language_sample.py measures it).
    """
    sample = sample_text(text, limit)
    if not any(ch.isalpha() for ch in sample):
        return None, None
    _ensure_factory(seed)
    from langdetect.detector_factory import _factory

    try:
        detector = _factory.create()
        detector.n_trial = trials
        detector.append(sample)
        ranked = detector.get_probabilities()
    except LangDetectException:
        return None, None
    if not ranked:
        return None, None
    best = ranked[0]
    return str(best.lang), round(float(best.prob), 4)
