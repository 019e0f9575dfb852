"""Ranking: paragraphs matching every clause exactly first, then BM25F over both fields, with a bonus for clauses
standing close together; ties keep corpus order."""
from __future__ import annotations

import numpy as np

from jiaokan.search.clauses import Clause, apart_words
from jiaokan.search.demotion import Demotion, demoted_positions
from jiaokan.search.engine import Result
from jiaokan.search.index import CorpusIndex
from jiaokan.search.spans import clause_spans, marking_analysis

# Proximity: added to the BM25F score when the query's clauses sit within a few units of each other, at most
# about one strong term's worth, so it reorders near-ties without overriding what BM25F says about term weight.
PROXIMITY_BONUS = 3.0
PROXIMITY_WINDOW = 20
TIER = 1e6


def rank_key(matched: Result, demotions: list[Demotion], positions: list[np.ndarray] | None = None) -> np.ndarray:
    """Score less a tier for each loose match (a string's words apart, another form of a word, words not
    together as typed): such paragraphs rank below every paragraph matching exactly (scores stay far below
    TIER). A paragraph that lacks a clause altogether, as in an OR, is not demoted for it. One key per document
    of `matched`, in its order. `positions`: each demotion's demoted_positions in matched.ids, when at hand."""
    if positions is None:
        positions = [demoted_positions(matched.ids, d) for d in demotions]
    key = matched.score.astype(np.float64)
    for at in positions:
        key[at] -= TIER
    return key


def apply_proximity(
    index: CorpusIndex, ranked: np.ndarray, keys: np.ndarray, clauses: list[Clause]
) -> list[tuple[int, float]]:
    """(docnum, bonus) for the leading candidates (keys[i] is ranked[i]'s rank key), re-sorted with a bonus for
    the clauses standing close together. The bonus is far below a tier, so it only reorders within one."""
    positive = [c for c in clauses if not c.negated]
    if len(positive) < 2 or len(ranked) < 2:
        return [(int(d), 0.0) for d in ranked]
    texts, folded = index.paragraphs.strings("text"), index.engine.folded
    adjusted = []
    for docnum, key in zip(ranked.tolist(), keys.tolist()):
        bonus = proximity(texts[docnum], positive, folded[docnum])
        adjusted.append((-(key + bonus), docnum, bonus))
    adjusted.sort()
    return [(d, bonus) for _, d, bonus in adjusted]


def proximity(text: str, clauses: list[Clause], folded_text: str | None = None) -> float:
    """PROXIMITY_BONUS when one occurrence of every clause fits in a few characters, less as the window widens."""
    if folded_text is not None and any(_surely_absent(c, folded_text) for c in clauses):
        return 0.0  # decided without locating the others (most candidates of an OR hold one alternative only)
    doc = marking_analysis(text, folded_text)
    per_clause = [clause_spans(doc, c) for c in clauses]
    if not all(per_clause):
        return 0.0
    events = sorted((start, i) for i, spans in enumerate(per_clause) for start, _ in spans)
    best = None
    last: dict[int, int] = {}
    for pos, i in events:
        last[i] = pos
        if len(last) == len(per_clause):
            width = pos - min(last.values())
            best = width if best is None else min(best, width)
    return PROXIMITY_BONUS / (1 + best / 10) if best is not None else 0.0


def _surely_absent(c: Clause, folded_text: str) -> bool:
    """Whether the clause has no place in a paragraph of this folded text (the index's fold, as the clause's spans
    are found in). Decided for a Chinese string only, each of its readings its characters side by side: it stands
    only where the string, or each of its words apart, is in the text; of any other clause this says False."""
    if c.kind != "string" or not c.readings or not all(all(r.han) and all(r.adjacent) for r in c.readings):
        return False
    for r in c.readings:
        if "".join(r.units) in folded_text:
            return False
        words = apart_words(r)
        if words and all(w in folded_text for w in words):
            return False
    return True
