"""Searches share their scratch arrays through a pool (search/scratch.py): searches one after another on different
threads (a server's) reuse one set, searches at once each have their own, and a set comes back clean whatever
happened; and the engine looks a term up in the blocks' term tables once per opened index (Engine._located)."""
from __future__ import annotations

import threading

import pytest

from jiaokan.search import scratch
from jiaokan.search.errors import BadQuery
from jiaokan.search.postings import PostingArrays
from jiaokan.search.searching import search


def _in_thread(function, *args, **kwargs):
    """function(*args, **kwargs) on a new thread (a server's pool has several): its result, or its exception."""
    out = []

    def run():
        try:
            out.append((True, function(*args, **kwargs)))
        except Exception as e:  # noqa: BLE001
            out.append((False, e))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    ok, value = out[0]
    if not ok:
        raise value
    return value


def _pooled_arrays() -> set[int]:
    with scratch._lock:
        return {id(a) for arrays in scratch._free for a in arrays.values()}


def test_searches_on_new_threads_one_after_another_reuse_one_set(corpus_index):
    queries = ("北约", "NATO", "双方 北约", "北约 OR 联合国", "联合国 -北约")
    for query in queries:  # the pool now has a set with every array these searches need, at their sizes
        _in_thread(search, corpus_index, query)
    sets, arrays = scratch.pooled(), _pooled_arrays()
    assert sets >= 1 and arrays
    for query in queries:
        page = _in_thread(search, corpus_index, query)
        assert page.total > 0
    assert scratch.pooled() == sets, "a search on a new thread made a set of its own"
    assert _pooled_arrays() == arrays, "a search on a new thread made scratch arrays of its own"
    # And the arrays came back as they were lent: all False, all -1, all zero.
    with scratch._lock:
        for arrays in scratch._free:
            for name, array in arrays.items():
                if name == "marks":
                    assert not array.any()
                elif name == "slots":
                    assert (array == -1).all()
                elif name in ("block_tfs", "spread", "occurrences"):
                    assert not array.any(), name


def test_searches_at_once_each_lease_their_own_set():
    barrier = threading.Barrier(2, timeout=10)
    seen = []

    @scratch.leasing
    def work():
        marks = scratch.array("marks", 100, bool, False)
        seen.append(id(marks))
        barrier.wait()  # both hold their lease now
        return nested()

    @scratch.leasing
    def nested():  # a leased call inside a leased one keeps the outer set
        return id(scratch.array("marks", 50, bool, False))

    results = []
    threads = [threading.Thread(target=lambda: results.append(work())) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(seen)) == 2, "two searches at once shared one scratch array"
    assert sorted(results) == sorted(seen)


def test_a_set_goes_back_to_the_pool_when_the_search_fails(corpus_index):
    _in_thread(search, corpus_index, "北约")
    sets = scratch.pooled()
    with pytest.raises(BadQuery):
        _in_thread(search, corpus_index, "北约", page=10_000)
    assert scratch.pooled() == sets


def test_a_term_is_looked_up_in_the_term_tables_once_per_opened_index(corpus_index, monkeypatch):
    looked_up = []
    real = PostingArrays.locate
    monkeypatch.setattr(PostingArrays, "locate", lambda self, field, term: looked_up.append(term) or real(self, field, term))
    corpus_index.engine.locations.clear()
    corpus_index.engine.cache.clear()  # what earlier tests left: this search reads its terms
    first = search(corpus_index, "上海合作组织")
    assert looked_up, "the search looked nothing up"
    assert "上海" in looked_up or "上海合作组织" in looked_up
    looked_up.clear()
    corpus_index.engine.cache.clear()  # the terms are read again, from their kept places
    again = search(corpus_index, "上海合作组织")
    assert looked_up == []
    assert [h.id for h in again.hits] == [h.id for h in first.hits]
    assert again.totals == first.totals

