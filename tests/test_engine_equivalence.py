"""The engine's faster forms against the plain ones they replace (issue #17): the same answer on
any text. Each reference below is the code as it was before the cut."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from winnow.extract.byline import LowercaseWords, lowercase_words
from winnow.extract.dates import slash_dayfirst

# Lower-case Latin words, capitals, dots, digits, slashes and newlines, accented letters at the ends
# of lowercase_words' class (ß, ÿ) and just outside it (Þ, Ā), and any text at all.
PAGE = st.sampled_from(list("ab the of ß ÿ Þ Ā Z . 1 2 3 / \n _ - 0 4 5 9 é İ"))
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


@given(st.lists(TEXT, max_size=6), st.lists(TEXT, max_size=4))
def test_lowercase_words_looked_up_lazily_answer_as_the_set(texts: list[str], words: list[str]) -> None:
    lazy = LowercaseWords(iter(texts))
    eager = _lowercase_words_per_text(texts)
    for word in [*words, *sorted(eager)]:
        assert (word in lazy) == (word in eager)
