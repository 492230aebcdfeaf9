"""The fast rule matcher must name the same rule as trying every rule in order."""

from __future__ import annotations

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
PIECES = [
    "Advertisement", "advertisement.", "Story continues below advertisement", "Try 30 days free",
    "start your free trial", "Sign In", "sign in", "Share on Facebook", "Facebook Twitter Email",
    "Read more:", "Sign up for our newsletter", "delivered to your inbox", "© 2025 Acme",
    "the the", "offer ends soon", "free trial now", "see also: more", "Sponsored by Acme",
    "menu close", "Yahoo is using AI to generate takeaways from this article",
    "The committee said price pressures had moderated meaningfully over the summer.",
    "|", "•", "  ", "-", "word", "Bulwark+ members", "subscribe now to unlock",
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
