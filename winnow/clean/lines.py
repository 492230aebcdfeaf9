"""The cleaner: drops whole lines that rules name as boilerplate, keeps everything else in order.

Head and tail rules only act before the first and after the last *anchor* line: a prose line that
no anywhere-rule removes. Anchors survive cleaning, so the regions, and the result, are the same
on a second pass (clean(clean(x)) == clean(x)).
"""

from __future__ import annotations

from collections.abc import Sequence

from winnow.clean.matcher import matcher
from winnow.clean.rules import Rule, normalise_line
from winnow.extract.words import count_words
from winnow.records import Document, Segment

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


def clean_document(doc: Document, rules: Sequence[Rule]) -> tuple[list[int], int]:
    """Run the rules over a document's lines, adding what they remove to doc.removed. Returns the
    indices of the kept lines and how many lines the rules removed. Lines a reader already took
    out (page-dump navigation, learned boilerplate) are seen blank, so positions stay those of the
    source text."""
    taken = {s.position - 1 for s in doc.removed}
    lines = [("" if i in taken else line) for i, line in enumerate(doc.lines)] if taken else doc.lines
    kept, removed = clean_lines(lines, rules)
    doc.removed = doc.removed + removed
    return kept, len(removed)


def clean_text(text: str, rules: Sequence[Rule]) -> str:
    """Convenience for tests and callers holding plain text: the kept lines, newline-joined."""
    lines = text.split("\n")
    kept, _ = clean_lines(lines, rules)
    return "\n".join(lines[i] for i in kept)
