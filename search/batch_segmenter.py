"""Dictionary.segment's route for many Han runs at once, in numpy: an index build segments every run of the corpus,
and the route search one character at a time in Python was about 40 % of a build worker's CPU.

The same rule as search/segmenter.py, applied level by level instead of position by position:
  - the dictionary is a trie in sorted arrays (every key's prefixes are keys too, jieba's prefix entries): a key
    is its parent's id and its last character packed into one 64-bit number, so the keys of length k at every
    position of every run are found with one searchsorted from the keys of length k-1;
  - the best route is found from the end of the runs towards their start, all runs together, one distance from
    the run's end at a time: the words starting d characters before the end only need routes that start nearer
    to it, already scored. The same float64 additions as segment(), and the same choice: the greatest score,
    ties to the longer word.
Runs longer than LONG_RUN are left to segment() (a step per character of the longest run).
"""
from __future__ import annotations

import math
import numpy as np

LONG_RUN = 256
_CHAR_BITS = np.uint64(21)


class Trie:
    """The dictionary's keys as a trie in arrays: ids from 1 (0: no key); for each id its log probability (NaN for
    a prefix entry) and its string."""

    def __init__(self, log_prob: dict[str, float | None]):
        keys = sorted(log_prob, key=len)
        ids: dict[str, int] = {}
        words = [""]
        lps = [math.nan]
        packed = []
        children = []
        singles = []
        for w in keys:
            if len(w) == 1:
                parent = 0
            else:
                parent = ids.get(w[:-1], 0)
                if not parent:  # its prefix is no key: segment()'s walk never reaches it
                    continue
            i = ids[w] = len(words)
            words.append(w)
            lp = log_prob[w]
            lps.append(math.nan if lp is None else lp)
            if parent:
                packed.append((parent << 21) | ord(w[-1]))
                children.append(i)
            else:
                singles.append((ord(w), i))
        self.words = words
        self.log_prob = np.array(lps, dtype=np.float64)
        self._table_keys, self._table_children, self._probes = _hash_table(
            np.array(packed, dtype=np.uint64), np.array(children, dtype=np.int64)
        )
        top = max((c for c, _ in singles), default=0)
        self.char_ids = np.zeros(top + 2, dtype=np.int64)  # code point -> id of the one-character key
        for c, i in singles:
            self.char_ids[c] = i

    def singles(self, cp: np.ndarray) -> np.ndarray:
        return self.char_ids[np.minimum(cp, len(self.char_ids) - 1)]  # the last entry is always 0

    def children(self, parents: np.ndarray, chars: np.ndarray) -> np.ndarray:
        """For each (parent id, next character): the id of the longer key, 0 where there is none."""
        q = (parents.astype(np.uint64) << _CHAR_BITS) | chars.astype(np.uint64)
        out = np.zeros(len(q), dtype=np.int64)
        keys, mask = self._table_keys, np.uint64(len(self._table_keys) - 1)
        slot = _slot(q, len(self._table_keys))
        todo = np.arange(len(q))
        for _ in range(self._probes):
            held = keys[slot]
            hit = held == q
            out[todo[hit]] = self._table_children[slot[hit]]
            going = ~hit & (held != 0)  # an empty slot ends the search: the key is absent
            todo, q, slot = todo[going], q[going], (slot[going] + np.uint64(1)) & mask
            if not len(todo):
                break
        return out


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _slot(keys: np.ndarray, capacity: int) -> np.ndarray:
    """Fibonacci hashing: the top bits of the key times 2**64 / golden ratio, as many as the capacity's (a power
    of two) exponent."""
    with np.errstate(over="ignore"):
        return (keys * _GOLDEN) >> np.uint64(65 - capacity.bit_length())


