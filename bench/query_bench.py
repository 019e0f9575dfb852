"""Query latency and cold-lookup benchmark for issue 3.

    .venv/bin/python bench/query_bench.py                      # 10k and 100k, naive recipe too, cold lookups
    .venv/bin/python bench/query_bench.py --sizes 10000 --naive-sizes 10000,100000 --cold-runs 5

1. Latency: on the generated corpora (bench/generate.py, deterministic), built with the same
   `write_paragraphs_index` that `jiaokan index` uses into bench/out/gen-<n>/index (reused while the index-format
   code is unchanged), a fixed set of 300 mixed queries drawn from the generated text (Chinese strings of 1 to 8
   characters, English words, English word pairs, OR, quoted and filtered queries) is run once each through
   `search(index, q, per_page=10)`: top 10 with highlights and snippets, once with the defaults the front ends
   use (passages collapsed, translations on) and once "as written" (collapse=False, translate=False: issue 3's
   search before collation and translations). A separate set of 30 warm-up queries runs first each time and is
   not counted. Reports p50, p95, p99 (nearest rank) and the same per query class; profiles use the defaults.
2. The naive recipe (bench/naive_recipe.py: Whoosh + jieba ChineseAnalyzer on one TEXT field, default writer) on
   the same generated paragraphs: QueryParser, top 10, Whoosh highlights for each hit; same queries, filters
   dropped (the naive index has no filter fields).
3. Cold lookup: `jiaokan search 北约 --index bench/out/corpus-index` (the bundled corpus, built by `jiaokan index`)
   against `python bench/naive_recipe.py lookup 北约` (bench/out/naive-index), each as fresh processes, one untimed
   run each first, then 5 runs each interleaved; medians side by side. Target: jiaokan at most a quarter.
4. If the 100k latencies miss the targets (p50 <= 5 ms, p99 <= 20 ms), the slowest queries are profiled with
   cProfile and the functions where the time goes are listed with their share.

5. Concordance (issue 10): every line of a 2-character string over the bundled corpus
   (`concordance(index, q)` then every line as the JSON gives it, and the CSV export of them all), 2-character
   strings from common to rare, each timed many times: wall and CPU time per call (p50/p95/p99), beside the naive
   recipe in the same run (str.find over every paragraph's raw text with context slices: no folding, no query
   language, no filters). `--concordance-only` runs just this part.

Prints Markdown; writes bench/out/query.json (bench/out/concordance.json with --concordance-only).
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import os
import platform
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from bench.naive_recipe import NaiveSearcher, build_naive_index  # noqa: E402
from jiaokan.indexer.build import code_sources  # noqa: E402
from jiaokan.search.folding import HAN  # noqa: E402
from jiaokan.search.units import LATIN_WORD_RE  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_P50_MS = 5.0
TARGET_P99_MS = 20.0
COLD_QUERY = "北约"
_HAN_RUN = re.compile(f"[{HAN}]+")
_LATIN_UNIT = LATIN_WORD_RE

# The code that decides what an index holds: a generated index is reused only while these are unchanged.
_FORMAT_SOURCES = [ROOT / "bench" / "generate.py"] + code_sources()


def format_hash() -> str:
    h = hashlib.sha256()
    for path in _FORMAT_SOURCES:
        if path.exists():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


# --- indexes ----------------------------------------------------------------------------------------------------


def ensure_generated_index(n: int, paragraphs) -> tuple[Path, float]:
    """bench/out/gen-<n>/index, built unless an index of the same format is there; returns (path, build seconds)."""
    from jiaokan.indexer.build import write_paragraphs_index
    from jiaokan.search.index import read_meta
    from jiaokan.search.segmenter import Dictionary

    link = OUT / f"gen-{n}" / "index"
    fingerprint = f"bench-{n}-{format_hash()}"
    meta = read_meta(link) if link.exists() else None
    if meta and meta.get("fingerprint") == fingerprint:
        return link, 0.0
    started = time.perf_counter()
    dictionary = Dictionary.jieba_default(ROOT / "corpus" / "userdict.txt")
    write_paragraphs_index(
        paragraphs, dictionary, link, fingerprint=fingerprint, workers=os.cpu_count(), progress=None
    )
    return link, time.perf_counter() - started


def ensure_corpus_indexes() -> tuple[Path, Path]:
    """The bundled corpus as `jiaokan index` builds it, and the naive recipe's index of the same paragraphs."""
    jiaokan_index = OUT / "corpus-index"
    subprocess.run(
        [str(Path(sys.executable).parent / "jiaokan"), "index", "--index", str(jiaokan_index)],
        check=True,
        capture_output=True,
    )
    naive_index = OUT / "naive-index"
    subprocess.run([sys.executable, str(ROOT / "bench" / "naive_recipe.py"), "build", "--index", str(naive_index)],
                   check=True, capture_output=True)
    return jiaokan_index, naive_index


