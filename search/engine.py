"""Evaluating a query over the whole index: the documents each node matches, with a score each, as numpy arrays.

Every node of the query becomes a Result: the sorted document numbers it matches and their scores (two arrays as
long as the match, not as the index). AND, OR and NOT combine sorted arrays, totals and facet counts are counts
over them, and the top hits come from a partial sort of the matches only, so a query costs what it matches, not
what the index holds: a rare string in a million paragraphs costs what it costs in ten thousand.

A term ANDed to a smaller set is probed, not read: its posting array is searched for the set's document numbers
(a binary search in the mapped file), so "rare string with a common character" never reads the common
character's postings. A string's candidates are confirmed on the folded text only where the term frequencies do
not already prove the string is there (`_proven`), and terms and confirmed strings are kept per opened index in
a bounded cache (a second search for the same terms, or for the same translation targets, reads nothing again).

Scoring is BM25F: per field BM25 (k1 = 1.2, b = 0.75, the usual values; these paragraphs vary in length from a
heading to a page), with field weights set in search/evaluation.py.
"""
from __future__ import annotations

import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat

import numpy as np

from jiaokan.search import budget, scratch
from jiaokan.search.analysis import Analysis
from jiaokan.search.index import CorpusIndex
from jiaokan.search.matching import chain_terms, find_exact, holds_exact
from jiaokan.search.postings import FIELDS, MAX_BLOCK, RARE, PostingArrays, block_bases, read_lengths

K1 = 1.2
B = 0.75
IDS = np.int32  # document numbers (an index of more than 2**31 paragraphs is not in view)
# Cache of terms and confirmed strings per opened index, counted in postings (8 bytes each: id and score).
CACHE_POSTINGS = 4_000_000
# ... or this many per paragraph where that is more: at a million paragraphs a common character's postings are a
# fifth of 4M, and the strings that come back query after query (a translation target such as 上海合作组织, confirmed
# in 39k paragraphs at 20 ms) would be pushed out by a few queries.
CACHE_POSTINGS_PER_PARAGRAPH = 12
# Below this many candidates the folded text is checked directly; above it, term frequencies prove what they can.
PROOF_MIN_CANDIDATES = 64
PROOF_SAMPLE = 128  # candidates the proof is tried on first
PROOF_WORTH = 0.2  # the share of them it must prove to be run on all
# An AND's clause is confirmed only where the others stand when that is this many times fewer documents than its
# candidates (Engine.exact).
NARROW_SAVING = 2
# From this many documents a probe may read the term's whole postings (Engine.probe).
PROBE_WHOLE_MIN = 4096
TOP_SAMPLE = 2048  # keys sampled to find a floor for the best few among many matches (Engine.top)
# A term in at least one document in DENSE_FRACTION is probed in an array of its frequency in every document, kept
# (2 bytes per document) in an LRU of DENSE_BYTES: a probe is then one gather at the documents probed. Such terms
# (the commonest characters and pairs) are probed by almost every string query, and spreading their whole postings
# per probe took a millisecond each at 350k paragraphs.
DENSE_FRACTION = 8
DENSE_BYTES = 64 << 20
# Such an array is made for a probe of at least one document in DENSE_PROBE_FRACTION: making it costs a pass over
# every document (half a millisecond at 350k paragraphs), which a probe of a few dozen (what a string's pieces
# leave to its proof) repays in no query, and it would push out an array that many queries use.
DENSE_PROBE_FRACTION = 64
# Places of terms in the blocks kept (Engine._located), counted in blocks that hold the term (about 100 bytes each).
LOCATIONS = 250_000
_EMPTY_IDS = np.zeros(0, dtype=IDS)
_EMPTY_SCORES = np.zeros(0, dtype=np.float32)
_EMPTY_IDS.flags.writeable = False
_EMPTY_SCORES.flags.writeable = False


def _chain_counts(units: list[np.ndarray], pairs: list[np.ndarray]) -> np.ndarray:
    """The proof of Engine._proven_counts, on frequencies: units[k] of the k-th piece of a chain, pairs[k] of
    pieces k and k+1 together, one value per document. Where every occurrence of piece k from some piece j on is
    followed by the next (pairs[k] >= units[k]) and every one down from j is preceded by the one before, the chain
    stands at each occurrence of piece j: its count, else -1."""
    n = len(units)
    size = len(units[0])
    sane = np.ones(size, dtype=bool)  # saturated frequencies (65,535 in one paragraph) prove nothing
    for tf in units:
        sane &= tf < 60000
    # right_ok[j]: from piece j (0-based) the chain extends to the last; left_ok: from piece j down to the first.
    right_ok = [None] * n
    right_ok[n - 1] = np.ones(size, dtype=bool)
    for j in range(n - 2, -1, -1):
        right_ok[j] = (pairs[j] >= units[j]) & right_ok[j + 1]
    counts = np.full(size, -1, dtype=np.int64)
    left_ok = sane
    for j in range(n):
        if j:
            left_ok = left_ok & (pairs[j - 1] >= units[j])
        here = left_ok & right_ok[j] & (counts < 0)
        counts[here] = units[j][here]
    return counts


def _self_overlapping(literal: str) -> bool:
    """Whether two occurrences of the string can overlap (it begins with what it ends with: 哈哈, 发展中发展)."""
    return any(literal[:k] == literal[-k:] for k in range(1, len(literal)))


def provable(a: Analysis) -> bool:
    """Whether term frequencies can prove (and count) the analysed string (Engine._proven_counts): two units or
    more, every one touching the next, all Han characters or all Latin words."""
    return len(a.units) > 1 and all(a.adjacent) and (all(a.han) or not any(a.han))


def _count_exact(text: str, a: Analysis) -> int:
    """Occurrences of the analysed string in the folded `text` (find_exact's), 0 found quickly where it is absent."""
    return len(find_exact(text, a)) if holds_exact(text, a) else 0


