"""How much text langdetect needs: accuracy on ../shared/eval and cost per document, for sample
sizes and numbers of random restarts (langdetect's n_trial).

    python bench/language_sample.py

Bodies come from winnow's own text path (decode, clean) over ../shared/eval/text; the expected
language is the one each page declares (truth/*.json), compared on the primary subtag.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO))

from winnow.batch import process_file  # noqa: E402
from winnow.clean.rules import default_rules  # noqa: E402
from winnow.extract.language import detect_language  # noqa: E402
from winnow.read.sources import FileEntry  # noqa: E402
from winnow.settings import get_settings  # noqa: E402


def bodies() -> list[tuple[str, str | None]]:
    out = []
    for path in sorted((EVAL / "text").glob("*.txt")):
        truth = json.loads((EVAL / "truth" / f"{path.stem}.json").read_text("utf-8"))
        entry = FileEntry(path.name, path.stat().st_size, 0, "txt")
        docs, _ = process_file(EVAL / "text", entry, default_rules(), get_settings(), defaultdict(float))
        if docs and docs[0].body:
            lang = (truth.get("language") or "").split("-")[0].lower() or None
            out.append((docs[0].body, lang))
    return out


def main() -> None:
    if not (EVAL / "text").is_dir():
        raise SystemExit("../shared/eval is not here")
    docs = bodies()
    labelled = sum(1 for _, lang in docs if lang)
    detect_language("load the language profiles before timing")
    print(
        f"{len(docs)} bodies, {labelled} with a declared language; current settings: "
        f"sample_chars={get_settings().sample_chars}, language_trials={get_settings().language_trials}"
    )
    print("| sample chars | trials | correct | ms/doc |")
    print("|---:|---:|---:|---:|")
    for trials in (7, 3, 2):
        for limit in (2000, 1000, 600, 300):
            right, t0 = 0, time.perf_counter()
            for body, lang in docs:
                got, _ = detect_language(body, limit=limit, trials=trials)
                right += bool(lang) and (got or "").split("-")[0] == lang
            ms = 1000 * (time.perf_counter() - t0) / len(docs)
            print(f"| {limit} | {trials} | {right}/{labelled} | {ms:.2f} |")


if __name__ == "__main__":
    main()
