"""Posting arrays: the postings of every gram and of frequent words as compact arrays beside the Whoosh segments, for fast scoring.

Why: Whoosh walks postings one Python call at a time (about 25 µs per matching document with BM25), so a common
term in a 100k-paragraph index costs a second. The search engine (search/engine.py) instead scores whole posting
lists at once with numpy. For every `grams` term, and every `words` term with at least `MIN_DF` postings in a
block, the build writes the block's document numbers and term frequencies here and not in Whoosh; the rarer words
are in the Whoosh segment of the same block, which is cheap to read for a handful of postings, unless the block
has few of them (indexer/writer.py's WHOOSH_TAIL_MIN): then they are here too, and the block's .rare list is
empty.

Files per block, named by its first document number (`base`):
  postings-<base>.dat   uint16 document numbers within the block, term after term, then the term frequencies
                        aligned with them (uint8, or uint16 where a block has one above 255)
  postings-<base>.idx   marshal: {"postings": count, "tf_width": 1 or 2, "terms": {field: {term: first << 20 | n}}}
  postings-<base>.rare  sorted uint32 CRC-32 of "field:term" of every term the Whoosh segment holds for `FIELDS`:
                        a term in neither the arrays nor this list is in no document of the block, with no need to
                        open Whoosh (a CRC collision only costs a look in Whoosh)
Also per build: lengths-<field>.u32 (uint32 field length of every document, in document order).
"""
from __future__ import annotations

import marshal
import mmap
import zlib
from array import array
from pathlib import Path

MIN_DF = 16
FIELDS = ("words", "grams")
# Fields whose rare terms (fewer than MIN_DF postings in a block) are in the Whoosh segment; every other term of
# FIELDS is in the posting arrays.
WHOOSH_TAIL = ("words",)
MAX_BLOCK = 1 << 16  # document numbers within a block are 16-bit
_COUNT_BITS = 20


def rare_key(field: str, term: str) -> int:
    return zlib.crc32(f"{field}:{term}".encode("utf-8"))


def block_bases(folder: Path) -> list[int]:
    return sorted(int(p.name[len("postings-") : -len(".idx")]) for p in Path(folder).glob("postings-*.idx"))


class PostingArraysWriter:
    """Collects a block's postings term by term in flat C arrays; close() writes them in one go."""

    def __init__(self, folder: Path, base: int):
        self.folder = Path(folder)
        self.base = base
        self._ids = array("H")
        self._tfs = array("H")
        self._index: dict[str, dict[str, int]] = {}
        self._rare: list[int] = []

    def add(self, field: str, term: str, docnums: list[int], tfs: list[int]) -> None:
        index = self._index.get(field)
        if index is None:
            index = self._index[field] = {}
        # One int per term, (first posting << 20) | count: the index of a block of real text has a million terms.
        index[term] = (len(self._ids) << _COUNT_BITS) | len(docnums)
        self._ids.extend(docnums)
        try:
            self._tfs.extend(tfs)
        except OverflowError:
            # Term frequencies above 65535 in one paragraph do not happen; saturate rather than fail if they did.
            self._tfs.extend(min(t, 65535) for t in tfs)

    def add_grouped(self, field: str, terms: list[str], counts, docnums, tfs) -> None:
        """Many terms at once: terms[i] has counts[i] postings, `docnums` and `tfs` (numpy) hold them term after
        term in the same order."""
        import numpy as np

        if not len(terms):
            return
        index = self._index.setdefault(field, {})
        first = len(self._ids) + np.cumsum(counts) - counts
        index.update(zip(terms, ((first.astype(np.int64) << _COUNT_BITS) | counts).tolist()))
        self._ids.frombytes(np.asarray(docnums, dtype=np.uint16).tobytes())
        self._tfs.frombytes(np.asarray(tfs, dtype=np.uint16).tobytes())

    def add_rare(self, field: str, terms: list[str]) -> None:
        self._rare.extend(rare_key(field, t) for t in terms)

    def close(self) -> None:
        import numpy as np

        stem = self.folder / f"postings-{self.base}"
        tfs = np.frombuffer(self._tfs, dtype=np.uint16) if len(self._tfs) else np.zeros(0, np.uint16)
        tf_width = 1 if not len(tfs) or int(tfs.max()) < 256 else 2
        with open(stem.with_suffix(".dat"), "wb") as f:
            f.write(self._ids.tobytes())
            f.write((tfs.astype(np.uint8) if tf_width == 1 else tfs).tobytes())
        stem.with_suffix(".rare").write_bytes(array("I", sorted(set(self._rare))).tobytes())
        header = {"postings": len(self._ids), "tf_width": tf_width, "terms": self._index}
        stem.with_suffix(".idx").write_bytes(marshal.dumps(header))


def write_lengths(folder: Path, field: str, lengths: list[int]) -> None:
    (Path(folder) / f"lengths-{field}.u32").write_bytes(array("I", lengths).tobytes())


class PostingArrays:
    """Reader for one block's posting arrays (memory-mapped through numpy)."""

    def __init__(self, folder: Path, base: int):
        import numpy as np

        stem = Path(folder) / f"postings-{base}"
        self.base = base
        header = marshal.loads(stem.with_suffix(".idx").read_bytes())
        self.index = header["terms"]
        count = header["postings"]
        if count:
            # A plain array over the mapped file (np.memmap's subclass costs a Python call on every slice).
            with open(stem.with_suffix(".dat"), "rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            self._ids = np.frombuffer(self._map, dtype=np.uint16, count=count)
            self._tfs = np.frombuffer(self._map, dtype=f"u{header['tf_width']}", count=count, offset=2 * count)
        else:
            self._ids = np.zeros(0, np.uint16)
            self._tfs = np.zeros(0, np.uint8)
        self._rare = np.fromfile(stem.with_suffix(".rare"), dtype=np.uint32)

    def get(self, field: str, term: str):
        """(document numbers, term frequencies) of a term held here, or None."""
        import numpy as np

        entry = self.index.get(field, {}).get(term)
        if entry is None:
            return None
        offset, count = entry >> _COUNT_BITS, entry & ((1 << _COUNT_BITS) - 1)
        ids = self._ids[offset : offset + count].astype(np.uint32)
        ids += self.base
        return ids, self._tfs[offset : offset + count]

    @property
    def has_whoosh_tail(self) -> bool:
        """Whether the block's Whoosh segment holds any term (a small block keeps every term here)."""
        return len(self._rare) > 0

    def find(self, field: str, term: str):
        """(document numbers within the block, term frequencies) of a term held here, as views of the mapped file
        (uint16 numbers, sorted), or None."""
        entry = self.index.get(field, {}).get(term)
        if entry is None:
            return None
        offset, count = entry >> _COUNT_BITS, entry & ((1 << _COUNT_BITS) - 1)
        return self._ids[offset : offset + count], self._tfs[offset : offset + count]

    def count(self, field: str, term: str) -> int | None:
        """How many documents of the block hold a term held here; None if it is not held here."""
        entry = self.index.get(field, {}).get(term)
        return None if entry is None else entry & ((1 << _COUNT_BITS) - 1)

    def maybe_rare(self, field: str, term: str) -> bool:
        """Whether the block's Whoosh segment may hold the term (False: it surely does not)."""
        import numpy as np

        key = rare_key(field, term)
        i = int(np.searchsorted(self._rare, key))
        return i < len(self._rare) and int(self._rare[i]) == key


def read_lengths(folder: Path, field: str):
    import numpy as np

    return np.fromfile(Path(folder) / f"lengths-{field}.u32", dtype=np.uint32)