def _frozen(a: np.ndarray) -> np.ndarray:
    a.flags.writeable = False  # results are shared through the cache: nothing may change them in place
    return a


@dataclass(frozen=True)
class Result:
    """The documents a node matches: sorted unique document numbers and a float32 score for each."""

    ids: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def any(self) -> bool:
        return len(self.ids) > 0

    def __and__(self, other: "Result") -> "Result":
        ia, ib = common(self.ids, other.ids)
        return Result(self.ids[ia], self.score[ia] + other.score[ib])

    def __or__(self, other: "Result") -> "Result":
        if not len(other.ids):
            return self
        if not len(self.ids):
            return other
        ids, pa, pb = union(self.ids, other.ids)
        score = np.zeros(len(ids), dtype=np.float32)
        score[pa] = self.score
        score[pb] += other.score
        return Result(ids, score)

    def without(self, other: "Result") -> "Result":
        return self.without_ids(other.ids)

    def without_ids(self, ids: np.ndarray) -> "Result":
        ia, _ = common(self.ids, ids)
        if not len(ia):
            return self
        keep = np.ones(len(self.ids), dtype=bool)
        keep[ia] = False
        return Result(self.ids[keep], self.score[keep])

    def plus(self, other: "Result") -> "Result":
        """These documents, with `other`'s score added where it has them."""
        ia, ib = common(self.ids, other.ids)
        if not len(ia):
            return self
        score = self.score.copy()
        score[ia] += other.score[ib]
        return Result(self.ids, score)

    def restricted(self, keep: np.ndarray) -> "Result":
        return Result(self.ids[keep], self.score[keep])


# --- sorted document-number sets --------------------------------------------------------------------------------

def _marks(size: int) -> np.ndarray:
    """All False (callers set entries and clear them again)."""
    return scratch.array("marks", size, bool, False)


def _positions(size: int) -> np.ndarray:
    """int32, contents undefined: read only where set."""
    return scratch.array("positions", size, np.int32, None)


def _slots(size: int) -> np.ndarray:
    """int32, all -1 (callers set entries and reset them)."""
    return scratch.array("slots", size, np.int32, -1)


def _block_tfs(size: int) -> np.ndarray:
    """uint16, all zero (callers set entries and clear them)."""
    return scratch.array("block_tfs", size, np.uint16, 0)


def _at(ids: np.ndarray) -> np.ndarray:
    """Document numbers as numpy's own index type, for writing into an array at them: numpy converts any other
    index array to it first, element by element, which made a scatter at 300k int32 numbers 0.99 ms against 0.36
    (a copy with astype is 0.04 ms). Reading at them is np.take, which does not need it."""
    return ids.astype(np.intp, copy=False)


def _spread(size: int) -> np.ndarray:
    """float32, all zero (callers set entries and clear them)."""
    return scratch.array("spread", size, np.float32, 0)


def _spreads(wanted: int, postings: int) -> bool:
    """Whether `wanted` sorted numbers are found in `postings` sorted ones quicker by spreading the postings over a
    scratch array and reading it at the numbers than by a binary search for each number."""
    return wanted * (math.log2(postings + 1) - 1.5) > 3 * postings


def common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions in `a` and in `b` (both sorted, unique) of the document numbers both hold."""
    if not len(a) or not len(b):
        return _EMPTY_IDS, _EMPTY_IDS
    if len(a) == len(b) and a[0] == b[0] and a[-1] == b[-1] and np.array_equal(a, b):
        # The same documents (a term and the string it spells, a string and its words): no search at all.
        every = np.arange(len(a))
        return every, every
    small, large, swapped = (a, b, False) if len(a) <= len(b) else (b, a, True)
    if len(small) * 16 < len(large):
        # One much smaller: binary search of each of its numbers in the larger.
        pos = np.searchsorted(large, small)
        pos[pos == len(large)] = 0
        hit = large[pos] == small
        ps, pl = np.flatnonzero(hit), pos[hit]
    else:
        # Similar sizes: write where each of the larger's numbers stands into a scratch array (-1 elsewhere) and
        # read it at the smaller's (linear, and no pass over the whole index).
        slots = _slots(int(max(large[-1], small[-1])) + 1)
        at = _at(large)
        slots[at] = np.arange(len(large), dtype=np.int32)
        try:
            found = slots.take(small)
        finally:
            slots[at] = -1
        ps = np.flatnonzero(found >= 0)
        pl = found[ps].astype(np.intp)
    return (pl, ps) if swapped else (ps, pl)


def union(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(sorted numbers in a or b, where a's numbers are in it, where b's are): b's numbers are placed among a's by
    binary search, no sort."""
    if len(a) < len(b):
        ids, pb, pa = union(b, a)
        return ids, pa, pb
    lo, hi = int(min(a[0], b[0])), int(max(a[-1], b[-1])) + 1
    if (len(a) + len(b)) * 4 >= hi - lo:
        # Dense in their range: mark them and read the marks in order.
        marks, positions = _marks(hi), _positions(hi)
        at_a, at_b = _at(a), _at(b)
        marks[at_a] = True
        marks[at_b] = True
        at = np.flatnonzero(marks[lo:hi]) + lo
        marks[at] = False
        positions[at] = np.arange(len(at), dtype=np.int32)
        return at.astype(IDS), positions.take(at_a).astype(np.int64), positions.take(at_b).astype(np.int64)
    ins = np.searchsorted(a, b)
    dup = a[np.minimum(ins, len(a) - 1)] == b
    new = ~dup
    added = b[new]
    # Each new number goes before the a's at and after its insertion point, after the new ones before it.
    placed = ins[new] + np.arange(len(added))
    is_b = np.zeros(len(a) + len(added), dtype=bool)
    is_b[placed] = True
    ids = np.empty(len(is_b), dtype=IDS)
    ids[placed] = added
    pa = np.flatnonzero(~is_b)
    ids[pa] = a
    pb = np.empty(len(b), dtype=np.int64)
    pb[new] = placed
    pb[dup] = pa[ins[dup]]
    return ids, pa, pb


