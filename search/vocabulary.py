"""The corpus's Latin words (folded, unstemmed: the grams field's single Latin units), for a prefix query (nat*) and
for the nearest spellings a search with no hits suggests."""
from __future__ import annotations

import bisect
import re
import weakref

_ASCII_WORD = re.compile(rb"^[0-9A-Za-z]+$", re.M)  # an ASCII letters-and-digits term, one term per line
MAX_PREFIX_WORDS = 200  # a prefix stands for at most this many words (the first in alphabetical order)

_cache: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


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
