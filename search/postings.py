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
  postings-<base>.idx   marshal: {"postings": count, "tf_width": 1 or 2, "fields": {field: layout of its table},
                        "trigram_min_df": from how many paragraphs of the block a pair has its three-character
                        pieces here (search/analysis.py; absent in a block written without pieces, or before the
                        threshold was the block's own: then the build's jiaokan.json has it)}
  postings-<base>.terms each field's term table, memory-mapped, never loaded: the terms ordered by their CRC-32
                        (seeded with the field name), as three arrays: first posting (uint32, one more for the
                        end: a field's postings are in table order, so a term's count is where the next begins),
                        hash (uint32), start in the text (uint32, one more for the end), then the terms' UTF-8
                        text, each followed by a newline. (Tables written before had a fourth array, the posting
                        count as uint16, and postings in the order terms were added; they are still read.) A lookup is a binary search of the hashes and a
                        comparison of the term's bytes, a couple of microseconds; the index of a large vocabulary
                        (millions of terms per block) costs no load time and no memory beyond the pages it reads,
                        where a dict of every term cost about five times the file in memory and seconds to open
                        (100k word-list paragraphs: open 5.0 -> 1.0 s, resident 524 -> 189 MB).
  postings-<base>.rare  sorted uint32 CRC-32 of "field:term" of every term the Whoosh segment holds for `FIELDS`:
                        a term in neither the arrays nor this list is in no document of the block, with no need to
                        open Whoosh (a CRC collision only costs a look in Whoosh)
Also per build: lengths-<field>.u32 (uint32 field length of every document, in document order).
"""
from __future__ import annotations

import marshal
import mmap
import re
import zlib
from array import array
from bisect import bisect_left
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
        # field -> chunks of (terms, each one's first posting << _COUNT_BITS | its count): a block's million terms
        # as a list and an array, not a dict of a million Python ints (100 MB more in every build worker)
        self._index: dict[str, list[tuple[list[str], "object"]]] = {}
        self._keys: dict[str, tuple | None] = {}  # field -> its terms' (UTF-8, hashes) in table order, if given
        self._rare: list[int] = []
        self.trigram_min_df: int | None = None  # set by the block's writer where it indexed pieces

    def add(self, field: str, term: str, docnums: list[int], tfs: list[int]) -> None:
        import numpy as np

        packed = np.array([(len(self._ids) << _COUNT_BITS) | len(docnums)], dtype=np.int64)
        self._keys[field] = None
        self._index.setdefault(field, []).append(([term], packed))
        self._ids.extend(docnums)
        try:
            self._tfs.extend(tfs)
        except OverflowError:
            # Term frequencies above 65535 in one paragraph do not happen; saturate rather than fail if they did.
            self._tfs.extend(min(t, 65535) for t in tfs)

    def add_grouped(self, field: str, terms: list[str], counts, docnums, tfs, keys=None) -> None:
        """Many terms at once: terms[i] has counts[i] postings, `docnums` and `tfs` (numpy) hold them term after
        term in the same order. `keys`: the terms' (UTF-8, hashes) when they are already in table order
        (table_order), which the block's only chunk of a field then need not compute again."""
        import numpy as np

        if not len(terms):
            return
        first = len(self._ids) + np.cumsum(counts) - counts
        self._keys[field] = keys if field not in self._index else None
        self._index.setdefault(field, []).append((terms, (first.astype(np.int64) << _COUNT_BITS) | counts))
        self._ids.frombytes(np.asarray(docnums, dtype=np.uint16).tobytes())
        self._tfs.frombytes(np.asarray(tfs, dtype=np.uint16).tobytes())

    def add_rare(self, field: str, terms: list[str]) -> None:
        self._rare.extend(rare_key(field, t) for t in terms)

    def close(self) -> None:
        import numpy as np

        stem = self.folder / f"postings-{self.base}"
        ids = np.frombuffer(self._ids, dtype=np.uint16) if len(self._ids) else np.zeros(0, np.uint16)
        tfs = np.frombuffer(self._tfs, dtype=np.uint16) if len(self._tfs) else np.zeros(0, np.uint16)
        tf_width = 1 if not len(tfs) or int(tfs.max()) < 256 else 2
        # Each field's postings in its table's order: a slice where they were added in that order (a build adds
        # them so: search/postings.py table_order), else gathered term by term.
        tables, id_parts, tf_parts = [], [], []
        at = 0
        for field, chunks in self._index.items():
            if self._keys.get(field) is not None:  # one chunk, already in table order
                encoded, hashes = self._keys[field]
                order = np.arange(len(encoded))
            else:
                terms = [t for chunk, _ in chunks for t in chunk]
                encoded, hashes, order = table_order(field, terms)
            packed = np.concatenate([p for _, p in chunks]).astype(np.int64)[order]
            first, count = packed >> _COUNT_BITS, packed & ((1 << _COUNT_BITS) - 1)
            local = np.cumsum(count) - count
            total = int(count.sum())
            start = int(first[0]) if len(first) else 0
            if np.array_equal(first, local + start):
                picked = slice(start, start + total)
            else:
                picked = np.repeat(first - local, count) + np.arange(total, dtype=np.int64)
            id_parts.append(ids[picked])
            tf_parts.append(tfs[picked])
            tables.append((field, encoded, hashes[order], order, np.append(local, total) + at))
            at += total
        with open(stem.with_suffix(".dat"), "wb") as f:
            for part in id_parts:
                f.write(part.tobytes())
            for part in tf_parts:
                f.write((part.astype(np.uint8) if tf_width == 1 else part).tobytes())
        stem.with_suffix(".rare").write_bytes(array("I", sorted(set(self._rare))).tobytes())
        fields = {}
        with open(stem.with_suffix(".terms"), "wb") as f:
            for field, encoded, hashes, order, starts in tables:
                fields[field] = _write_term_table(f, encoded, hashes, order, starts)
        header = {"postings": at, "tf_width": tf_width, "fields": fields}
        if self.trigram_min_df is not None:
            header["trigram_min_df"] = self.trigram_min_df
        stem.with_suffix(".idx").write_bytes(marshal.dumps(header))


