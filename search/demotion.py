"""How a paragraph matches: exactly, by the query's words, or only through a translation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EXACT, WORDS, TRANSLATION = "exact", "words", "translation"
MATCHES = (EXACT, WORDS, TRANSLATION)


@dataclass(frozen=True)
class Demotion:
    """Paragraphs that match a clause only loosely, and how: by its words (apart, another form of a word, not
    together as typed) or only through a translation. They rank a tier below (search/ranking.py)."""

    mask: np.ndarray
    kind: str  # WORDS | TRANSLATION


def match_kinds(mask: np.ndarray, demotions: list[Demotion]) -> np.ndarray:
    """Per paragraph, the index into MATCHES of how it matches: translation where any clause matches only through
    an equivalent, else words where any matches loosely, else exact (every clause as typed)."""
    kinds = np.zeros(len(mask), dtype=np.int8)
    for d in demotions:
        if d.kind == WORDS:
            kinds[d.mask & (kinds == 0)] = 1
    for d in demotions:
        if d.kind == TRANSLATION:
            kinds[d.mask] = 2
    return kinds
