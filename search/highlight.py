"""Highlights and snippets: exact spans of what matched, as code-point offsets into the stored text.

Spans come from the same units the index matched (search/matching.py), mapped back through folding, so the span for
the query 2030年 covers "2030 年" as printed, and the span for 北約 covers 北约.
"""
from __future__ import annotations

import html
import re

from jiaokan.search.analysis import Analysis

_SENTENCE_END = re.compile(r"[。！？；.!?;]+[”’\"')）]*")
SNIPPET_CHARS = 160  # about two sentences of Chinese: enough context to judge a hit from the list


def merge_spans(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Sort, and merge spans that overlap or touch."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def unit_spans(doc: Analysis, unit_ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [doc.span(first, last) for first, last in unit_ranges]


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence, cut after 。！？；.!?; (and any closing quote that follows)."""
    bounds = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        bounds.append((start, end))
        start = end
    if start < len(text):
        bounds.append((start, len(text)))
    return bounds


def snippet_ranges(text: str, spans: list[list[int]], max_chars: int = SNIPPET_CHARS) -> list[list[int]]:
    """[start, end) of the whole sentences a snippet shows: the sentence holding most spans, then its neighbours
    with spans, within the budget. The front ends render these ranges (HTML with <mark>, terminal text)."""
    sents = sentences(text)
    if not sents:
        return []
    if not spans:
        return [list(sents[0])]
    # Sentences by how many spans they hold; take the best, then its neighbours with spans, within the budget.
    counts = [sum(1 for s, e in spans if s < b and e > a) for a, b in sents]
    best = max(range(len(sents)), key=lambda i: (counts[i], -i))
    chosen = [best]
    size = sents[best][1] - sents[best][0]
    for i in sorted(range(len(sents)), key=lambda i: (-counts[i], abs(i - best))):
        if i in chosen or counts[i] == 0:
            continue
        length = sents[i][1] - sents[i][0]
        if size + length > max_chars:
            continue
        chosen.append(i)
        size += length
    return [list(sents[i]) for i in sorted(chosen)]


def hidden_spans(spans: list[list[int]], ranges: list[list[int]]) -> int:
    """How many spans a snippet of these ranges does not show."""
    return sum(1 for s, e in spans if not any(s < b and e > a for a, b in ranges))


def snippet(text: str, spans: list[list[int]], max_chars: int = SNIPPET_CHARS) -> str:
    """HTML: whole sentences around the best spans, escaped, with <mark> around spans and … where text was cut."""
    return snippet_html(text, snippet_ranges(text, spans, max_chars), spans)


def snippet_html(text: str, ranges: list[list[int]], spans: list[list[int]]) -> str:
    """HTML of a snippet's ranges: escaped, <mark> around spans, … where text was left out."""
    parts = []
    previous_end = 0
    for a, b in ranges:
        if a > previous_end:
            parts.append("…")
        parts.append(_marked(text, a, b, spans))
        previous_end = b
    if ranges and previous_end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def marked_html(text: str, spans: list[list[int]]) -> str:
    """The whole text, escaped, with <mark> around every span."""
    return _marked(text, 0, len(text), spans)


def _marked(text: str, start: int, end: int, spans: list[list[int]]) -> str:
    out = []
    pos = start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out.append(html.escape(text[pos:s]))
        out.append("<mark>" + html.escape(text[s:e]) + "</mark>")
        pos = e
    out.append(html.escape(text[pos:end]))
    return "".join(out)
