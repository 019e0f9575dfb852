"""Exact strings where the index has many candidates: every paragraph holding a string is found, and no other.

The engine (search/engine.py) skips the folded-text check for candidates whose term frequencies prove the string is
there, and checks the others; the sets it combines are sorted arrays. The bundled corpus is too small to reach the
proof (it needs PROOF_MIN_CANDIDATES candidates), so this corpus is written for it: paragraphs drawn from seven
characters, where every string of three to six of them has hundreds of candidates, many holding its pairs apart
(联合…合国 without 联合国) and many holding a character twice, which is where counting could be fooled.
"""
from __future__ import annotations

import random

import numpy as np
import pytest

from jiaokan.search import engine as E
from jiaokan.search.analysis import analyze
from jiaokan.search.folding import fold
from jiaokan.search.matching import chain_terms
from jiaokan.search.searching import search, select
from one_version import one_version_index

ALPHABET = "联合国作际中方"
FILLER = "一二三四五六七八九十百千万上下左右前后东西南北春夏秋冬金木水火土山川日月星辰风雨雷电"
PHRASES = ["联合国", "合作方", "国际中方", "方中国", "际合作", "国作际", "联合国作际"]
PARAGRAPHS = 400


def _paragraphs(rng: random.Random) -> list[str]:
    """Runs of the seven characters (each repeated, pairs apart), and filler with a few of them dropped in (each
    once, where counts alone can prove a string)."""
    out = []
    for _ in range(PARAGRAPHS):
        runs = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.3:
                runs.append("".join(rng.choices(ALPHABET, k=rng.randint(3, 14))))
            else:
                filler = rng.choices(FILLER, k=rng.randint(4, 12))
                piece = rng.choice(PHRASES)
                at = rng.randint(0, len(filler))
                runs.append("".join(filler[:at]) + piece + "".join(filler[at:]))
        out.append("，".join(runs) + "。")
    # Strings that overlap themselves (方方方 twice in 方方方方), for the occurrence counts.
    return out + ["方方方方方，际际际际。", "联合国联合国联合国。", "作作作作作作作作。"]


@pytest.fixture(scope="module", params=["pairs", "trigrams"])
def dense(request, tmp_path_factory):
    """The dense corpus as an index holds it: with pairs only (a block's pairs are all below TRIGRAM_MIN_DF, as in
    any small corpus), and with the three-character strings of its common pairs (the threshold lowered so that
    most of its pairs qualify, as the commonest pairs of a large corpus do)."""
    from jiaokan.search import analysis

    saved = analysis.TRIGRAM_MIN_DF
    if request.param == "trigrams":
        analysis.TRIGRAM_MIN_DF = TRIGRAMS_FROM
    try:
        index = one_version_index(tmp_path_factory.mktemp("dense"), "dense", _paragraphs(random.Random(12)), "zh",
                                  "密集")
    finally:
        analysis.TRIGRAM_MIN_DF = saved
    yield index
    index.close()


TRIGRAMS_FROM = 40  # paragraphs of the 403 holding a pair, for the "trigrams" build


def test_three_character_pieces_decide_strings_and_count_them_right(dense):
    # Where the index holds a string's three-character pieces, they decide most candidates without the text
    # (Engine._trigram_counts), and every count they give is the string's count in the paragraph.
    engine = dense.engine
    if dense.meta["trigram_min_df"] != TRIGRAMS_FROM:
        assert engine._trigram_counts(analyze("联合国", None), np.arange(10, dtype=E.IDS), {}) is None
        return
    folded = engine.folded
    decided = 0
    for q in PHRASES + ["作际中", "合国作", "联合国作"]:
        a = analyze(q, dense.dictionary)
        terms = chain_terms(a)
        result, tfs = engine.all_of("grams", [terms[0]] + list(dict.fromkeys(terms[1:])))
        counts = engine._trigram_counts(a, result.ids, dict(tfs))
        assert counts is not None, q
        truth = np.array([folded[int(i)].count(q) for i in result.ids])
        known = counts >= 0
        assert (counts[known] == truth[known]).all(), q
        decided += int(known.sum())
    assert decided > 500, decided


