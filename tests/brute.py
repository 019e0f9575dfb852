"""Brute-force counts that the tests compare jiaokan's answers with: plain string scans over the folded texts."""
from __future__ import annotations

from jiaokan.search.folding import fold_text


def brute_count(index, s: str) -> dict[str, int]:
    """Occurrences of `s` in each paragraph's folded text, overlapping ones included (哈哈 twice in 哈哈哈)."""
    needle = fold_text(s)
    counts = {}
    for p in index.paragraphs:
        text = fold_text(p["text"])
        n = sum(1 for i in range(len(text)) if text.startswith(needle, i))
        if n:
            counts[p["id"]] = n
    return counts
