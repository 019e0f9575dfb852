"""How an analysed query string matches: the grams terms that spell it, and where it occurs in a paragraph.

Both sides read the same units (search/analysis.py), so what the index finds and what the highlighter marks agree:
an exact string is its units in order, touching wherever they touch in the query.
"""
from __future__ import annotations

from jiaokan.search.analysis import Analysis


def chain_terms(a: Analysis) -> list[str]:
    """The grams terms that spell the string, at consecutive positions: at each unit, the pair it starts if it
    touches the next unit, else the unit itself; the last unit only when no pair already covers it."""
    n = len(a.units)
    terms = [a.gram(i) if a.adjacent[i] else a.units[i] for i in range(n - 1)]
    if n == 1 or not a.adjacent[n - 2]:
        terms.append(a.units[n - 1]) if n else None
    return terms


def find_exact(doc: Analysis, q: Analysis) -> list[tuple[int, int]]:
    """Unit ranges [first, last] of the paragraph where the query's units occur, touching as they touch in the
    query (the same condition the grams phrase checks)."""
    qu = q.units
    n = len(qu)
    if n == 0:
        return []
    du, dadj = doc.units, doc.adjacent
    found = []
    first = qu[0]
    for start in range(len(du) - n + 1):
        if du[start] != first:
            continue
        for k in range(1, n):
            if du[start + k] != qu[k] or (q.adjacent[k - 1] and not dadj[start + k - 1]):
                break
        else:
            found.append((start, start + n - 1))
    return found


def find_words(doc: Analysis, terms: set[str]) -> list[tuple[int, int]]:
    """Unit ranges of the paragraph's words-field tokens that are among `terms` (stemmed English, jieba words)."""
    return [(a, b - 1) for w, (a, b) in zip(doc.words, doc.word_units) if w in terms]
