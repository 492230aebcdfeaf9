"""The engine's faster forms against the plain ones they replace (issue #17): the same answer on
any text. Each reference below is the code as it was before the cut."""

from __future__ import annotations

import random
import re
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langdetect.detector import Detector

from tests.conftest import SHARED, SHIPPED_SAMPLES
from winnow.clean.matcher import matcher
from winnow.clean.rules import Rule, default_rules, normalise_line
from winnow.extract import language
from winnow.extract.byline import LowercaseWords, lowercase_words
from winnow.extract.dates import slash_dayfirst
from winnow.read import reflow
from winnow.read.pagelines import Line

# Lower-case Latin words, capitals, dots, digits, slashes and newlines, accented letters at the ends
# of lowercase_words' class (ß, ÿ) and just outside it (Þ, Ā), and any text at all.
PAGE = st.sampled_from(list("ab the of ß ÿ Þ Ā Z . 1 2 3 / \n _ - 0 4 5 9 é İ ÷"))
TEXT = st.text(alphabet=PAGE, max_size=80) | st.text(max_size=80)


def _lowercase_words_per_text(texts: list[str]) -> frozenset[str]:
    return frozenset(w for text in texts for w in re.findall(r"(?<![\w.])[a-zß-ÿ]{3,}(?![\w.])", text))


@given(st.lists(TEXT, max_size=6))
def test_lowercase_words_in_one_scan_finds_what_a_scan_per_text_does(texts: list[str]) -> None:
    assert lowercase_words(texts) == _lowercase_words_per_text(texts)
    assert lowercase_words(iter(texts)) == _lowercase_words_per_text(texts)


_ENGLISH = frozenset(["the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "on", "are", "by"])


def _slash_dayfirst_reference(text: str) -> bool:
    for m in re.finditer(r"(?<![\d/])(\d{1,2})/(\d{1,2})/\d{4}", text):
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            return True
        if b > 12 >= a:
            return False
    words = re.findall(r"[^\W\d_]+", text[:20_000].lower())
    english = sum(w in _ENGLISH for w in words)
    return not words or english < 0.04 * len(words)


DATES = st.builds(
    lambda a, b, y, sep: f"{a}{sep}{b}{sep}{y}",
    st.integers(0, 40),
    st.integers(0, 40),
    st.integers(999, 20_000),
    st.sampled_from(["/", "/", "."]),
)


@given(st.lists(TEXT | DATES, max_size=12).map(" ".join))
def test_slash_dayfirst_reads_as_before(text: str) -> None:
    assert slash_dayfirst(text) == _slash_dayfirst_reference(text)


LOWERCASE_PAGE = st.sampled_from(["abc", "def", "÷", ".", "_", "1", "Z", " ", "\n", "é", "ÿ", "Þ"])


@given(st.lists(TEXT, max_size=6) | st.lists(st.lists(LOWERCASE_PAGE, max_size=12).map("".join), max_size=3))
def test_lowercase_words_looked_up_answer_as_the_set(texts: list[str]) -> None:
    eager = _lowercase_words_per_text(texts)
    page = "\n".join(texts)
    # every run of the class's characters in the page: inside longer words, beside dots, digits, '÷'
    runs = {page[i:j] for i in range(len(page)) for j in range(i + 3, len(page) + 1)}
    runs = {run for run in runs if re.fullmatch("[a-zß-ÿ]+", run)}
    lazy = LowercaseWords(iter(texts))
    for word in [*sorted(runs), *sorted(eager), "the", "abc", "Abc", "ab", 7]:
        assert (word in lazy) == (word in eager), (word, page)


@pytest.mark.parametrize(
    ("page", "word", "listed"),
    [
        ("abc÷def", "abc", False),
        ("abc÷def", "abc÷def", True),
        (".abc more", "abc", False),
        ("x abc.", "abc", False),
        ("x abc, more", "abc", True),
    ],
)
def test_lowercase_words_at_the_edges_of_the_class(page: str, word: str, listed: bool) -> None:
    assert (word in lowercase_words([page])) is listed
    assert (word in LowercaseWords([page])) is listed


def _probabilities_draw_by_draw(rows: list[int], seed: int, trials: int) -> np.ndarray:
    """langdetect's _detect_block as winnow ran it before: one numpy operation a draw."""
    model = language._load()
    rng = random.Random()
    rng.seed(seed)
    distinct = sorted(set(rows))
    position = {row: k for k, row in enumerate(distinct)}
    drawn = [position[row] for row in rows]
    profile = model.matrix[distinct]
    languages = len(model.langs)
    result = np.zeros(languages)
    for _ in range(trials):
        prob = np.full(languages, 1.0 / languages)
        alpha = Detector.ALPHA_DEFAULT + rng.gauss(0.0, 1.0) * Detector.ALPHA_WIDTH
        factors = (alpha / Detector.BASE_FREQ) + profile
        i = 0
        while True:
            prob *= factors[rng.choice(drawn)]
            if i % 5 == 0:
                prob /= np.add.accumulate(prob)[-1]
                if prob.max() > Detector.CONV_THRESHOLD or i >= Detector.ITERATION_LIMIT:
                    break
            i += 1
        result += prob / trials
    return result


@settings(max_examples=60, deadline=None)
@given(
    st.lists(TEXT, min_size=1, max_size=8).map(" ".join),
    st.lists(st.integers(0, 10_000), min_size=1, max_size=300),
    st.integers(0, 2**31),
    st.integers(1, 7),
)
def test_probabilities_in_fives_are_the_draw_by_draw_ones_bit_for_bit(
    text: str, picks: list[int], seed: int, trials: int
) -> None:
    model = language._load()
    rows = language._ngram_rows(language._prepare(text), model.index)
    # the n-grams of a text, or rows anywhere in the profiles (some with nearly flat probabilities)
    rows = rows or [p % len(model.index) for p in picks]
    fast = language._probabilities(rows, model, seed, trials)
    assert fast.tobytes() == _probabilities_draw_by_draw(rows, seed, trials).tobytes()


def test_probabilities_bit_for_bit_on_real_bodies() -> None:
    model = language._load()
    folders = [SHIPPED_SAMPLES, SHARED / "samples", SHARED / "eval" / "text"]
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.iterdir()) if p.is_file()]
    assert paths, "the project's raw/ samples are always here"
    for path in paths[:120]:
        text = language.sample_text(path.read_text("utf-8", errors="replace"), 600)
        rows = language._ngram_rows(language._prepare(text), model.index)
        if rows:
            fast = language._probabilities(rows, model, 0, 3)
            assert fast.tobytes() == _probabilities_draw_by_draw(rows, 0, 3).tobytes(), path


