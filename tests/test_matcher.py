"""The fast rule matcher must name the same rule as trying every rule in order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.clean.matcher import Matcher
from winnow.clean.rules import Rule, default_rules, normalise_line

EXTRA = (
    Rule("t.case", "ui", "regex", (r"^Sign In$",), case_sensitive=True),
    Rule("t.backref", "ui", "regex", (r"\b(\w+) \1\b",), max_words=8),
    Rule("t.bar", "promo", "regex", (r"^free trial|offer ends",), max_words=12),
    Rule("t.flags", "ui", "regex", (r"(?s)^menu.*close$",)),
    Rule("t.prefix", "related", "prefix", ("see also:",), max_words=10),
    Rule("t.exact", "ad", "exact", ("sponsored by acme",), max_words=3),
)
RULES = (*default_rules().rules, *EXTRA)
REPO = Path(__file__).resolve().parent.parent
PIECES = [
    "Advertisement",
    "advertisement.",
    "Story continues below advertisement",
    "Try 30 days free",
    "start your free trial",
    "Sign In",
    "sign in",
    "Share on Facebook",
    "Facebook Twitter Email",
    "Read more:",
    "Sign up for our newsletter",
    "delivered to your inbox",
    "© 2025 Acme",
    "the the",
    "offer ends soon",
    "free trial now",
    "see also: more",
    "Sponsored by Acme",
    "menu close",
    "Yahoo is using AI to generate takeaways from this article",
    "The committee said price pressures had moderated meaningfully over the summer.",
    "|",
    "•",
    "  ",
    "-",
    "word",
    "Bulwark+ members",
    "subscribe now to unlock",
]


def naive(rules: tuple[Rule, ...], line: str) -> Rule | None:
    folded = normalise_line(line)
    return next((r for r in rules if r.matches(line, folded)), None)


lines = st.lists(st.sampled_from(PIECES) | st.text(max_size=12), min_size=1, max_size=6).map(" ".join)


@settings(max_examples=1500, deadline=None)
@given(lines)
def test_same_rule_as_trying_each_in_order(line: str) -> None:
    for where in ("anywhere", "head", "tail"):
        group = tuple(r for r in RULES if r.where == where)
        assert Matcher(group).first(line, normalise_line(line)) == naive(group, line)


def test_every_piece_alone() -> None:
    group = tuple(r for r in RULES if r.where == "anywhere")
    matcher = Matcher(group)
    hits = 0
    for piece in PIECES:
        expected = naive(group, piece)
        assert matcher.first(piece, normalise_line(piece)) == expected, piece
        hits += expected is not None
    assert hits >= 15  # the pieces do exercise the rules


def test_rules_that_cannot_join_an_alternation_still_match() -> None:
    group = EXTRA
    matcher = Matcher(group)
    assert matcher.first("Sign In", normalise_line("Sign In")) == EXTRA[0]
    assert matcher.first("sign in", normalise_line("sign in")) is None
    assert matcher.first("it was the the end", normalise_line("it was the the end")) == EXTRA[1]
    assert matcher.first("Offer ends today", normalise_line("Offer ends today")) == EXTRA[2]


def _canonical(value: object) -> object:
    if isinstance(value, frozenset | set):
        return sorted(map(_canonical, value), key=repr)
    if isinstance(value, tuple | list):
        return [_canonical(v) for v in value]
    if isinstance(value, Rule):
        return value.id
    return value


def _worked_out(m: Matcher) -> object:
    return _canonical(
        (m._anchored_starts, m._anchored_needs, m._loose_texts, m._loose_open, m._always, m._limit)
    )


def test_what_a_matcher_works_out_is_remembered_across_processes_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """winnow.clean.analysis keeps each pattern's analysis in the cache folder; a process that reads
    it back builds the same matcher, and a damaged file is worked out again."""
    import subprocess
    import sys

    from winnow.clean import analysis

    monkeypatch.setenv("WINNOW_CACHE_DIR", str(tmp_path))
    script = (
        "import json\n"
        "from tests.test_matcher import _worked_out\n"
        "from winnow.clean import analysis\n"
        "from winnow.clean.matcher import Matcher\n"
        "from winnow.clean.rules import default_rules\n"
        "m = Matcher(default_rules().rules)\n"
        "print(json.dumps([_worked_out(m), analysis.computed]))\n"
    )

    def build() -> list[object]:
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
        )
        return list(json.loads(done.stdout))

    import json

    first = build()  # works it out and writes the file
    (written,) = tmp_path.glob("regex-analysis-*.json")
    again = build()  # reads it
    assert first[-1] and again[-1] == 0 and first[:-1] == again[:-1]
    written.write_text('{"starts\\u0000(?:x)": {"set": [1]}, "needs\\u0000y": "n"}', "utf-8")
    damaged = build()
    assert damaged[:-1] == first[:-1] and damaged[-1] == first[-1]
    # and in this process, with nothing remembered, the same
    monkeypatch.setattr(analysis, "_values", {})
    monkeypatch.setattr(analysis, "_stored", {})
    m = Matcher(default_rules().rules)
    assert json.loads(json.dumps(_worked_out(m))) == first[0]
