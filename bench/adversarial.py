"""Adversarial query shapes: each must answer correctly (tests/test_adversarial_queries.py) and in under 100 ms.

    .venv/bin/python bench/adversarial.py              # on the index at $JIAOKAN_INDEX or instance/index
    .venv/bin/python bench/adversarial.py --index PATH

Each shape is the worst of its kind that fits the 256-character query limit. A 64-way OR does not fit it (one-
character alternatives need 5 characters each, "x OR "), so the widest OR a user can send has 52 alternatives; the
64-way OR (316 characters) is measured too, with the limit raised for that one query, to show its cost is bounded. Every query is
timed fresh (first run in this process: nothing cached, as a new query on a server) and warm (median of 5), with CPU
time beside wall time. Writes bench/out/adversarial.json; exits 1 if any fresh run takes 100 ms or more.

The queries are built from the index's own paragraphs (deterministic for a corpus), so that the shapes also have
answers to check.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LIMIT_MS = 100.0
_HAN = re.compile(r"[\u4e00-\u9fff]")
_RUN = re.compile(r'[^\s()"“”（）:：-]{40,}')


def adversarial_queries(paragraphs: list[dict]) -> dict[str, str]:
    """name -> query, each at most 256 characters."""
    text = "".join(p["text"] for p in paragraphs)
    han = list(dict.fromkeys(_HAN.findall(text)))
    longest = max(paragraphs, key=lambda p: len(_HAN.findall(p["text"])))
    mixed = max(
        (m.group(0) for p in paragraphs for m in _RUN.finditer(p["text"])
         if _HAN.search(m.group(0)) and re.search(r"[0-9A-Za-z]", m.group(0))),
        key=len,
    )[:256]
    latin = string.ascii_lowercase + string.digits
    queries = {
        "128 one-character Latin/digit words": " ".join(latin[i % len(latin)] for i in range(128)),
        "128 one-character Han words of one paragraph": " ".join(_HAN.findall(longest["text"])[:128]),
        "52-way OR of Han characters": " OR ".join(han[:52]),
        "deep parentheses": "(" * 100 + "合作" + ")" * 100,
        "nested OR, 25 deep": _nested_or(han[52:77]),
        "256 of one Han character": "合" * 256,
        "256 of one Latin letter": "a" * 256,
        "256 different Han characters, one run": "".join(han[:256]),
        "long mixed-script run from the corpus": mixed,
        "long mixed-script run, synthetic": ("合作a1北约B2安全c3" * 20)[:256],
        "alternating scripts, spaced": " ".join(("合", "a", "作", "1")[i % 4] for i in range(128)),
    }
    for name, q in queries.items():
        assert len(q) <= 256, (name, len(q))
    return queries


def over_limit_queries(paragraphs: list[dict]) -> dict[str, str]:
    """Shapes the issue names that do not fit the limit: measured with it raised (see with_limit)."""
    han = list(dict.fromkeys(_HAN.findall("".join(p["text"] for p in paragraphs))))
    return {"64-way OR of Han characters (316 chars, limit raised)": " OR ".join(han[:64])}


@contextlib.contextmanager
def with_limit(chars: int):
    from jiaokan.search import clauses, searching

    old = clauses.MAX_QUERY_CHARS, searching.MAX_QUERY_CHARS
    clauses.MAX_QUERY_CHARS = searching.MAX_QUERY_CHARS = chars
    try:
        yield
    finally:
        clauses.MAX_QUERY_CHARS, searching.MAX_QUERY_CHARS = old


def _nested_or(chars: list[str]) -> str:
    query = chars[-1]
    for c in reversed(chars[:-1]):
        query = f"({c} OR {query})"
    return query


def _time(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, default=None, help="Index (default: $JIAOKAN_INDEX or instance/index).")
    parser.add_argument("--out", type=Path, default=OUT / "adversarial.json")
    args = parser.parse_args()

    from jiaokan.search.index import open_index
    from jiaokan.search.searching import search

    index = open_index(args.index)
    index.warm()
    search(index, "合作")  # the first search of a process loads what every search shares: not what is measured here
    rows = []
    shapes = [(q, 256) for q in adversarial_queries(index.paragraphs).items()]
    shapes += [(q, 400) for q in over_limit_queries(index.paragraphs).items()]
    for (name, query), limit in shapes:
        result = []
        with with_limit(limit):
            fresh_ms, fresh_cpu = _time(lambda: result.append(search(index, query)))
            warm = [_time(lambda: search(index, query)) for _ in range(5)]
        rows.append({
            "shape": name,
            "chars": len(query),
            "total": result[0].total,
            "fresh_ms": round(fresh_ms, 2),
            "fresh_cpu_ms": round(fresh_cpu, 2),
            "warm_median_ms": round(statistics.median(w for w, _ in warm), 2),
            "warm_median_cpu_ms": round(statistics.median(c for _, c in warm), 2),
        })
    load = os.getloadavg()
    print(f"{'shape':54}{'chars':>6}{'total':>6}{'fresh ms':>10}{'cpu ms':>8}{'warm ms':>9}{'cpu ms':>8}")
    for r in rows:
        print(f"{r['shape']:54}{r['chars']:>6}{r['total']:>6}{r['fresh_ms']:>10}{r['fresh_cpu_ms']:>8}"
              f"{r['warm_median_ms']:>9}{r['warm_median_cpu_ms']:>8}")
    slow = [r["shape"] for r in rows if r["fresh_ms"] >= LIMIT_MS]
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs; "
          f"{'all under' if not slow else 'NOT all under'} {LIMIT_MS:.0f} ms" + (f": {slow}" if slow else ""))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "load": load, "limit_ms": LIMIT_MS}, ensure_ascii=False, indent=1))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