# --- queries ----------------------------------------------------------------------------------------------------


def query_set(paragraphs, count: int, seed: int) -> list[tuple[str, str]]:
    """[(class, query)], drawn deterministically from the generated text."""
    rng = random.Random(seed)
    zh = [p for p in paragraphs if p.lang == "zh"]
    en = [p for p in paragraphs if p.lang == "en"]
    versions = sorted({p.version for p in paragraphs})

    def han(lo: int, hi: int) -> str:
        while True:
            runs = _HAN_RUN.findall(rng.choice(zh).text)
            runs = [r for r in runs if len(r) >= lo]
            if runs:
                run = rng.choice(runs)
                n = rng.randint(lo, min(hi, len(run)))
                start = rng.randrange(len(run) - n + 1)
                return run[start : start + n]

    def words(k: int) -> str:
        while True:
            units = [m.group() for m in _LATIN_UNIT.finditer(rng.choice(en).text)]
            if len(units) >= k:
                start = rng.randrange(len(units) - k + 1)
                chosen = units[start : start + k]
                if all(u.isascii() and u.isalpha() for u in chosen):
                    return " ".join(chosen)

    mix = [("zh", 0.50), ("en-word", 0.20), ("en-pair", 0.13), ("or", 0.07), ("quoted", 0.05), ("filtered", 0.05)]
    queries = []
    for cls, share in mix:
        for _ in range(round(count * share)):
            if cls == "zh":
                q = han(1, 8)
            elif cls == "en-word":
                q = words(1)
            elif cls == "en-pair":
                q = words(2)
            elif cls == "or":
                q = f"{han(2, 4)} OR {han(2, 4)}" if rng.random() < 0.7 else f"{words(1)} OR {words(1)}"
            elif cls == "quoted":
                q = f'"{han(3, 6)}"' if rng.random() < 0.5 else f'"{words(2)}"'
            else:
                kind = rng.random()
                if kind < 0.4:
                    q = f"{han(2, 4)} version:{rng.choice(versions)}"
                elif kind < 0.7:
                    q = f"{words(1)} lang:en"
                else:
                    q = f"{han(1, 4)} section:{rng.choice('一二三四')}"
            queries.append((cls, q))
    rng.shuffle(queries)
    return queries[:count]


_FILTER = re.compile(r"\b(?:version|lang|section):\S+")


def naive_form(query: str) -> str:
    """The naive index has no filter fields: filters are dropped, the rest is passed to QueryParser as typed."""
    return _FILTER.sub("", query).strip()


# --- measuring ----------------------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
    return ordered[int(k)]


def summarize(ms: list[float]) -> dict:
    return {
        "queries": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2),
    }


# search() as the front ends call it, and as issue 3 defined it before collation (issue 5: a passage carried by
# several versions is one result) and translations (issue 6: terms also match through their equivalents).
MODES = {"default": {}, "as written": {"collapse": False, "translate": False}}


