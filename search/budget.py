"""A time budget for one search, checked while it is evaluated, so a query that would hold a worker for long is
stopped with a clear answer (QueryTooCostly, HTTP 503) instead.

The budget is CPU time of the thread running the search (time.thread_time), not wall time: what a query costs,
not how busy the machine is, decides whether it is stopped (a normal search on a loaded machine waits, but is
not cut off).

    with time_budget(1.0):   # the web service, per request
        search(index, q)

`check()` is called where evaluation does work per query term (search/engine.py); without a budget it costs one
context-variable read. The command line sets no budget: there the user waits for their own query.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar

from jiaokan.search.errors import QueryTooCostly

_deadline: ContextVar[tuple[float, float] | None] = ContextVar("jiaokan_search_deadline", default=None)


@contextmanager
def time_budget(seconds: float | None):
    """Searches in this block stop with QueryTooCostly once `seconds` have passed (None: no limit)."""
    token = _deadline.set(None if seconds is None else (time.thread_time() + seconds, seconds))
    try:
        yield
    finally:
        _deadline.reset(token)


def check() -> None:
    budget = _deadline.get()
    if budget is not None and time.thread_time() > budget[0]:
        raise QueryTooCostly(
            f"the search was stopped after {budget[1] * 1000:.0f} ms of CPU time: this query costs too much to evaluate; "
            "try fewer words or fewer OR alternatives"
        )
