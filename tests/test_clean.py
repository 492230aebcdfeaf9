from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.clean.lines import clean_lines, clean_text
from winnow.clean.rules import default_rules, load_rules

RULES = default_rules().rules

REMOVED = [
    ("Advertisement", "ad.marker"),
    ("ADVERTISEMENT", "ad.marker"),
    ("  Advertisement  ", "ad.marker"),
    ("Story continues below advertisement", "ad.marker"),
    ("SKIP ADVERTISEMENT", "ad.marker"),
    ("Skip Ad", "ad.marker"),
    ("Advertisement - Scroll to Continue", "ad.marker"),
    (
        "Yahoo is using AI to generate takeaways from this article. This means the info may not "
        "always match what's in the article.",
        "yahoo.ai_takeaways.banner",
    ),
    ("Generate Key Takeaways", "ui.ai_takeaways.button"),
    (
        "At the risk of also repeating ourselves: There’s never been a better time to be a "
        "Bulwark+ member. Try 30 days free.",
        "bulwark.membership_promo",
    ),
    ("Try 30 days free", "promo.subscription"),
    ("Subscribe now", "promo.subscription"),
    ("Already a subscriber? Sign in", "promo.subscription"),
    ("Sign up for our newsletter", "newsletter.signup"),
    ("Sign up to our Down to Earth newsletter", "newsletter.signup"),
    ("Share", "social.share"),
    ("Share this article", "social.share"),
    ("Facebook Twitter Email", "social.share"),
    ("Follow us on Twitter", "social.share"),
    ("Read more: How the city's buses became the slowest", "related.links"),
    ("Related: Europe's summer of extremes, in charts", "related.links"),
    ("READ MORE", "related.links"),
    ("© 2025 Example Wire Services. All rights reserved.", "legal.copyright"),
]


@pytest.mark.parametrize(("line", "rule_id"), REMOVED)
def test_boilerplate_is_removed_by_the_named_rule(line: str, rule_id: str) -> None:
    kept, removed = clean_lines([line], RULES)
    assert kept == []
    assert [s.rule_id for s in removed] == [rule_id]


PROSE = [
    "The company said advertisement revenue fell by a third in the quarter.",
    "Advertisement spending is expected to rebound next year, analysts said.",
    "She shared the article with colleagues before the meeting began.",
    "Readers who subscribe to several newspapers said they valued local reporting.",
    "Related to the inquiry, the minister declined to comment on Tuesday.",
    "Recommended by doctors, the treatment has been used for decades.",
    "Trending upward, prices rose for the fifth consecutive month in October.",
    "Share prices fell sharply after the announcement.",
    "Follow the money, the investigators were told, and you will find the culprit.",
    "The copyright office said it would review the claim.",
    "Try as they might, negotiators could not agree on the final wording.",
    "Email records obtained by reporters show the plan was discussed in March.",
]


@pytest.mark.parametrize("line", PROSE)
def test_prose_that_mentions_boilerplate_words_is_kept(line: str) -> None:
    kept, removed = clean_lines([line], RULES)
    assert kept == [0] and removed == []


def test_positions_are_one_based_and_order_is_kept() -> None:
    lines = ["Title", "Advertisement", "First paragraph.", "", "Second paragraph.", "Advertisement"]
    kept, removed = clean_lines(lines, RULES)
    assert kept == [0, 2, 4]
    assert [(s.position, s.text) for s in removed] == [(2, "Advertisement"), (6, "Advertisement")]


_line = st.one_of(
    st.sampled_from([r[0] for r in REMOVED] + PROSE + ["", "  ", "Menu", "Share"]),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
        max_size=120,
    ),
)


@settings(max_examples=300)
@given(st.lists(_line, max_size=40))
def test_cleaning_removes_whole_lines_keeps_order_and_is_idempotent(lines: list[str]) -> None:
    text = "\n".join(lines)
    kept, removed = clean_lines(lines, RULES)
    assert kept == sorted(kept)
    assert set(kept).isdisjoint({s.position - 1 for s in removed})
    for seg in removed:
        assert seg.text == lines[seg.position - 1].strip()
    once = clean_text(text, RULES)
    assert clean_text(once, RULES) == once
    # every kept line is a line of the input, verbatim
    assert all(line in lines for line in once.split("\n") if once)


@given(st.lists(st.sampled_from(PROSE), max_size=20))
def test_prose_only_documents_lose_nothing(lines: list[str]) -> None:
    kept, removed = clean_lines(lines, RULES)
    assert removed == [] and len(kept) == len(lines)


def test_rule_packs_are_valid_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rules = load_rules()
    assert len({r.id for r in rules.rules}) == len(rules.rules)
    assert all(r.category and r.note for r in rules.rules)
    (tmp_path / "local.toml").write_text(
        '[pack]\nid = "local"\n[[rule]]\nid = "local.x"\ncategory = "promo"\nmatch = "exact"\n'
        'patterns = ["buy our mugs"]\nnote = "house promo"\n'
    )
    extended = load_rules((str(tmp_path),))
    assert extended.version != rules.version
    kept, removed = clean_lines(["Buy our mugs"], extended.rules)
    assert removed[0].rule_id == "local.x"


def test_bad_rule_pack_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from winnow.errors import ConfigError

    (tmp_path / "bad.toml").write_text(
        '[[rule]]\nid = "x"\ncategory = "nonsense"\nmatch = "exact"\npatterns = ["a"]\n'
    )
    with pytest.raises(ConfigError, match="unknown category"):
        load_rules((str(tmp_path),))
