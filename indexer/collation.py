"""Collation: align the paragraphs of every version of a statement into passages.

A passage is one paragraph of the statement as each version has it, or lacks it. The reference is the statement's
most complete version (coverage "whole", most paragraphs; the first in the catalog on a tie); every other version
is aligned to it in order (a monotone alignment, Needleman–Wunsch style) with these scores:
  - title with title, a section heading with the same section's heading, a closing with a closing, body with body
    of the same section; anything else never aligns;
  - Chinese with Chinese: how much text they share (Dice coefficient of folded character pairs);
  - English with Chinese: a small constant for standing in the same place, plus what they share that survives
    translation (numbers, Latin names such as AUKUS or COVID-19), so a translation pairs with the paragraph between
    its aligned neighbours;
  - leaving a paragraph unaligned costs GAP, so a weak match in the right place beats two gaps.
Paragraphs of a version that align with nothing get passages of their own. A version with no paragraph in a
passage *lacks* it, and the catalog says why (a part version, a truncated text). A version's front part (the UN
cover letter, see `front` in the catalog) is not part of the statement and gets no passage; nor does a statement
published in one version only.
"""
from __future__ import annotations

import re
from jiaokan.indexer.catalog import Catalog
from jiaokan.indexer.records import Paragraph
from jiaokan.search.records import Passage, passage_id
from jiaokan.search.folding import fold
from jiaokan.search.units import units as text_units

GAP = -0.15
MIN_ZH_SIMILARITY = 0.25  # below this two Chinese paragraphs are different paragraphs
EN_PLACE = 0.2
_ANCHOR = re.compile(r"[0-9]+|[a-z]*[0-9][a-z0-9]*|\b[A-Z][A-Z0-9]{1,}\b")


def collate(catalog: Catalog, paragraphs: list[Paragraph]) -> list[Passage]:
    """Align every multi-version statement; sets `passage` on the paragraph records and returns the passages."""
    passages: list[Passage] = []
    # Grouped once: looking them up statement by statement made collation quadratic in the corpus (a corpus of
    # 10,000 documents scanned every paragraph once per document).
    versions_of: dict[str, list] = {}
    for v in catalog.versions.values():
        versions_of.setdefault(v.statement, []).append(v)
    paragraphs_of: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        paragraphs_of.setdefault(p.version, []).append(p)
    for statement in catalog.statements.values():
        versions = versions_of.get(statement.id, [])
        if len(versions) < 2:
            continue
        by_version = {v.id: [p for p in paragraphs_of.get(v.id, []) if not _in_front(p, v)] for v in versions}
        reference = max(versions, key=lambda v: (v.coverage == "whole", len(by_version[v.id])))
        ref = by_version[reference.id]
        columns: list[dict[str, Paragraph]] = [{reference.id: p} for p in ref]
        extras: list[tuple[int, str, Paragraph]] = []  # (after reference index, version, paragraph)
        for v in versions:
            if v.id == reference.id:
                continue
            for i, j in _align(ref, by_version[v.id]):
                if i is not None and j is not None:
                    columns[i][v.id] = by_version[v.id][j]
                elif j is not None:
                    extras.append((_previous_aligned(columns, v.id, by_version[v.id], j), v.id, by_version[v.id][j]))
        ordered = _with_extras(columns, extras)
        for n, column in enumerate(ordered, start=1):
            first = next(iter(column.values()))
            passage = Passage(passage_id(statement.id, n), statement.id, n, first.kind, first.section)
            for v in versions:
                if v.id in column:
                    passage.members[v.id] = column[v.id].id
                    column[v.id].passage = passage.id
                else:
                    passage.lacks[v.id] = _why_lacking(v)
            passages.append(passage)
    return passages


def _align(ref: list[Paragraph], other: list[Paragraph]) -> list[tuple[int | None, int | None]]:
    n, m = len(ref), len(other)
    ref_keys = [_keys(p) for p in ref]
    other_keys = [_keys(p) for p in other]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[""] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        score[i][0], move[i][0] = score[i - 1][0] + GAP, "up"
    for j in range(1, m + 1):
        score[0][j], move[0][j] = score[0][j - 1] + GAP, "left"
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            best, how = score[i - 1][j] + GAP, "up"
            if score[i][j - 1] + GAP > best:
                best, how = score[i][j - 1] + GAP, "left"
            s = _match(ref[i - 1], other[j - 1], ref_keys[i - 1], other_keys[j - 1])
            if s is not None and score[i - 1][j - 1] + s > best:
                best, how = score[i - 1][j - 1] + s, "diag"
            score[i][j], move[i][j] = best, how
    pairs = []
    i, j = n, m
    while i > 0 or j > 0:
        how = move[i][j]
        if how == "diag":
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif how == "up":
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def _keys(p: Paragraph) -> tuple[set[str], set[str]]:
    folded = fold(p.text, offsets=False).text  # the text alone: no offsets back into the original
    units = text_units(folded)
    pairs = {a + b for a, b in zip(units, units[1:])}
    anchors = {a.lower() for a in _ANCHOR.findall(p.text)}
    return pairs, anchors


def _match(a: Paragraph, b: Paragraph, ka, kb) -> float | None:
    if a.kind != b.kind:
        return None
    if a.kind != "title" and a.section != b.section:
        return None
    if a.kind in ("title", "heading", "closing"):
        return 1.0
    if a.lang == b.lang:
        pairs_a, pairs_b = ka[0], kb[0]
        if not pairs_a or not pairs_b:
            return None
        dice = 2 * len(pairs_a & pairs_b) / (len(pairs_a) + len(pairs_b))
        return dice if dice >= MIN_ZH_SIMILARITY else None
    shared = ka[1] & kb[1]
    union = ka[1] | kb[1]
    return EN_PLACE + (0.5 * len(shared) / len(union) if union else 0.0)


def _previous_aligned(columns, version: str, paragraphs: list[Paragraph], j: int) -> int:
    """Index of the reference column holding the version's nearest earlier aligned paragraph (-1 if none)."""
    for k in range(j - 1, -1, -1):
        for i, column in enumerate(columns):
            if column.get(version) is paragraphs[k]:
                return i
    return -1


def _in_front(paragraph: Paragraph, version) -> bool:
    front = version.rules.front
    return front is not None and paragraph.section == front.section


def _with_extras(columns, extras):
    ordered = []
    for i in range(-1, len(columns)):
        if i >= 0:
            ordered.append(columns[i])
        ordered.extend({version: p} for after, version, p in extras if after == i)
    return ordered


def _why_lacking(version) -> str:
    if version.coverage == "part":
        return f"not in this part: {version.covers}"
    if version.coverage == "truncated":
        return f"cut off: {version.covers}"
    return "this version has no such paragraph"
