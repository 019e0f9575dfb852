"""Two kinds of marks in one text, for the passage and compare pages: wording that differs between versions, and the
query's matches. The text is escaped as search.highlight.marked_html escapes it; with differences only, the HTML is
marked_html's (one <mark> per run of differing text); a query's matches are <mark class="q">, and a run that is both
is <mark class="q d">.
"""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from markupsafe import Markup

_OPEN = {"d": "<mark>", "q": '<mark class="q">', "dq": '<mark class="q d">'}


def mark(text: str, differences: Iterable[Sequence[int]] = (), query: Iterable[Sequence[int]] = ()) -> Markup:
    """`text` escaped, with <mark> around the [start, end) spans of `differences` and `query` (empty spans ignored)."""
    n = len(text)
    diff = [(max(0, s), min(n, e)) for s, e in differences if min(n, e) > max(0, s)]
    found = [(max(0, s), min(n, e)) for s, e in query if min(n, e) > max(0, s)]
    cuts = sorted({0, n, *(x for span in diff + found for x in span)})
    runs: list[list] = []  # [kind, start, end], touching runs of one kind joined
    for a, b in zip(cuts, cuts[1:]):
        kind = ("d" if any(s <= a and b <= e for s, e in diff) else "") + (
            "q" if any(s <= a and b <= e for s, e in found) else ""
        )
        if runs and runs[-1][0] == kind:
            runs[-1][2] = b
        else:
            runs.append([kind, a, b])
    out = []
    for kind, a, b in runs:
        piece = html.escape(text[a:b])
        out.append(f"{_OPEN[kind]}{piece}</mark>" if kind else piece)
    return Markup("".join(out))


def excerpt(text: str, ranges: Iterable[Sequence[int]], query: Iterable[Sequence[int]] = ()) -> Markup:
    """A snippet rendered from its data: the [start, end) `ranges` of `text` (its sentences), the `query` spans in
    <mark> as search.highlight marks them, … where text was left out."""
    query = [tuple(s) for s in query]
    parts, previous = [], 0
    for a, b in ranges:
        if a > previous:
            parts.append("…")
        inside = [(max(s, a) - a, min(e, b) - a) for s, e in query if s < b and e > a]
        parts.append(str(mark(text[a:b], (), inside)).replace('<mark class="q">', "<mark>"))
        previous = b
    if parts and previous < len(text):
        parts.append("…")
    return Markup("".join(parts).strip())