def _field_seed(field: str) -> int:
    return zlib.crc32(f"{field}:".encode("utf-8"))


def _pad8(f) -> None:
    f.write(b"\0" * (-f.tell() % 8))


def table_order(field: str, terms: list[str]):
    """(the terms' UTF-8, their hashes, the order of the field's term table: by hash, ties in the given order)."""
    import numpy as np

    seed = _field_seed(field)
    encoded = [t.encode("utf-8") for t in terms]
    hashes = np.fromiter((zlib.crc32(b, seed) for b in encoded), dtype=np.uint32, count=len(encoded))
    return encoded, hashes, np.argsort(hashes, kind="stable")


def _write_term_table(f, encoded: list[bytes], hashes, order, firsts) -> dict:
    """Append one field's term table (see the module docstring) to `f`: the terms `encoded[order]`, with their
    sorted `hashes` and the first posting of each (and the end); returns where its parts stand."""
    import numpy as np

    if len(firsts) and int(firsts[-1]) >= 1 << 32:
        raise ValueError("a block has more than 4 billion postings")  # BLOCK keeps them far fewer
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))[order] + 1
    starts = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum(lengths, out=starts[1:])
    if len(encoded) and int(starts[-1]) >= 1 << 32:
        raise ValueError("a block's term text exceeds 4 GB")
    layout = {"count": len(encoded)}
    for name, values in (("first", firsts.astype(np.uint32)), ("hashes", hashes), ("starts", starts.astype(np.uint32))):
        _pad8(f)
        layout[name] = f.tell()
        f.write(values.tobytes())
    layout["text"] = f.tell()
    f.write(b"".join(encoded[i] + b"\n" for i in order.tolist()))
    layout["text_end"] = f.tell()
    return layout


class _TermTable:
    """One field's term table of a block, read from the mapped .terms file through memoryviews (a binary search
    over a memoryview runs in C; numpy's per-call cost would be most of a lookup)."""

    def __init__(self, field: str, buffer: memoryview, layout: dict):
        n = layout["count"]
        self.seed = _field_seed(field)
        self.count = n
        if "postings" in layout:  # a table with its counts stored (see the module docstring)
            self.first = buffer[layout["first"] : layout["first"] + 4 * n].cast("I")
            self.postings = buffer[layout["postings"] : layout["postings"] + 2 * n].cast("H")
        else:
            self.first = buffer[layout["first"] : layout["first"] + 4 * (n + 1)].cast("I")
            self.postings = None
        self.hashes = buffer[layout["hashes"] : layout["hashes"] + 4 * n].cast("I")
        self.starts = buffer[layout["starts"] : layout["starts"] + 4 * (n + 1)].cast("I")
        self.text = buffer[layout["text"] : layout["text_end"]]

    def find(self, term: str) -> tuple[int, int] | None:
        """(first posting, posting count) of the term, or None."""
        key = term.encode("utf-8")
        h = zlib.crc32(key, self.seed)
        hashes, starts, text = self.hashes, self.starts, self.text
        i = bisect_left(hashes, h)
        while i < self.count and hashes[i] == h:  # terms with the same hash stand side by side
            if text[starts[i] : starts[i + 1] - 1] == key:
                first = self.first
                if self.postings is None:
                    return first[i], first[i + 1] - first[i]
                return first[i], self.postings[i]
            i += 1
        return None

    def terms(self, pattern: "re.Pattern[bytes] | None" = None) -> list[str]:
        """Every term, or those whose UTF-8 text matches the multi-line `pattern` (found in the text at C speed)."""
        if pattern is None:
            return bytes(self.text).decode("utf-8").split("\n")[:-1]
        return [t.decode("utf-8") for t in pattern.findall(self.text)]

    def release(self) -> None:
        for view in (self.first, self.postings, self.hashes, self.starts, self.text):
            if view is not None:
                view.release()