def _estimate_width_per_width(shapes: list[reflow._Shape]) -> tuple[int, int] | None:
    """reflow.estimate_width as it was: three passes over the lines for each candidate width."""
    from winnow.read.reflow import (
        LONG_LINE_SHARE,
        LONG_TOKEN,
        MAX_WIDTH,
        MIN_CONTINUED_SHARE,
        MIN_FULL_LINES,
        MIN_FULL_SHARE,
        MIN_WIDTH,
        OVERHANG,
        SLACK,
        _continues,
        _full,
        _same_block,
    )

    long = sorted({s.cols for s in shapes if s.breakable and MIN_WIDTH <= s.cols <= MAX_WIDTH})
    if not long:
        return None
    pairs = list(zip(shapes, shapes[1:], strict=False))
    best, best_score = None, 0
    for width in long[-12:]:
        over = sum(1 for s in shapes if s.breakable and width + SLACK < s.cols <= width + SLACK + OVERHANG)
        far = sum(1 for s in shapes if s.breakable and width + SLACK + OVERHANG < s.cols <= MAX_WIDTH)
        full = sum(
            1
            for a, b in pairs
            if a.breakable and b.first_word <= LONG_TOKEN and _full(a, b, width) and _same_block(a, b)
        )
        score = full - over - 4 * far
        if score > best_score:
            best, best_score = width, score
    if best is None or best_score < MIN_FULL_LINES:
        return None
    near = [
        (a, b)
        for a, b in pairs
        if a.breakable and best * LONG_LINE_SHARE <= a.cols <= best + SLACK and b.text and not b.bullet
    ]
    full_pairs = [(a, b) for a, b in near if _full(a, b, best) and _same_block(a, b)]
    if len(full_pairs) < MIN_FULL_SHARE * len(near):
        return None
    worded = [(a, b) for a, b in full_pairs if b.first_word <= LONG_TOKEN]
    continued = sum(1 for a, b in worded if _continues(a, b))
    if continued < max(2, MIN_CONTINUED_SHARE * len(worded)):
        return None
    return best, len(full_pairs)


