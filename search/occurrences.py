"""Counting occurrences for search's totals ("6 occurrences in 3 paragraphs") and its version facet: the same
occurrences the concordance lists (search/spans.exact_occurrences is the rule), counted per paragraph.

Each distinct reading of the clauses (the query's own, not negated, and the equivalents that found something) is
counted where it stands: two different readings never share an occurrence, so their counts add up. A reading that is
one unit or one touching pair (a Han character or pair, a Latin word) is counted from the index's term frequencies: a
pair's frequency is the number of places the two stand side by side, which is the number of (overlapping)
occurrences; a Latin word's counts the word and the word with a possessive or contraction, which is where
find_exact finds it. A longer reading is counted only in the paragraphs that hold it (the engine's confirmed
documents), a Han string by str.count in its slice of the folded text where it cannot overlap itself, anything else
by the matcher. Readings that differ only in spacing (human rights, human-rights) can share occurrences: such a
query is counted paragraph by paragraph with the spans deduplicated, as the concordance does.
"""
from __future__ import annotations

from itertools import repeat

import numpy as np

from jiaokan.search.engine import Result, _self_overlapping, common
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
    counts = np.zeros(len(docnums), dtype=np.int64)
    if not len(docnums):
        return counts
    text, starts, ends = engine.folded_bounds or (None, None, None)
    for r in readings:
        terms = chain_terms(r)
        if len(terms) == 1 and (len(r.units) == 1 or (all(r.han) and all(r.adjacent))):
            found = engine.frequencies("grams", terms[0])
            ia, ib = common(docnums, found.ids)
            counts[ia] += found.score[ib].astype(np.int64)
            continue
        key = ("occurrences", tuple(r.units), tuple(r.adjacent))
        found = engine.cache.get(key)
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
        ia, ib = common(docnums, found.ids)
        counts[ia] += found.score[ib].astype(np.int64)
    return counts


def _counted(engine, r, docs: np.ndarray, text, starts, ends) -> Result:
    """The paragraphs `docs` (each holding the reading) with its occurrences in each, as the Result's `score`."""
    literal = "".join(r.units)
    if all(r.han) and all(r.adjacent) and text is not None and not _self_overlapping(literal):
        counted = map(text.count, repeat(literal), starts[docs].tolist(), ends[docs].tolist())
    else:
        folded = engine.folded
        counted = (len(find_exact(folded[d], r)) for d in docs.tolist())
    return Result(docs, np.fromiter(counted, dtype=np.float32, count=len(docs)))
