"""The palette's search (rules/search.py): which texts match, in what order, what is
highlighted, and that typing on looks only at what the shorter query matched."""

from __future__ import annotations

import random

import pytest
from textual.fuzzy import FuzzySearch

from sitecare.rules.search import SearchIndex, fold, fuzzy_score

SITES = [
    "Kestrel Primary School",
    "Larkspur House",
    "Otter Class, Riverside Academy",
    "Lower Otterton Care Home",
    "Hotter Road Surgery",
    "Oak Tree Therapy Rooms",
    "Otter",
]


def texts_for(index: SearchIndex, query: str, limit: int = 10) -> list[str]:
    return [index.texts[f.index] for f in index.search(query, limit)]


# --- what matches --------------------------------------------------------------------


def test_letters_in_order_match_case_ignored():
    index = SearchIndex(SITES)
    assert texts_for(index, "lrkspr") == ["Larkspur House"]
    assert texts_for(index, "LARKSPUR") == ["Larkspur House"]


def test_letters_out_of_order_do_not_match():
    index = SearchIndex(SITES)
    assert texts_for(index, "rpsklr") == []
    assert texts_for(index, "house larkspur") == []


def test_a_query_with_spaces_and_a_second_word():
    index = SearchIndex(["Central Bedfordshire", "Bedford", "Cambridgeshire"])
    assert texts_for(index, "central beds") == ["Central Bedfordshire"]


def test_characters_that_mean_something_to_regular_expressions_are_plain():
    texts = ["St Mary's (Annexe) [old]", "A-B ^ C\\D", "a.c", "abc"]
    index = SearchIndex(texts)
    assert texts_for(index, "(annexe) [") == ["St Mary's (Annexe) [old]"]
    assert texts_for(index, "-b ^") == ["A-B ^ C\\D"]
    assert texts_for(index, "c\\d") == ["A-B ^ C\\D"]
    assert texts_for(index, "a.c") == ["a.c"]  # the dot is a dot, not any character
    assert texts_for(index, "]") == ["St Mary's (Annexe) [old]"]


def test_nothing_for_an_empty_query_or_no_room():
    index = SearchIndex(SITES)
    assert index.search("", 10) == []
    assert index.search("otter", 0) == []
    assert SearchIndex([]).search("otter", 10) == []


# --- order ---------------------------------------------------------------------------


def test_whole_text_then_word_start_then_inside_then_apart():
    index = SearchIndex(SITES + ["O t t e r s"])
    assert texts_for(index, "otter") == [
        "Otter",  # the whole text
        # The query whole at the start of a word, at the start of the text or not (as
        # Textual scores it); a whole word before the start of a longer one.
        "Otter Class, Riverside Academy",
        "Lower Otterton Care Home",
        "Hotter Road Surgery",  # inside a word
        "O t t e r s",  # letters in order, apart, each starting a word
        "Oak Tree Therapy Rooms",  # apart, fewer at word starts
    ]


def test_ties_go_to_the_shorter_text_then_the_earlier_entry():
    index = SearchIndex(["Ann Smith (Kestrel Primary)", "Ann Smith (Oak)", "Ann Smith (Elm)"])
    assert texts_for(index, "ann smith") == ["Ann Smith (Oak)", "Ann Smith (Elm)", "Ann Smith (Kestrel Primary)"]


def test_typed_words_held_whole_rank_above_the_same_letters_scattered():
    # A new-user trial typed "person 0042" on a vault of numbered people: Textual's
    # score is the same for all of these ("person 0" and one more run), and Person
    # 000042 came sixth, behind the shorter texts and the earlier entries.
    texts = ["Person 000420 (Oak)", "Person 000942 (Oak)", "Person 001420 (Oak)", "Person 000424 (Oak)",
             "Person 001798 (Elm 00422 Ward)", "Person 000042 (Riverside Academy)"]
    index = SearchIndex(texts)
    found = index.search("person 0042", 10)
    assert len({f.score for f in found}) == 1  # all tie on Textual's scale
    assert [texts[f.index] for f in found] == [
        "Person 000042 (Riverside Academy)",  # "0042" ends the word after "person"
        "Person 000420 (Oak)",  # inside the word after "person": the shorter, then the earlier
        "Person 000424 (Oak)",
        "Person 001798 (Elm 00422 Ward)",  # "0042" starts a word, but not the next one
        "Person 000942 (Oak)",  # "0042" scattered
        "Person 001420 (Oak)",
    ]


