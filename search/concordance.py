"""The concordance (KWIC): one line per occurrence of the query, in every paragraph it selects, in every version.

A line is left context | match | right context, with the paragraph, its version and section, and the match's
[start, end) code-point offsets into the paragraph's text (text[start:end] is the match). The paragraphs are the ones
search() finds for the same query and filters (searching.select); the occurrences are what the query names exactly
(search/spans.exact_occurrences, the one rule, which search's counts follow too), and with translation on each
equivalent searched for (the line says `via` which).

Sorting follows concordancers: `doc` (corpus order: version as catalogued, paragraph order, position), `left` (by
the text before the match read backwards from it, so the nearest character decides first) or `right` (by the text
after it).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterator

from jiaokan.search import scratch
from jiaokan.search.errors import BadQuery
from jiaokan.search.folding import fold_text
from jiaokan.search.index import CorpusIndex
from jiaokan.search.results import ConcordanceLine
from jiaokan.search.searching import select
from jiaokan.search.spans import exact_occurrences

SORTS = ("doc", "left", "right")
CONTEXT_CHARS = 30  # characters each side of the match: about a clause of Chinese, five or six English words
SORT_CHARS = 40  # how far a left/right sort reads
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 1000  # a page; an export (format=csv|jsonl) has no cap


Line = ConcordanceLine  # search/results.py's type


def line_json(line: Line) -> dict:
    """A line as the API gives it; written out, because dataclasses.asdict deep-copies every field and was the bulk
    of an export's time."""
    return {"paragraph": line.paragraph, "version": line.version, "section": line.section, "start": line.start,
            "end": line.end, "left": line.left, "match": line.match, "right": line.right, "via": line.via}


FIELDS = tuple(ConcordanceLine.__dataclass_fields__)


@dataclass
class Concordance:
    """Every line of a query, sorted, with the counts; `page()` is the JSON answer for one page (the fields issue 10
    names, no more: how the query was read and the time taken are here for the page to show)."""

    query: str
    lines: list[Line]
    paragraphs: int
    by_version: dict[str, int]
    understood: dict
    sort: str
    took_ms: float

    @property
    def total(self) -> int:
        return len(self.lines)

    def page(self, page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> dict:
        if per_page < 1 or per_page > MAX_PER_PAGE:
            raise BadQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
        if page < 1:
            raise BadQuery("page must be 1 or more")
        pages = max(1, -(-self.total // per_page))
        if page > pages:
            raise BadQuery(f"page {page} is past the last page ({pages})")
        window = self.lines[(page - 1) * per_page : page * per_page]
        return {
            "query": self.query,
            "total": self.total,
            "paragraphs": self.paragraphs,
            "by_version": self.by_version,
            "lines": [line_json(line) for line in window],
            "page": page,
            "per_page": per_page,
            "pages": pages,
        }


@scratch.leasing
def concordance(
    index: CorpusIndex,
    query: str,
    *,
    versions: list[str] | None = None,
    lang: str | None = None,
    section: str | None = None,
    translate: bool = True,
    sort: str = "doc",
    context: int = CONTEXT_CHARS,
) -> Concordance:
    """Every occurrence of `query` in the paragraphs it selects with these filters (the same query language and
    filters as search), sorted by `sort`."""
    started = time.perf_counter()
    if sort not in SORTS:
        raise BadQuery(f"unknown sort {sort!r}: sorts are {', '.join(SORTS)}")
    sel = select(index, query, versions=versions, lang=lang, section=section, translate=translate)
    clauses = [c for c in sel.clauses if not c.negated] + sel.expansion_clauses
    store = index.paragraphs
    # Columns, not records: a concordance reads three fields of many paragraphs.
    texts, ids = store.strings("text"), store.strings("id")
    versions_of, sections = store.strings("version"), store.strings("section")
    folded = index.engine.folded
    lines: list[Line] = []
    holding = 0
    by_version: dict[str, int] = {}  # the versions it occurs in, in corpus order (the paragraphs' order)
    for docnum in sel.ids.tolist():
        text = texts[docnum]
        found = exact_occurrences(index, text, clauses, folded=folded[docnum])
        if not found:
            continue
        holding += 1
        pid, version, section = ids[docnum], versions_of[docnum], sections[docnum]
        by_version[version] = by_version.get(version, 0) + len(found)
        for start, end, via in found:
            lines.append(
                Line(pid, version, section, start, end,
                     text[max(0, start - context) : start], text[start:end], text[end : end + context], via)
            )
    if sort != "doc":
        lines = _sorted(lines, texts, index.paragraph_index, sort)
    understood = {
        "clauses": [c.describe() for c in sel.clauses],
        "expansions": [e.describe() for e in dict.fromkeys(sel.expansions)],
    }
    took = round((time.perf_counter() - started) * 1000, 2)
    return Concordance(query, lines, holding, by_version, understood, sort, took)


def _sorted(lines: list[Line], texts, position: dict[str, int], sort: str) -> list[Line]:
    """Lines by the folded text before the match read backwards (left) or after it (right), the match itself next,
    corpus order last."""
    def key(line: Line):
        text = texts[position[line.paragraph]]
        if sort == "left":
            near = fold_text(text[max(0, line.start - SORT_CHARS) : line.start])[::-1]
        else:
            near = fold_text(text[line.end : line.end + SORT_CHARS])
        return (_sort_form(near), fold_text(line.match), position[line.paragraph], line.start)

    return sorted(lines, key=key)


def _sort_form(text: str) -> str:
    """Context as a sort reads it: punctuation and spaces skipped, so a comma does not outrank a word."""
    return "".join(ch for ch in text if ch.isalnum())


def export_rows(result: Concordance) -> Iterator[dict]:
    for line in result.lines:
        yield line_json(line)
