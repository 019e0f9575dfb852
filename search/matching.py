"""The one rule for "this exact string is here", used by the engine's check and by the highlighter alike.

A string, analysed (search/analysis.py), is its units in order; it occurs in a text where the text's own units
(search/units.py) are the same, one after another, touching wherever they touch in the query (nothing between, or
only spaces between two Latin words). The index finds candidates by the grams chain (`chain_terms`); `find_exact`
confirms them on the folded text and gives the spans to highlight. It compiles nothing per query: it looks for the
first unit with str.find and walks the text's units from there with the one compiled unit pattern.
"""
from __future__ import annotations

import re

from jiaokan.search.analysis import Analysis
from jiaokan.search.units import APOSTROPHES, UNIT_RE, WORD_CHAR_RE, clitic_base, starts_unit


def chain_terms(a: Analysis) -> list[str]:
    """The grams terms that spell the string, at consecutive positions: at each unit, the pair it starts if it
    touches the next unit, else the unit itself; the last unit only when no pair already covers it."""
    n = len(a.units)
    if not n:
        return []
    terms = [a.gram(i) if a.adjacent[i] else a.units[i] for i in range(n - 1)]
    if n == 1 or not a.adjacent[n - 2]:
        terms.append(a.units[n - 1])
    return terms


def find_exact(text: str, q: Analysis, first_only: bool = False) -> list[tuple[int, int]]:
    """[start, end) offsets in the folded `text` of every occurrence of the analysed string `q`."""
    units = q.units
    if not units:
        return []
    found = []
    if all(q.han) and all(q.adjacent):
        # Han characters are one unit each: the string is its characters, side by side.
        literal = "".join(units)
        pos = text.find(literal)
        while pos >= 0:
            found.append((pos, pos + len(literal)))
            if first_only:
                break
            pos = text.find(literal, pos + 1)
        return found
    first = units[0]
    pos = text.find(first)
    while pos >= 0:
        end = _match_at(text, pos, q)
        if end is not None:
            found.append((pos, end))
            if first_only:
                break
        pos = text.find(first, pos + 1)
    return found


_IRREGULAR_SPACE = re.compile(r"[^\S ]|  ")


def holds_exact(text: str, q: Analysis) -> bool:
    """Whether the analysed string occurs in the folded `text` (find_exact's rule)."""
    if len(q.units) > 1 and not any(q.han) and all(q.adjacent):
        # Latin words with spaces between: where the text spaces them with one space each, the occurrence starts
        # where the words joined by single spaces stand, so only those places are tried; other spacing (two
        # spaces, a tab, a line break) falls back to walking the text's units.
        literal = " ".join(q.units)
        pos = text.find(literal)
        while pos >= 0:
            after = text[pos + len(literal) : pos + len(literal) + 1]
            if starts_unit(text, pos) and not (after and (after in APOSTROPHES or WORD_CHAR_RE.match(after))):
                return True  # every word whole, one space apart: the occurrence find_exact finds here
            if _match_at(text, pos, q) is not None:
                return True
            pos = text.find(literal, pos + 1)
        if _IRREGULAR_SPACE.search(text) is None:
            return False
    return bool(find_exact(text, q, first_only=True))


def _match_at(text: str, pos: int, q: Analysis) -> int | None:
    """End of the occurrence of `q` starting at `pos` (where its first unit's characters stand), or None."""
    units, han, adjacent = q.units, q.han, q.adjacent
    last = len(units) - 1
    if han[0]:
        end = pos + 1
    else:
        if not starts_unit(text, pos):
            return None
        m = UNIT_RE.match(text, pos)
        end = _unit_end(m, units[0], last == 0)
        if end is None:
            return None
    for k in range(1, len(units)):
        m = UNIT_RE.search(text, end)
        if m is None:
            return None
        if adjacent[k - 1] and m.start() > end:
            if han[k - 1] or han[k] or not text[end : m.start()].isspace():
                return None
        end = _unit_end(m, units[k], k == last)
        if end is None:
            return None
    return end


def _unit_end(m, unit: str, is_last: bool) -> int | None:
    """Where the query unit ends in the text unit `m`: the same unit, or, for the query's last unit, the unit with
    a possessive or contraction added (the occurrence then ends before the ending)."""
    if m is None:
        return None
    found = m.group()
    if found == unit:
        return m.end()
    if is_last and clitic_base(found) == unit:
        return m.start() + len(unit)
    return None


def find_words(doc: Analysis, terms: set[str]) -> list[tuple[int, int]]:
    """Unit ranges of the paragraph's words-field tokens that are among `terms` (stemmed English, jieba words)."""
    return [(a, b - 1) for w, (a, b) in zip(doc.words, doc.word_units) if w in terms]
