"""Scratch arrays over the document numbers, shared by a server's threads through a pool.

Set operations (search/engine.py) and occurrence totals (search/occurrences.py) write into arrays as long as the
index and put back what they wrote before they return, so one set of arrays serves any number of searches, one
at a time. Each thread used to keep its own set: a server's eight threads then held eight, and each thread paid
for its first touch of every page on its first large query (about 4,000 page faults, some 10 ms at a million
paragraphs) and kept eight times the memory warm. A search now leases a set for as long as it runs (`leasing`):
requests one after another reuse one warm set, and requests at once take as many sets as run at once.
"""
from __future__ import annotations

import threading
from functools import wraps

import numpy as np

_free: list[dict] = []  # sets not leased now, the most recently returned (warmest) last
_lock = threading.Lock()
_held = threading.local()  # .arrays: the set this thread has leased; .own: its set for work outside a lease


def leasing(function):
    """`function`, run with a set of scratch arrays leased from the pool (a call inside a leased one keeps its)."""

    @wraps(function)
    def leased(*args, **kwargs):
        if getattr(_held, "arrays", None) is not None:
            return function(*args, **kwargs)
        with _lock:
            arrays = _free.pop() if _free else {}
        _held.arrays = arrays
        try:
            return function(*args, **kwargs)
        finally:
            _held.arrays = None
            with _lock:
                _free.append(arrays)

    return leased


def array(name: str, size: int, dtype, fill) -> np.ndarray:
    """The scratch array `name` of at least `size` entries, made filled with `fill` (None: contents undefined).
    Callers that rely on the fill set entries and put it back before they return (in a `finally`: an array goes
    back to the pool whatever happened)."""
    arrays = getattr(_held, "arrays", None)
    if arrays is None:
        arrays = getattr(_held, "own", None)
        if arrays is None:
            arrays = _held.own = {}
    found = arrays.get(name)
    if found is None or len(found) < size:
        found = np.empty(size, dtype=dtype) if fill is None else np.full(size, fill, dtype=dtype)
        arrays[name] = found
    return found


def pooled() -> int:
    """How many sets the pool holds (not leased now)."""
    with _lock:
        return len(_free)
