"""Wording differences between two versions of a passage, ignoring what a reader does not see as a difference.

Both texts are folded (search/folding.py: punctuation width, case, CJK–digit spaces, script) and cut into tokens:
Han characters, Latin/digit words and punctuation marks; spaces are not tokens. The token sequences are diffed,
and differences separated by one or two equal characters are merged, so that 联合国大会第七十六届会议 against
第76届联大 reads as one replacement rather than four fragments. Each difference carries the original wording and
its offsets in both texts.
"""
from __future__ import annotations

import difflib
from functools import lru_cache

from jiaokan.search.folding import Folded, fold
from jiaokan.search.units import DIGIT_GROUP, HAN_CHAR, LATIN_WORD, LazyPattern

# The units of search/units.py, a spaced digit group as one number, and each punctuation mark.
_TOKEN = LazyPattern(rf"{HAN_CHAR}|{DIGIT_GROUP}|{LATIN_WORD}|[^\w\s]")
MERGE_GAP = 2  # equal tokens between two differences that still count as one difference


def _tokens(folded: Folded) -> tuple[list[str], list[tuple[int, int]]]:
    tokens, spans = [], []
    for m in _TOKEN.finditer(folded.text):
        tokens.append(m.group().replace(" ", "").replace("\u00a0", ""))
        spans.append(folded.span(m.start(), m.end()))
    return tokens, spans


@lru_cache(maxsize=4096)
def differences(a: str, b: str) -> tuple[dict, ...]:
    """Differences from `a` to `b`: each {"a": wording in a, "b": wording in b, "a_span": [s, e], "b_span": [s, e]}
    (an empty wording where one text has nothing)."""
    if a == b:  # the usual "same wording" of a passage's versions, without tokenizing either
        return ()
    fa, fb = fold(a), fold(b)
    if fa.text == fb.text:  # versions that differ only in what folding removes: same tokens, no differences
        return ()
    ta, sa = _tokens(fa)
    tb, sb = _tokens(fb)
    ops = [op for op in difflib.SequenceMatcher(None, ta, tb, autojunk=False).get_opcodes()]
    merged: list[list[int]] = []  # [i1, i2, j1, j2] token ranges
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if merged and i1 - merged[-1][1] <= MERGE_GAP and j1 - merged[-1][3] <= MERGE_GAP:
            merged[-1][1], merged[-1][3] = i2, j2
        else:
            merged.append([i1, i2, j1, j2])
    out = []
    for i1, i2, j1, j2 in merged:
        a_span = _span(sa, i1, i2)
        b_span = _span(sb, j1, j2)
        out.append({"a": a[a_span[0] : a_span[1]], "b": b[b_span[0] : b_span[1]], "a_span": a_span, "b_span": b_span})
    return tuple(out)


def _span(spans: list[tuple[int, int]], i1: int, i2: int) -> list[int]:
    if i2 > i1:
        return [spans[i1][0], spans[i2 - 1][1]]
    # An insertion point: just after the previous token (or at the start).
    at = spans[i1 - 1][1] if i1 > 0 else (spans[0][0] if spans else 0)
    return [at, at]


def summary(diffs: tuple[dict, ...] | list[dict], limit: int = 2) -> str:
    """One line: "same wording", or the first differences as 'a → b'."""
    if not diffs:
        return "same wording"
    parts = [f"{d['a'] or '∅'} → {d['b'] or '∅'}" for d in diffs[:limit]]
    more = f" (+{len(diffs) - limit} more)" if len(diffs) > limit else ""
    return "; ".join(parts) + more