WORDS = st.sampled_from(
    ["a", "the", "Word", "lower", "comma,", "end.", "\u4e2d\u6587", "x" * 14, "y" * 20, "- ", "* item", "1."]
)
PARAGRAPHS = st.lists(st.lists(WORDS, min_size=1, max_size=200).map(" ".join), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    PARAGRAPHS,
    st.integers(25, 150),
    st.lists(
        st.sampled_from(["", "   ", "  indented line here", "Menu", "x" * 145])
        | st.integers(100, 160).map(lambda n: ("ab " * n)[:n]),  # long breakable lines
        max_size=8,
    ),
    st.randoms(use_true_random=False),
)
def test_estimate_width_counts_as_a_pass_per_width_does(
    paragraphs: list[str], width: int, extra: list[str], rnd: random.Random
) -> None:
    lines = [line for para in paragraphs for line in [*textwrap.wrap(para, width), ""]]
    for line in extra:
        lines.insert(rnd.randrange(len(lines) + 1), line)
    for cells in (True, False):
        shapes = [reflow._shape(line, cells) for line in lines]
        assert reflow.estimate_width(shapes) == _estimate_width_per_width(shapes)


@given(st.lists(TEXT, max_size=20))
def test_estimate_width_on_any_lines(lines: list[str]) -> None:
    for cells in (True, False):
        shapes = [reflow._shape(line, cells) for line in lines]
        assert reflow.estimate_width(shapes) == _estimate_width_per_width(shapes)


def _first_rule_by_rule(rules: list[Rule], line: str, folded: str) -> Rule | None:
    """Matcher.first's answer by definition: the first rule, in order, whose pattern finds the line
    (each regex searched, with no combined test and no required-character check)."""
    words = len(folded.split())
    for rule in rules:
        if rule.max_words is not None and words > rule.max_words:
            continue
        key = folded if not rule.case_sensitive else " ".join(line.strip(" \t|•·>*_-–—»›").split())
        if rule.match == "exact":
            hit = key in rule._exact or key.rstrip(".:!") in rule._exact  # type: ignore[attr-defined]
        elif rule.match == "prefix":
            hit = key.startswith(rule._prefixes)  # type: ignore[attr-defined]
        else:
            hit = any(rx.search(key) for rx in rule._regexes)  # type: ignore[attr-defined]
        if hit:
            return rule
    return None


def _rule_words() -> list[str]:
    """Words and punctuation of the built-in rules' patterns, so random lines hit rules often."""
    found: set[str] = set()
    for rule in default_rules().rules:
        for pattern in rule.patterns:
            found.update(re.findall(r"[^\W\d_]{2,}|[:/()+©|-]", pattern))
    return sorted(found)


RULE_WORDS = st.sampled_from([*_rule_words(), "Getty", "AP", "ı", "ſ", "K", "12", "2024", ".", "’"])
RULE_LINES = st.lists(RULE_WORDS, min_size=1, max_size=14).map(" ".join)


@settings(max_examples=400, deadline=None)
@given(RULE_LINES | TEXT, st.sampled_from(["", " ", "| ", "Photo: "]))
def test_matcher_first_is_the_first_rule_that_matches(text: str, lead: str) -> None:
    rules = default_rules().rules
    for where in ("anywhere", "head", "tail"):
        chosen = [r for r in rules if r.where == where]
        for line in (lead + text, (lead + text).upper(), (lead + text).title()):
            # the normalised form, and a caller's own (not casefolded: the cuts must not apply)
            for folded in (normalise_line(line), line):
                found = matcher(chosen).first(line, folded)
                assert found == _first_rule_by_rule(chosen, line, folded), (line, folded)


def test_matcher_first_on_real_lines() -> None:
    rules = [r for r in default_rules().rules if r.where == "anywhere"]
    folders = [SHIPPED_SAMPLES, SHARED / "samples", SHARED / "eval" / "text"]
    paths = [p for folder in folders if folder.is_dir() for p in sorted(folder.iterdir()) if p.is_file()]
    assert paths
    hits = 0
    for path in paths[:150]:
        for line in path.read_text("utf-8", errors="replace").splitlines():
            folded = normalise_line(line)
            if folded:
                rule = matcher(rules).first(line, folded)
                assert rule == _first_rule_by_rule(rules, line, folded), line
                hits += rule is not None
    assert hits > 50  # the real lines reach the rules, not only the combined test


PATTERNS = ["^ab", r"\bx[yz]", "(a|b)?c", r"(?:\(?photo) by", r"\d+ of", "(?i:x)y", "a*", r"\b(the|of) Zi\b"]


@given(st.sampled_from(PATTERNS), TEXT | RULE_LINES)
def test_pattern_starts_and_required_characters_are_necessary(pattern: str, text: str) -> None:
    from winnow.clean.patterns import ascii_starts, required_chars, required_texts

    found = re.match(pattern, text, re.IGNORECASE)
    starts = ascii_starts(pattern)
    if found and starts is not None and text[:1].isascii() and text:
        assert text[0] in starts
    if re.search(pattern, text, re.IGNORECASE):
        assert required_chars(pattern, re.IGNORECASE) <= set(text)
    folded = text.casefold()
    texts = required_texts(pattern, shortest=1)
    if texts is not None and "ı" not in folded and re.search(pattern, folded, re.IGNORECASE):
        assert any(t in folded for t in texts)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=120) | TEXT)
