"""One paragraph with its neighbours and its version's catalog entry, and the query's matches marked."""
from __future__ import annotations

from jiaokan.search.clauses import query_clauses
from jiaokan.search.errors import BadQuery, NotFound
from jiaokan.search.highlight import marked_html
from jiaokan.search.index import CorpusIndex
from jiaokan.search.results import ParagraphPage
from jiaokan.search.spans import highlight_spans

NEIGHBOURS = 2


def get_paragraph(index: CorpusIndex, paragraph_id: str, query: str | None = None) -> ParagraphPage:
    """The paragraph `paragraph_id` (all its fields), up to two paragraphs either side in the same version,
    its version's catalog entry, and, when a query is given, `highlights` and `marked` HTML for the whole text."""
    position = index.paragraph_index.get(paragraph_id)
    if position is None:
        raise NotFound(f"no paragraph with id {paragraph_id!r}")
    paragraphs = index.paragraphs
    record = dict(paragraphs[position])
    version = record["version"]
    before = [p for p in paragraphs[max(0, position - NEIGHBOURS) : position] if p["version"] == version]
    after = [p for p in paragraphs[position + 1 : position + 1 + NEIGHBOURS] if p["version"] == version]
    entry = next((v for v in index.catalog["versions"] if v["id"] == version), None)
    spans: list[list[int]] = []
    if query:
        try:
            spans = highlight_spans(record["text"], query_clauses(index, query))
        except BadQuery:
            spans = []
    record["highlights"] = spans
    record["marked"] = marked_html(record["text"], spans)
    return ParagraphPage(record, before, after, entry, query or None)
