"""The corpus's Latin words (folded, unstemmed: the grams field's single Latin units), for a prefix query (nat*) and
for the nearest spellings a search with no hits suggests."""
from __future__ import annotations

import bisect
import difflib
import re
import weakref

import numpy as np

_ASCII_WORD = re.compile(rb"^[0-9A-Za-z]+$", re.M)  # an ASCII letters-and-digits term, one term per line
MAX_PREFIX_WORDS = 200  # a prefix stands for at most this many words (the first in alphabetical order)

_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_letters_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_BUCKETS = 64  # character counts are kept modulo this many buckets (see close_words)


def latin_words(index) -> list[str]:
    """Every Latin or digit word of the corpus, sorted; read once per opened index from the posting arrays' terms."""
    engine = index.engine
    words = _cache.get(engine)
    if words is None:
        found = set()
        for block in engine.blocks:
            found.update(block.terms("grams", _ASCII_WORD))
        words = _cache[engine] = sorted(found)
    return words


def prefix_words(index, prefix: str) -> list[str]:
    """The words a prefix stands for: the corpus's words starting with it, and the one-word English terms of the
    translation table that do (NATO stands in the Chinese text as 北约: nat* finds it through its translation, as
    NATO does)."""
    words = latin_words(index)
    i = bisect.bisect_left(words, prefix)
    out = []
    while i < len(words) and words[i].startswith(prefix) and len(out) < MAX_PREFIX_WORDS:
        out.append(words[i])
        i += 1
    table = [k for k in index.translations.get("en", {}) if k.startswith(prefix) and k.isascii() and k.isalnum()]
    return sorted(dict.fromkeys(out + table))[:MAX_PREFIX_WORDS]


def close_words(index, word: str, n: int = 3, cutoff: float = 0.75) -> list[str]:
    """The corpus words spelt most like `word`: exactly difflib.get_close_matches(word, latin_words(index), n,
    cutoff), without running difflib over the whole vocabulary (38 ms per query at 350k paragraphs, for every query
    that finds nothing).

    difflib's similarity is 2*M/(len(a)+len(b)), with M matching characters. M is at most the size of the two
    words' common multiset of characters, and that is at most the same sum taken over character counts merged into
    buckets (ord % 64): one vectorised pass over every word's bucket counts gives that bound, and only the words whose
    bound reaches the cutoff go through difflib, which keeps or drops them exactly as it would have."""
    words = latin_words(index)
    if not words or not word:
        return []
    counts, lengths, saturated = _letter_counts(index, words)
    mine = np.zeros(_BUCKETS, dtype=np.int32)
    for ch in word:
        mine[ord(ch) % _BUCKETS] += 1
    common = np.minimum(counts, mine).sum(axis=1, dtype=np.int32)
    if saturated.any():  # a count that was capped bounds nothing: such a word always goes to difflib
        common[saturated] = len(word)
    bound = 2.0 * common / (lengths + len(word))
    keep = np.flatnonzero(bound >= cutoff)
    return difflib.get_close_matches(word, [words[i] for i in keep.tolist()], n=n, cutoff=cutoff)


def _letter_counts(index, words: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each word's character counts by bucket (uint8), its length, and whether a bucket of it reached 255 (then
    the count bounds nothing): built once per opened index, in one bincount over the words' bytes (they are ASCII: see latin_words)."""
    engine = index.engine
    found = _letters_cache.get(engine)
    if found is None:
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
        data = np.frombuffer("".join(words).encode("ascii"), dtype=np.uint8)
        rows = np.repeat(np.arange(len(words), dtype=np.int64), lengths)
        flat = np.bincount(rows * _BUCKETS + data % _BUCKETS, minlength=len(words) * _BUCKETS)
        counts = np.minimum(flat, 255).astype(np.uint8).reshape(len(words), _BUCKETS)
        saturated = counts.max(axis=1) == 255 if len(words) else np.zeros(0, dtype=bool)
        found = _letters_cache[engine] = (counts, lengths.astype(np.float64), saturated)
    return found
