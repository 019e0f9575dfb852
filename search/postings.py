"""Posting arrays: the postings of frequent terms as flat arrays beside the Whoosh segments, for fast scoring.

Why: Whoosh walks postings one Python call at a time (about 25 µs per matching document with BM25), so a common
term in a 100k-paragraph index costs a second. The search engine (search/engine.py) instead scores whole posting
lists at once with numpy. For every term with at least `MIN_DF` postings in a segment, the build writes the
segment's document numbers and term frequencies as two arrays; rarer terms are read from the Whoosh segment itself,
which is cheap for a handful of postings.

Files per segment, named by the segment's first document number (`base`):
  postings-<base>.ids   uint32 document numbers within the segment (add base for the index's), term after term
  postings-<base>.tfs   uint16 term frequencies, aligned with .ids
  postings-<base>.idx   marshal: {(field, term): (offset, count)}
Also per build: lengths-<field>.u32 (uint32 field length of every document, in document order) and
folded.json (each paragraph's folded text, for checking exact strings).
"""
from __future__ import annotations

import marshal
from array import array
from pathlib import Path

MIN_DF = 16
FIELDS = ("words", "grams")


class PostingArraysWriter:
    def __init__(self, folder: Path, base: int):
        self.folder = Path(folder)
        self.base = base
        self._ids = array("I")
        self._tfs = array("H")
        self._index: dict[tuple[str, str], tuple[int, int]] = {}

    def add(self, field: str, term: str, docnums: list[int], tfs: list[float]) -> None:
        if len(docnums) < MIN_DF:
            return
        self._index[(field, term)] = (len(self._ids), len(docnums))
        self._ids.extend(docnums)
        # Term frequencies above 65535 in one paragraph do not happen; saturate rather than wrap if they did.
        self._tfs.extend(map(int, tfs) if max(tfs) < 65536 else (min(int(t), 65535) for t in tfs))

    def close(self) -> None:
        stem = self.folder / f"postings-{self.base}"
        stem.with_suffix(".ids").write_bytes(self._ids.tobytes())
        stem.with_suffix(".tfs").write_bytes(self._tfs.tobytes())
        stem.with_suffix(".idx").write_bytes(marshal.dumps(self._index))


def write_lengths(folder: Path, field: str, lengths: list[int]) -> None:
    (Path(folder) / f"lengths-{field}.u32").write_bytes(array("I", lengths).tobytes())


class PostingArrays:
    """Reader for one segment's posting arrays (memory-mapped through numpy)."""

    def __init__(self, folder: Path, base: int):
        import numpy as np

        stem = Path(folder) / f"postings-{base}"
        self.base = base
        self.index = marshal.loads(stem.with_suffix(".idx").read_bytes())
        self._ids = np.fromfile(stem.with_suffix(".ids"), dtype=np.uint32)
        self._tfs = np.fromfile(stem.with_suffix(".tfs"), dtype=np.uint16)

    def get(self, field: str, term: str):
        entry = self.index.get((field, term))
        if entry is None:
            return None
        offset, count = entry
        return self._ids[offset : offset + count] + self.base, self._tfs[offset : offset + count]


def read_lengths(folder: Path, field: str):
    import numpy as np

    return np.fromfile(Path(folder) / f"lengths-{field}.u32", dtype=np.uint32)
