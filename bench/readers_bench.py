"""Benchmark of the generic readers: paragraphs per second for each format, CPU time beside wall time, and the
naive recipe (split the raw text on blank lines, no parsing, no rules) in the same run as the floor.

    .venv/bin/python bench/readers_bench.py [--copies 200]

Inputs: the bundled corpus as is, and each fixture document (tests/fixtures/corpus) repeated --copies times into
one file, so every format is measured on a document of some size. Results go to bench/out/readers.json.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import tempfile
import time
from pathlib import Path

from jiaokan.indexer.catalog import load_catalog, read_version_text
from jiaokan.indexer.paragraphs import corpus_paragraphs, read_paragraphs

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "corpus"


def timed(fn, repeat: int = 3):
    best = None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if best is None or wall < best[0]:
            best = (wall, cpu, result)
    return best


def naive(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    args = parser.parse_args()
    rows = []

    catalog = load_catalog(ROOT / "corpus")
    wall, cpu, paragraphs = timed(lambda: corpus_paragraphs(catalog))
    texts = [read_version_text(v) for v in catalog.versions.values()]
    n_wall, n_cpu, naive_blocks = timed(lambda: [b for t in texts for b in naive(t)])
    rows.append(("bundled corpus (5 versions)", sum(map(len, texts)), len(paragraphs), wall, cpu, len(naive_blocks), n_wall, n_cpu))

    fixtures = load_catalog(FIXTURES)
    with tempfile.TemporaryDirectory() as tmp:
        for vid in ("law-2020", "notice-2019", "reading-week", "annual-report"):
            version = fixtures.version(vid)
            text = read_version_text(version)
            if version.format == "html":  # repeat the article's inside, not the whole page
                head, rest = text.split("<article>", 1)
                inner, tail = rest.split("</article>", 1)
                big = head + "<article>" + inner * args.copies + "</article>" + tail
            else:
                big = "\n\n".join([text] * args.copies)
            path = Path(tmp) / f"{vid}{version.path.suffix}"
            path.write_text(big, encoding="utf-8")
            copy = dataclasses.replace(version, path=path, languages=())
            wall, cpu, paragraphs = timed(lambda: read_paragraphs(copy))
            n_wall, n_cpu, blocks = timed(lambda: naive(big))
            rows.append((f"{version.format}: {vid} x{args.copies}", len(big), len(paragraphs), wall, cpu, len(blocks), n_wall, n_cpu))

    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores (the machine is shared)")
    print(f"{'input':38} {'chars':>9} {'paras':>7} {'wall s':>8} {'cpu s':>8} {'paras/s':>9} | {'naive blocks':>12} {'wall s':>8} {'cpu s':>8}")
    out = []
    for name, chars, paras, wall, cpu, blocks, n_wall, n_cpu in rows:
        print(f"{name:38} {chars:9d} {paras:7d} {wall:8.3f} {cpu:8.3f} {paras / wall:9.0f} | {blocks:12d} {n_wall:8.4f} {n_cpu:8.4f}")
        out.append({"input": name, "chars": chars, "paragraphs": paras, "wall_s": round(wall, 4), "cpu_s": round(cpu, 4),
                    "naive_blocks": blocks, "naive_wall_s": round(n_wall, 5), "naive_cpu_s": round(n_cpu, 5)})
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "out" / "readers.json").write_text(json.dumps({"load": load, "rows": out}, indent=1))


if __name__ == "__main__":
    main()