def test_every_string_is_found_in_exactly_the_paragraphs_that_hold_it(dense):
    texts = [(p["id"], fold(p["text"]).text) for p in dense.paragraphs]
    held = sorted({t[i : i + n] for _, t in texts for n in range(3, 7) for i in range(len(t) - n + 1)
                   if all(c in ALPHABET + FILLER for c in t[i : i + n])})
    rng = random.Random(3)
    # Every string of three of the seven characters (the most candidates), the phrases, a sample of the rest,
    # and strings that are nowhere.
    queries = [q for q in held if len(q) == 3 and all(c in ALPHABET for c in q)] + PHRASES
    queries += rng.sample(held, 200) + ["".join(rng.choices(ALPHABET, k=rng.randint(4, 7))) for _ in range(100)]
    wrong = []
    for q in queries:
        expected = {pid for pid, t in texts if q in t}
        found = set(select(dense, f'"{q}"', translate=False).paragraph_ids(dense))
        if found != expected:
            wrong.append(f"{q}: {len(expected - found)} missed, {len(found - expected)} wrongly found")
    assert not wrong, wrong[:5]


def test_the_proof_is_used_and_never_wrong(dense):
    # The shortcut must actually run here (else the test above says nothing about it), prove some candidates,
    # leave others to the check, and prove none that lacks the string.
    engine = dense.engine
    folded = engine.folded
    proven_total = unproven_total = 0
    for q in PHRASES + ["作际中", "合国作"]:
        a = analyze(q, dense.dictionary)
        terms = chain_terms(a)
        result, tfs = engine.all_of("grams", [terms[0]] + list(dict.fromkeys(terms[1:])))
        if len(result) < E.PROOF_MIN_CANDIDATES:
            continue
        proven = engine._proven(a, result.ids, dict(tfs))
        holds = np.array([q in folded[int(i)] for i in result.ids])
        assert not (proven & ~holds).any(), f"{q}: proven where it is not"
        proven_total += int(proven.sum())
        unproven_total += int((~proven).sum())
    assert proven_total > 50 and unproven_total > 50, (proven_total, unproven_total)


def test_totals_and_facets_count_every_match(dense):
    for q in ["联合国", "国际 中方", "联合 OR 作际", "联合 -国际", "中"]:
        page = search(dense, q, translate=False, collapse=False)
        ids = set(select(dense, q, translate=False).paragraph_ids(dense))
        assert page.total == page.total_paragraphs == len(ids)
        assert sum(page.facets["version"].values()) == len(ids)