def test_count_words_counts_the_regex_runs(text: str) -> None:
    from winnow.extract.words import _count, count_words

    expected = len(re.findall(r"\w+", text))
    assert _count(text) == expected
    assert count_words(text) == expected
    assert count_words(text * 40) == len(re.findall(r"\w+", text * 40))  # past the cached length


def test_matcher_dotless_i_matches_as_the_regexes_do() -> None:
    # 'ı' survives casefolding and matches the rules' 'i' case-insensitively: no cut may drop it
    rules = [r for r in default_rules().rules if r.where == "anywhere"]
    for line in ["To continue readıng, subscribe now", "Delivered straıght to your ınbox", "ımage 3 of 12"]:
        folded = normalise_line(line)
        assert matcher(rules).first(line, folded) == _first_rule_by_rule(rules, line, folded)
        assert _first_rule_by_rule(rules, line, folded) is not None, line


def _base_with_generators(line: Line, repeated: bool) -> list[float]:
    """linemodel._base as it was (generators where it now maps)."""
    import math

    from winnow.extract.dates import looks_like_date
    from winnow.read.linemodel import _LINKISH
    from winnow.read.pagelines import BULLET, ends_sentence, heading_like

    text, weight = line.text, line.weight
    words = text.split()
    n = max(1, len(words))
    low = text.lower()
    return [
        math.log1p(weight),
        float(line.prose),
        float(line.furniture),
        float(ends_sentence(text)),
        float(bool(BULLET.match(text))),
        float(heading_like(line)),
        float(weight <= 12 and looks_like_date(text)),
        float(repeated),
        float(line.indent > 0),
        sum(1 for w in words if w[:1].isupper()) / n,
        sum(ch.isdigit() for ch in text) / max(1, len(text)),
        sum(text.count(c) for c in ",.;") / n,
        float(text.endswith("?")),
        float("|" in text or "»" in text or "›" in text),
        float(weight >= 25),
        float(any(mark in low for mark in _LINKISH)),
        float(text.endswith(":")),
        len(text) / n / 10,
        float(text.isupper() and weight >= 2),
    ]


@given(st.lists(TEXT | RULE_LINES | st.text(max_size=60), max_size=12), st.booleans())
def test_line_features_as_before(lines: list[str], repeated: bool) -> None:
    from winnow.read.linemodel import _base
    from winnow.read.pagelines import analyse

    for line in analyse(lines):
        assert _base(line, repeated) == _base_with_generators(line, repeated)


def _shape_measured(raw: str, cells: bool = True) -> reflow._Shape:
    """reflow._shape as it was: every line measured through _cells or len."""
    measure = reflow._cells if cells else len
    text = raw.rstrip()
    body = text.lstrip()
    indent = len(text) - len(body)
    m = reflow._BULLET.match(body)
    first = body.split(None, 1)[0] if body else ""
    first_cols = (2 if cells else 1) if first and reflow._wide(first[0]) else measure(first)
    return reflow._Shape(
        text,
        measure(text),
        indent,
        indent + (measure(m.group(0)) if m else 0),
        m is not None,
        first_cols,
        " " in body or any(reflow._wide(ch) for ch in body[:4]),
    )


SHAPED = st.sampled_from([" ", "\t", "* ", "- ", "1. ", "o ", "word", "\u4e2d", "\u3000", "\xa0", "é"])


@settings(max_examples=500)
@given(st.lists(SHAPED, max_size=12).map("".join) | st.text(max_size=40), st.booleans())
def test_shape_of_an_ascii_line_as_measured(raw: str, cells: bool) -> None:
    assert reflow._shape(raw, cells) == _shape_measured(raw, cells)


@given(st.text(alphabet=st.sampled_from("aé Ã©â€™\xa0 Â\n"), max_size=40) | st.text(max_size=40))
def test_mojibake_test_as_a_generator_gave_it(text: str) -> None:
    from ftfy.badness import is_bad

    from winnow.read.decode import _NON_ASCII_RUN, _bad, _maybe_mojibake

    expected = not text.isascii() and (
        any(_bad(text[max(m.start() - 2, 0) : m.end() + 2]) for m in _NON_ASCII_RUN.finditer(text))
        and bool(is_bad(text))
    )
    assert _maybe_mojibake(text) == expected
