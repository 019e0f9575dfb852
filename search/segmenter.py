"""Chinese word segmentation: jieba's dictionary algorithm (DAG of dictionary words, max-probability route, no HMM),
with a dictionary that can be cut down to what a corpus contains.

Why not call jieba itself: loading jieba's 350k-word dictionary takes about 0.6 s, which a one-shot command-line
lookup cannot afford. The index build segments with the full dictionary (jieba's own dict.txt plus the corpus user
dictionary) and records every dictionary key it looked up; that *corpus dictionary* is saved in the index and is
all a query needs: for any string that occurs in the corpus, every key the DAG can consult occurs in the corpus too,
so segmenting with the corpus dictionary gives exactly the full dictionary's result (tests/test_segmenter.py checks
this, and checks the output against jieba's `lcut(HMM=False)`).
"""
from __future__ import annotations

import json
import math
from pathlib import Path

# Runs whose words are kept, so that a repeated run is segmented once: about 450 bytes each with their words, so
# 50k runs are about 22 MB per build worker (200k made a worker of a large-vocabulary build 200 MB larger).
CACHE_RUNS = 50_000
_ABSENT = object()


class Dictionary:
    """Word frequencies with jieba's prefix entries (frequency 0) and the total jieba scores against."""

    def __init__(self, freq: dict[str, int], total: int):
        self.freq = freq
        self.total = total
        self.log_total = math.log(total)
        self.seen: set[str] | None = None  # when a set, segment() records the keys it consults
        self._cache: dict[str, list[str]] = {}  # run -> its words (see segment)
        self._cache_seen: set[str] | None = None  # the recording the cached runs' keys went to

    @classmethod
    def jieba_default(cls, user_dict: Path | None = None) -> "Dictionary":
        """jieba's bundled dictionary, then the user dictionary added as jieba's load_userdict does."""
        import jieba  # only the build needs jieba's files

        freq: dict[str, int] = {}
        total = 0
        with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
            for line in f:
                word, count = line.split(" ", 2)[:2]
                freq[word] = int(count)
                total += int(count)
        for word in list(freq):
            _add_prefixes(freq, word)
        if user_dict is not None:
            for word, count in read_user_dict(user_dict):
                freq[word] = count
                total += count
                _add_prefixes(freq, word)
        return cls(freq, total)

    def restricted_to(self, keys: set[str]) -> "Dictionary":
        # In sorted order, so that the same corpus saves the same file whatever order its keys were recorded in.
        return Dictionary({k: self.freq[k] for k in sorted(keys) if k in self.freq}, self.total)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"total": self.total, "freq": self.freq}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Dictionary":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["freq"], data["total"])

    @property
    def log_prob(self) -> dict[str, float | None]:
        """Every dictionary key with log(freq / total), None for a prefix entry (frequency 0), computed once: the
        route search below adds these up, and one lookup per candidate string answers both "is it a key" and "what
        does it score" (math.log per candidate word was a fifth of the build's segmentation time)."""
        table = self.__dict__.get("_log_prob")
        if table is None:
            log_total = self.log_total
            table = self._log_prob = {w: (math.log(f) - log_total if f else None) for w, f in self.freq.items()}
        return table

    @property
    def trie(self):
        """The keys as a trie in arrays (search/batch_segmenter.py), built once."""
        trie = self.__dict__.get("_trie")
        if trie is None:
            from jiaokan.search.batch_segmenter import Trie

            trie = self._trie = Trie(self.log_prob)
        return trie

    def presegment(self, runs) -> None:
        """Segment these runs all at once (search/batch_segmenter.py), so that segment() finds their words kept:
        the same words, and the same keys recorded, as segment() would find one run at a time. For a build, which
        segments every run of the corpus; runs longer than LONG_RUN are left to segment()."""
        from jiaokan.search.batch_segmenter import LONG_RUN, segment_runs

        cache = self._cache
        seen = self.seen
        if seen is not self._cache_seen:
            cache.clear()
            self._cache_seen = seen
        runs = [r for r in dict.fromkeys(runs) if len(r) <= LONG_RUN]
        if len(cache) + len(runs) > CACHE_RUNS:
            cache.clear()
        todo = [r for r in runs if r not in cache]
        words, consulted = segment_runs(self.trie, todo, -self.log_total)
        if seen is not None:
            seen.update("".join(todo))
            keys = self.trie.words
            seen.update([keys[i] for i in consulted.tolist()])
        cache.update(zip(todo, words))

    def segment(self, run: str) -> list[str]:
        """Cut a run of Han characters into words, as jieba.lcut(run, HMM=False) does: the route of dictionary words
        with the greatest sum of log(freq / total), an unknown single character counting freq 1. One pass from the
        right: the words starting at a position are found (walking the prefix entries) when every route after them
        is already scored; ties go to the longer word, as jieba's max over (score, end) does.

        Runs recur (a formula, a name, a heading): each run's words are kept, up to CACHE_RUNS runs, and a run seen
        before costs one lookup. The keys a run consulted were recorded (`seen`) when it was first segmented, by
        this same object, so recording stays complete: `seen` is only ever reset to collect more (a build's
        worker unions every block's set), and a fresh set means a fresh cache."""
        cache = self._cache
        seen = self.seen
        if seen is not self._cache_seen:  # a new recording: its keys must all be recorded again
            cache.clear()
            self._cache_seen = seen
        words = cache.get(run)
        if words is not None:
            return words
        table = self.log_prob
        absent = _ABSENT
        unknown = -self.log_total
        n = len(run)
        best = [0.0] * (n + 1)
        nxt = [0] * n
        consulted = [] if seen is not None else None
        for idx in range(n - 1, -1, -1):
            frag = run[idx]
            lp = table.get(frag, absent)
            if lp is absent:  # no dictionary word starts here: the character alone
                best[idx] = unknown + best[idx + 1]
                nxt[idx] = idx + 1
                continue
            score = None
            end = idx
            i = idx
            while True:
                if consulted is not None and i > idx:  # single characters: recorded with the run below
                    consulted.append(frag)
                if lp is not None:
                    s = lp + best[i + 1]
                    if score is None or s >= score:
                        score, end = s, i
                i += 1
                if i >= n:
                    break
                frag = run[idx : i + 1]
                lp = table.get(frag, absent)
                if lp is absent:
                    break
            if score is None:  # only prefix entries start here
                score = unknown + best[idx + 1]
            best[idx] = score
            nxt[idx] = end + 1
        words = []
        x = 0
        while x < n:
            y = nxt[x]
            words.append(run[x:y])
            x = y
        if consulted is not None:
            # Every character of the run is looked up alone: the run's characters, in one C-level update, stand
            # for those lookups (a character that is no key is dropped by restricted_to).
            seen.update(run)
            seen.update(consulted)
        if len(cache) >= CACHE_RUNS:
            cache.clear()
        cache[run] = words
        return words


def read_user_dict(path: Path) -> list[tuple[str, int]]:
    """Lines "word freq [tag]"; blank lines and lines starting with # are skipped."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        entries.append((parts[0], int(parts[1])))
    return entries


def _add_prefixes(freq: dict[str, int], word: str) -> None:
    for i in range(1, len(word)):
        freq.setdefault(word[:i], 0)
