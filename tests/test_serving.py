"""`jiaokan serve` stays up (issue 11): searches in parallel give the answers they give alone, held-open connections
do not lock others out, several worker processes serve one socket and one dead worker is replaced, a search past its
time budget is stopped with a 503, and an over-long query is not echoed into response headers."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

ROOT = Path(__file__).resolve().parents[1]
JIAOKAN = Path(sys.executable).parent / "jiaokan"


class Server:
    """`jiaokan serve` as a user starts it, on a free port, on the session's real-corpus index."""

    def __init__(self, index: Path, *args: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
        self.proc = subprocess.Popen(
            [str(JIAOKAN), "serve", "--port", "0", "--index", str(index), *args],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        lines = []
        for _ in range(5):  # a "built …" line comes first when serve has to (re)build the index
            lines.append(self.proc.stdout.readline())
            found = re.search(r"http://127\.0\.0\.1:(\d+)/", lines[-1])
            if found or not lines[-1]:
                break
        assert found, f"jiaokan serve did not say where it listens: {lines!r}"
        self.port = int(found.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def get(self, path: str, timeout: float = 10):
        with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
            return r.status, r.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def server(built_index):
    servers = []

    def start(*args):
        s = Server(built_index, *args)
        servers.append(s)
        return s

    yield start
    for s in servers:
        s.stop()


def _q(**params) -> str:
    return urlencode(params, quote_via=quote)


def test_150_half_sent_requests_do_not_keep_a_search_waiting(server):
    s = server()
    held = []
    try:
        for _ in range(150):
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            c.sendall(b"GET /api/search?q=x HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: never finished
            held.append(c)
        time.sleep(0.5)  # let the server take them all in
        started = time.monotonic()
        status, body = s.get("/api/search?" + _q(q="北约"), timeout=2)
        assert status == 200 and b'"total"' in body
        assert time.monotonic() - started < 2
    finally:
        for c in held:
            c.close()


@pytest.fixture(scope="module")
def tail_app(whoosh_tail_index):
    """The app on the real corpus built with its rare words in Whoosh, as a large corpus has them."""
    from jiaokan.web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(whoosh_tail_index)})


def test_parallel_searches_answer_as_searches_alone(tail_app, corpus_index):
    """Rare terms are read through Whoosh, whose readers are not thread-safe: many threads searching at once must
    each get the answer the same search gets alone."""
    app = tail_app
    han = re.compile(r"[\u4e00-\u9fff]{2}")
    words = list(dict.fromkeys(m.group(0) for p in list(corpus_index.paragraphs)[:120] for m in han.finditer(p["text"])))
    queries = words[::7][:48] + ["vaccines", '"international relations"', "安全 OR 和平", "联合国 -北约"]
    client = app.test_client()

    def answer(q):
        r = client.get("/api/search", query_string={"q": q, "collapse": "0", "per_page": "100"})
        return r.status_code, r.get_json()["total"], [h["id"] for h in r.get_json()["hits"]]

    alone = {q: answer(q) for q in queries}
    assert sum(1 for a in alone.values() if a[1]) > len(queries) // 2
    wrong: list = []

    def worker(offset):
        for i in range(len(queries) * 2):
            q = queries[(offset + i) % len(queries)]
            got = answer(q)
            if got != alone[q]:
                wrong.append((q, got, alone[q]))

    threads = [threading.Thread(target=worker, args=(n * 5,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not wrong, wrong[:3]


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out.update(map(int, text))
    return out


def test_workers_share_one_socket_and_a_dead_one_is_replaced(server):
    s = server("--workers", "2", "--threads", "4")
    deadline = time.monotonic() + 30
    while len(_children(s.proc.pid)) < 2:
        assert time.monotonic() < deadline, "the two workers did not start"
        time.sleep(0.1)
    first = _children(s.proc.pid)
    for _ in range(20):
        assert s.get("/api/search?" + _q(q="合作"))[0] == 200
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while True:
        now = _children(s.proc.pid)
        if len(now) == 2 and victim not in now:
            break
        assert time.monotonic() < deadline, f"no worker replaced {victim}: {now}"
        time.sleep(0.1)
    for _ in range(20):
        assert s.get("/api/search?" + _q(q="北约"))[0] == 200
    s.stop()
    assert s.proc.returncode == 0
    for pid in now:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text(), pid


def test_search_past_its_time_budget_is_stopped_with_503(built_index):
    from jiaokan.web import create_app

    client = create_app({"TESTING": True, "INDEX_DIR": str(built_index), "SEARCH_TIME_LIMIT": 0.0}).test_client()
    r = client.get("/api/search", query_string={"q": "合作 发展"})
    assert r.status_code == 503
    error = r.get_json()["error"]
    assert error["code"] == "query_too_costly" and "stopped after" in error["message"]
    page = client.get("/", query_string={"q": "合作 发展"})
    assert page.status_code == 503 and "stopped after" in page.get_data(as_text=True)
    # The default budget does not stop an ordinary search, nor the listing without a query.
    normal = create_app({"TESTING": True, "INDEX_DIR": str(built_index)}).test_client()
    assert normal.get("/api/search", query_string={"q": "合作 发展"}).status_code == 200


def test_over_long_query_is_not_echoed_into_headers(client):
    r = client.get("/", query_string={"q": "x" * 10_000})
    assert r.status_code == 400
    assert sum(len(k) + len(v) for k, v in r.headers.items()) < 2048, dict(r.headers)
    longest = client.get("/", query_string={"q": "𠀀" * 256})  # at the limit, four UTF-8 bytes each
    assert longest.status_code == 200 and "rel=\"alternate\"" in longest.headers["Link"]


def test_an_opened_index_is_left_out_of_later_collections(built_index):
    """Once the server has opened a build, Python's full garbage collections (which stop whatever request is running
    while they visit every live container) no longer visit the index's objects: they are collected once at the
    opening and frozen (web/holder.py _settle)."""
    import gc

    from jiaokan.web.holder import IndexHolder

    holder = IndexHolder(built_index)
    try:
        holder.warm()
        build = holder.acquire()
        try:
            alive = {id(o) for o in gc.get_objects()}  # frozen objects are not among what collections visit
            assert gc.get_freeze_count() > 0
            assert id(build.index) not in alive and id(build.index.engine) not in alive
        finally:
            holder.release(build)
    finally:
        holder.close()
        gc.unfreeze()


_HEAPS = r"""
import ctypes, sys, tempfile, threading
import numpy as np
from jiaokan.web.heap import share_one_heap

if sys.argv[1] == "shared":
    assert share_one_heap()

def work():
    for _ in range(5):
        a = np.ones(4 << 20)  # 32 MB then 1 MB: below glibc's mmap threshold once it has grown, from a heap
        del a
        b = np.ones(1 << 17)
        del b

threads = [threading.Thread(target=work) for _ in range(6)]
for t in threads:
    t.start()
for t in threads:
    t.join()
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as f:
    fp = libc.fopen(f.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(fp))
    libc.fclose(ctypes.c_void_p(fp))
    print(open(f.name).read().count("<heap nr="))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_the_server_threads_share_one_malloc_heap():
    """Threads that allocate large arrays each get a heap of their own by default; a server shares one, so the
    pages one search frees serve the next on any thread (web/serving.py share_one_heap)."""
    heaps = {}
    for mode in ("default", "shared"):
        out = subprocess.run([sys.executable, "-c", _HEAPS, mode], capture_output=True, text=True, check=True)
        heaps[mode] = int(out.stdout.strip())
    assert heaps["default"] > 1, heaps  # the threads had heaps of their own
    assert heaps["shared"] == 1, heaps


_FAULTS = r"""
import resource, sys
import numpy as np
from jiaokan.web.heap import reserve_heap

if sys.argv[1] == "reserved":
    assert reserve_heap(400_000) == 400_000 * 320
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(3):
    arrays = [np.ones(1 << 20) for _ in range(4)]  # 32 MB of a search's temporaries, freed, then again
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")
def test_a_server_keeps_its_heap_faulted_in():
    """Where a server opens a build it faults in heap memory in proportion to the index and keeps it, so that
    searches' large arrays reuse pages already there instead of a page fault per 4 KB (web/heap.py)."""
    faults = {}
    for mode in ("default", "reserved"):
        out = subprocess.run([sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True)
        faults[mode] = int(out.stdout.strip())
    assert faults["default"] > 2000, faults  # fresh pages for the arrays (8,192 pages of 4 KB in each round)
    assert faults["reserved"] < 500, faults
    from jiaokan.web.heap import reserve_heap

    assert reserve_heap(600) == 0  # the bundled corpus's size: nothing reserved
