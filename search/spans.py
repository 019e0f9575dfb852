"""Where a query's clauses occur in a paragraph, as code-point offsets into its stored text: for highlights,
proximity and "via". Exact strings are located by the matcher the engine confirms with (search/matching.py)."""
from __future__ import annotations

from functools import lru_cache

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import Analysis, analyze
from jiaokan.search.clauses import Clause, apart_words, make_clause, query_clauses
from jiaokan.search.folding import Folded, fold
from jiaokan.search.highlight import merge_spans, unit_spans
from jiaokan.search.matching import find_exact, find_words


class Marking:
    """A paragraph as locating matches needs it: its fold (folded text and the map back to the text) at once, and
    its units (search/analysis.py, no segmentation) only when an English word is to be marked by its stem: strings
    are found in the folded text, and cutting a paragraph into units costs more than folding it."""

    __slots__ = ("text", "folded", "_analysis")

    def __init__(self, text: str, folded_text: str | None = None):
        self.text = text
        if folded_text == text:
            # The index's fold of this paragraph left it as it is: folding it again would give the same.
            self.folded: Folded = Folded(text, list(range(len(text))), list(range(1, len(text) + 1)))
        else:
            self.folded = fold(text)
        self._analysis: Analysis | None = None

    @property
    def analysis(self) -> Analysis:
        if self._analysis is None:
            self._analysis = analyze(self.text, None, folded=self.folded)
        return self._analysis


@lru_cache(maxsize=1024)
def marking_analysis(text: str, folded_text: str | None = None) -> Marking:
    """A paragraph prepared for locating matches, shared by proximity, highlights and "via": the same few
    paragraphs are looked at several times per search, and again by the next page. `folded_text`: the index's
    folded text of the paragraph, when at hand (it saves folding where folding changes nothing)."""
    return Marking(text, folded_text)


def exact_spans(doc: Marking, c: Clause) -> list[tuple[int, int]]:
    """Every occurrence of the clause as typed (any of its readings; a word as typed, not its other forms), as
    offsets into the stored text."""
    text = doc.folded.text
    return [doc.folded.span(s, e) for reading in c.readings for s, e in find_exact(text, reading)]


def clause_spans(doc: Marking, c: Clause) -> list[tuple[int, int]]:
    """Where one clause occurs in a paragraph: the exact string wherever it stands; for a string found only
    through its words apart, each of its words; for an English word, every word with the same stem."""
    if c.kind == "word":
        analysis = doc.analysis
        return unit_spans(analysis, find_words(analysis, c.english_terms))
    exact = exact_spans(doc, c)
    if exact or c.quoted:
        return exact
    text = doc.folded.text
    for reading in c.readings:
        words = apart_words(reading)
        found = [find_exact(text, analyze(word, None)) for word in words]
        if words and all(found):
            return [doc.folded.span(s, e) for spans in found for s, e in spans]
    return []


def highlight_spans(text: str, clauses: list[Clause], folded_text: str | None = None) -> list[list[int]]:
    """Every occurrence of every positive clause in `text`, as merged [start, end) code-point offsets."""
    positive = [c for c in clauses if not c.negated]
    if not positive:
        return []
    doc = marking_analysis(text, folded_text)
    return merge_spans([span for c in positive for span in clause_spans(doc, c)])


def exact_occurrences(index, text: str, query, translate: bool = True, folded: str | None = None
                      ) -> list[tuple[int, int, str | None]]:
    """The rule for what counts as an occurrence (the concordance's lines, search's occurrence counts): (start, end,
    via) of every occurrence in `text` of what `query` matches exactly: each string or phrase as typed, each of
    several separate words as typed, and (with `translate`) each equivalent searched, with `via` naming it; never the
    pieces of a string found apart. A span found both directly and through an equivalent is one direct occurrence.
    Sorted by position.

    `query` is the query as typed, or the clauses select() evaluated it to (the concordance passes those: the query's
    own and the equivalents that found something); `folded`, the paragraph's stored folded text when at hand, spares
    analysing a paragraph that holds nothing."""
    clauses = query_clauses(index, query, translate) if isinstance(query, str) else query
    found = folded_occurrences(marking_analysis(text).folded.text if folded is None else folded, clauses)
    if not found:
        return []
    fold = marking_analysis(text).folded
    return [(*fold.span(s, e), via) for (s, e), via in sorted(found.items())]


def folded_occurrences(folded: str, clauses: list[Clause]) -> dict[tuple[int, int], str | None]:
    """exact_occurrences in a paragraph's folded text, as {(start, end) in the folded text: via}: what a count
    needs, without mapping back to the stored text."""
    seen: dict[tuple[int, int], str | None] = {}
    for c in clauses:
        if c.negated:
            continue
        via = c.via.target if c.via is not None else None
        for reading in c.readings:
            for span in find_exact(folded, reading):
                if span not in seen or (seen[span] is not None and via is None):
                    seen[span] = via
    return seen


def via_terms(text: str, expansion_clauses: list[Clause], index, folded_text: str | None = None) -> list[str]:
    """The equivalents a paragraph holds in place of the query term they translate (for "NATO 扩张" a paragraph
    with 北约 and 扩张 is found via 北约)."""
    if not expansion_clauses:
        return []
    doc = marking_analysis(text, folded_text)
    via = []
    for c in expansion_clauses:
        if not clause_spans(doc, c):
            continue
        source = make_clause(P.Text(c.via.query), index, negated=False)
        if source is None or not clause_spans(doc, source):
            via.append(c.text)
    return list(dict.fromkeys(via))
