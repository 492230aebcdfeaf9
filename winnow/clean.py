"""The cleaner: drops whole lines that rules name as boilerplate, keeps everything else in order.

Head and tail rules only act before the first and after the last *anchor* line: a prose line that
no anywhere-rule removes. Anchors survive cleaning, so the regions, and the result, are the same
on a second pass (clean(clean(x)) == clean(x)).
"""

from __future__ import annotations

from collections.abc import Sequence

from winnow.records import Segment
from winnow.rules import Rule, matcher, normalise_line
from winnow.words import count_words

_SENTENCE_END = ".!?…\"”’)"
ANCHOR_MIN_WORDS = 12


def _is_prose(line: str) -> bool:
    return line.rstrip()[-1:] in _SENTENCE_END and count_words(line) >= ANCHOR_MIN_WORDS


def clean_lines(lines: Sequence[str], rules: Sequence[Rule]) -> tuple[list[int], list[Segment]]:
    """Return (indices of kept non-blank lines, removed segments). Never raises on any text."""
    anywhere = matcher([r for r in rules if r.where == "anywhere"])
    head = matcher([r for r in rules if r.where == "head"])
    tail = matcher([r for r in rules if r.where == "tail"])
    folded_lines = [normalise_line(line) for line in lines]
    verdict: list[Rule | None] = [
        anywhere.first(line, folded) if folded else None
        for line, folded in zip(lines, folded_lines, strict=True)
    ]
    if head.rules or tail.rules:
        anchors = [i for i, line in enumerate(lines) if verdict[i] is None and _is_prose(line)]
        first = anchors[0] if anchors else len(lines)
        last = anchors[-1] if anchors else -1
        for i, line in enumerate(lines):
            if verdict[i] is not None or not folded_lines[i]:
                continue
            zone = head if i < first else tail if i > last else None
            if zone is not None:
                verdict[i] = zone.first(line, folded_lines[i])
    kept: list[int] = []
    removed: list[Segment] = []
    for i, line in enumerate(lines):
        rule = verdict[i]
        if rule is not None:
            removed.append(Segment(i + 1, line.strip(), rule.id, rule.category))
        elif folded_lines[i]:
            kept.append(i)
    return kept, removed


def clean_text(text: str, rules: Sequence[Rule]) -> str:
    """Convenience for tests and callers holding plain text: the kept lines, newline-joined."""
    lines = text.split("\n")
    kept, _ = clean_lines(lines, rules)
    return "\n".join(lines[i] for i in kept)
