"""The index format: fields, and how an analysed paragraph becomes postings.

The Whoosh segments hold the long tail of rare `words`; every `grams` term and the frequent words are in the posting
arrays (search/postings.py); the text and the record fields in the paragraph store (search/store.py).

Whoosh's TEXT field runs an analyzer per field. Both fields here come from one `Analysis` of the paragraph (computed
once, see search/analysis.py), and each posting holds only the term's frequency: nothing reads positions (an exact
string is confirmed on the folded text, search/matching.py), so none are written.
"""
from __future__ import annotations

from whoosh import fields, formats
from whoosh.codec.whoosh3 import W3Codec, W3PostingsWriter

from jiaokan.search.analysis import Analysis


class FrequencyAsWeight(formats.Frequency):
    """Whoosh's Frequency, with the frequency kept once, as the posting's weight: Frequency also writes it as a
    4-byte value per posting, which nothing here reads (the engine reads weights), and which Whoosh pickles as a
    bytes object, a third of a rare word's posting block."""

    posting_size = 0  # no value bytes: a block's values are written as None


class AnalyzedField(fields.FieldType):
    """An indexed, scorable, unstored field fed with an `Analysis`; `counts` names its method for the terms."""

    def __init__(self, counts: str, field_boost: float = 1.0):
        super().__init__(FrequencyAsWeight(field_boost=field_boost), None, scorable=True, stored=False)
        self.counts = counts

    def posting_value(self, count: int) -> bytes:
        return b""

    def index(self, value: Analysis, **kwargs):
        boost = self.format.field_boost
        for term, count in getattr(value, self.counts)().items():
            yield term.encode("utf-8"), count, count * boost, b""


class _InliningPostingsWriter(W3PostingsWriter):
    def finish_postings(self):
        # W3PostingsWriter inlines a short posting list through terminfo.set_inline, a method W3TermInfo does not
        # have (it has set_inlined), so with an inline limit above 1 it fails; inlined here as it meant to.
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            # Frequencies as ints (a pickled float is 9 bytes, a small int 2), none at all when every one is 1
            # (Whoosh's ListMatcher reads an empty list of weights as weight 1 each).
            weights = [int(w) if w.is_integer() else w for w in self._weights]
            terminfo.set_inlined(self._ids, weights if any(w != 1 for w in weights) else (), self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


class TailCodec(W3Codec):
    """Whoosh's codec for the long tail of rare words (fewer than MIN_DF postings in a block, search/postings.py):
    each term's postings inlined in its term entry rather than a posting block of their own (a block header, two
    pickles and a pointer: about 110 bytes, for a word that is in one or two paragraphs), and uncompressed (zlib
    saves nothing on a few postings). Readers need nothing else: Whoosh reads an inlined entry on its own."""

    def __init__(self, inlinelimit: int = 16):
        super().__init__(compression=0, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _InliningPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                       compression=self._compression, inlinelimit=self._inlinelimit)


def make_schema() -> fields.Schema:
    # Only the long tail of rare `words` is read from Whoosh. The record fields (id, version, section, ...) and
    # their facet codes are read from the paragraph store, so indexing and storing them here too was a sixth of
    # the build's time for nothing read back.
    return fields.Schema(words=AnalyzedField("word_counts"))
