"""Counting occurrences for search's totals ("6 occurrences in 3 paragraphs") and its version facet: the same
occurrences the concordance lists (search/spans.exact_occurrences is the rule), counted per paragraph.

Each distinct reading of the clauses (the query's own, not negated, and the equivalents that found something) is
counted where it stands: two different readings never share an occurrence, so their counts add up. A reading that is
one unit or one touching pair (a Han character or pair, a Latin word, two Latin words) is counted from the index's
term frequencies: a pair's frequency is the number of places the two stand side by side, which is the number of
(overlapping) occurrences; a Latin word's counts the word and the word with a possessive or contraction, which is
where find_exact finds it. A longer reading is counted only in the paragraphs that hold it (the engine's confirmed
documents), a Han string by str.count in its slice of the folded text where it cannot overlap itself; a Latin phrase
(or a Han string that overlaps itself) from term frequencies where they prove it (search/engine.py _proven_counts),
by the matcher elsewhere; anything else by the matcher. Readings that differ only in spacing (human rights, human-rights) can share occurrences: such a
query is counted paragraph by paragraph with the spans deduplicated, as the concordance does.
"""
from __future__ import annotations

from itertools import repeat

import numpy as np

from jiaokan.search import scratch
from jiaokan.search.engine import Result, _at, _self_overlapping, common, provable
from jiaokan.search.matching import chain_terms, find_exact
from jiaokan.search.spans import folded_occurrences


def _readings(clauses: list) -> list | None:
    """The distinct readings to count, or None when two of them could share an occurrence."""
    by_units: dict[tuple, tuple] = {}
    out = []
    for c in clauses:
        if c.negated:
            continue
        for r in c.readings:
            if not r.units:
                continue
            units, adjacent = tuple(r.units), tuple(r.adjacent)
            if units in by_units:
                if by_units[units] != adjacent:
                    return None
                continue
            by_units[units] = adjacent
            out.append(r)
    return out


def occurrence_counts(index, docnums: np.ndarray, clauses: list) -> np.ndarray:
    """Occurrences of the clauses (positive ones and equivalents) in each paragraph of the sorted `docnums`."""
    engine = index.engine
    folded = engine.folded
    docnums = np.asarray(docnums)
    readings = _readings(clauses)
    if readings is None:
        return np.fromiter((len(folded_occurrences(folded[int(d)], clauses)) for d in docnums), dtype=np.int64,
                           count=len(docnums))
    if not len(docnums):
        return np.zeros(0, dtype=np.int64)
    text, starts, ends = engine.folded_bounds or (None, None, None)
    # Each reading's counts are added into a scratch array over the index, read at `docnums` once at the end (a
    # reading's documents and the query's are mostly the same large sets: no intersection per reading).
    if len(readings) == 1:
        found = _reading_counts(engine, readings[0], docnums, text, starts, ends)
        ia, ib = common(docnums, found.ids)  # often the same documents: no search (search/engine.py common)
        if len(ia) == len(docnums) == len(found.ids):
            return found.score.astype(np.int64)
        counts = np.zeros(len(docnums), dtype=np.int64)
        counts[ia] = found.score.take(ib)
        return counts
    acc = _accumulator(engine.size)
    added = []
    try:
        for r in readings:
            found = _reading_counts(engine, r, docnums, text, starts, ends)
            at = _at(found.ids)
            acc[at] += found.score
            added.append(at)
        return acc.take(docnums).astype(np.int64)
    finally:
        for ids in added:
            acc[ids] = 0


# Below this many paragraphs a Latin phrase is counted by the matcher alone (probing its words costs more).
PROOF_MIN_DOCS = 16


def _accumulator(size: int) -> np.ndarray:
    """An all-zero float32 scratch array of at least `size` entries (search/scratch.py; the caller sets entries
    and zeroes them; float32 holds whole numbers exactly up to 2**24, far above a paragraph's occurrences)."""
    return scratch.array("occurrences", size, np.float32, 0)


def _reading_counts(engine, r, docnums: np.ndarray, text, starts, ends) -> Result:
    """The occurrences of one reading in paragraphs it stands in: all of them, or at least those of `docnums`."""
    terms = chain_terms(r)
    if len(terms) == 1:
        # One unit, or two touching ones: the term's frequency is the count (find_exact's rule is the index's,
        # search/analysis.py gram_counts; the engine takes the term's documents as the string's, exact()).
        return engine.frequencies("grams", terms[0])
    key = ("occurrences", tuple(r.units), tuple(r.adjacent))
    found = engine.cache.get(key)
    if found is None and engine.cache.get(("holds", tuple(r.units), tuple(r.adjacent))) is None:
        # Not confirmed over the whole index (a clause of an AND is confirmed only where the others stand, search/
        # engine.py exact): counted in these paragraphs alone, none where it is absent.
        counted = _counted(engine, r, docnums, text, starts, ends)
        return counted.restricted(counted.score > 0)
    if found is None:
        holding = engine.holding(r)
        found = engine.cache.get(key)  # confirming a Han string counts it too (search/engine.py _confirm)
    if found is None:
        ia, _ = common(docnums, holding)
        if len(ia) * 4 >= len(holding):
            # Most of the paragraphs that hold it are counted here: count them all, once per opened index (the
            # same strings and translation targets come back query after query).
            found = engine.cache.put(key, _counted(engine, r, holding, text, starts, ends))
        else:  # a few of many (another clause narrows the query): count just those
            found = _counted(engine, r, docnums[ia], text, starts, ends)
    return found


def _counted(engine, r, docs: np.ndarray, text, starts, ends) -> Result:
    """The paragraphs `docs` with the reading's occurrences in each, as the Result's `score` (0 where it is absent:
    str.count and the matcher find none, and term frequencies prove a count only where the string stands)."""
    literal = "".join(r.units)
    if all(r.han) and all(r.adjacent) and text is not None and not _self_overlapping(literal):
        # Where the index holds the string's three-character pieces they count it (Engine._trigram_counts, -1
        # where they do not decide); str.count the rest.
        counts = engine._trigram_counts(r, docs, {})
        if counts is None:
            counts = np.full(len(docs), -1, dtype=np.int64)
        todo = np.flatnonzero(counts < 0)
        rest = docs[todo]
        counts[todo] = np.fromiter(map(text.count, repeat(literal), starts[rest].tolist(), ends[rest].tolist()),
                                   dtype=np.int64, count=len(rest))
        return Result(docs, counts.astype(np.float32))
    folded = engine.folded
    if provable(r) and len(docs) >= PROOF_MIN_DOCS:
        # A Latin phrase (or a Han string that overlaps itself): where term frequencies prove it they count it
        # (Engine._proven_counts); the matcher counts the rest.
        counts = engine._proven_counts(r, docs, {}).astype(np.float32)
        todo = np.flatnonzero(counts < 0)
        counts[todo] = np.fromiter((len(find_exact(folded[d], r)) for d in docs[todo].tolist()), dtype=np.float32,
                                   count=len(todo))
        return Result(docs, counts)
    counted = (len(find_exact(folded[d], r)) for d in docs.tolist())
    return Result(docs, np.fromiter(counted, dtype=np.float32, count=len(docs)))
