"""Stored paragraphs: every record field, the text and the folded text in one binary file, memory-mapped.

Why: as JSON, 100k paragraphs and their folded texts were 70 MB that had to be parsed whole (a second at 100k, and
Python objects for every paragraph) before the first search could run. Here each string column is one UTF-8 blob
with an offset array, and each field with few distinct values (version, lang, section, passage, ...) is a list of
values with one int32 code per paragraph, which the engine uses as it is for filters, facets and passages. Opening
costs a header read; a paragraph is decoded when it is asked for.

File layout (paragraphs.bin): 8 bytes little-endian header length, the JSON header, then 8-byte aligned arrays.
The header names each column: {"kind": "strings", "blob": [offset, bytes], "ends": [offset, count]} (ends: int64
byte offset after each value, so value i is blob[ends[i-1]:ends[i]]), {"kind": "codes", "values": [...], "codes":
[offset, count]} (code -1 is null), or {"kind": "ints", "array": [offset, count]} (int64).
"""
from __future__ import annotations

import json
import mmap
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path

STORE_FILE = "paragraphs.bin"
_ALIGN = 8


class StoreWriter:
    """Collects columns, then writes the file in one go. A column's parts are bytes, a list of bytes (written one
    after another, never joined) or a tuple of files (copied in, one after another): a build's folded texts go
    from the workers' files to the store without being held whole."""

    def __init__(self, count: int):
        self.count = count
        self.fields: list[str] = []  # record fields, in record order
        self._columns: dict[str, tuple[dict, list[bytes]]] = {}

    def add_values(self, name: str, values: Sequence, record: bool = True) -> None:
        """A column of str / int / None values, stored as the kind that fits them."""
        import numpy as np

        if record:
            self.fields.append(name)
        if all(type(v) is int for v in values):
            self._put(name, {"kind": "ints"}, [np.asarray(values, dtype=np.int64).tobytes()])
            return
        if any(isinstance(v, list) for v in values):
            # Lists of strings (a paragraph's heading path): few distinct ones, coded like any repeated value.
            paths: dict[tuple, int] = {}
            codes = [paths.setdefault(tuple(v), len(paths)) for v in values]
            self._put(name, {"kind": "codes", "values": [list(k) for k in paths]}, [np.asarray(codes, dtype=np.int32).tobytes()])
            return
        distinct: dict = {}
        codes = [distinct.setdefault(v, len(distinct)) if v is not None else -1 for v in values]
        if any(v is None for v in values) or len(distinct) <= max(16, len(values) // 2):
            # Values in order of first appearance: facet and passage order follow the corpus.
            self._put(name, {"kind": "codes", "values": list(distinct)}, [np.asarray(codes, dtype=np.int32).tobytes()])
            return
        encoded = [v.encode("utf-8") for v in values]
        self.add_blob(name, encoded, np.cumsum([len(e) for e in encoded], dtype=np.int64), record=False)

    def add_blob(self, name: str, blob, ends, record: bool = False, chars=None) -> None:
        """A string column given as its UTF-8 bytes (a part, above) and the end offset of each value; with `chars`,
        the end of each value in characters too, so that a reader can decode the whole column at once and slice
        it."""
        import numpy as np

        if record:
            self.fields.append(name)
        parts = [blob, np.asarray(ends, dtype=np.int64).tobytes()]
        if chars is not None:
            parts.append(np.asarray(chars, dtype=np.int64).tobytes())
        self._put(name, {"kind": "strings"}, parts)

    def _put(self, name: str, column: dict, parts: list[bytes]) -> None:
        self._columns[name] = (column, parts)

    def write(self, path: Path) -> None:
        header = {"count": self.count, "fields": self.fields, "columns": {}}
        chunks: list = []
        offset = 0
        for name, (column, parts) in self._columns.items():
            entry = dict(column)
            placed = []
            for part in parts:
                size = _size(part)
                placed.append([offset, size])
                chunks.append(part)
                pad = -size % _ALIGN
                chunks.append(b"\0" * pad)
                offset += size + pad
            kind = column["kind"]
            if kind == "strings":
                entry["blob"], entry["ends"] = placed[0], [placed[1][0], self.count]
                if len(placed) > 2:
                    entry["chars"] = [placed[2][0], self.count]
            elif kind == "codes":
                entry["codes"] = [placed[0][0], self.count]
            else:
                entry["array"] = [placed[0][0], self.count]
            header["columns"][name] = entry
        # Offsets above are relative to the data start; the reader adds it.
        head = json.dumps(header, ensure_ascii=False).encode("utf-8")
        head += b" " * (-(8 + len(head)) % _ALIGN)
        with open(path, "wb") as f:
            f.write(len(head).to_bytes(8, "little"))
            f.write(head)
            for chunk in chunks:
                if isinstance(chunk, tuple):
                    import shutil  # here, not at the top: a lookup only reads stores, and shutil costs it 3-6 ms
                    for file in chunk:
                        with open(file, "rb") as part:
                            shutil.copyfileobj(part, f, 1 << 20)
                elif isinstance(chunk, list):
                    f.writelines(chunk)
                else:
                    f.write(chunk)


def _size(part) -> int:
    if isinstance(part, tuple):
        return sum(Path(file).stat().st_size for file in part)
    if isinstance(part, list):
        return sum(map(len, part))
    return len(part)


class StringColumn(Sequence):
    """One string column, decoded value by value."""

    def __init__(self, mm, ends, blob_start: int, chars=None):
        self._mm = mm
        self._ends = ends
        self._start = blob_start
        self._chars = chars
        self._decoded = None

    def decoded(self) -> Sequence[str]:
        """The whole column decoded once and sliced per value (a column written with character ends): what the
        exact-string check reads for thousands of candidates per query."""
        if self._decoded is None:
            if self._chars is None:
                self._decoded = [self[i] for i in range(len(self))]
            else:
                end = int(self._ends[-1]) if len(self._ends) else 0
                self._decoded = _Sliced(self._mm[self._start : self._start + end].decode("utf-8"), self._chars.tolist())
        return self._decoded

    def __len__(self) -> int:
        return len(self._ends)

    def raw(self, i: int) -> bytes:
        end = int(self._ends[i])
        begin = int(self._ends[i - 1]) if i else 0
        return self._mm[self._start + begin : self._start + end]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.raw(i).decode("utf-8")


class CodeColumn(Sequence):
    def __init__(self, values: list, codes):
        self.values = values
        self.codes = codes

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        code = int(self.codes[i])
        if code < 0:
            return None
        value = self.values[code]
        return list(value) if isinstance(value, list) else value  # a fresh list: records are the caller's


class ParagraphStore(Sequence):
    """The paragraph records in corpus order: store[i] is a fresh dict with every field, as paragraphs.json had it."""

    def __init__(self, path: Path):
        import numpy as np

        with open(path, "rb") as f:
            self._mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        size = int.from_bytes(self._mm[:8], "little")
        header = json.loads(self._mm[8 : 8 + size].decode("utf-8"))
        data = 8 + size
        self.count: int = header["count"]
        self.fields: list[str] = header["fields"]
        self.columns: dict[str, Sequence] = {}
        for name, c in header["columns"].items():
            if c["kind"] == "strings":
                ends = np.frombuffer(self._mm, dtype=np.int64, count=c["ends"][1], offset=data + c["ends"][0])
                chars = None
                if "chars" in c:
                    chars = np.frombuffer(self._mm, dtype=np.int64, count=c["chars"][1], offset=data + c["chars"][0])
                self.columns[name] = StringColumn(self._mm, ends, data + c["blob"][0], chars)
            elif c["kind"] == "codes":
                codes = np.frombuffer(self._mm, dtype=np.int32, count=c["codes"][1], offset=data + c["codes"][0])
                self.columns[name] = CodeColumn(c["values"], codes)
            else:
                array = np.frombuffer(self._mm, dtype=np.int64, count=c["array"][1], offset=data + c["array"][0])
                self.columns[name] = _IntColumn(array)

    def __len__(self) -> int:
        return self.count

    def mappings(self) -> list:
        return [self._mm]

    def record(self, i: int) -> dict:
        return {name: self.columns[name][i] for name in self.fields}

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.record(j) for j in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self.record(i)

    def __iter__(self):
        for i in range(self.count):
            yield self.record(i)

    def codes(self, name: str) -> tuple[list, "object"]:
        """(distinct values, int32 code per paragraph, -1 for null) of a field with few distinct values; a field
        stored another way is coded here."""
        import numpy as np

        column = self.columns[name]
        if isinstance(column, CodeColumn):
            return column.values, column.codes
        distinct: dict = {}
        codes = np.fromiter(
            (distinct.setdefault(v, len(distinct)) if v is not None else -1 for v in column),
            dtype=np.int32,
            count=self.count,
        )
        return list(distinct), codes

    def strings(self, name: str) -> Sequence:
        return self.columns[name]


class _IntColumn(Sequence):
    def __init__(self, array):
        self._array = array

    def __len__(self) -> int:
        return len(self._array)

    def __getitem__(self, i):
        return int(self._array[i])


class _Sliced(Sequence):
    def __init__(self, text: str, ends: list[int]):
        self._text = text
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i):
        return self._text[self._ends[i - 1] if i else 0 : self._ends[i]]

    def bounds(self):
        """(the whole column as one string, each value's start and end in it as int64 arrays)."""
        import numpy as np

        ends = np.asarray(self._ends, dtype=np.int64)
        starts = np.concatenate([np.zeros(1, dtype=np.int64), ends[:-1]])
        return self._text, starts, ends


def write_store(
    path: Path, paragraphs: Sequence, folded_blob, folded_ends: Iterable[int], folded_chars=None
) -> None:
    """The store of `paragraphs` (Paragraph records, search/records.py) and their folded texts (their UTF-8 bytes
    as bytes, a list of bytes or a tuple of files holding them one after another; end offsets)."""
    writer = StoreWriter(len(paragraphs))
    names = [f.name for f in fields(paragraphs[0])] if len(paragraphs) else []
    for name in names:
        writer.add_values(name, [getattr(p, name) for p in paragraphs])
    writer.add_blob("folded", folded_blob, folded_ends, chars=folded_chars)
    writer.write(path)
