"""Polish text as the search reads it (search/text.py): folding, dictionary forms,
query words, the typo budget and distance, highlights."""

from __future__ import annotations

import pytest

from search import text


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Łączbud", "laczbud"),
        ("ŻÓŁW", "zolw"),
        ("Spółdzielnia", "spoldzielnia"),
        ("źdźbło", "zdzblo"),
        ("Straße", "strasse"),
    ],
)
def test_fold_drops_diacritics_and_case(written, folded):
    assert text.fold(written) == folded


def test_words_keep_their_places_and_split_at_punctuation():
    found = text.words("Naprawa kranów, e-mail")
    assert [(word.text, word.folded) for word in found] == [
        ("Naprawa", "naprawa"),
        ("kranów", "kranow"),
        ("e", "e"),
        ("mail", "mail"),
    ]
    assert found[1].start == 8 and found[1].end == 14


def test_words_longer_than_the_limit_are_noise():
    assert text.words("a" * (text.MAX_WORD + 1)) == []


@pytest.mark.parametrize(
    ("word", "lemma"),
    [("dachami", "dach"), ("Warszawie", "warszawa"), ("spółdzielni", "spoldzielnia"), ("remontów", "remont")],
)
def test_inflected_forms_give_their_folded_lemma(word, lemma):
    assert lemma in text.lemmas(word)


def test_words_the_dictionary_does_not_know_give_no_lemma():
    # Typed without diacritics, a form is not in the dictionary: the backend's stem and
    # typo steps deal with it.
    assert text.lemmas("remontow") == frozenset()
    assert text.lemmas("Łączbud") == frozenset()
    assert text.lemmas("2026") == frozenset()


def test_any_form_shares_a_term_with_any_other():
    assert text.word_terms("dachami") & text.word_terms("dachów")
    assert text.word_terms("żółwia") & text.word_terms("żółw")
    assert "dachy" in text.index_terms("Dachy")


def test_the_word_being_typed_is_a_prefix_until_a_space_follows():
    typing = text.query_words("hydraulik Bem", as_you_type=True)
    assert [(word.folded, word.prefix) for word in typing] == [("hydraulik", False), ("bem", True)]
    assert not text.query_words("hydraulik Bem ", as_you_type=True)[-1].prefix
    assert not text.query_words("hydraulik Bem")[-1].prefix


@pytest.mark.parametrize(("word", "budget"), [("dach", 1), ("dąb", 0), ("kranu", 1), ("hydraulik", 2)])
def test_typo_budget_grows_with_the_word(word, budget):
    assert text.typo_budget(text.fold(word)) == budget


@pytest.mark.parametrize(
    ("first", "second", "distance"),
    [
        ("hydraulka", "hydraulik", 2),
        ("spoldzelnia", "spoldzielnia", 1),
        ("elektyrk", "elektryk", 1),  # two neighbours swapped count as one edit
        ("dach", "dach", 0),
    ],
)
def test_edit_distance(first, second, distance):
    assert text.edit_distance(first, second, 2) == distance


def test_edit_distance_stops_past_the_limit():
    assert text.edit_distance("abcdef", "uvwxyz", 2) == 3
    assert text.edit_distance("a", "abcdef", 1) == 2


def test_highlight_marks_any_form_of_a_matched_word():
    fragments = text.highlight("Naprawa kranów i wymiana rur", text.word_terms("kran"))
    assert fragments[0].parts == (("Naprawa ", False), ("kranów", True), (" i wymiana rur", False))


def test_highlight_cuts_long_text_around_the_match_at_word_boundaries():
    long = "początek " * 30 + "awaria kranu " + "koniec " * 30
    (fragment,) = text.highlight(long, text.word_terms("kran"), around=20)
    joined = "".join(part for part, _ in fragment.parts)
    assert joined.startswith("…") and joined.endswith("…")
    assert ("kranu", True) in fragment.parts
    assert len(joined) < 70
    assert "koni…" not in joined  # whole words only


def test_highlight_without_a_match_gives_nothing():
    assert text.highlight("Naprawa kranów", {"dach"}) == []
    assert text.highlight("", {"dach"}) == []
