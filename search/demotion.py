"""How a paragraph matches: exactly, by the query's words, or only through a translation."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jiaokan.search.engine import common

EXACT, WORDS, TRANSLATION = "exact", "words", "translation"
MATCHES = (EXACT, WORDS, TRANSLATION)


@dataclass(frozen=True)
class Demotion:
    """Paragraphs that match a clause only loosely, and how: by its words (apart, another form of a word, not
    together as typed) or only through a translation. They rank a tier below (search/ranking.py)."""

    ids: np.ndarray  # sorted document numbers
    kind: str  # WORDS | TRANSLATION


def demoted_positions(ids: np.ndarray, d: Demotion) -> np.ndarray:
    """Positions in the sorted `ids` of the documents the demotion names."""
    return common(ids, d.ids)[0]


def match_kinds(ids: np.ndarray, demotions: list[Demotion], positions: list[np.ndarray] | None = None) -> np.ndarray:
    """For each of the matching documents `ids`, the index into MATCHES of how it matches: translation where any
    clause matches only through an equivalent, else words where any matches loosely, else exact (every clause as
    typed). `positions`: each demotion's demoted_positions in `ids`, when already at hand."""
    if positions is None:
        positions = [demoted_positions(ids, d) for d in demotions]
    kinds = np.zeros(len(ids), dtype=np.int8)
    for d, at in zip(demotions, positions):
        if d.kind == WORDS:
            kinds[at] = 1
    for d, at in zip(demotions, positions):
        if d.kind == TRANSLATION:
            kinds[at] = 2
    return kinds