def _above_sample(key: np.ndarray, count: int) -> np.ndarray:
    """Positions of the keys at or above the count-th best of an evenly spaced sample of TOP_SAMPLE of them. The
    sample's count best are keys too, so the count best keys (and every tie of the last) are among these: a
    partial sort of about count * len(key) / TOP_SAMPLE keys instead of all (2 ms at 160k matches)."""
    sample = key[:: len(key) // TOP_SAMPLE]
    if count >= len(sample):
        return np.arange(len(key))
    floor = np.partition(sample, len(sample) - count)[len(sample) - count]
    return np.flatnonzero(key >= floor)


class _Cache:
    """A per-index LRU bounded by what its entries cost (`cost(value)`; by default a Result's postings); shared by
    the threads of a server. An entry above `largest` of the limit is not kept."""

    def __init__(self, limit: int, cost=lambda result: len(result.ids) + 1, largest: float = 0.25):
        self.limit = limit
        self.size = 0
        self._cost = cost
        self._largest = int(limit * largest)
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key, value):
        cost = self._cost(value)
        if cost > self._largest:
            return value
        # Values are shared through the cache: nothing may change them in place.
        for array in (value.ids, value.score) if isinstance(value, Result) else (value,):
            if isinstance(array, np.ndarray):
                _frozen(array)
        with self._lock:
            if key not in self._items:
                self._items[key] = value
                self.size += cost
                while self.size > self.limit:
                    _, old = self._items.popitem(last=False)
                    self.size -= self._cost(old)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.size = 0


