"""Author credits as scrapers deliver them (winnow.credits): markup, e-mail, lists, roles, outlets."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from winnow.extract.authors import normalise_authors
from winnow.extract.credits import split_credit


@pytest.mark.parametrize(
    ("raw", "publisher", "names", "outlet"),
    [
        # NewsAPI's CNN credits: a profile link, several names, the outlet last
        (
            ['<a href="/profiles/helen-regan">Helen Regan</a> and Adam Renton, CNN'],
            None,
            ["Helen Regan", "Adam Renton"],
            "CNN",
        ),
        (
            ["Max Foster, Tara John and Sarah Dean, CNN"],
            None,
            ["Max Foster", "Tara John", "Sarah Dean"],
            "CNN",
        ),
        (
            ["Max Foster, Tara John and Sarah Dean, CNN"],
            "CNN",
            ["Max Foster", "Tara John", "Sarah Dean"],
            "CNN",
        ),
        # Future plc's feeds and NewsAPI: RSS's own 'email (Name)' form
        (["joe.foley@futurenet.com (Joseph Foley)"], None, ["Joseph Foley"], None),
        (["Joseph Foley <joe.foley@futurenet.com>"], None, ["Joseph Foley"], None),
        (["joe.foley@futurenet.com"], None, [], None),
        # roles cut
        (["By STEVE PEOPLES, AP National Political Writer"], None, ["STEVE PEOPLES"], None),
        (["Tom Warren, Senior Editor"], None, ["Tom Warren"], None),
        (["Jane Doe | Reporter"], None, ["Jane Doe"], None),
        (["By Jane Doe and John Roe, Staff Writers"], None, ["Jane Doe", "John Roe"], None),
        (["Jane Doe, Chief Political Correspondent"], None, ["Jane Doe"], None),
        # outlets beside names
        (
            ["Tanza Loudenback, Business Insider"],
            "Business Insider",
            ["Tanza Loudenback"],
            "Business Insider",
        ),
        (["Tanza Loudenback, Business Insider"], None, ["Tanza Loudenback"], "Business Insider"),
        (["Sarah Perez, TechCrunch"], None, ["Sarah Perez"], "TechCrunch"),
        (["By Jane Doe, The Associated Press"], None, ["Jane Doe"], "The Associated Press"),
        (["Jane Doe (Reuters)"], None, ["Jane Doe"], "Reuters"),
        (["Jane Doe (Staff Writer)"], None, ["Jane Doe"], None),
        (["Tara John", "CNN"], None, ["Tara John"], "CNN"),
        # a lone credit is kept whole, even an organisation's
        (["Reuters"], None, ["Reuters"], None),
        (["HNN Staff"], None, ["HNN Staff"], None),
        (["The Associated Press"], None, ["The Associated Press"], None),
        (["Emily Post"], None, ["Emily Post"], None),
        # other languages' "and", entities, particles, repeats, URLs
        (["María José García y Pedro Pérez"], None, ["María José García", "Pedro Pérez"], None),
        (["Jean-Luc Martin et Claire Dubois"], None, ["Jean-Luc Martin", "Claire Dubois"], None),
        (["Mark Kelly &amp; Jon Smith"], None, ["Mark Kelly", "Jon Smith"], None),
        (["Ana de la Cruz and Li Wei"], None, ["Ana de la Cruz", "Li Wei"], None),
        (["Ana Lima", "ana lima"], None, ["Ana Lima"], None),
        (["https://www.facebook.com/bbcnews"], None, [], None),
        (["Kevin Breuninger, Dan Mangan"], None, ["Kevin Breuninger", "Dan Mangan"], None),
    ],
)
def test_split_credit(raw: list[str], publisher: str | None, names: list[str], outlet: str | None) -> None:
    assert split_credit(raw, publisher=publisher) == (names, outlet)


def test_normalise_authors_is_split_credit_without_the_outlet() -> None:
    assert normalise_authors(["Max Foster, Tara John and Sarah Dean, CNN"]) == [
        "Max Foster",
        "Tara John",
        "Sarah Dean",
    ]


_names = st.lists(
    st.text(alphabet=st.sampled_from("Ab cdé,&;<>@.()|-"), min_size=0, max_size=40), min_size=0, max_size=4
)


@settings(max_examples=300, deadline=None)
@given(_names)
def test_normalising_twice_changes_nothing(raw: list[str]) -> None:
    once = normalise_authors(raw)
    assert normalise_authors(once) == once