def test_the_closest_is_among_those_scored_on_a_large_vault():
    # Only the best few candidates are scored: the closest must be among them, though
    # hundreds of others have a tighter span of letters ("person 00" then "42").
    texts = [f"Person {i:06d} (Site {i % 500:05d})" for i in range(3000)] * 4
    index = SearchIndex(texts)
    for typed in ("p", "person", "person 0", "person 004", "person 0042"):
        found = index.search(typed, 5)
    assert texts[found[0].index] == "Person 000042 (Site 00042)"


def test_a_tight_run_of_letters_ranks_above_scattered_ones():
    index = SearchIndex(["Priory Road Infant Ministry", "Primary Unit"])
    assert texts_for(index, "prim") == ["Primary Unit", "Priory Road Infant Ministry"]


def test_the_tightest_placement_is_found_among_many_looser_ones():
    # Letters placed from the left, "a......ab.c" spans 13; its tightest span is "ab.c".
    texts = ["a--b--c"] * 6 + ["a--------ab-c"]
    index = SearchIndex(texts)
    [found] = index.search("abc", 1)
    assert (found.index, found.positions) == (6, (9, 10, 12))


def test_the_score_decides_not_the_cheap_ranking():
    # "abxc" is the tighter span, but "a b c" has every letter at a word start and
    # scores higher (Textual's scale): it must be the one returned.
    index = SearchIndex(["abxc", "a b c"])
    assert texts_for(index, "abc", limit=1) == ["a b c"]


def test_only_the_best_few_are_returned():
    texts = [f"Person {i:04d}" for i in range(500)] + ["Person"]
    index = SearchIndex(texts)
    found = index.search("person", 5)
    assert [texts[f.index] for f in found] == ["Person", "Person 0000", "Person 0001", "Person 0002", "Person 0003"]
    assert [f.score for f in found] == sorted((f.score for f in found), reverse=True)


def test_scores_are_on_textual_s_scale():
    # The palette sorts every provider's hits together: Textual's own commands are
    # scored by its FuzzySearch (the best of every placement of the letters), so ours
    # must be comparable. On ordinary names the best placement is among those tried.
    fuzzy = FuzzySearch()
    cases = [("otter", "Otter"), ("otter", "Otter Class"), ("otter", "Lower Otterton"), ("otter", "Hotter Road"),
             ("central beds", "Central Bedfordshire"), ("lrkspr", "Larkspur House"), ("sites", "Sites"),
             ("otb", "Otterbrook Academy"),  # o, t of "Otter", then b: not the tightest span's last t
             ("yan", "Fen Yard Anna"),  # "An" together: the tightest span's letters as late as possible
             ("ron", "Mark Rooms Fen"),  # "Ro" together: the tightest span's letters as early as possible
             ("dsl", "Disposal log"),  # the l of "log", a word start: each letter's last occurrence
             ("dsl", "David Pellow (Pennyroyal Lower School)")]  # the first d: each letter's first occurrence
    for query, text in cases:
        [found] = SearchIndex([text]).search(query, 1)
        assert found.score == pytest.approx(fuzzy.match(query, text)[0]), (query, text)


def test_the_same_texts_match_as_with_textual_s_matcher():
    fuzzy = FuzzySearch()
    texts = SITES + ["Central Bedfordshire", "CMP-2026-001", "CH-0142 AB", "Person 000042 Ashdown (Oak 00012 Academy)",
                     "Export sites to CSV", "Disposal log", "St Mary's (Annexe) [old]", "İstanbul Hall"]
    index = SearchIndex(texts)
    rng = random.Random(11)
    for _ in range(300):
        text = rng.choice(texts).lower().replace("\u0307", "")  # "İ".lower() is "i" and a combining dot
        picked = sorted(rng.sample(range(len(text)), rng.randint(1, min(6, len(text)))))
        query = "".join(text[i] for i in picked) if rng.random() < 0.7 else rng.choice("aeiost -0") + text[picked[0]]
        expected = {t for t in texts if fuzzy.match(query, t)[0] > 0}
        assert {texts[f.index] for f in index.search(query, 100)} == expected, query


