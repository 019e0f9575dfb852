"""Query latency by class on indexes already built by `jiaokan index` (issue 12), this tree against another in one run.

    .venv/bin/python bench/query_scale.py INDEX [INDEX ...] [--against /path/to/other/checkout] [--queries 300]

For each index (a folder `jiaokan index --corpus DIR --index INDEX` wrote, e.g. from bench/generate.py's
write_corpus; bench/scale_bench.py builds them too), the queries bench/scale_bench.py draws (seed 12; 30 warm-up
queries of seed 99 first) are run through search() with the defaults (top 10, highlights, snippets, passages
collapsed, translations on), each timed in wall time and in this thread's CPU time (time.thread_time: what the
query costs, less what a loaded machine takes away). Two passes: "cold cache" empties the engine's per-index cache
before each query (every term read and every string checked anew: a query nobody asked before), "warm" runs them
as a server meets them (terms shared between queries are read once). Reports p50/p95/p99 overall and by class,
the load average, and the slowest queries with a profile of where their CPU time goes.

With --against DIR, the same is run in a child process on the checkout at DIR (its search/ and indexer/, through
this venv), alternating with this tree index by index, so both meet the same machine load; its results are
compared with this tree's for every query (totals, facets, hits, scores, highlights: they must be equal).
Writes bench/out/query_scale.json.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def _redirect(checkout: Path) -> None:
    """Import jiaokan from another checkout: point this venv's editable-install finder there."""
    import importlib

    for name in list(sys.modules):
        if name.startswith("__editable___jiaokan"):
            finder = sys.modules[name]
            break
    else:
        finder = importlib.import_module(next(p.stem for p in Path(sys.prefix).glob("lib/*/site-packages/__editable___jiaokan*finder.py")))
    for key, path in finder.MAPPING.items():
        finder.MAPPING[key] = str(checkout / Path(path).name)  # jiaokan -> jiaokan/, jiaokan.search -> search/ ...


def _percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))], 2)

    return {"n": len(values), "p50": rank(50), "p95": rank(95), "p99": rank(99), "max": round(ordered[-1], 2)}


def measure(index_path: str, count: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from bench.scale_bench import queries_for
    from jiaokan.search.index import open_index
    from jiaokan.search.searching import search

    index = open_index(Path(index_path))
    started = time.perf_counter()
    index.warm()
    warm_s = time.perf_counter() - started
    cache = getattr(index.engine, "cache", None)
    queries = queries_for(index, count, seed=12)
    out = {"index": index_path, "paragraphs": len(index.paragraphs), "open_and_warm_s": round(warm_s, 2),
           "has_cache": cache is not None, "passes": {}, "answers": []}
    for _, q in queries_for(index, 30, seed=99):
        search(index, q, per_page=10)
    for name in ("cold cache", "warm"):
        rows = []
        load = os.getloadavg()[0]
        for cls, q in queries:
            if name == "cold cache" and cache is not None:
                cache.clear()
            cpu, wall = time.thread_time(), time.perf_counter()
            page = search(index, q, per_page=10)
            rows.append((cls, q, (time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000))
            if name == "warm":
                out["answers"].append([q, page.total, page.total_paragraphs, str(page.by_match), page.facets,
                                       [[h.id, h.score, h.highlights, h.snippet, h.match,
                                         [[x.id, x.highlights, x.match] for x in (h.also_in or [])]] for h in page.hits]])
        classes = sorted({r[0] for r in rows})
        out["passes"][name] = {
            "load": round(load, 2),
            "wall_ms": _percentiles([r[2] for r in rows]),
            "cpu_ms": _percentiles([r[3] for r in rows]),
            "cpu_ms_by_class": {c: _percentiles([r[3] for r in rows if r[0] == c]) for c in classes},
            "wall_ms_by_class": {c: _percentiles([r[2] for r in rows if r[0] == c]) for c in classes},
            "slowest_cpu": [[r[1], round(r[3], 2)] for r in sorted(rows, key=lambda r: -r[3])[:5]],
        }
    slow = [q for q, _ in out["passes"]["cold cache"]["slowest_cpu"]]
    prof = cProfile.Profile()
    for q in slow:
        if cache is not None:
            cache.clear()
        prof.enable()
        search(index, q, per_page=10)
        prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt or 1
    own = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:10]
    out["profile_cold_slowest"] = [
        [f"{Path(f).parent.name}/{Path(f).name}:{line}({fn})" if f != "~" else fn, round(v[2] / total, 3)]
        for (f, line, fn), v in own
    ]
    index.close()
    return out


def _child(checkout: str, index: str, count: int) -> dict:
    # This venv's editable install may point at another tree: both sides are redirected, to their own checkout.
    code = (f"import sys, json; sys.path.insert(0, {str(ROOT)!r}); from bench.query_scale import _redirect, measure; "
            f"from pathlib import Path; _redirect(Path({checkout!r})); "
            f"print(json.dumps(measure({index!r}, {count})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _own(index: str, count: int) -> dict:
    return _child(str(ROOT), index, count)


def _row(label: str, run: dict, name: str) -> str:
    p = run["passes"][name]
    w, c = p["wall_ms"], p["cpu_ms"]
    by = "; ".join(f"{k} {v['p50']}/{v['p95']}/{v['p99']}" for k, v in p["cpu_ms_by_class"].items())
    return (f"| {label} | {name} | {p['load']} | {w['p50']} / {w['p95']} / {w['p99']} | {c['p50']} / {c['p95']} / "
            f"{c['p99']} | {by} |")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("indexes", nargs="+")
    parser.add_argument("--against", help="another checkout (e.g. a worktree of main) to time in the same run")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args(argv)
    report = {"cpus": os.cpu_count(), "load_start": os.getloadavg()[0], "runs": []}
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start (the machine may be shared)\n")
    print("| code | pass | load | wall p50 / p95 / p99 ms | CPU p50 / p95 / p99 ms | CPU p50/p95/p99 ms by class |")
    print("|---|---|---|---|---|---|")
    for index in args.indexes:
        entry = {"index": index}
        if args.against:
            entry["against"] = _child(args.against, index, args.queries)
        entry["this"] = _own(index, args.queries)
        name = f"{Path(index).parent.name} ({entry['this']['paragraphs']:,})"
        if args.against:
            a, b = entry["against"]["answers"], entry["this"]["answers"]
            entry["different_answers"] = [x[0] for x, y in zip(a, b) if x != y]
            for p in ("cold cache", "warm"):
                print(_row(f"{name} against", entry["against"], p))
        for p in ("cold cache", "warm"):
            print(_row(f"{name} this tree", entry["this"], p))
        for side in ("against", "this"):
            if side in entry:
                entry[side].pop("answers")
        report["runs"].append(entry)
    for entry in report["runs"]:
        print(f"\n{entry['index']}:")
        if "different_answers" in entry:
            print(f"  answers that differ from the other checkout: {len(entry['different_answers'])} "
                  f"{entry['different_answers'][:5]}")
        t = entry["this"]
        print(f"  open and warm {t['open_and_warm_s']} s; slowest cold: {t['passes']['cold cache']['slowest_cpu']}")
        print("  where their CPU goes (own time): " + "; ".join(f"{f} {s:.0%}" for f, s in t["profile_cold_slowest"][:8]))
    report["load_end"] = os.getloadavg()[0]
    print(f"\nload average at the end: {report['load_end']:.2f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "query_scale.json").write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
