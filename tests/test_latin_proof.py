"""Latin phrases where the index has many candidates: term frequencies prove and count a phrase where they can
(search/engine.py _proven_counts), the matcher checks the rest; both must agree with the one rule, find_exact.

The corpus is written for it: English paragraphs in which the phrases' words recur, stand apart, carry endings
(federation's, russian's), stand across irregular spacing (two spaces, a line break), and repeat themselves
(the the the), so that counting from frequencies has every chance to be fooled.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from jiaokan.search import engine as E
from jiaokan.search.analysis import analyze
from jiaokan.search.folding import fold
from jiaokan.search.matching import chain_terms, find_exact
from jiaokan.search.searching import search, select
from one_version import one_version_index

PHRASES = ["the russian federation", "russian federation", "of the", "the sco is", "sco is", "the the",
           "the the the", "federation of the", "is the sco"]
WORDS = ["the", "russian", "federation", "of", "sco", "is", "council", "member", "states"]
ENDED = ["federation's", "russian's", "sco's", "isn't", "the's"]
SPACES = [" "] * 12 + ["  ", "\t"]
PARAGRAPHS = 1000


def _paragraphs(rng: random.Random) -> list[str]:
    out = []
    for _ in range(PARAGRAPHS):
        words: list[str] = []
        for _ in range(rng.randint(1, 4)):
            x = rng.random()
            if x < 0.45:
                words += rng.choice(PHRASES).split()
            elif x < 0.55:
                words.append(rng.choice(ENDED))
            else:
                words += rng.choices(WORDS, k=rng.randint(1, 5))
        text = words[0]
        for w in words[1:]:
            text += rng.choice(SPACES) + w
        out.append(text.capitalize() + ".")
    # Strings that overlap themselves, and one with a line break inside (a paragraph's own line).
    return out + ["The the the the the.", "Of the\nRussian Federation's council.", "The Russian Federation's."]


@pytest.fixture(scope="module")
def latin(tmp_path_factory):
    index = one_version_index(tmp_path_factory.mktemp("latin"), "latin", _paragraphs(random.Random(12)), "en", "Latin")
    yield index
    index.close()


def _rule_counts(index, q: str) -> dict[str, int]:
    """find_exact over every paragraph's folded text: the one rule, paragraph by paragraph."""
    a = analyze(q, None)
    counts = {}
    for p in index.paragraphs:
        n = len(find_exact(fold(p["text"]).text, a))
        if n:
            counts[p["id"]] = n
    return counts


QUERIES = PHRASES + ["federation's", "the russian federation's", "russian federation council", "sco's"]


@pytest.mark.parametrize("q", QUERIES)
def test_phrase_found_and_counted_by_the_one_rule(latin, q):
    expected = _rule_counts(latin, q)
    quoted = f'"{q}"'
    found = set(select(latin, quoted, translate=False).paragraph_ids(latin))
    assert found == set(expected), (q, len(found - set(expected)), len(set(expected) - found))
    page = search(latin, quoted, translate=False, collapse=False)
    assert page.totals.occurrences == sum(expected.values()), q
    assert page.total_paragraphs == len(expected), q


def test_the_proof_counts_right_and_is_used(latin):
    # The shortcut must run here (else the test above says nothing about it), prove and count some candidates,
    # leave others to the matcher, and never give a count the matcher would not.
    engine = latin.engine
    folded = engine.folded
    proven_total = unproven_total = 0
    for q in PHRASES + ["the russian federation's", "russian federation council"]:
        a = analyze(q, None)
        assert E.provable(a)
        terms = chain_terms(a)
        result, tfs = engine.all_of("grams", [terms[0]] + list(dict.fromkeys(terms[1:])))
        if not len(result):
            continue
        counts = engine._proven_counts(a, result.ids, dict(tfs))
        truth = np.array([len(find_exact(folded[int(i)], a)) for i in result.ids])
        proven = counts >= 0
        assert (counts[proven] == truth[proven]).all(), q
        proven_total += int(proven.sum())
        unproven_total += int((~proven).sum())
    assert proven_total > 100 and unproven_total > 50, (proven_total, unproven_total)


def test_totals_with_other_clauses_and_translations(latin):
    # Readings counted together into one total (each where it stands), the phrase with a word, OR, NOT.
    for q in ['"the russian federation" council', '"of the" OR "sco is"', '"sco is" -member', "russian federation"]:
        page = search(latin, q, collapse=False)
        from jiaokan.search.concordance import concordance

        lines = concordance(latin, q)
        assert page.totals.occurrences == lines.total, q
        assert page.facets["version_occurrences"] == lines.by_version, q


def test_confirming_a_phrase_keeps_its_counts(latin):
    # Confirming a Latin phrase of three words or more on many candidates counts it too (proof, then the
    # matcher): the counts kept for search's totals are find_exact's, paragraph by paragraph.
    engine = latin.engine
    for q in ["the russian federation", "the sco is", "federation of the", "is the sco"]:
        engine.cache.clear()
        a = analyze(q, None)
        held = engine.holding(a)
        kept = engine.cache.get(("occurrences", tuple(a.units), tuple(a.adjacent)))
        assert kept is not None, q
        assert kept.ids.tolist() == held.tolist(), q
        expected = _rule_counts(latin, q)
        ids = latin.paragraphs.strings("id")
        assert {ids[int(d)]: int(n) for d, n in zip(kept.ids, kept.score)} == expected, q
