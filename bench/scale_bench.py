"""Performance at scale (issue 12): build through `jiaokan index --corpus DIR`, query through search() and `jiaokan serve`.

    .venv/bin/python bench/scale_bench.py --sizes 100000,350000 --kinds recombined,wordlist --naive 100000

For each corpus kind and size, a corpus folder is written (bench/generate.py: "recombined" recombines the bundled
corpus's sentences; "wordlist" draws documents from jieba's word list by frequency, with headings and numbered
articles 第X条, so its vocabulary grows with the corpus as real text's does; collation and translations are built
as for any corpus), then:
1. `jiaokan index --corpus DIR --index DIR/index --force` as a child process: wall time, CPU time (the process and
   its workers), peak RSS (the largest process, and the sum over the process tree sampled every 0.2 s: an upper
   bound, shared pages counted in each process), peak PSS summed over the tree (each shared page divided among
   the processes sharing it: the memory the build takes from the machine), index size by file.
2. Queries (top 10 with highlights and snippets, defaults) through search() in this process: p50/p95/p99 overall
   and by class, after 30 warm-up queries; the slowest queries profiled with cProfile.
3. The same queries through `jiaokan serve`, after the same 30 warm-up queries: the server's took_ms from
   /api/search, and the client's round trip.
4. With --naive N: the naive recipe (bench/naive_recipe.py) built on the same N recombined paragraphs in this run
   and timed on the same queries.
With --reuse, an index an earlier run built (and its build figures) is timed again, for query changes alone (served
by the same app and server as `jiaokan serve`, without the build step that would rebuild it for the changed code).
Prints Markdown; writes bench/out/scale.json. The machine may be shared: the load average is printed at each step.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import write_corpus  # noqa: E402
from bench.query_bench import by_class, profile, query_set, summarize  # noqa: E402

OUT = ROOT / "bench" / "out"
JIAOKAN = str(Path(sys.executable).parent / "jiaokan")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")


def load() -> str:
    return "%.2f" % os.getloadavg()[0]


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """(sum of resident bytes, largest resident bytes, sum of proportional bytes) over pid and its descendants.
    RSS counts a page shared by forked processes in each of them (a worker forked from a parent holding a large
    corpus starts out with the parent's whole resident set); PSS divides each shared page among its sharers, so
    the sum of PSS is the memory the build takes from the machine."""
    total = largest = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            total += rss
            largest = max(largest, rss)
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError, PermissionError):
            continue
    return total, largest, pss


def build(corpus: Path, index: Path) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen([JIAOKAN, "index", "--corpus", str(corpus), "--index", str(index), "--force"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak_sum = peak_one = peak_pss = 0
    while proc.poll() is None:
        total, largest, pss = _tree_memory(proc.pid)
        peak_sum, peak_one, peak_pss = max(peak_sum, total), max(peak_one, largest), max(peak_pss, pss)
        time.sleep(0.2)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise SystemExit(f"jiaokan index failed ({proc.returncode}) on {corpus}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    folder = index.resolve()
    files: dict[str, int] = {}
    for f in folder.iterdir():
        key = "whoosh segments" if f.name.startswith(("MAIN_", "_MAIN_")) else re.sub(r"-\d+\.", "-*.", f.name)
        files[key] = files.get(key, 0) + f.stat().st_size
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        # ru_maxrss of RUSAGE_CHILDREN is the largest of every child this benchmark has had (a server of an earlier
        # run included): it counts only where this build raised it, else the sampled peak stands.
        "peak_rss_largest_mb": round(max(peak_one, after.ru_maxrss * 1024 if after.ru_maxrss > before.ru_maxrss
                                         else 0) / 1e6),
        "peak_rss_tree_mb": round(peak_sum / 1e6),
        "peak_pss_tree_mb": round(peak_pss / 1e6),
        "index_mb": round(sum(files.values()) / 1e6, 1),
        "files_mb": {k: round(v / 1e6, 1) for k, v in sorted(files.items(), key=lambda kv: -kv[1])},
        "load_after": load(),
    }


def queries_for(index, count: int, seed: int) -> list[tuple[str, str]]:
    records = [SimpleNamespace(**p) for p in index.paragraphs[: min(len(index.paragraphs), 60000)]]
    if any(r.lang == "en" for r in records):
        return query_set(records, count, seed)
    # No English: Chinese strings, articles, two strings, OR, quoted, filtered.
    rng = random.Random(seed)
    versions = sorted({r.version for r in records})

    def han(lo: int, hi: int) -> str:
        while True:
            runs = [r for r in _HAN_RUN.findall(rng.choice(records).text) if len(r) >= lo]
            if runs:
                run = rng.choice(runs)
                n = rng.randint(lo, min(hi, len(run)))
                start = rng.randrange(len(run) - n + 1)
                return run[start : start + n]

    out = []
    for _ in range(count):
        x = rng.random()
        if x < 0.55:
            out.append(("zh", han(1, 8)))
        elif x < 0.62:
            out.append(("article", f"第{rng.choice('一二三四五六七八九')}十{rng.choice('一二三四五六七八九')}条"))
        elif x < 0.75:
            out.append(("zh-pair", f"{han(2, 3)} {han(2, 3)}"))
        elif x < 0.85:
            out.append(("or", f"{han(2, 4)} OR {han(2, 4)}"))
        elif x < 0.93:
            out.append(("quoted", f'"{han(3, 6)}"'))
        else:
            out.append(("filtered", f"{han(2, 4)} version:{rng.choice(versions)}"))
    return out


def time_search(index, queries) -> list[dict]:
    from jiaokan.search.searching import search

    rows = []
    for cls, q in queries:
        started = time.perf_counter()
        result = search(index, q, per_page=10)
        rows.append({"class": cls, "query": q, "ms": (time.perf_counter() - started) * 1000, "total": result.total})
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_memory(pid: int) -> dict:
    """The server's resident memory after the queries, and its peak (VmHWM), in MB: what serving the index costs."""
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found["now" if key == "VmRSS" else "peak"] = round(int(value.split()[0]) / 1024)
    return found


# `jiaokan serve` without its build step: an index built by an earlier run is stale to serve (the code it was
# built with differs, search/ included), and would be rebuilt. The same app, warm-up and waitress server.
_SERVE_AS_BUILT = """
from jiaokan.web import create_app
from jiaokan.web.serving import Limits, allow_descriptors, listen, run_server

def make_app():
    app = create_app({"INDEX_DIR": %r})
    app.extensions["jiaokan_index"].warm()
    return app

limits = Limits(threads=8, connection_limit=1000, channel_timeout=30)
sock = listen("127.0.0.1", %d)
allow_descriptors(limits)
run_server(make_app, sock, limits)
"""


def time_server(corpus: Path, index: Path, queries, warmup=(), as_built: bool = False) -> dict:
    port = free_port()
    command = [JIAOKAN, "serve", "--corpus", str(corpus), "--index", str(index), "--port", str(port)]
    if as_built:
        command = [sys.executable, "-c", _SERVE_AS_BUILT % (str(index.resolve()), port)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}/api/search?"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(base + "q=x", timeout=60).read()
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise SystemExit("jiaokan serve did not come up")
                time.sleep(0.3)
        for _, q in warmup:  # the same warm-up as search() gets in this process
            urllib.request.urlopen(base + urllib.parse.urlencode({"q": q}), timeout=60).read()
        took, trip = [], []
        classes: dict[str, list[float]] = {}
        for cls, q in queries:
            started = time.perf_counter()
            data = json.loads(urllib.request.urlopen(base + urllib.parse.urlencode({"q": q}), timeout=60).read())
            trip.append((time.perf_counter() - started) * 1000)
            took.append(data["took_ms"])
            classes.setdefault(cls, []).append(data["took_ms"])
        return {"took_ms": summarize(took), "round_trip_ms": summarize(trip),
                "took_ms_by_class": {c: summarize(v) for c, v in sorted(classes.items())},
                "server_rss_mb": _server_memory(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def run_one(kind: str, size: int, count: int, server: bool, reuse: bool = False) -> dict:
    from jiaokan.search.index import open_index

    folder = OUT / f"scale-{kind}-{size}"
    corpus = folder / "corpus"
    measured = folder / "build.json"
    row = {"kind": kind, "size": size, "load_before": load()}
    if reuse and measured.exists():
        # Queries only, on the index and with the build figures of an earlier run (the build code unchanged).
        row["build"] = dict(json.loads(measured.read_text()), reused=True)
        print(f"  {kind} {size:,}: index of an earlier run reused", file=sys.stderr)
    else:
        started = time.perf_counter()
        write_corpus(corpus, size, kind)
        generate_s = time.perf_counter() - started
        print(f"  {kind} {size:,}: corpus written in {generate_s:.0f} s, load {load()}", file=sys.stderr)
        row["build"] = build(corpus, folder / "index")
        measured.write_text(json.dumps(row["build"]) + "\n")
    print(f"  built: {row['build']}", file=sys.stderr)
    index = open_index(folder / "index")
    t = time.perf_counter()
    index.warm()
    index.engine.page_in()  # as a server does when it opens a build (web/holder.py)
    from jiaokan.web.heap import reserve_heap, share_one_heap

    share_one_heap()  # and the server's heap (web/heap.py)
    reserve_heap(len(index.paragraphs))
    row["open_and_warm_s"] = round(time.perf_counter() - t, 2)
    print(f"  opened and warmed in {row['open_and_warm_s']} s", file=sys.stderr)
    row["paragraphs"] = len(index.paragraphs)
    queries = queries_for(index, count, seed=12)
    warmup = queries_for(index, 30, seed=99)
    time_search(index, warmup)
    cpu = time.process_time()
    rows = time_search(index, queries)
    row["search_cpu_s"] = round(time.process_time() - cpu, 2)
    row["search"] = summarize([r["ms"] for r in rows])
    row["search_by_class"] = by_class(rows)
    row["profile"] = profile(index, rows, top_queries=5, repeat=3)
    row["profile"].pop("pstats")
    index.close()
    if server:
        row["server"] = time_server(corpus, folder / "index", queries, warmup, as_built=row["build"].get("reused", False))
    row["load_after"] = load()
    return row


def naive(size: int, count: int) -> dict:
    from bench.generate import generate
    from bench.naive_recipe import NaiveSearcher, build_naive_index
    from bench.query_bench import time_naive

    paragraphs = generate(size)
    folder = OUT / f"scale-naive-{size}"
    cpu = time.process_time()
    seconds = build_naive_index(paragraphs, folder, force=True)
    cpu = time.process_time() - cpu
    searcher = NaiveSearcher(folder)
    queries = query_set(paragraphs, count, seed=12)
    rows = time_naive(searcher, queries, query_set(paragraphs, 30, seed=99))
    size_mb = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
    return {"size": size, "build_wall_s": round(seconds, 1), "build_cpu_s": round(cpu, 1), "index_mb": round(size_mb, 1),
            "search": summarize([r["ms"] for r in rows]), "search_by_class": by_class(rows)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,350000")
    parser.add_argument("--kinds", default="recombined,wordlist")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--naive", type=int, default=0, help="also build and time the naive recipe on N paragraphs")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--reuse", action="store_true",
                        help="time queries on an index an earlier run built (its build figures are reported again)")
    parser.add_argument("--out", type=Path, default=OUT / "scale.json")
    args = parser.parse_args(argv)
    report = {"cpus": os.cpu_count(), "load_start": load(), "runs": []}
    print(f"# Scale benchmark\n\n{os.cpu_count()} CPUs, load average {load()} at start\n")
    for kind in args.kinds.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            report["runs"].append(run_one(kind, size, args.queries, not args.no_server, args.reuse))
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if args.naive:
        report["naive"] = naive(args.naive, args.queries)
    report["load_end"] = load()
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    print("| corpus | paragraphs | build wall s | build CPU s | peak RSS MB (largest / tree) | peak PSS MB (tree) | index MB | search() p50 / p95 / p99 ms | server took_ms p50 / p95 / p99 (peak RSS) | load before / after |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in report["runs"]:
        b, s = r["build"], r["search"]
        srv = r.get("server", {}).get("took_ms")
        srv_s = f"{srv['p50_ms']} / {srv['p95_ms']} / {srv['p99_ms']}" if srv else "-"
        if srv:
            srv_s += f" (RSS {r['server']['server_rss_mb'].get('peak')} MB)"
        print(f"| {r['kind']}{' (build of an earlier run)' if b.get('reused') else ''} | {r['paragraphs']:,} | {b['wall_s']} | {b['cpu_s']} | {b['peak_rss_largest_mb']} / "
              f"{b['peak_rss_tree_mb']} | {b.get('peak_pss_tree_mb', '-')} | {b['index_mb']} | {s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} | {srv_s} | "
              f"{r['load_before']} / {r['load_after']} |")
    if "naive" in report:
        n = report["naive"]
        s = n["search"]
        print(f"| naive recipe (recombined) | {n['size']:,} | {n['build_wall_s']} | {n['build_cpu_s']} | | | {n['index_mb']} | "
              f"{s['p50_ms']} / {s['p95_ms']} / {s['p99_ms']} | | |")
    for r in report["runs"]:
        print(f"\n## {r['kind']} {r['paragraphs']:,}: index files (MB)\n")
        print(f"opened and warmed in {r['open_and_warm_s']} s; search() CPU {r['search_cpu_s']} s for the queries\n")
        print(", ".join(f"{k} {v}" for k, v in r["build"]["files_mb"].items()))
        print("\nsearch() by class (p50 / p95 / p99 ms): " + "; ".join(
            f"{c} {v['p50_ms']} / {v['p95_ms']} / {v['p99_ms']} (n={v['queries']})" for c, v in r["search_by_class"].items()))
        print("\nslowest queries: " + "; ".join(f"{q['query']!r} {q['ms']} ms ({q['total']} results)" for q in r["profile"]["queries"]))
        print("\nwhere their time goes (own time): " + "; ".join(
            f"{e['function']} {e['share']:.0%}" for e in r["profile"]["by_own_time"][:8]))
    print(f"\nload average at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
