"""Counting occurrences for search's totals ("6 occurrences in 3 paragraphs") and its version facet: the same
occurrences the concordance lists (search/spans.exact_occurrences is the rule), counted per paragraph.

A query whose every clause is one Han character or one pair of them (the common short query, and the one that matches
most paragraphs) is counted from the index's term frequencies: a pair's frequency is the number of places the two
characters stand side by side, which is the number of (overlapping) occurrences of the string. Any other query is
counted paragraph by paragraph in the stored folded text.
"""
from __future__ import annotations

import numpy as np

from jiaokan.search.matching import chain_terms
from jiaokan.search.spans import folded_occurrences

def _single_terms(clauses: list) -> list[str] | None:
    """The grams terms that are the clauses, when each reading is one Han character or one touching pair of them."""
    terms = []
    for c in clauses:
        if c.negated:
            continue
        for r in c.readings:
            if not (r.units and len(r.units) <= 2 and all(r.han) and all(r.adjacent)):
                return None
            terms += chain_terms(r)
    return list(dict.fromkeys(terms))


def occurrence_counts(index, docnums: np.ndarray, clauses: list) -> np.ndarray:
    """Occurrences of the clauses (positive ones and equivalents) in each paragraph of `docnums`."""
    engine = index.engine
    folded = engine.folded
    terms = _single_terms(clauses)
    if terms is not None:
        per_doc = np.zeros(engine.size, dtype=np.int64)
        for term in terms:  # distinct strings never share a span, so their counts add up
            ids, tfs = engine.postings("grams", term)
            np.add.at(per_doc, ids.astype(np.int64), tfs.astype(np.int64))
        return per_doc[docnums]
    return np.fromiter((len(folded_occurrences(folded[int(d)], clauses)) for d in docnums), dtype=np.int64,
                       count=len(docnums))