def time_jiaokan(index, queries, warmup, **kwargs) -> list[dict]:
    from jiaokan.search.searching import search

    for _, q in warmup:
        search(index, q, per_page=10, **kwargs)
    rows = []
    for cls, q in queries:
        started = time.perf_counter()
        result = search(index, q, per_page=10, **kwargs)
        ms = (time.perf_counter() - started) * 1000
        rows.append({"class": cls, "query": q, "ms": ms, "total": result.total})
    return rows


def time_naive(searcher: NaiveSearcher, queries, warmup) -> list[dict]:
    for _, q in warmup:
        searcher.search(naive_form(q))
    rows = []
    for cls, q in queries:
        started = time.perf_counter()
        hits = searcher.search(naive_form(q))
        ms = (time.perf_counter() - started) * 1000
        rows.append({"class": cls, "query": q, "ms": ms, "shown": len(hits)})
    return rows


def by_class(rows: list[dict]) -> dict:
    classes: dict[str, list[float]] = {}
    for r in rows:
        classes.setdefault(r["class"], []).append(r["ms"])
    return {cls: summarize(ms) for cls, ms in sorted(classes.items())}


def profile(index, rows: list[dict], top_queries: int = 8, repeat: int = 5) -> dict:
    """cProfile the slowest queries (each `repeat` times); the functions with the most own time and cumulative time."""
    from jiaokan.search.searching import search

    slow = sorted(rows, key=lambda r: -r["ms"])[:top_queries]
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(repeat):
        for r in slow:
            search(index, r["query"], per_page=10)
    prof.disable()
    stats = pstats.Stats(prof)
    total = stats.total_tt
    entries = []
    for (filename, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        short = f"{Path(filename).parent.name}/{Path(filename).name}:{line}({name})" if filename != "~" else name
        entries.append({"function": short, "calls": nc, "own_s": tt, "cum_s": ct})
    own = sorted(entries, key=lambda e: -e["own_s"])[:15]
    cum = sorted(
        (e for e in entries if "/search/" in e["function"] or e["function"].startswith("search/")),
        key=lambda e: -e["cum_s"],
    )[:15]
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
    return {
        "queries": [{"query": r["query"], "class": r["class"], "ms": round(r["ms"], 2), "total": r.get("total")}
                    for r in slow],
        "repeat": repeat,
        "total_s": round(total, 3),
        "by_own_time": [dict(e, share=round(e["own_s"] / total, 3)) for e in own],
        "search_functions_by_cumulative": [dict(e, share=round(e["cum_s"] / total, 3)) for e in cum],
        "pstats": buf.getvalue(),
    }


def cold_lookups(jiaokan_index: Path, naive_index: Path, runs: int) -> dict:
    jiaokan = [str(Path(sys.executable).parent / "jiaokan"), "search", COLD_QUERY, "--index", str(jiaokan_index)]
    naive = [sys.executable, str(ROOT / "bench" / "naive_recipe.py"), "lookup", COLD_QUERY, "--index", str(naive_index)]
    env = {k: v for k, v in os.environ.items() if k not in ("JIAOKAN_INDEX",)}

    def once(cmd) -> float:
        started = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, env=env)
        seconds = time.perf_counter() - started
        if done.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stderr.decode(errors='replace')}")
        return seconds

    once(jiaokan), once(naive)  # untimed: compiles .pyc files and fills the page cache for both
    times = {"jiaokan": [], "naive": []}
    for _ in range(runs):
        times["jiaokan"].append(once(jiaokan))
        times["naive"].append(once(naive))
    med_j = statistics.median(times["jiaokan"])
    med_n = statistics.median(times["naive"])
    return {
        "query": COLD_QUERY,
        "runs": runs,
        "jiaokan_s": [round(t, 3) for t in times["jiaokan"]],
        "naive_s": [round(t, 3) for t in times["naive"]],
        "jiaokan_median_s": round(med_j, 3),
        "naive_median_s": round(med_n, 3),
        "ratio": round(med_j / med_n, 3),
        "target_ratio": 0.25,
        "meets_target": med_j <= med_n / 4,
    }