def _hash_table(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """An open-addressing table (linear probing, at most a quarter full) of distinct nonzero keys: a lookup is a
    few gathers, where a binary search over the sorted keys was about twenty dependent reads. Returns the keys'
    and values' slots and the longest probe sequence a lookup needs."""
    capacity = 1 << max(4, int(4 * max(len(keys), 1) - 1).bit_length())
    table = np.zeros(capacity, dtype=np.uint64)
    held = np.zeros(capacity, dtype=np.int64)
    mask = np.uint64(capacity - 1)
    slot = _slot(keys, capacity)
    pending = np.arange(len(keys))
    probes = 1
    while len(pending):
        free = table[slot] == 0
        # Of the keys that want the same free slot, the first takes it; the rest, and those whose slot is taken,
        # try the next slot.
        cand = np.flatnonzero(free)
        _, first = np.unique(slot[cand], return_index=True)
        won = cand[first]
        table[slot[won]] = keys[pending[won]]
        held[slot[won]] = values[pending[won]]
        lost = np.ones(len(pending), dtype=bool)
        lost[won] = False
        pending, slot = pending[lost], (slot[lost] + np.uint64(1)) & mask
        if len(pending):
            probes += 1
    return table, held, probes + 1


def segment_runs(trie: Trie, runs: list[str], unknown: float) -> tuple[list[list[str]], np.ndarray]:
    """The words of each run (each at most LONG_RUN Han characters), as Dictionary.segment cuts it, and the ids of
    the keys of two or more characters its walk consulted (segment()'s recording; single characters are the
    runs' own). `unknown`: the score of a character no word starts with. In batches of about BATCH_CHARS
    characters (a batch holds a score for every character and key length)."""
    words: list[list[str]] = []
    consulted = np.zeros(len(trie.words), dtype=bool)
    batch: list[str] = []
    size = 0
    for run in runs:
        batch.append(run)
        size += len(run) + 1
        if size >= BATCH_CHARS:
            words.extend(_segment_batch(trie, batch, unknown, consulted))
            batch, size = [], 0
    if batch:
        words.extend(_segment_batch(trie, batch, unknown, consulted))
    return words, np.flatnonzero(consulted)


BATCH_CHARS = 1 << 17


def _segment_batch(trie: Trie, runs: list[str], unknown: float, consulted: np.ndarray) -> list[list[str]]:
    joined = "\n".join(runs) + "\n"  # each run followed by a separator, whose route scores 0
    cp = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    lengths = np.fromiter(map(len, runs), dtype=np.int64, count=len(runs))
    run_starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    run_ends = run_starts + lengths
    size = len(cp)
    han = np.ones(size, dtype=bool)
    han[run_ends] = False
    positions = np.flatnonzero(han)
    dist = np.zeros(size, dtype=np.int64)  # characters from a position to its run's end
    dist[positions] = np.repeat(run_ends, lengths) - positions

    # scores[k - 1][p]: log probability of the word of k characters at p, -inf where that is no word.
    scores = []
    ids = trie.singles(cp[positions])
    alive = ids > 0
    at, ids = positions[alive], ids[alive]
    k = 1
    while len(at):
        row = np.full(size, -np.inf)
        lp = trie.log_prob[ids]
        word = ~np.isnan(lp)
        row[at[word]] = lp[word]
        scores.append(row)
        if k > 1:
            consulted[ids] = True
        longer = dist[at] > k
        at, ids = at[longer], ids[longer]
        ids = trie.children(ids, cp[at + k])
        found = ids > 0
        at, ids = at[found], ids[found]
        k += 1
    if not scores:
        scores.append(np.full(size, -np.inf))
    scores = np.ascontiguousarray(np.vstack(scores).T)  # a row per position: its words' scores by length
    longest_word = scores.shape[1]
    lengths_k = np.arange(1, longest_word + 1)

    # From the runs' ends towards their starts: the positions d characters before the end, one per run at least
    # d long, take the best of their words (ties to the longer) or, with none, the character alone.
    best = np.zeros(size + longest_word + 1, dtype=np.float64)  # 0 at each separator
    step = np.ones(size, dtype=np.int64)  # the length of the word each position's best route starts with
    by_length = run_ends[np.argsort(-lengths, kind="stable")]
    # counts[d - 1]: how many runs are at least d long (lengths sorted in decreasing order)
    counts = np.searchsorted(-np.sort(lengths)[::-1], -np.arange(1, int(lengths.max()) + 1), side="right")
    for d in range(1, int(lengths.max()) + 1):
        where = by_length[: counts[d - 1]] - d
        k = min(d, longest_word)  # no word d characters before the end is longer than d
        cand = scores[where, :k] + best[where[:, None] + lengths_k[:k]]
        top = cand.max(axis=1)
        longest = k - np.argmax(cand[:, ::-1] == top[:, None], axis=1)
        none = top == -np.inf
        best[where] = np.where(none, unknown + best[where + 1], top)
        step[where] = np.where(none, 1, longest)

    # Follow each run's route from its start: the words' starts.
    cut = np.zeros(size, dtype=bool)
    at = run_starts[lengths > 0]
    ends = run_ends[lengths > 0]
    while len(at):
        cut[at] = True
        at = at + step[at]
        more = at < ends
        at, ends = at[more], ends[more]
    # The runs again, a mark before every word but each run's first, split apart by str.split (in C).
    cut[run_starts] = False
    inner = np.flatnonzero(cut)
    marked = np.insert(cp, inner, 1).tobytes().decode("utf-32-le", "surrogatepass")
    return [run.split("\x01") for run in marked.split("\n")[:-1]]
