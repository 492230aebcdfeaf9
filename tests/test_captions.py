"""Captions, photo credits and media chrome: their own rule category, removed and audited; prose kept."""

from __future__ import annotations

import pytest

from winnow.clean.lines import clean_lines
from winnow.clean.rules import default_rules

RULES = default_rules().rules

CAPTIONS = [
    "View image in fullscreen",
    "Boris Johnson at the summit in Brussels. Photograph: Stefan Rousseau/PA",
    "Photograph: Getty Images",
    "Image copyright Getty Images",
    "Image caption The protesters gathered outside parliament on Sunday",
    "Courtesy of the artist",
    "(Photo by Jane Doe/Getty Images)",
    "President Biden speaks in the Rose Garden on Monday. (AP Photo/Evan Vucci)",
    "Jane Doe/AFP via Getty Images",
    "AP Photo/Evan Vucci",
    "Image 3 of 12",
    "Foto: Christoph Schmidt/dpa",
    "Image caption Scooter Braun has managed many singers, among others, throughout his long career in music",
    "Twitter post by @someone: Unfortunately, this is one of many works threatened by a private equity firm.",
    "Skip Twitter post by @someone",
]
PROSE = [
    "He said in a photo: the house was burning.",
    "Courtesy of the museum, the exhibition opens in May.",
    "The Reuters report said the photo by the agency was fake.",
    "Reuters",  # an agency alone is a byline the header reads, not a credit
    "By Jane Doe, Reuters",
    "The picture shows what happened: Smith was right.",
    "Getty Images has a new chief executive, the company said on Monday in a statement to investors.",
    "Photos by the dozen were posted online.",
    "Twitter post by the president was deleted within hours, aides said.",
    "X post by the president was deleted within hours, aides said, after a backlash from donors.",
]


@pytest.mark.parametrize("line", CAPTIONS)
def test_captions_and_credits_are_removed_as_caption(line: str) -> None:
    prose = "A sentence of the article that stays where it is, as it should."
    kept, removed = clean_lines([prose, line], RULES)
    assert kept == [0]
    assert [(s.position, s.text, s.category) for s in removed] == [(2, line, "caption")]
    assert removed[0].rule_id.startswith("caption.")


@pytest.mark.parametrize("line", PROSE)
def test_sentences_that_mention_pictures_stay(line: str) -> None:
    kept, removed = clean_lines([line], RULES)
    assert kept == [0] and removed == []