def test_set_operations_agree_with_plain_sets():
    rng = np.random.default_rng(7)
    for _ in range(500):
        n = int(rng.integers(1, 2000))
        a = np.unique(rng.integers(0, n, int(rng.integers(1, n + 1)))).astype(E.IDS)
        b = np.unique(rng.integers(0, n, int(rng.integers(1, max(2, n // int(rng.integers(1, 40))))))).astype(E.IDS)
        ia, ib = E.common(a, b)
        both = np.intersect1d(a, b)
        assert (a[ia] == both).all() and (b[ib] == both).all()
        ids, pa, pb = E.union(a, b)
        assert (ids == np.union1d(a, b)).all() and (ids[pa] == a).all() and (ids[pb] == b).all()
        x = E.Result(a, rng.random(len(a)).astype(np.float32))
        y = E.Result(b, rng.random(len(b)).astype(np.float32))
        assert (x.without(y).ids == np.setdiff1d(a, b)).all()
        summed = (x | y)
        expected = dict(zip(a.tolist(), x.score.tolist()))
        for d, s in zip(b.tolist(), y.score.tolist()):
            expected[d] = np.float32(expected.get(d, 0.0)) + np.float32(s)
        assert np.allclose(summed.score, [expected[d] for d in summed.ids.tolist()])


def test_the_best_few_are_those_of_a_full_sort(dense):
    """Engine.top finds the best among many matches from a sampled floor: the same documents, in the same order
    (best key first, ties in document order), as sorting every match, with few distinct keys (ties everywhere,
    the sample's floor tied with thousands) and many, and with the best keys bunched where the sample misses."""
    engine = dense.engine
    rng = np.random.default_rng(5)
    for size in (E.TOP_SAMPLE * 4 - 1, E.TOP_SAMPLE * 4, 50_000, 200_000):
        ids = np.sort(rng.choice(10 * size, size, replace=False)).astype(E.IDS)
        for key in (rng.random(size), rng.integers(0, 3, size).astype(np.float64), np.zeros(size),
                    np.where(np.arange(size) % 997 == 5, 2.0 + rng.random(size), rng.random(size))):
            for count in (1, 10, 60, 500, E.TOP_SAMPLE, size + 3):
                expected = ids[np.lexsort((ids, -key))][:count]
                assert np.array_equal(engine.top(key, ids, count), expected), (size, count)


@pytest.mark.parametrize("text", [
    "the sco met", "the  sco met", "the\nsco met", "the\u3000sco", "bathe sco", "the scope", "the sco's summit",
    "the sco’s", "sco the sco", "theo sco the sco", "the-sco", "the sco", "xthe sco the  sco", "th e sco",
    "the sco\u00a0is", "the sco  is here", "is the sco is", "the sco is", "the scois", "the sco isn't",
    "the sco'", "the sco’x", "the sco1", "the sco_x", "the's sco", "o'the sco", "中the sco", "the sco中", "1the sco",
    "sco sco sco", "sco sco's sco sco", "the sco is the sco is", "the sco the sco's the scope", "sco sco  sco sco",
])
@pytest.mark.parametrize("query", ["the sco", "sco is", "the sco is", "sco", "sco sco"])
def test_latin_strings_are_checked_by_the_one_rule(text, query):
    # holds_exact looks where the words stand joined by single spaces first; it must agree with find_exact,
    # the rule that walks the text's units, for every spacing and word boundary.
    from jiaokan.search.matching import find_exact, holds_exact

    folded = fold(text).text
    q = analyze(query, None)
    assert holds_exact(folded, q) == bool(find_exact(folded, q)), (text, query)


def test_occurrence_totals_are_the_concordance_lines(corpus_index, dense):
    # search's occurrence totals are counted from term frequencies and str.count where they can be; the
    # concordance lists every occurrence by the one rule: they must agree, for words, strings, phrases and
    # translations, on the bundled corpus and on the dense one (strings that overlap themselves there: 方方方).
    from jiaokan.search.concordance import concordance
    from jiaokan.search.units import latin_words

    rng = random.Random(5)
    texts = [p["text"] for p in corpus_index.paragraphs]
    words = sorted({w for t in texts for w in latin_words(t)})
    han = sorted({r[i : i + n] for t in texts for r in __import__("re").findall("[\u4e00-\u9fff]+", t)
                  for n in (1, 2, 3, 5) for i in range(0, max(1, len(r) - n + 1), 7)})
    queries = rng.sample(words, 40) + rng.sample(han, 60) + ["human rights", '"each other"', "NATO 北约", "nat*"]
    for index, qs in [(corpus_index, queries), (dense, PHRASES + ["方方", "方方方", "际际际", "作作作作", "中", "联合 国际"])]:
        for q in qs:
            page = search(index, q)
            lines = concordance(index, q)
            assert page.totals.occurrences == lines.total, q
            assert page.facets["version_occurrences"] == lines.by_version, q


@pytest.mark.parametrize("dense_fraction", [0, 10**9])
@pytest.mark.parametrize("whole_from", [E.PROBE_WHOLE_MIN, 1])
def test_probe_agrees_with_the_postings(dense, monkeypatch, whole_from, dense_fraction):
    # probe() finds a term's frequencies for given documents by binary search or, for many documents, through a
    # scratch array of the block's numbers, or in the term's whole postings (read once and cached; from
    # PROBE_WHOLE_MIN documents, here also from one), or, for a common term, in its frequencies in every document
    # (here never, or for every term): each way what reading the postings says.
    monkeypatch.setattr(E, "PROBE_WHOLE_MIN", whole_from)
    monkeypatch.setattr(E, "DENSE_FRACTION", dense_fraction)
    engine = dense.engine
    engine.cache.clear()
    engine.dense.clear()
    rng = np.random.default_rng(4)
    for term in ["联", "合国", "中方", "一", "春夏", "联合国作际中方", "不在"]:
        ids, tfs = engine.postings("grams", term)
        truth = dict(zip(ids.tolist(), tfs.tolist()))
        for size in [engine.size, 1, 5, 40, engine.size // 2]:  # the whole postings once kept, for few too
            wanted = np.unique(rng.integers(0, engine.size, size)).astype(E.IDS)
            for spread in (False, True):  # without a frequency array of every document (a string's pieces), then with
                present, found = engine.probe("grams", term, wanted, dense=spread)
                assert present.tolist() == [int(d) in truth for d in wanted.tolist()], (term, size)
                assert found[present].tolist() == [truth[int(d)] for d in wanted[present].tolist()], (term, size)
                assert not found[~present].any()
    engine.dense.clear()
    engine.probe("grams", "联", np.arange(engine.size, dtype=E.IDS), dense=False)
    assert engine.dense.get(("grams", "联")) is None  # not made for a probe without it
    few = np.arange(0, engine.size, E.DENSE_PROBE_FRACTION * 2, dtype=E.IDS)[:-1]
    assert len(few) * E.DENSE_PROBE_FRACTION < engine.size
    engine.probe("grams", "联", few)
    assert engine.dense.get(("grams", "联")) is None  # nor for a probe of few documents
    engine.probe("grams", "联", np.arange(engine.size, dtype=E.IDS))
    if whole_from == 1 or dense_fraction:
        assert engine.cache.get(("tf", "grams", "联")) is not None  # the whole postings were read and kept
    assert (engine.dense.get(("grams", "联")) is not None) == bool(dense_fraction)
    engine.cache.clear()
    engine.dense.clear()


def test_facet_counts_from_runs_are_counts_by_document(corpus_index):
    """A facet over many matches is counted from where each version's run of document numbers falls among them;
    for any set of documents, counts and sums must be what counting document by document gives, for every coded
    field (versions come in runs, languages and sections alternate) and with the null value left out."""
    engine = corpus_index.engine
    rng = np.random.default_rng(5)
    assert engine._runs["version"] is not None  # the bundled corpus's versions are runs: the fast path is taken
    for name in ("version", "lang", "section"):
        values, codes = engine.codes[name]
        for share in (0.0, 0.001, 0.05, 0.5, 1.0):
            ids = np.flatnonzero(rng.random(engine.size) < share).astype(E.IDS)
            weights = rng.integers(0, 9, size=len(ids))
            mine = codes[ids]
            known = mine >= 0
            expected = np.bincount(mine[known], minlength=len(values))
            expected_sums = np.bincount(mine[known], weights=weights[known], minlength=len(values)).astype(np.int64)
            # The values some of the documents have, in code order; a value with none is left out.
            wanted = [(v, n) for v, n in zip(values, expected.tolist()) if n]
            assert list(engine.counts(name, ids).items()) == wanted, (name, share)
            assert engine.sums(name, ids, weights).tolist() == expected_sums.tolist(), (name, share)


def _page(index, q):
    page = search(index, q, per_page=20)
    return (page.total, page.total_paragraphs, page.totals, page.by_match, page.facets,
            [(h.id, round(h.score, 4), h.match, h.highlights, h.snippet, h.also_in) for h in page.hits])


def test_an_and_confirms_a_string_only_where_the_other_clauses_stand(dense, corpus_index, monkeypatch):
    """A string ANDed with rarer clauses is confirmed only in their paragraphs (Engine.exact's `within`): the same
    page as confirming it everywhere (totals, occurrences, facets, hits and their scores and highlights), with the
    narrowing forced on every string and with it off, and the string found exactly where a scan finds it."""
    rng = random.Random(8)
    texts = [(p["id"], fold(p["text"]).text) for p in dense.paragraphs]
    queries = ["联合国 春夏", "合作方 国际中方", "联合国 -春夏", "联合国 (春夏 OR 秋冬)", '"联合国" 合作方 方中国',
               "方方方 际际", "联合国 NOT 合作方 国际中方"]
    def piece(n: int) -> str:
        while True:
            t = rng.choice(texts)[1]
            at = rng.randrange(len(t) - n)
            if all(c in ALPHABET + FILLER for c in t[at : at + n]):
                return t[at : at + n]

    queries += [f"{piece(rng.randint(3, 4))} {piece(2)}" for _ in range(40)]
    for index, qs in ((dense, queries), (corpus_index, ["北约 不结盟", "北约 扩张 欧洲", "NATO 北约", "双方 联合国 安全",
                                                          "sovereignty 主权 发展", "伙伴关系 俄方 中方"])):
        for q in qs:
            pages = []
            for saving in (float("inf"), 0):
                monkeypatch.setattr(E, "NARROW_SAVING", saving)
                index.engine.cache.clear()
                pages.append(_page(index, q))
            assert pages[0] == pages[1], q
    # Narrowed, the exact matches are still every paragraph holding both strings.
    monkeypatch.setattr(E, "NARROW_SAVING", 0)
    for q in queries[-40:]:
        first, second = q.split()
        dense.engine.cache.clear()
        found = set(select(dense, f'"{first}" "{second}"').paragraph_ids(dense))
        assert found == {pid for pid, t in texts if fold(first).text in t and fold(second).text in t}, q