def write_lengths(folder: Path, field: str, lengths: list[int]) -> None:
    (Path(folder) / f"lengths-{field}.u32").write_bytes(array("I", lengths).tobytes())


RARE = "rare"  # locate(): the term may be in the block's Whoosh segment


class PostingArrays:
    """Reader for one block's posting arrays (memory-mapped through numpy)."""

    def __init__(self, folder: Path, base: int):
        import numpy as np

        stem = Path(folder) / f"postings-{base}"
        self.base = base
        header = marshal.loads(stem.with_suffix(".idx").read_bytes())
        self.trigram_min_df: int | None = header.get("trigram_min_df")
        self._tables: dict[str, _TermTable] = {}
        self._terms_map = None
        if header["fields"]:
            with open(stem.with_suffix(".terms"), "rb") as f:
                self._terms_map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
            view = memoryview(self._terms_map)
            self._tables = {field: _TermTable(field, view, layout) for field, layout in header["fields"].items()}
            view.release()
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

    def mappings(self) -> list:
        return [self._terms_map, getattr(self, "_map", None)]

    def get(self, field: str, term: str):
        """(document numbers, term frequencies) of a term held here, or None."""
        entry = self._entry(field, term)
        return None if entry is None else self.read(entry)

    @property
    def has_whoosh_tail(self) -> bool:
        """Whether the block's Whoosh segment holds any term (a small block keeps every term here)."""
        return len(self._rare) > 0

    def find(self, field: str, term: str):
        """(document numbers within the block, term frequencies) of a term held here, as views of the mapped file
        (uint16 numbers, sorted), or None."""
        entry = self._entry(field, term)
        return None if entry is None else self.at(entry)

    def locate(self, field: str, term: str):
        """Where the block holds a term: (first posting, posting count) in its arrays; RARE where its Whoosh
        segment may hold it; None where it surely does not."""
        entry = self._entry(field, term)
        if entry is not None:
            return entry
        return RARE if self.maybe_rare(field, term) else None

    def at(self, entry: tuple[int, int]):
        """find()'s answer for an entry locate() gave."""
        offset, count = entry
        return self._ids[offset : offset + count], self._tfs[offset : offset + count]

    def read(self, entry: tuple[int, int]):
        """get()'s answer for an entry locate() gave: the document numbers as the index's (uint32)."""
        import numpy as np

        ids, tfs = self.at(entry)
        ids = ids.astype(np.uint32)
        ids += self.base
        return ids, tfs

    def count(self, field: str, term: str) -> int | None:
        """How many documents of the block hold a term held here; None if it is not held here."""
        entry = self._entry(field, term)
        return None if entry is None else entry[1]

    def _entry(self, field: str, term: str) -> tuple[int, int] | None:
        table = self._tables.get(field)
        return None if table is None else table.find(term)

    def terms(self, field: str, pattern=None) -> list[str]:
        """Every term of the field held here (in no useful order), or those whose UTF-8 text the multi-line bytes
        pattern matches (re.M, one term per line)."""
        table = self._tables.get(field)
        return table.terms(pattern) if table is not None else []

    def maybe_rare(self, field: str, term: str) -> bool:
        """Whether the block's Whoosh segment may hold the term (False: it surely does not)."""
        import numpy as np

        key = rare_key(field, term)
        i = int(np.searchsorted(self._rare, key))
        return i < len(self._rare) and int(self._rare[i]) == key


def read_lengths(folder: Path, field: str):
    import numpy as np

    return np.fromfile(Path(folder) / f"lengths-{field}.u32", dtype=np.uint32)