# --- what is highlighted ----------------------------------------------------------


def test_positions_are_the_matched_characters():
    index = SearchIndex(SITES)
    [found] = index.search("lrkspr", 1)
    text = index.texts[found.index]
    assert "".join(text[p] for p in found.positions).lower() == "lrkspr"
    assert found.positions == (0, 2, 3, 4, 5, 7)


def test_a_whole_query_is_highlighted_where_a_word_starts_with_it():
    index = SearchIndex(["Hotter Otter"])
    [found] = index.search("otter", 1)
    assert found.positions == (7, 8, 9, 10, 11)


def test_the_tightest_span_is_highlighted():
    # Greedy from the left would take the first "a" and the "b" at the end.
    index = SearchIndex(["a xxxxxx ab"])
    [found] = index.search("ab", 1)
    assert found.positions == (9, 10)


def test_positions_stay_those_of_the_text_when_lower_case_is_longer():
    # "İ".lower() is two characters: folding must not shift what comes after it.
    assert len(fold("İstanbul Hall")) == len("İstanbul Hall")
    index = SearchIndex(["İstanbul Hall"])
    [found] = index.search("hall", 1)
    assert found.positions == (9, 10, 11, 12)
    [found] = index.search("istanbul", 1)
    assert found.positions == tuple(range(8))


def test_fuzzy_score_counts_word_starts_and_runs():
    # 5 letters, 1 at a word start, one run: (5 + 1) * 2 * 1.5 when found whole.
    assert fuzzy_score("otter class", (0, 1, 2, 3, 4), whole=True) == 18.0
    # Two runs ("ot", "er") and two word starts: (4 + 2) * (1 + (3/4)**2).
    assert fuzzy_score("ot er", (0, 1, 3, 4), whole=False) == pytest.approx(6 * (1 + 0.5625))
    assert fuzzy_score("anything", (), whole=False) == 0.0


# --- typing on -------------------------------------------------------------------------


def test_typing_on_looks_only_at_what_the_shorter_query_matched():
    texts = [f"Person {i:04d}" for i in range(300)] + SITES
    index = SearchIndex(texts)
    index.search("pers", 10)
    matched_pers = sum(1 for t in texts if _in_order("pers", t))
    index.search("perso", 10)
    assert index.examined == matched_pers
    index.search("person 01", 10)
    matched_01 = sum(1 for t in texts if _in_order("person 01", t))
    index.search("person 012", 10)
    assert index.examined == matched_01 < 300


def test_a_fresh_query_looks_only_at_texts_holding_its_rarest_character():
    index = SearchIndex(SITES)
    index.search("zzq", 10)
    assert index.examined == 0  # no text holds a "z" or a "q"
    index.search("ky", 10)  # "k": Kestrel, Larkspur, Oak Tree; "y": four sites
    assert index.examined == 3


@pytest.mark.parametrize("remember", [1, 2, 32])
def test_results_are_the_same_whatever_was_typed_before(remember):
    texts = [f"Person {i:04d} ({site})" for i, site in enumerate(SITES * 20)]
    fresh = {q: SearchIndex(texts).search(q, 8) for q in ("pe", "per", "person 00", "person 01", "ot", "p 1 rk")}
    typed = SearchIndex(texts, remember=remember)
    # Type on, backspace, jump elsewhere, come back.
    for q in ("pe", "per", "person 00", "per", "pe", "ot", "person 01", "p 1 rk", "pe"):
        assert typed.search(q, 8) == fresh[q], q


def _in_order(query: str, text: str) -> bool:
    rest = iter(text.lower())
    return all(ch in rest for ch in query)
