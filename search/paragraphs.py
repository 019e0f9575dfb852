"""One paragraph with its neighbours and its version's catalog entry, and the query's matches marked."""
from __future__ import annotations

from jiaokan.search.errors import BadQuery, NotFound
from jiaokan.search.highlight import marked_html
from jiaokan.search.index import CorpusIndex

NEIGHBOURS = 2


def get_paragraph(index: CorpusIndex, paragraph_id: str, query: str | None = None) -> dict:
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
        from jiaokan.search.searching import query_clauses, highlight_spans

        try:
            spans = highlight_spans(record["text"], query_clauses(index, query), index)
        except BadQuery:
            spans = []
    record["highlights"] = spans
    record["marked"] = marked_html(record["text"], spans)
    return {"paragraph": record, "before": before, "after": after, "version": entry, "query": query or None}
