"""Generate a realistic raw/ corpus of N articles for the benchmark, from the shipped samples.

Each sample is a publisher template: its header lines (title, byline, date, read time) and its
boilerplate lines (ads, share buttons, newsletter promos) stay where they are, and its prose is
replaced by paragraphs drawn from the pool of the same language until the file reaches a target
size between 2 and 20 KB. Every article gets its own title and a unique sentence, so bodies do not
collide by accident. A few percent of the files are bad on purpose (empty, binary, only
boilerplate, too short, an unsupported type) and a few percent are byte-for-byte duplicates, so the
benchmark exercises the rejection and duplicate paths too.

    python bench/make_corpus.py /tmp/winnow-bench/raw --n 10000
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from winnow.clean.lines import clean_lines
from winnow.clean.rules import default_rules

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DIRS = (REPO / "raw", REPO.parent / "shared" / "samples")
PROSE_MIN_CHARS = 140  # a line this long (after the title) is article prose, not a header or a promo
FILES_PER_FOLDER = 1000
BAD_SHARE = 0.03
DUPLICATE_SHARE = 0.02


@dataclass
class Template:
    name: str
    language: str
    header: list[str]  # lines before the first paragraph, title first
    boilerplate: list[str]  # short lines found between paragraphs
    tail: list[str]  # short lines after the last paragraph


def _is_french(text: str) -> bool:
    return sum(text.count(w) for w in (" le ", " la ", " les ", " des ")) > sum(
        text.count(w) for w in (" the ", " of ", " and ")
    )


def load_templates() -> tuple[list[Template], dict[str, list[str]]]:
    """Templates and per-language paragraph pools from every sample text file that is present."""
    templates: list[Template] = []
    pools: dict[str, list[str]] = {}
    seen: set[str] = set()
    rules = default_rules()
    for folder in SAMPLE_DIRS:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else []:
            text = path.read_text("utf-8")
            if text in seen:
                continue
            seen.add(text)
            lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
            # Prose is what winnow's own rules keep; long promos ("Yahoo is using AI...") are not.
            kept, _ = clean_lines(lines, rules.for_source(path.name))
            prose = [i for i in kept if i > 0 and len(lines[i]) >= PROSE_MIN_CHARS]
            if not prose:
                continue
            language = "fr" if _is_french(text) else "en"
            first, last = prose[0], prose[-1]
            templates.append(
                Template(
                    name=path.stem,
                    language=language,
                    header=lines[:first],
                    boilerplate=[ln for ln in lines[first:last] if len(ln) < PROSE_MIN_CHARS],
                    tail=lines[last + 1 :],
                )
            )
            pools.setdefault(language, []).extend(lines[i] for i in prose)
    if not templates:
        raise SystemExit("no sample articles found in raw/ or ../shared/samples")
    return templates, pools


UNIQUE = {
    "en": "Reporting for this piece (file {n}) drew on {k} interviews and records from district {d}.",
    "fr": "Ce reportage (fichier {n}) s'appuie sur {k} entretiens et des archives du district {d}.",
}


def vary(paragraph: str, rng: random.Random, swaps: int = 3) -> str:
    """The paragraph with a few neighbouring words swapped: the same words (and language), but a
    line of its own. Real articles do not share their prose; without this, the pool's paragraphs
    recur in thousands of files and winnow rightly learns them as the site's boilerplate."""
    words = paragraph.split(" ")
    for _ in range(swaps if len(words) > 2 else 0):
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


SIZE_KB = (2, 20)  # the articles' sizes are drawn between these


def article(
    template: Template, pool: list[str], n: int, rng: random.Random, size_kb: tuple[int, int] = SIZE_KB
) -> str:
    target = int(rng.uniform(1_000 * size_kb[0], 1_000 * size_kb[1]))
    header = list(template.header)
    header[0] = f"{header[0]}: part {n}"
    paragraphs = [UNIQUE[template.language].format(n=n, k=rng.randint(3, 90), d=rng.randint(1, 999))]
    size = sum(len(h) + 1 for h in header) + len(paragraphs[0])
    while size < target:
        para = vary(rng.choice(pool), rng)
        paragraphs.append(para)
        size += len(para) + 1
        if template.boilerplate and rng.random() < 0.25:
            promo = rng.choice(template.boilerplate)
            paragraphs.append(promo)
            size += len(promo) + 1
    rng.shuffle(paragraphs)
    return "\n".join(header + paragraphs + template.tail) + "\n"


def bad_file(kind: int, template: Template, rng: random.Random) -> tuple[str, bytes]:
    """(extension, bytes) of a file the pipeline must reject with a reason."""
    if kind == 0:
        return ".txt", b""
    if kind == 1:
        return ".txt", bytes(rng.getrandbits(8) for _ in range(3000)) + b"\x00" * 64
    if kind == 2:
        boiler = template.header + template.boilerplate + template.tail
        return ".txt", ("\n".join(boiler) + "\n").encode()
    if kind == 3:
        return ".txt", f"{template.header[0]}\nToo short to be an article.\n".encode()
    return ".pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def generate(out: Path, n: int, seed: int = 7, size_kb: tuple[int, int] = SIZE_KB) -> dict[str, int]:
    """Write n files under out/ (in folders of 1,000), articles of size_kb KB; returns counts by kind."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    templates, pools = load_templates()
    rng = random.Random(seed)
    counts = {"articles": 0, "bad": 0, "duplicates": 0}
    written: list[Path] = []
    for i in range(n):
        folder = out / f"batch-{i // FILES_PER_FOLDER:04d}"
        folder.mkdir(exist_ok=True)
        template = templates[i % len(templates)]
        roll = rng.random()
        if roll < BAD_SHARE:
            ext, data = bad_file(i % 5, template, rng)
            (folder / f"{template.name}-{i:07d}{ext}").write_bytes(data)
            counts["bad"] += 1
        elif roll < BAD_SHARE + DUPLICATE_SHARE and written:
            source = written[rng.randrange(len(written))]
            shutil.copyfile(source, folder / f"copy-{i:07d}.txt")
            counts["duplicates"] += 1
        else:
            path = folder / f"{template.name}-{i:07d}.txt"
            path.write_text(article(template, pools[template.language], i, rng, size_kb), "utf-8")
            written.append(path)
            counts["articles"] += 1
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("out", type=Path, help="folder to create (replaced if it exists)")
    parser.add_argument("--n", type=int, default=10_000, help="number of files")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kb", type=int, nargs=2, default=SIZE_KB, help="article sizes: least, most (KB)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.out, args.n, args.seed, tuple(args.kb))
    print(f"wrote {args.n} files to {args.out} in {time.perf_counter() - t0:.1f}s: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
