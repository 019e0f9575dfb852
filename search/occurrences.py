"""Occurrences: where each clause of a query stands exactly in a paragraph, and how many times, for the concordance's
lines and the counts search reports ("6 occurrences in 3 paragraphs").

An occurrence is what the query names as typed (after folding): a string or phrase wherever it stands, each of
several separate words wherever it stands, an English word in any form with its stem, and each equivalent searched
for through a translation. A string's words found apart are no occurrence of the string. Two clauses on the same
span are one occurrence.
"""
from __future__ import annotations

import numpy as np

from jiaokan.search.spans import exact_spans, marking_analysis


def clause_occurrences(doc, c) -> list[tuple[int, int]]:
    """[start, end) offsets in the original text where one clause stands exactly (search/spans.py's exact_spans:
    the one matcher)."""
    return sorted(set(exact_spans(doc, c)))


def literals(c) -> list[str] | None:
    """The folded strings a clause is, when it is a run of Han characters (found by str.find in folded text, the
    same as the units matcher finds it: Han units are single characters, touching where nothing stands between)."""
    if c.kind != "word" and all(r.units and all(r.han) and all(r.adjacent) for r in c.readings):
        return list(dict.fromkeys("".join(r.units) for r in c.readings))
    return None


def occurrences(text: str, clauses: list, folded: str | None = None) -> list[tuple[int, int, str | None]]:
    """(start, end, via) of every occurrence of the clauses in `text`, in text order; a span found both directly
    and through an equivalent counts as direct. `folded`, the paragraph's folded text when at hand, lets a Han
    string be found without analysing the paragraph (its offsets still map back through the fold)."""
    doc = None
    seen: dict[tuple[int, int], str | None] = {}
    for c in clauses:
        via = c.text if c.via is not None else None
        strings = literals(c) if folded is not None else None
        if strings is not None:
            spans = []
            for lit in strings:
                i = folded.find(lit)
                while i >= 0:
                    spans.append((i, i + len(lit)))
                    i = folded.find(lit, i + 1)
            if spans:
                mapping = _fold_map(text)
                spans = [mapping.span(a, b) for a, b in spans]
        else:
            doc = doc or marking_analysis(text)
            spans = clause_occurrences(doc, c)
        for span in spans:
            if span not in seen or (seen[span] is not None and via is None):
                seen[span] = via
    return [(s, e, via) for (s, e), via in sorted(seen.items())]


def _fold_map(text: str):
    """The paragraph's fold, with its offsets back to the text (from the analysis cache when it is there)."""
    return marking_analysis(text).folded


def count(folded: list[str], texts: list[str], docnums: np.ndarray, clauses: list) -> np.ndarray:
    """Occurrences per document of `docnums`. A clause that is a run of Han characters (the common case) is
    counted in the stored folded text without analysing the paragraph; any other clause is located as the
    concordance locates it."""
    strings, others = [], []
    for c in clauses:
        found = literals(c)
        if found is None:
            others.append(c)
        else:
            strings += found
    strings = list(dict.fromkeys(strings))
    out = np.zeros(len(docnums), dtype=np.int64)
    for k, docnum in enumerate(docnums):
        docnum = int(docnum)
        if others:
            out[k] = len(occurrences(texts[docnum], clauses, folded[docnum]))
            continue
        text = folded[docnum]
        starts: set[tuple[int, int]] = set()
        for lit in strings:
            i = text.find(lit)
            while i >= 0:
                starts.add((i, i + len(lit)))
                i = text.find(lit, i + 1)
        out[k] = len(starts)
    return out
