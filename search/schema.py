"""The index format: fields, and how an analysed paragraph becomes postings.

The Whoosh segments hold the record fields and the long tail of rare `words` and `grams` terms with their positions;
frequent terms are in the posting arrays (search/postings.py), the text in the paragraph store (search/store.py).

Whoosh's TEXT field runs an analyzer per field and encodes each term's positions with pickle. Both fields here come
from one `Analysis` of the paragraph (computed once, see search/analysis.py), and positions are packed as a plain
array of 32-bit integers, which Whoosh's phrase matchers read through `decode_positions`.
"""
from __future__ import annotations

import struct
from array import array

from whoosh import fields, formats

from jiaokan.search.analysis import Analysis

_COUNT = struct.Struct("<I")


class PackedPositions(formats.Positions):
    """Positions as count + uint32 array (the stock format pickles a list per posting)."""

    def encode(self, poslist):
        return _COUNT.pack(len(poslist)) + array("I", poslist).tobytes()

    def decode_positions(self, valuestring):
        positions = array("I")
        positions.frombytes(valuestring[_COUNT.size :])
        return positions.tolist()

    def decode_frequency(self, valuestring):
        return _COUNT.unpack_from(valuestring)[0]

    def decode_weight(self, valuestring):
        return self.decode_frequency(valuestring) * self.field_boost

    def combine(self, vs):
        merged = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class AnalyzedField(fields.FieldType):
    """An indexed, scorable, unstored field fed with an `Analysis`; `postings` names its method for the terms."""

    def __init__(self, postings: str, field_boost: float = 1.0):
        super().__init__(PackedPositions(field_boost=field_boost), None, scorable=True, stored=False)
        self.postings = postings

    def index(self, value: Analysis, **kwargs):
        encode = self.format.encode
        boost = self.format.field_boost
        for term, positions in getattr(value, self.postings)().items():
            yield term.encode("utf-8"), len(positions), len(positions) * boost, encode(positions)


# Record fields indexed (and stored) as single terms; the paragraph text itself is in the paragraph store.
RECORD_FIELDS = ("id", "version", "statement", "section", "kind", "lang", "passage")


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        version=fields.ID(stored=True),
        statement=fields.ID(stored=True),
        section=fields.ID(stored=True),
        kind=fields.ID(stored=True),
        lang=fields.ID(stored=True),
        passage=fields.ID(stored=True),
        # Stored only: NUMERIC would index 8 trie terms per value, and document order is the docnum order.
        seq=fields.STORED(),
        words=AnalyzedField("word_postings"),
        grams=AnalyzedField("gram_postings"),
    )
