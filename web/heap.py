"""The server process's malloc heap, set up for searches: one heap for all threads, and pages kept faulted in.

A search's numpy temporaries are megabytes (a common character at 350k paragraphs: some 14 MB of arrays), and
fresh memory costs a page fault per 4 KB page on first touch (2-3 us each on this VM): 十 took 33 ms as the first
large query of a server and 6 ms after. glibc (Linux) is told here to keep such memory: the rest of the C world
is left as it is (every function returns False and changes nothing).
"""
from __future__ import annotations

import ctypes

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
_MMAP_THRESHOLD_MAX = 32 << 20  # glibc refuses more on 64-bit
# Bytes of heap faulted in per paragraph of the index served: the engine's caches fill with fresh memory too (its
# LRU holds 12 postings of 8 bytes per paragraph, its dense arrays 64 MB), and at 128 bytes a 350k-paragraph
# server's caches had used the reserve up before its largest query came.
RESERVE_PER_PARAGRAPH = 320
RESERVE_MAX = 256 << 20
_CHUNK = 16 << 20


def _mallopt():
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return None


def share_one_heap() -> bool:
    """Have every thread of this process allocate from one malloc heap (glibc's M_ARENA_MAX = 1), before the
    server's threads start. By default glibc gives each thread that allocates its own heap ("arena"), so each of
    the eight threads grew its own heap by page faults the first times it ran a large query, and its heap trimmed
    gave the pages back. With one heap, the pages the last search freed serve the next, whichever thread runs it
    (the interpreter lock already runs one search's Python at a time). At 350k paragraphs on eight threads the
    slowest queries' took_ms fell from 17-26 to 13 ms."""
    mallopt = _mallopt()
    return mallopt is not None and mallopt(_M_ARENA_MAX, 1) == 1


def reserve_heap(paragraphs: int) -> int:
    """Fault in RESERVE_PER_PARAGRAPH bytes of heap per paragraph (at most RESERVE_MAX) and keep them: arrays up
    to 32 MB are then taken from the heap rather than mapped afresh, and the heap keeps its free top instead of
    giving it back, so searches reuse pages that are already there. Called where a server opens a build; returns
    the bytes reserved (0 for a small index, or where the C library is not glibc)."""
    import numpy as np

    size = min(RESERVE_MAX, paragraphs * RESERVE_PER_PARAGRAPH)
    if size < (1 << 20):
        return 0
    mallopt = _mallopt()
    if mallopt is None:
        return 0
    if mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) != 1 or mallopt(_M_TRIM_THRESHOLD, 2 * size + _CHUNK) != 1:
        return 0
    # Chunks below the mmap threshold come from the heap; np.ones writes every page. Freed together, they join
    # the heap's free top, which the trim threshold now keeps.
    chunks = [np.ones(min(_CHUNK, size - at), dtype=np.uint8) for at in range(0, size, _CHUNK)]
    del chunks
    return size