# --- report -------------------------------------------------------------------------------------------------------


def md_latency_table(results: dict) -> str:
    lines = ["| corpus | engine | queries | p50 ms | p95 ms | p99 ms | mean ms | max ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for key, r in results.items():
        s = r["summary"]
        lines.append(f"| {r['paragraphs']:,} | {r['engine']} | {s['queries']} | {s['p50_ms']} | {s['p95_ms']} | "
                     f"{s['p99_ms']} | {s['mean_ms']} | {s['max_ms']} |")
    return "\n".join(lines)


def md_class_table(results: dict) -> str:
    lines = ["| corpus | engine | class | queries | p50 ms | p95 ms | p99 ms |", "|---|---|---|---:|---:|---:|---:|"]
    for key, r in results.items():
        for cls, s in r["by_class"].items():
            lines.append(f"| {r['paragraphs']:,} | {r['engine']} | {cls} | {s['queries']} | {s['p50_ms']} | "
                         f"{s['p95_ms']} | {s['p99_ms']} |")
    return "\n".join(lines)


CONCORDANCE_QUERIES = ["发展", "合作", "双方", "国际", "北约", "疫苗"]


def concordance_bench(index_path: Path, runs: int) -> dict:
    """Concordance of 2-character strings, all lines, on the bundled corpus: wall and CPU ms per call."""
    from jiaokan.search.concordance import concordance, line_json
    from jiaokan.search.index import open_index
    from jiaokan.web.export import csv_lines

    index = open_index(index_path)
    texts = [p["text"] for p in index.paragraphs]
    fields = ["paragraph", "version", "section", "start", "end", "left", "match", "right", "via"]

    def ours(q: str) -> int:
        result = concordance(index, q)
        page = result.page(1, max(1, min(result.total, 1000)))
        rows = [line_json(line) for line in result.lines]
        sum(len(chunk) for chunk in csv_lines(rows, fields))
        return result.total + 0 * len(page["lines"])

    def naive(q: str) -> int:
        lines = []
        for pid, text in enumerate(texts):
            i = text.find(q)
            while i >= 0:
                lines.append((pid, i, text[max(0, i - 30) : i], q, text[i + len(q) : i + len(q) + 30]))
                i = text.find(q, i + 1)
        return len(lines)

    out = {"paragraphs": len(texts), "runs_per_query": runs, "queries": {}}
    for q in CONCORDANCE_QUERIES:
        ours(q), naive(q)  # warm: caches and the first-use set-up are not what a reader waits for every time
        row = {}
        for name, fn in (("jiaokan", ours), ("naive", naive)):
            wall, cpu = [], []
            for _ in range(runs):
                w0, c0 = time.perf_counter(), time.process_time()
                lines = fn(q)
                wall.append((time.perf_counter() - w0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            row[name] = {"lines": lines, "wall": summarize(wall), "cpu_p50_ms": round(percentile(cpu, 50), 3),
                         "cpu_p99_ms": round(percentile(cpu, 99), 3)}
        out["queries"][q] = row
    # Cold: the first concordance after opening an index (the page cache warm, nothing of ours cached).
    index.close()
    index = open_index(index_path)
    w0, c0 = time.perf_counter(), time.process_time()
    concordance(index, "发展")
    out["first_call_after_open"] = {"wall_ms": round((time.perf_counter() - w0) * 1000, 1),
                                    "cpu_ms": round((time.process_time() - c0) * 1000, 1)}
    index.close()
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return out


def md_concordance(c: dict) -> str:
    lines = [f"## Concordance: every line of a 2-character string, bundled corpus ({c['paragraphs']} paragraphs)\n",
             f"{c['runs_per_query']} runs per query after one warm-up; jiaokan = concordance() + every line as JSON "
             "+ the CSV export; naive = str.find over the raw texts. Load average during the run: "
             f"{', '.join(map(str, c['load_average']))} (shared machine, {os.cpu_count()} CPUs).\n",
             "| query | lines (jiaokan / naive) | jiaokan p50 ms | p95 | p99 | CPU p50 ms | naive p50 ms | naive p99 | naive CPU p50 |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for q, r in c["queries"].items():
        j, n = r["jiaokan"], r["naive"]
        lines.append(f"| {q} | {j['lines']} / {n['lines']} | {j['wall']['p50_ms']} | {j['wall']['p95_ms']} | "
                     f"{j['wall']['p99_ms']} | {j['cpu_p50_ms']} | {n['wall']['p50_ms']} | {n['wall']['p99_ms']} | "
                     f"{n['cpu_p50_ms']} |")
    f = c["first_call_after_open"]
    lines.append(f"\nFirst concordance (发展) after opening the index: {f['wall_ms']} ms wall, {f['cpu_ms']} ms CPU.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="generated corpus sizes for jiaokan's search()")
    parser.add_argument("--naive-sizes", default="10000,100000", help="sizes to time the naive recipe on ('' for none)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--profile", choices=["auto", "always", "never"], default="auto")
    parser.add_argument("--concordance-runs", type=int, default=50)
    parser.add_argument("--concordance-only", action="store_true", help="only the concordance part (5.)")
    args = parser.parse_args(argv)
    if args.concordance_only:
        OUT.mkdir(parents=True, exist_ok=True)
        jiaokan_index, _ = ensure_corpus_indexes()
        result = concordance_bench(jiaokan_index, args.concordance_runs)
        (OUT / "concordance.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        print(md_concordance(result))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    naive_sizes = [int(s) for s in args.naive_sizes.split(",") if s]
    OUT.mkdir(parents=True, exist_ok=True)

    from jiaokan.search.index import open_index

    report: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "targets_100k": {"p50_ms": TARGET_P50_MS, "p99_ms": TARGET_P99_MS},
        "latency": {},
        "builds": {},
    }
    profiles = {}
    for n in sorted(set(sizes) | set(naive_sizes)):
        paragraphs = generate(n)
        queries = query_set(paragraphs, args.queries, seed=3)
        warmup = query_set(paragraphs, 30, seed=4)
        report.setdefault("query_sets", {})[str(n)] = [q for _, q in queries]
        if n in sizes:
            link, build_s = ensure_generated_index(n, paragraphs)
            report["builds"][f"jiaokan-{n}"] = round(build_s, 1) if build_s else "reused"
            index = open_index(link)
            opened = time.perf_counter()
            index.engine  # noqa: B018 - set-up once per opened index, not per query
            setup_ms = (time.perf_counter() - opened) * 1000
            for mode, kwargs in MODES.items():
                rows = time_jiaokan(index, queries, warmup, **kwargs)
                if mode == "default":
                    default_rows = rows
                key = f"jiaokan-{n}" + ("" if mode == "default" else f"-{mode.replace(' ', '-')}")
                report["latency"][key] = {
                    "engine": "jiaokan search()" + ("" if mode == "default" else f", {mode}"),
                    "search_kwargs": kwargs,
                    "paragraphs": n,
                    "engine_setup_ms": round(setup_ms, 1),
                    "summary": summarize([r["ms"] for r in rows]),
                    "by_class": by_class(rows),
                    "slowest": [{k: (round(v, 2) if k == "ms" else v) for k, v in r.items()}
                                for r in sorted(rows, key=lambda r: -r["ms"])[:10]],
                }
            rows = default_rows
            s = report["latency"][f"jiaokan-{n}"]["summary"]
            missed = s["p50_ms"] > TARGET_P50_MS or s["p99_ms"] > TARGET_P99_MS
            if args.profile == "always" or (args.profile == "auto" and n >= 100_000 and missed):
                profiles[str(n)] = profile(index, rows)
            index.close()
        if n in naive_sizes:
            folder = OUT / f"gen-{n}" / "naive-index"
            build_s = build_naive_index(paragraphs, folder)
            report["builds"][f"naive-{n}"] = round(build_s, 1) if build_s else "reused"
            searcher = NaiveSearcher(folder)
            rows = time_naive(searcher, queries, warmup)
            searcher.close()
            report["latency"][f"naive-{n}"] = {
                "engine": "naive recipe",
                "paragraphs": n,
                "summary": summarize([r["ms"] for r in rows]),
                "by_class": by_class(rows),
            }

    if args.cold_runs:
        jiaokan_index, naive_index = ensure_corpus_indexes()
        report["cold_lookup"] = cold_lookups(jiaokan_index, naive_index, args.cold_runs)
    if profiles:
        report["profiles"] = profiles
    if args.concordance_runs:
        jiaokan_index, _ = ensure_corpus_indexes()
        report["concordance"] = concordance_bench(jiaokan_index, args.concordance_runs)

    # --- Markdown ---
    order = sorted(report["latency"], key=lambda k: (report["latency"][k]["paragraphs"], k))
    latency = {k: report["latency"][k] for k in order}
    print("## Query latency: top 10 with highlights and snippets\n")
    print(f"{args.queries} fixed queries per corpus (30 warm-up queries not counted); "
          f"targets at 100k: p50 <= {TARGET_P50_MS} ms, p99 <= {TARGET_P99_MS} ms.\n")
    print(md_latency_table(latency))
    print("\n### By query class\n")
    print(md_class_table(latency))
    print("\nBuilds (seconds, or reused): " + ", ".join(f"{k} {v}" for k, v in report["builds"].items()))
    for key, r in latency.items():
        if "slowest" in r:
            print(f"\nSlowest queries, {key} (engine set-up once per opened index: {r['engine_setup_ms']} ms):")
            for s in r["slowest"][:5]:
                print(f"- `{s['query']}` ({s['class']}, {s['total']} hits): {s['ms']} ms")
    if "cold_lookup" in report:
        c = report["cold_lookup"]
        print(f"\n## Cold lookup: `{COLD_QUERY}` on the bundled corpus, fresh processes\n")
        print("| command | runs (s) | median s |")
        print("|---|---|---:|")
        print(f"| `jiaokan search {COLD_QUERY} --index bench/out/corpus-index` | "
              f"{', '.join(map(str, c['jiaokan_s']))} | {c['jiaokan_median_s']} |")
        print(f"| `python bench/naive_recipe.py lookup {COLD_QUERY}` | "
              f"{', '.join(map(str, c['naive_s']))} | {c['naive_median_s']} |")
        print(f"\njiaokan / naive = {c['ratio']} (target at most 0.25: "
              f"{'met' if c['meets_target'] else 'missed'})")
    if "concordance" in report:
        print("\n" + md_concordance(report["concordance"]))
    for n, p in profiles.items():
        print(f"\n## Profile: the {len(p['queries'])} slowest queries at {int(n):,}, each run {p['repeat']} times "
              f"({p['total_s']} s profiled)\n")
        for q in p["queries"]:
            print(f"- `{q['query']}` ({q['class']}, {q['total']} hits): {q['ms']} ms")
        print("\n| function (own time) | calls | own s | share |")
        print("|---|---:|---:|---:|")
        for e in p["by_own_time"]:
            print(f"| `{e['function']}` | {e['calls']} | {e['own_s']:.3f} | {e['share']:.1%} |")
        print("\n| search/ function (cumulative) | calls | cum s | share |")
        print("|---|---:|---:|---:|")
        for e in p["search_functions_by_cumulative"]:
            print(f"| `{e['function']}` | {e['calls']} | {e['cum_s']:.3f} | {e['share']:.1%} |")

    for r in report["latency"].values():
        r.pop("rows", None)
    (OUT / "query.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\nwrote bench/out/query.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
