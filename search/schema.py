"""The index format: fields, and how an analysed paragraph becomes postings.

The Whoosh segments hold the long tail of rare `words`; every `grams` term and the frequent words are in the posting
arrays (search/postings.py); the text and the record fields in the paragraph store (search/store.py).

Whoosh's TEXT field runs an analyzer per field. Both fields here come from one `Analysis` of the paragraph (computed
once, see search/analysis.py), and each posting holds only the term's frequency: nothing reads positions (an exact
string is confirmed on the folded text, search/matching.py), so none are written.
"""
from __future__ import annotations

from whoosh import fields, formats
from whoosh.system import pack_uint

from jiaokan.search.analysis import Analysis


class AnalyzedField(fields.FieldType):
    """An indexed, scorable, unstored field fed with an `Analysis`; `counts` names its method for the terms."""

    def __init__(self, counts: str, field_boost: float = 1.0):
        super().__init__(formats.Frequency(field_boost=field_boost), None, scorable=True, stored=False)
        self.counts = counts

    def posting_value(self, count: int) -> bytes:
        return pack_uint(count)

    def index(self, value: Analysis, **kwargs):
        boost = self.format.field_boost
        for term, count in getattr(value, self.counts)().items():
            yield term.encode("utf-8"), count, count * boost, pack_uint(count)


def make_schema() -> fields.Schema:
    # Only the long tail of rare `words` is read from Whoosh. The record fields (id, version, section, ...) and
    # their facet codes are read from the paragraph store, so indexing and storing them here too was a sixth of
    # the build's time for nothing read back.
    return fields.Schema(words=AnalyzedField("word_counts"))
