"""Posting arrays: the postings of frequent terms as compact arrays beside the Whoosh segments, for fast scoring.

Why: Whoosh walks postings one Python call at a time (about 25 µs per matching document with BM25), so a common
term in a 100k-paragraph index costs a second. The search engine (search/engine.py) instead scores whole posting
lists at once with numpy. For every term with at least `MIN_DF` postings in a block, the build writes the block's
document numbers and term frequencies here and not in Whoosh; the rarer terms are in the Whoosh segment of the same
block, which is cheap to read for a handful of postings.

Files per block, named by its first document number (`base`):
  postings-<base>.dat   per term: document number gaps (the first relative to base), then term frequencies, each
                        as unsigned integers of the smallest width (1, 2 or 4 bytes) that holds them, aligned
  postings-<base>.idx   marshal: {field: {term: (offset, count, gap width * 8 + tf width)}}
  postings-<base>.rare  sorted uint32 CRC-32 of "field:term" of every term the Whoosh segment holds for `FIELDS`:
                        a term in neither the arrays nor this list is in no document of the block, with no need to
                        open Whoosh (a CRC collision only costs a look in Whoosh)
Also per build: lengths-<field>.u32 (uint32 field length of every document, in document order).
"""
from __future__ import annotations

import marshal
import zlib
from array import array
from pathlib import Path

MIN_DF = 16
FIELDS = ("words", "grams")
_TYPECODE = {1: "B", 2: "H", 4: "I"}


def _width(largest: int) -> int:
    return 1 if largest < 1 << 8 else 2 if largest < 1 << 16 else 4


def rare_key(field: str, term: str) -> int:
    return zlib.crc32(f"{field}:{term}".encode("utf-8"))


def block_bases(folder: Path) -> list[int]:
    return sorted(int(p.name[len("postings-") : -len(".idx")]) for p in Path(folder).glob("postings-*.idx"))


class PostingArraysWriter:
    def __init__(self, folder: Path, base: int):
        self.folder = Path(folder)
        self.base = base
        self._data = bytearray()
        self._index: dict[str, dict[str, tuple[int, int, int]]] = {}
        self._rare: list[int] = []

    def _put(self, values: list[int], width: int) -> int:
        self._data.extend(b"\0" * (-len(self._data) % width))
        offset = len(self._data)
        self._data.extend(array(_TYPECODE[width], values).tobytes())
        return offset

    def add(self, field: str, term: str, docnums: list[int], tfs: list[int]) -> None:
        gaps = [docnums[0]] + [b - a for a, b in zip(docnums, docnums[1:])]
        gap_width = _width(max(gaps))
        # Term frequencies above 65535 in one paragraph do not happen; saturate rather than wrap if they did.
        top = max(tfs)
        if top >= 1 << 16:
            tfs = [min(t, 65535) for t in tfs]
        tf_width = _width(top) if top < 1 << 16 else 2
        offset = self._put(gaps, gap_width)
        self._put(tfs, tf_width)
        self._index.setdefault(field, {})[term] = (offset, len(docnums), gap_width * 8 + tf_width)

    def add_rare(self, field: str, terms: list[str]) -> None:
        self._rare.extend(rare_key(field, t) for t in terms)

    def close(self) -> None:
        stem = self.folder / f"postings-{self.base}"
        stem.with_suffix(".dat").write_bytes(bytes(self._data))
        stem.with_suffix(".rare").write_bytes(array("I", sorted(set(self._rare))).tobytes())
        stem.with_suffix(".idx").write_bytes(marshal.dumps(self._index))


def write_lengths(folder: Path, field: str, lengths: list[int]) -> None:
    (Path(folder) / f"lengths-{field}.u32").write_bytes(array("I", lengths).tobytes())


class PostingArrays:
    """Reader for one block's posting arrays (memory-mapped through numpy)."""

    def __init__(self, folder: Path, base: int):
        import numpy as np

        stem = Path(folder) / f"postings-{base}"
        self.base = base
        self.index = marshal.loads(stem.with_suffix(".idx").read_bytes())
        data = stem.with_suffix(".dat")
        self._data = np.memmap(data, dtype=np.uint8, mode="r") if data.stat().st_size else np.zeros(0, np.uint8)
        self._rare = np.fromfile(stem.with_suffix(".rare"), dtype=np.uint32)

    def get(self, field: str, term: str):
        """(document numbers, term frequencies) of a frequent term, or None."""
        import numpy as np

        entry = self.index.get(field, {}).get(term)
        if entry is None:
            return None
        offset, count, widths = entry
        gap_width, tf_width = widths >> 3, widths & 7
        gaps = self._data[offset : offset + count * gap_width].view(f"<u{gap_width}")
        ids = np.cumsum(gaps, dtype=np.uint32)
        ids += self.base
        start = offset + count * gap_width
        start += -start % tf_width
        tfs = self._data[start : start + count * tf_width].view(f"<u{tf_width}")
        return ids, tfs

    def maybe_rare(self, field: str, term: str) -> bool:
        """Whether the block's Whoosh segment may hold the term (False: it surely does not)."""
        import numpy as np

        key = rare_key(field, term)
        i = int(np.searchsorted(self._rare, key))
        return i < len(self._rare) and int(self._rare[i]) == key


def read_lengths(folder: Path, field: str):
    import numpy as np

    return np.fromfile(Path(folder) / f"lengths-{field}.u32", dtype=np.uint32)