class Engine:
    """Per-index evaluation state: posting arrays, field lengths, facet codes, caches. Built once per opened index."""

    def __init__(self, index: CorpusIndex):
        self.index = index
        folder = index.build_dir
        self.size = index.meta["paragraphs"]
        self.lengths = {f: read_lengths(folder, f).astype(np.float32) for f in FIELDS}
        self.avg_length = {f: float(self.lengths[f].mean()) if self.size else 1.0 for f in FIELDS}
        # One block per Whoosh segment, by first document number; Whoosh is opened only for a rare term. Whoosh
        # reads segment files with seek() then read() on its own file objects, so a reader is not safe to share
        # between threads: each thread opens its own (see _whoosh_reader); the posting arrays are shared.
        self.blocks = [PostingArrays(folder, base) for base in block_bases(folder)]
        self._bases = np.array([b.base for b in self.blocks] + [self.size], dtype=np.int64)
        self._local = threading.local()
        self._readers: list = []  # every thread's reader, closed with the index
        self._readers_lock = threading.Lock()
        self._segment_maps: list = []  # Whoosh files kept mapped by page_in
        # Per block, from how many of its paragraphs a pair has its three-character strings there (search/
        # analysis.py): as the block's header says, else (a build from before blocks had their own) as the build's
        # meta does; None: a block without them.
        built = index.meta.get("trigram_min_df")
        self.trigram_min_df = [b.trigram_min_df if b.trigram_min_df is not None else built for b in self.blocks]
        self.cache = _Cache(max(CACHE_POSTINGS, CACHE_POSTINGS_PER_PARAGRAPH * self.size))
        self.dense = _Cache(DENSE_BYTES, cost=lambda dense: dense.nbytes, largest=1.0)  # dense frequencies
        self.locations = _Cache(LOCATIONS, cost=lambda places: 1 + sum(p is not None for p in places), largest=1.0)

    def _whoosh_reader(self, base: int):
        """This thread's Whoosh reader of the segment starting at `base` (opened on the thread's first rare term)."""
        leaves = getattr(self._local, "leaves", None)
        if leaves is None:
            reader = self.index.ix.reader()
            with self._readers_lock:
                self._readers.append(reader)
            leaves = self._local.leaves = {b: r for r, b in reader.leaf_readers()}
        return leaves[base]

    def warm_whoosh(self) -> None:
        """Open Whoosh and this thread's reader now (a server's start-up), not in the first request that needs it;
        an index whose blocks keep every word in the posting arrays (a small corpus) never needs it."""
        tail = [b for b in self.blocks if b.has_whoosh_tail]
        if tail:
            self._whoosh_reader(tail[0].base)

    def page_in(self) -> int:
        """Every file a query reads, paged in now (search/paging.py): a server's start-up. The Whoosh files of the
        blocks with rare words are mapped too and kept mapped while the index is open: Whoosh reads them with
        seek() and read(), and a page of them not in the page cache cost a rare word's first lookup a disk read
        (0.3 to 2 ms each, 9 to 13 ms for one query at 350k paragraphs); a mapped page is not dropped with the
        cache."""
        from jiaokan.search.paging import map_files, page_in

        if not self._segment_maps:
            self._segment_maps = map_files(self._whoosh_files())
        maps = [m for b in self.blocks for m in b.mappings()] + getattr(self.index.paragraphs, "mappings", list)()
        return page_in(maps + self._segment_maps)

    def _whoosh_files(self) -> list:
        """The segment files a rare word's lookup reads (its term table, its postings), of the blocks with any."""
        tail = {b.base for b in self.blocks if b.has_whoosh_tail}
        if not tail:
            return []
        from pathlib import Path

        folder = Path(self.index.ix.storage.folder)
        reader = self.index.ix.reader()
        try:
            return [folder / leaf.segment().make_filename(ext) for leaf, base in reader.leaf_readers()
                    if base in tail for ext in (".trm", ".pst")]
        finally:
            reader.close()

    def close(self) -> None:
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.close()
        for mm in self._segment_maps:
            mm.close()
        self._segment_maps = []
        self.cache.clear()
        self.dense.clear()
        self.locations.clear()

    # --- facets and filters -----------------------------------------------------------------------------------

    @cached_property
    def codes(self) -> dict[str, tuple[list[str], np.ndarray]]:
        """For version, lang and section: the distinct values and each document's value code."""
        return {name: self.index.paragraphs.codes(name) for name in ("version", "lang", "section")}

    def value_filter(self, name: str, wanted: list[str], ids: np.ndarray) -> np.ndarray:
        """For each document of `ids`, whether its `name` is one of `wanted`."""
        values, codes = self.codes[name]
        found = [values.index(v) for v in wanted if v in values]
        if not found:
            return np.zeros(len(ids), dtype=bool)
        mine = codes.take(ids)
        return mine == found[0] if len(found) == 1 else np.isin(mine, found)

    @cached_property
    def _has_null(self) -> dict[str, bool]:
        return {name: bool((codes < 0).any()) for name, (_, codes) in self.codes.items()}

    @cached_property
    def _runs(self) -> dict[str, tuple[np.ndarray, np.ndarray] | None]:
        """For each coded field, its runs of equal values over the document numbers: (first document of each run
        and the end, each run's code). Documents are numbered version by version, so a version is one run and a
        facet over many matches is counted from where the runs fall among them, not document by document. None
        where the runs are too many to help (a language or section that alternates paragraph by paragraph)."""
        runs = {}
        for name, (_, codes) in self.codes.items():
            if not len(codes):
                runs[name] = None
                continue
            starts = np.flatnonzero(codes[1:] != codes[:-1]) + 1
            if len(starts) > len(codes) // 16:
                runs[name] = None
                continue
            first = np.concatenate([[0], starts])
            runs[name] = (np.concatenate([first, [len(codes)]]).astype(IDS), codes[first])
        return runs

    def _run_cuts(self, name: str, ids: np.ndarray):
        """Where each run of `name` starts among the sorted `ids` (and the end), with the runs' codes; None when
        counting document by document is as quick."""
        runs = self._runs[name]
        if runs is None or len(ids) < 4 * len(runs[1]):
            return None
        bounds, run_codes = runs
        return np.searchsorted(ids, bounds), run_codes

    def counts(self, name: str, ids: np.ndarray) -> dict[str, int]:
        """How many of the sorted documents `ids` have each value of `name` (the values some of them have)."""
        return self.by_value(name, self.sums(name, ids, None))

    def by_value(self, name: str, sums: np.ndarray) -> dict[str, int]:
        """{value: sums[code]} for the values of `name` whose sum is not zero, in code order (corpus order): a value
        left out has none. Every value with its zero made each answer over a corpus of 3,500 documents 119 KB,
        and serialising it was two thirds of a request's time."""
        found = np.flatnonzero(sums)
        if len(found) == len(sums):
            return dict(zip(self.codes[name][0], sums.tolist()))
        # The values gathered by numpy: a common term is in most of 3,500 versions, three facets a query.
        return dict(zip(self._value_arrays[name].take(found).tolist(), sums.take(found).tolist()))

    @cached_property
    def _value_arrays(self) -> dict[str, np.ndarray]:
        """codes' values as numpy arrays of str objects, to gather from."""
        return {name: np.array(values, dtype=object) for name, (values, _) in self.codes.items()}

    def sums(self, name: str, ids: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
        """For each value of `name` (int64, in the order of codes[name][0]): how many of the sorted documents
        `ids` have it, or with `weights` (one integer per document of `ids`) the sum of theirs."""
        values, codes = self.codes[name]
        found = self._run_cuts(name, ids)
        if found is not None:
            cuts, run_codes = found
            if weights is None:
                per_run = np.diff(cuts)
            else:
                running = np.concatenate([[0], np.cumsum(weights, dtype=np.int64)])
                per_run = running[cuts[1:]] - running[cuts[:-1]]
            keep = run_codes >= 0
            summed = np.bincount(run_codes[keep], weights=per_run[keep], minlength=len(values))
            return summed.astype(np.int64)
        mine = codes.take(ids)
        if weights is not None:
            weights = np.asarray(weights, dtype=np.float64)
        if self._has_null[name]:
            keep = mine >= 0
            mine = mine[keep]
            weights = weights[keep] if weights is not None else None
        return np.bincount(mine, weights=weights, minlength=len(values)).astype(np.int64)

    @cached_property
    def folded(self) -> Sequence[str]:
        """Each paragraph's folded text: the column decoded once per opened index and sliced (search/store.py)."""
        return self.index.paragraphs.strings("folded").decoded()

    @cached_property
    def folded_bounds(self) -> tuple[str, np.ndarray, np.ndarray] | None:
        """(all folded text as one string, each paragraph's start and end in it), where the store gives them."""
        bounds = getattr(self.folded, "bounds", None)
        return bounds() if bounds is not None else None

    # --- terms and strings ------------------------------------------------------------------------------------

    def everything(self) -> Result:
        return Result(self._all_ids, np.zeros(self.size, dtype=np.float32))

    @cached_property
    def _all_ids(self) -> np.ndarray:
        return _frozen(np.arange(self.size, dtype=IDS))

    def nothing(self) -> Result:
        return Result(_EMPTY_IDS, _EMPTY_SCORES)

    def _located(self, field: str, term: str) -> tuple:
        """Where each block holds the term (PostingArrays.locate), kept per term: a query looks a term up several
        times (its count, its postings, its probes), each time in every block (38 of them at a million
        paragraphs), and a hash and a binary search per block were a tenth of a typical query's time."""
        key = (field, term)
        found = self.locations.get(key)
        if found is None:
            found = self.locations.put(key, tuple(b.locate(field, term) for b in self.blocks))
        return found

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """All (document numbers, term frequencies) of a term: posting arrays for the segments that have them,
        the Whoosh segment for the rest (words with fewer than MIN_DF postings there)."""
        ids_parts, tf_parts = [], []
        for arrays, where in zip(self.blocks, self._located(field, term)):
            if where is None:
                continue
            found = self._whoosh_postings(arrays, field, term) if where is RARE else arrays.read(where)
            if found is not None:
                ids_parts.append(found[0])
                tf_parts.append(found[1])
        if not ids_parts:
            return _EMPTY_IDS, _EMPTY_SCORES
        if len(ids_parts) == 1:
            return ids_parts[0].astype(IDS, copy=False), tf_parts[0].astype(np.float32)
        return np.concatenate(ids_parts).astype(IDS, copy=False), np.concatenate([t.astype(np.float32) for t in tf_parts])

    def _whoosh_postings(self, arrays: PostingArrays, field: str, term: str):
        reader = self._whoosh_reader(arrays.base)
        btext = term.encode("utf-8")
        if (field, btext) not in reader:
            return None
        m = reader.postings(field, btext)
        ids, tfs = [], []
        while m.is_active():
            ids.append(m.id() + arrays.base)
            tfs.append(m.weight())
            m.next()
        return np.array(ids, dtype=IDS), np.array(tfs, dtype=np.float32)

    def df(self, field: str, term: str) -> int | None:
        """How many documents hold the term, from the posting arrays' index alone; None where a block may hold
        it in Whoosh (a rare word there, not counted without opening it)."""
        total = 0
        for where in self._located(field, term):
            if where is RARE:
                return None
            if where is not None:
                total += where[1]
        return total

    def probe(self, field: str, term: str, ids: np.ndarray, dense: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """For the sorted document numbers `ids`: which of them hold the term, and its frequency in those, found
        by binary search in the posting arrays (the term's postings are not read), or, where the documents are
        so many that each block's postings would be spread anyway, in the term's whole postings, read once and
        kept in the cache: a character most paragraphs hold is probed again and again (every string with it),
        and one pass over the whole postings replaces a pass per block (17 of them at a million paragraphs).
        With `dense` off, a common term is not given a frequency array of every document (a string's
        three-character pieces: each is probed by few queries, and would push the characters' arrays out); nor is
        it for a probe of few documents (DENSE_PROBE_FRACTION), though one already made is used."""
        if dense and len(ids) * DENSE_PROBE_FRACTION >= self.size:
            every = self._dense_frequencies(field, term)
        else:
            every = self.dense.get((field, term))
        if every is not None:
            tfs = every.take(ids).astype(np.float32)
            return tfs > 0, tfs
        whole = self.cache.get(("tf", field, term))
        if whole is None and len(ids) >= PROBE_WHOLE_MIN:
            df = self.df(field, term)
            if df is not None and _spreads(len(ids), df):
                whole = self.frequencies(field, term)
        if whole is not None:
            return self._probe_whole(whole, ids)
        present = np.zeros(len(ids), dtype=bool)
        tfs = np.zeros(len(ids), dtype=np.float32)
        cuts = np.searchsorted(ids, self._bases)
        for k, (arrays, where) in enumerate(zip(self.blocks, self._located(field, term))):
            lo, hi = int(cuts[k]), int(cuts[k + 1])
            if lo == hi or where is None:
                continue
            if where is not RARE:
                block_ids, block_tfs = arrays.at(where)
                m, n = len(block_ids), hi - lo
                wanted = (ids[lo:hi] - arrays.base).astype(np.intp)
                if _spreads(n, m):
                    # Many documents against the block's postings: spread the term's frequencies over a scratch
                    # array of the block's numbers (a frequency is at least 1) and read them at the documents'.
                    spread = _block_tfs(MAX_BLOCK)
                    local_ids = block_ids.astype(np.intp)
                    spread[local_ids] = block_tfs
                    try:
                        found = spread[wanted]
                    finally:
                        spread[local_ids] = 0
                    present[lo:hi] = found > 0
                    tfs[lo:hi] = found
                else:
                    pos = np.searchsorted(block_ids, wanted.astype(block_ids.dtype))
                    pos[pos == m] = 0
                    hit = block_ids[pos] == wanted
                    present[lo:hi] = hit
                    tfs[lo:hi][hit] = block_tfs[pos[hit]]
            else:
                found = self._whoosh_postings(arrays, field, term)
                if found is not None:
                    ia, ib = common(ids[lo:hi], found[0])
                    present[lo + ia] = True
                    tfs[lo + ia] = found[1][ib]
        return present, tfs

    def _dense_frequencies(self, field: str, term: str) -> np.ndarray | None:
        """The term's frequency in every document (uint16, 0 where it is absent) if it is a common term (in at
        least one document in DENSE_FRACTION), else None."""
        key = (field, term)
        dense = self.dense.get(key)
        if dense is not None:
            return dense
        df = self.df(field, term)
        if df is None or not self.size or df * DENSE_FRACTION < self.size:
            return None
        whole = self.frequencies(field, term)
        dense = np.zeros(self.size, dtype=np.uint16)
        dense[_at(whole.ids)] = whole.score  # frequencies are at most 65,535 (saturated when written)
        return self.dense.put(key, dense)

    def _probe_whole(self, whole: Result, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """probe() in a term's whole postings (`whole`: its documents, and its frequencies as the score)."""
        m = len(whole.ids)
        if not m:
            return np.zeros(len(ids), dtype=bool), np.zeros(len(ids), dtype=np.float32)
        if _spreads(len(ids), m):
            spread = _spread(self.size)
            at = _at(whole.ids)
            spread[at] = whole.score
            try:
                found = spread.take(ids)
            finally:
                spread[at] = 0
            return found > 0, found
        pos = np.searchsorted(whole.ids, ids)
        pos[pos == m] = 0
        present = whole.ids.take(pos) == ids
        tfs = np.zeros(len(ids), dtype=np.float32)
        tfs[present] = whole.score.take(pos[present])
        return present, tfs

    def _bm25(self, field: str, ids: np.ndarray, tfs: np.ndarray, df: int, weight: float) -> np.ndarray:
        idf = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
        norm = K1 * (1 - B + B * self.lengths[field].take(ids) / self.avg_length[field])
        return (weight * idf * tfs * (K1 + 1) / (tfs + norm)).astype(np.float32, copy=False)

    def term(self, field: str, term: str, weight: float = 1.0) -> Result:
        budget.check()  # every query term passes here: the place a too-costly search is stopped
        key = ("term", field, term, weight)
        found = self.cache.get(key)
        if found is not None:
            return found
        ids, tfs = self.postings(field, term)
        if not len(ids):
            return self.nothing()
        # The frequencies as read are kept too: a query's occurrence totals count a character or pair from them
        # (search/occurrences.py), and probes of many documents look them up (probe): not read a second time.
        if self.cache.get(("tf", field, term)) is None:
            self.cache.put(("tf", field, term), Result(ids, tfs))
        return self.cache.put(key, Result(ids, self._bm25(field, ids, tfs, len(ids), weight)))

    def all_of(self, field: str, terms: list[str], weight: float = 1.0,
               within: np.ndarray | None = None) -> tuple[Result, dict[str, np.ndarray]]:
        """Documents holding every term, scored as the sum of the terms' scores in the order given (a term listed
        twice counts twice), and each distinct term's frequency in them. The rarest term is read; the others are
        probed for its documents only. With `within` (sorted document numbers), only those of them."""
        distinct = list(dict.fromkeys(terms))
        dfs = {t: self.df(field, t) for t in distinct}
        # Rarest first (a term whose count needs Whoosh is rare there: read it first too).
        order = sorted(distinct, key=lambda t: -1 if dfs[t] is None else dfs[t])
        first = self.term(field, order[0], weight)
        ids = first.ids if within is None else first.ids[common(first.ids, within)[0]]
        tfs: dict[str, np.ndarray] = {}
        for t in order[1:]:
            if not len(ids):
                break
            budget.check()
            present, found = self.probe(field, t, ids)
            ids = ids[present]
            for u in tfs:
                tfs[u] = tfs[u][present]
            tfs[t] = found[present]
        if not len(ids):
            return self.nothing(), {}
        first_score = first.score if len(ids) == len(first.ids) else first.score[np.searchsorted(first.ids, ids)]
        score = None
        for t in terms:
            if t == order[0]:
                s = first_score
            else:
                df = dfs[t] if dfs[t] is not None else len(self.postings(field, t)[0])
                s = self._bm25(field, ids, tfs[t], df, weight)
            score = s if score is None else (score + s).astype(np.float32, copy=False)
        return Result(ids, score), tfs

    def exact(self, a: Analysis, weight: float = 1.0, within: np.ndarray | None = None) -> Result:
        """Documents containing the analysed string exactly: every pair of its chain in the document, then the
        string itself confirmed in the folded text (pairs alone could occur apart) unless the term frequencies
        prove it. With `within` (sorted document numbers: where an AND's other clauses stand), the documents
        among those at least: where they are much fewer than the string's candidates, only those are confirmed
        (and nothing is kept in the cache, the answer being partial)."""
        budget.check()
        terms = chain_terms(a)
        if not terms:
            return self.nothing()
        if len(terms) == 1:
            return self.term("grams", terms[0], weight)
        key = ("exact", tuple(a.units), tuple(a.adjacent), weight)
        found = self.cache.get(key)
        if found is not None:
            return found
        # The summing order of the scores as it always was: the first pair, then each other pair once.
        ordered = [terms[0]] + list(dict.fromkeys(terms[1:]))
        # Which candidates hold it does not depend on the weight: confirmed once per string (translations search
        # their targets at their own weights, occurrence counts at none).
        holds_key = ("holds", tuple(a.units), tuple(a.adjacent))
        holding = self.cache.get(holds_key)
        narrow = None
        if within is not None and holding is None:
            candidates = min(self.df("grams", t) or 0 for t in ordered)  # None: rare in a Whoosh tail
            narrow = within if len(within) * NARROW_SAVING < candidates else None
        result, tfs = self.all_of("grams", ordered, weight, narrow)
        if not result.any():
            return result
        if narrow is not None:
            keep = self._confirm(a, result.ids, tfs, keep_counts=False)
            return result if keep.all() else result.restricted(keep)
        if holding is None:
            keep = self._confirm(a, result.ids, tfs)
            self.cache.put(holds_key, Result(result.ids[keep], result.score[keep]))
        else:
            keep = np.zeros(len(result.ids), dtype=bool)
            keep[common(result.ids, holding.ids)[0]] = True
        if not keep.all():
            result = result.restricted(keep)
        return self.cache.put(key, result)

    def holding(self, a: Analysis) -> np.ndarray:
        """The documents that hold the analysed string exactly (exact()'s documents, whatever the weight)."""
        return self.exact(a).ids

    def frequencies(self, field: str, term: str) -> Result:
        """A term's documents and its frequency in each (as the `score` of the Result), cached like terms."""
        key = ("tf", field, term)
        found = self.cache.get(key)
        if found is not None:
            return found
        ids, tfs = self.postings(field, term)
        return self.cache.put(key, Result(ids, tfs.astype(np.float32)))

    def _confirm(self, a: Analysis, candidates: np.ndarray, pair_tfs: dict[str, np.ndarray],
                 keep_counts: bool = True) -> np.ndarray:
        """For each candidate (holding every pair of the chain), whether it holds the string. Where confirming
        counts the occurrences too, they are kept for search's totals if `keep_counts` (the candidates are all
        the string's)."""
        budget.check()
        all_han = all(a.han) and all(a.adjacent)
        keep = np.zeros(len(candidates), dtype=bool)
        todo = np.arange(len(candidates))
        counts = self._trigram_counts(a, candidates, pair_tfs)
        if counts is not None:  # decided where the index holds the string's three-character pieces
            keep = counts > 0
            todo = np.flatnonzero(counts < 0)
        if provable(a) and len(todo) >= PROOF_MIN_CANDIDATES:
            # Try the proof on a sample first: where it proves little (a string whose characters recur in every
            # paragraph), probing every character costs more than it saves.
            rest = candidates[todo] if counts is not None else candidates
            rest_tfs = {t: f[todo] for t, f in pair_tfs.items()} if counts is not None else pair_tfs
            step = max(1, len(rest) // PROOF_SAMPLE)
            sample = rest[::step]
            sample_tfs = {t: f[::step] for t, f in rest_tfs.items()}
            if step == 1 or self._proven(a, sample, sample_tfs).mean() >= PROOF_WORTH:
                proven_counts = self._proven_counts(a, rest, rest_tfs)
                if counts is None:
                    counts = proven_counts
                else:
                    counts[todo] = proven_counts
                proven = proven_counts >= 0
                keep[todo[proven]] = True
                todo = todo[~proven]
        bounds = self.folded_bounds
        literal = "".join(a.units)
        if all_han and bounds is not None and not _self_overlapping(literal):
            # The string is its characters side by side and cannot overlap itself: str.count in each unproven
            # candidate's slice of the text both confirms it and counts its occurrences, which search's totals
            # want too (search/occurrences.py): kept with the string's documents.
            text, starts, ends = bounds
            if counts is None:
                counts = np.zeros(len(candidates), dtype=np.int64)
            docs = candidates[todo]
            counts[todo] = np.fromiter(map(text.count, repeat(literal), starts[docs].tolist(), ends[docs].tolist()),
                                       dtype=np.int64, count=len(docs))
            keep = counts > 0
            if keep_counts:
                self.cache.put(("occurrences", tuple(a.units), tuple(a.adjacent)),
                               Result(candidates[keep], counts[keep].astype(np.float32)))
            return keep
        if counts is not None and not any(a.han):
            # A Latin phrase the proof has counted where it could: the matcher counts the candidates it left
            # (holds_exact first, quick where the phrase is absent), and the counts are kept for search's totals
            # as a Han string's are (the same counts search/occurrences.py would make, without probing again).
            folded = self.folded
            docs = candidates[todo]
            counts[todo] = np.fromiter((_count_exact(folded[i], a) for i in docs.tolist()), dtype=np.int64,
                                       count=len(docs))
            keep = counts > 0
            if keep_counts:
                self.cache.put(("occurrences", tuple(a.units), tuple(a.adjacent)),
                               Result(candidates[keep], counts[keep].astype(np.float32)))
            return keep
        if not len(todo):
            return keep
        docs = candidates[todo]
        if all_han and bounds is not None:
            # One str.find per candidate, in its slice of the text.
            text, starts, ends = bounds
            found = np.fromiter(map(text.find, repeat(literal), starts[docs].tolist(), ends[docs].tolist()),
                                dtype=np.int64, count=len(docs))
            keep[todo] = found >= 0
        else:
            folded = self.folded
            keep[todo] = np.fromiter((holds_exact(folded[int(i)], a) for i in docs), dtype=bool, count=len(docs))
        return keep

    def _trigram_counts(self, a: Analysis, candidates: np.ndarray, pair_tfs: dict[str, np.ndarray]):
        """For each candidate of a Chinese string of three characters or more (sorted paragraphs; `pair_tfs` has
        the frequencies of the string's pairs in them where known), how many times it holds the string where its
        block holds the string's three-character pieces (every pair that starts one is in at least the block's
        trigram_min_df paragraphs there) and they decide it, else -1; None where no block does.
        Three characters: the piece's frequency is the count. More: a paragraph lacking a piece lacks the string,
        and where every piece is there, _proven_counts's rule one step up (pairs for characters, pieces for pairs)
        proves the count or leaves it to the text. A string that overlaps itself is left to the text (its pieces
        count overlapping occurrences)."""
        literal = "".join(a.units)
        n = len(literal)
        if (n < 3 or len(a.units) != n or not (all(a.han) and all(a.adjacent)) or _self_overlapping(literal)
                or all(t is None for t in self.trigram_min_df)):
            return None
        complete = np.array([t is not None for t in self.trigram_min_df], dtype=bool)
        for pair in dict.fromkeys(literal[k : k + 2] for k in range(n - 2)):
            for b, where in enumerate(self._located("grams", pair)):
                if where is None or where is RARE or (complete[b] and where[1] < self.trigram_min_df[b]):
                    complete[b] = False
        if not complete.any():
            return None
        inside = np.flatnonzero(complete[np.searchsorted(self._bases, candidates, side="right") - 1])
        if not len(inside):
            return None
        ids = candidates[inside]
        pieces = [self.probe("grams", literal[k : k + 3], ids, dense=False)[1] for k in range(n - 2)]
        counts = np.full(len(candidates), -1, dtype=np.int64)
        if n == 3:
            counts[inside] = pieces[0]
            return counts
        pairs = []
        for k in range(n - 1):
            gram = a.gram(k)
            if gram not in pair_tfs:  # the term read rather than probed
                pair_tfs[gram] = self.probe("grams", gram, candidates)[1]
            pairs.append(pair_tfs[gram][inside])
        found = _chain_counts(pairs, pieces)
        found[np.logical_or.reduce([p == 0 for p in pieces])] = 0
        counts[inside] = found
        return counts

    def _proven(self, a: Analysis, candidates: np.ndarray, pair_tfs: dict[str, np.ndarray]) -> np.ndarray:
        """Candidates that surely hold the string, from term frequencies alone (see _proven_counts)."""
        return self._proven_counts(a, candidates, pair_tfs) >= 0

    def _proven_counts(self, a: Analysis, candidates: np.ndarray, pair_tfs: dict[str, np.ndarray],
                       unit_tfs: dict[str, np.ndarray] | None = None) -> np.ndarray:
        """For each candidate, how many times it holds the string c1..cn (units that all touch, `provable`) where
        term frequencies alone prove it, else -1. Where every occurrence of c_k is followed by c_k+1
        (tf(c_k c_k+1) = tf(c_k)), an occurrence of c_k extends to the right; where every occurrence is preceded
        by c_k-1, to the left. If, from c_j, it extends right up to c_n and left down to c_1, the string stands at
        every c_j, and each of its occurrences has one c_j in that place: it occurs tf(c_j) times. (Exact: what is
        not proven is checked.)

        Latin words too: a word's tf also counts the word with a possessive or contraction (asean's counts as
        asean), and a pair's counts the first word as written followed by the second with or without one
        (search/analysis.py gram_counts), which is find_exact's rule for the phrase's last word. A word followed
        by its pair partner in every place it stands is then as written in every place, so a proof never passes
        through a word with an ending except at the end, where find_exact accepts it. `unit_tfs`: frequencies of
        units already at hand for these candidates (not probed again)."""
        units = a.units
        n = len(units)
        unit_tf = {}
        for u in dict.fromkeys(units):
            if unit_tfs is not None and u in unit_tfs:
                unit_tf[u] = unit_tfs[u]
                continue
            budget.check()
            unit_tf[u] = self.probe("grams", u, candidates)[1]
        pair = []
        for k in range(n - 1):
            gram = a.gram(k)
            if gram not in pair_tfs:  # the term read rather than probed: its frequencies are probed now
                pair_tfs[gram] = self.probe("grams", gram, candidates)[1]
            pair.append(pair_tfs[gram])
        return _chain_counts([unit_tf[u] for u in units], pair)

    def all_words(self, a: Analysis, weight: float = 1.0) -> Result:
        """Documents containing every word of the analysed string, anywhere."""
        return self.all_words_of(list(dict.fromkeys(a.words)), weight)

    def all_words_in(self, a: Analysis, ids: np.ndarray, weight: float = 1.0) -> Result:
        """all_words(a, weight), at least among the sorted documents `ids`: what a string's words add where the
        string stands. Its other words are probed at those documents only, not intersected over the index (the
        words of 中他了 are three of the commonest: 11 ms over 350k paragraphs, for a string in a few of them)."""
        words = list(dict.fromkeys(a.words))
        if len(words) < 2:
            return self.all_words_of(words, weight)
        found = self.cache.get(("all words", tuple(words), weight))
        return found if found is not None else self.all_of("words", words, weight, within=ids)[0]

    def all_words_of(self, words: list[str], weight: float = 1.0) -> Result:
        if not words:
            return self.nothing()
        if len(words) == 1:
            return self.term("words", words[0], weight)
        # Kept like a term: a string's words apart come back in every query with the string (and in each of the
        # tries of a search that found nothing, search/suggest.py).
        key = ("all words", tuple(words), weight)
        found = self.cache.get(key)
        if found is None:
            found = self.cache.put(key, self.all_of("words", words, weight)[0])
        return found

    # --- passages and the top -----------------------------------------------------------------------------------

    @cached_property
    def groups(self) -> np.ndarray | None:
        """Each document's result group: its passage, or a group of its own; None when no passage exists."""
        if not self.index.passages:
            return None
        _, codes = self.index.paragraphs.codes("passage")
        groups = codes.astype(np.int64)
        alone = groups < 0
        groups[alone] = (int(codes.max()) + 1 if len(codes) else 0) + np.flatnonzero(alone)
        return groups

    @cached_property
    def _group_count(self) -> int:
        return int(self.groups.max()) + 1 if self.groups is not None and len(self.groups) else 0

    def count_groups(self, ids: np.ndarray) -> int:
        """How many results the documents make when each passage is one."""
        groups = self.groups
        if groups is None or not len(ids):
            return len(ids)
        mine = groups.take(ids)
        marks = _marks(self._group_count)
        marks[mine] = True
        try:
            return int(np.count_nonzero(marks))
        finally:
            marks[mine] = False

    def best_of_groups(self, key: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """The best document of each passage (key[i] is ids[i]'s; ties to the earlier document), in corpus order."""
        groups = self.groups
        if groups is None or not len(ids):
            return ids
        mine = groups.take(ids)
        order = np.lexsort((ids, -key, mine))
        ranked = mine[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = ranked[1:] != ranked[:-1]
        return np.sort(ids[order[first]])

    def top(self, key: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
        """The document numbers of the `count` best keys (key[i] is ids[i]'s), best first, ties in document order."""
        if len(ids) > count:
            chosen = np.arange(len(ids)) if len(ids) < TOP_SAMPLE * 4 else _above_sample(key, count)
            among = key[chosen]
            if len(among) > count:
                threshold = among[np.argpartition(-among, count - 1)[:count]].min()
                # Keep every document tied with the last one, so that ties resolve by document order.
                chosen = chosen[among >= threshold]
            ids, key = ids[chosen], key[chosen]
        order = np.lexsort((ids, -key))
        return ids[order][:count]

    def top_of_groups(self, key: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
        """The best document of each passage, the `count` best of those, best first: the documents in rank order
        with each passage's later ones left out (its first is its best; ties to the earlier document)."""
        groups = self.groups
        if groups is None:
            return self.top(key, ids, count)
        wanted = max(count, 1) * 2
        while True:
            ranked = self.top(key, ids, wanted)
            _, first = np.unique(groups[ranked], return_index=True)
            first.sort()
            if len(first) >= count or len(ranked) == len(ids):
                return ranked[first[:count]]
            wanted *= 4
