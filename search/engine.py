"""Evaluating a query over the whole index at once: a match mask and a score per document, with numpy.

Every node of the query becomes (mask, score): two dense arrays with one entry per paragraph. AND, OR and NOT are
element-wise operations, totals and facet counts are sums over the mask, and the top hits come from a partial
sort. A 100k-paragraph index costs a few hundred microseconds per array operation, whatever the term frequency,
where walking postings in Whoosh costs 25 µs per matching paragraph.

Scoring is BM25F: per field BM25 (k1 = 1.2, b = 0.75, the usual values; these paragraphs vary in length from a
heading to a page), with field weights set in search/searching.py.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from jiaokan.search import budget
from jiaokan.search.analysis import Analysis
from jiaokan.search.index import CorpusIndex
from jiaokan.search.matching import chain_terms, holds_exact
from jiaokan.search.postings import FIELDS, PostingArrays, block_bases, read_lengths

K1 = 1.2
B = 0.75


@dataclass
class Result:
    mask: np.ndarray  # bool, one per document
    score: np.ndarray  # float32, one per document (0 where not matching)

    def __and__(self, other: "Result") -> "Result":
        mask = self.mask & other.mask
        return Result(mask, np.where(mask, self.score + other.score, 0).astype(np.float32))

    def __or__(self, other: "Result") -> "Result":
        return Result(self.mask | other.mask, self.score + other.score)

    def without(self, other: "Result") -> "Result":
        mask = self.mask & ~other.mask
        return Result(mask, np.where(mask, self.score, 0).astype(np.float32))


class Engine:
    """Per-index evaluation state: posting arrays, field lengths, facet codes. Built once per opened index."""

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
        self._local = threading.local()
        self._readers: list = []  # every thread's reader, closed with the index
        self._readers_lock = threading.Lock()

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

    def close(self) -> None:
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for reader in readers:
            reader.close()

    # --- facets and filters -----------------------------------------------------------------------------------

    @cached_property
    def codes(self) -> dict[str, tuple[list[str], np.ndarray]]:
        """For version, lang and section: the distinct values and each document's value code."""
        return {name: self.index.paragraphs.codes(name) for name in ("version", "lang", "section")}

    def value_mask(self, name: str, wanted: list[str]) -> np.ndarray:
        values, codes = self.codes[name]
        ids = [values.index(v) for v in wanted if v in values]
        return np.isin(codes, ids) if ids else np.zeros(self.size, dtype=bool)

    def counts(self, name: str, mask: np.ndarray) -> dict[str, int]:
        values, codes = self.codes[name]
        counted = np.bincount(codes[mask], minlength=len(values))
        return {v: int(n) for v, n in zip(values, counted)}

    @cached_property
    def folded(self) -> Sequence[str]:
        """Each paragraph's folded text: the column decoded once per opened index and sliced (search/store.py)."""
        return self.index.paragraphs.strings("folded").decoded()

    # --- terms and strings ------------------------------------------------------------------------------------

    def everything(self) -> Result:
        return Result(np.ones(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32))

    def nothing(self) -> Result:
        return Result(np.zeros(self.size, dtype=bool), np.zeros(self.size, dtype=np.float32))

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """All (document numbers, term frequencies) of a term: posting arrays for the segments that have them,
        the Whoosh segment for the rest (words with fewer than MIN_DF postings there)."""
        ids_parts, tf_parts = [], []
        btext = term.encode("utf-8")
        for arrays in self.blocks:
            found = arrays.get(field, term)
            if found is not None:
                ids_parts.append(found[0])
                tf_parts.append(found[1])
            elif arrays.maybe_rare(field, term):
                reader = self._whoosh_reader(arrays.base)
                if (field, btext) not in reader:
                    continue
                m = reader.postings(field, btext)
                ids, tfs = [], []
                while m.is_active():
                    ids.append(m.id() + arrays.base)
                    tfs.append(m.weight())
                    m.next()
                ids_parts.append(np.array(ids, dtype=np.uint32))
                tf_parts.append(np.array(tfs, dtype=np.float32))
        if not ids_parts:
            return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.float32)
        if len(ids_parts) == 1:
            return ids_parts[0], tf_parts[0].astype(np.float32)
        return np.concatenate(ids_parts), np.concatenate([t.astype(np.float32) for t in tf_parts])

    def term(self, field: str, term: str, weight: float = 1.0) -> Result:
        budget.check()  # every query term passes here: the place a too-costly search is stopped
        ids, tfs = self.postings(field, term)
        result = self.nothing()
        if len(ids):
            df = len(ids)
            idf = math.log(1 + (self.size - df + 0.5) / (df + 0.5))
            norm = K1 * (1 - B + B * self.lengths[field][ids] / self.avg_length[field])
            result.mask[ids] = True
            result.score[ids] = weight * idf * tfs * (K1 + 1) / (tfs + norm)
        return result

    def exact(self, a: Analysis, weight: float = 1.0) -> Result:
        """Documents containing the analysed string exactly: every pair of its chain in the document, then the
        string itself checked in the folded text (pairs alone could occur apart)."""
        terms = chain_terms(a)
        if not terms:
            return self.nothing()
        result = self.term("grams", terms[0], weight)
        for t in dict.fromkeys(terms[1:]):
            if not result.mask.any():
                return result
            result = result & self.term("grams", t, weight)
        if len(terms) > 1:
            folded = self.folded
            candidates = np.flatnonzero(result.mask)
            keep = np.fromiter((holds_exact(folded[i], a) for i in candidates), dtype=bool, count=len(candidates))
            dropped = candidates[~keep]
            result.mask[dropped] = False
            result.score[dropped] = 0
        return result

    def all_words(self, a: Analysis, weight: float = 1.0) -> Result:
        """Documents containing every word of the analysed string, anywhere."""
        return self.all_words_of(list(dict.fromkeys(a.words)), weight)

    def all_words_of(self, words: list[str], weight: float = 1.0) -> Result:
        if not words:
            return self.nothing()
        result = self.term("words", words[0], weight)
        for w in words[1:]:
            result = result & self.term("words", w, weight)
        return result

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

    def best_of_each_passage(self, key: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """The mask narrowed to one document per passage: the best key, ties to the earlier document."""
        groups = self.groups
        if groups is None:
            return mask
        candidates = np.flatnonzero(mask)
        order = np.lexsort((candidates, -key[candidates]))
        ranked = candidates[order]
        _, first = np.unique(groups[ranked], return_index=True)
        best = np.zeros(self.size, dtype=bool)
        best[ranked[first]] = True
        return best

    def top(self, key: np.ndarray, mask: np.ndarray, count: int) -> np.ndarray:
        """Document numbers of the `count` best keys among the mask, best first, ties in document order."""
        candidates = np.flatnonzero(mask)
        if len(candidates) > count:
            part = np.argpartition(-key[candidates], count - 1)[:count]
            threshold = key[candidates[part]].min()
            # Keep every document tied with the last one, so that ties resolve by document order.
            candidates = candidates[key[candidates] >= threshold]
        order = np.lexsort((candidates, -key[candidates]))
        return candidates[order][:count]

