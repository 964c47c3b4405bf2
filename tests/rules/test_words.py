"""rules/words.py: names listed in a sentence."""

from __future__ import annotations

import pytest

from sitecare.rules.words import listed, sentence


@pytest.mark.parametrize(
    ("names", "limit", "sentence"),
    [
        ([], None, ""),
        (["Oak"], None, "Oak"),
        (["Oak", "Elm"], None, "Oak and Elm"),
        (["Oak", "Elm", "Ash"], None, "Oak, Elm and Ash"),  # a trial read "Oak and Elm and Ash"
        (["Oak", "Elm"], 2, "Oak and Elm"),  # at the limit: all named
        (["Oak", "Elm", "Ash"], 2, "Oak, Elm and 1 more"),  # one past it
        (["Oak", "Elm", "Ash", "Yew"], 3, "Oak, Elm, Ash and 1 more"),
        (["Oak", "Elm", "Ash", "Yew", "Fir"], 2, "Oak, Elm and 3 more"),
    ],
)
def test_names_are_listed_as_a_sentence_says_them(names, limit, sentence):
    assert listed(names, limit) == sentence


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", ""),
        ("due 23 Dec 2026", "Due 23 Dec 2026"),  # str.capitalize() gave "Due 23 dec 2026"
        ("NO consent to therapy in place", "NO consent to therapy in place"),
        ("Already begun", "Already begun"),
    ],
)
def test_a_sentence_begins_with_a_capital_and_keeps_the_rest(text, said):
    assert sentence(text) == said
