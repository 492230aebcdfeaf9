"""Articles for the near-duplicate tests: distinct stories made of ordinary English words (seeded),
and copies of one story as other outlets would carry it (text copy-paste, HTML page, Markdown)."""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (  # noqa: SIM905 - a word list reads better as text
    "the council city river school budget minister voters election report police market prices "
    "energy winter summer storm farmers harvest rail station bridge housing rent tenants landlord "
    "court judge ruling appeal company workers strike union wages contract hospital nurses doctors "
    "patients waiting list museum artist exhibition festival music theatre audience season club "
    "players coach league final goal match injury transfer fans stadium weather forecast flood "
    "drought water supply reservoir pipeline engineers project delay cost funding grant charity "
    "volunteers families children parents teachers pupils exam results university students research "
    "scientists study data survey poll support opposition party leader campaign debate policy tax "
    "spending deficit growth inflation interest bank loans savings pension retirement age village "
    "town county district region border coast island mountain forest park wildlife birds fishing "
    "harbour port ships cargo trade exports imports tariffs talks agreement treaty summit allies "
    "security defence army troops ceasefire aid refugees shelter food fuel electricity grid outage "
    "repair crews roads traffic buses cycling lanes parking fines residents neighbours complaints "
    "noise plans approval vote committee hearing evidence witness statement lawyer trial verdict "
    "sentence prison release family mourners tribute memorial anniversary history archive letters "
    "discovery ancient coins excavation site heritage church tower restoration architects design "
    "garden market stalls bakery restaurant chef menu kitchen local produce cheese wine vineyard"
).split()
LINKERS = "and but while after before because although since when as".split()  # noqa: SIM905


def story(seed: int, paragraphs: int = 6, words: int = 70) -> list[str]:
    """A story's paragraphs: sentences of seeded random words, different for every seed."""
    rnd = random.Random(seed)
    out = []
    for _ in range(paragraphs):
        sentences, count = [], 0
        while count < words:
            n = rnd.randint(9, 18)
            parts = [rnd.choice(WORDS) for _ in range(n)]
            parts.insert(n // 2, rnd.choice(LINKERS))
            sentences.append(" ".join(parts).capitalize() + ".")
            count += n + 1
        out.append(" ".join(sentences))
    return out


def as_text(title: str, author: str, date: str, paragraphs: list[str], chrome: str = "") -> str:
    """A copy-paste: headline, byline, date line, paragraphs (and some chrome lines)."""
    head = [title, f"By {author}", date, "5 min read"]
    extra = [chrome] if chrome else []
    return "\n".join(head + extra + paragraphs + ["Advertisement"]) + "\n"


def as_html(title: str, author: str, iso_date: str, paragraphs: list[str], site: str) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><title>{title} | {site}</title>
<meta property="og:title" content="{title}">
<meta name="author" content="{author}">
<meta property="article:published_time" content="{iso_date}">
<meta property="og:site_name" content="{site}">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/politics">Politics</a></nav>
<article><h1>{title}</h1><p class="byline">By {author}</p>
{body}
</article>
<aside><h3>Related</h3><ul><li><a href="/a">Another story entirely</a></li></ul></aside>
<footer>Copyright {site}. All rights reserved.</footer>
</body></html>
"""


def as_markdown(title: str, author: str, iso_date: str, paragraphs: list[str]) -> str:
    body = "\n\n".join(paragraphs)
    return f'---\ntitle: "{title}"\nauthor: {author}\ndate: {iso_date}\n---\n\n# {title}\n\n{body}\n'


def write(raw: Path, name: str, text: str) -> Path:
    path = raw / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def syndicated(raw: Path, seed: int = 1) -> dict[str, Path]:
    """One story as four outlets carry it: the original copy-paste (earliest), an HTML page (one
    paragraph cut, a day later), a Markdown repost with an editor's note (two days later); and a
    byte-identical copy of the original."""
    title = f"Council Approves Plan For River Crossing {seed}"
    paras = story(seed)
    original = as_text(title, "Ada Lovelace", "Tue, March 3, 2026 at 9:00 AM UTC", paras)
    return {
        "original": write(raw, f"outlet-a/story-{seed}.txt", original),
        "html": write(
            raw,
            f"outlet-b/story-{seed}.html",
            as_html(title, "Ada Lovelace", "2026-03-04T10:00:00+00:00", paras[:2] + paras[3:], "Outlet B"),
        ),
        "markdown": write(
            raw,
            f"outlet-c/story-{seed}.md",
            as_markdown(
                title,
                "Ada Lovelace",
                "2026-03-05T08:00:00Z",
                paras + ["This story first appeared in Outlet A."],
            ),
        ),
        "exact": write(raw, f"outlet-d/story-{seed}.txt", original),
    }


def unrelated(raw: Path, seed: int, name: str | None = None) -> Path:
    title = f"A Different Story Number {seed}"
    return write(
        raw,
        name or f"other/story-{seed}.txt",
        as_text(title, "Grace Hopper", "Mon, March 2, 2026 at 8:00 AM UTC", story(1000 + seed)),
    )
