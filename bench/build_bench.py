"""Index build benchmark on a generated corpus shaped like the real one (bench/generate.py, deterministic).

    .venv/bin/python bench/build_bench.py                        # 10k and 100k paragraphs, all cores
    .venv/bin/python bench/build_bench.py --sizes 10000 --workers 2,1

For each size and worker count: paragraphs, characters, build seconds, paragraphs/s and index size on disk, built
with the same `write_paragraphs_index` that `jiaokan index` uses. The full dictionary (jieba's plus the corpus user
dictionary) is loaded once and timed on its own, as a build pays it once. Then, on a sample of the largest corpus,
the single-core time is split between analysis (folding, units, segmentation, postings) and index writing (Whoosh
segments and jiaokan's own files), to say what bounds the build. Prints Markdown; writes bench/out/build.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from jiaokan.indexer.build import USER_DICT, write_paragraphs_index  # noqa: E402
from jiaokan.search.analysis import analyze  # noqa: E402
from jiaokan.search.folding import HAN, fold  # noqa: E402
from jiaokan.search.segmenter import Dictionary  # noqa: E402

TARGET_SECONDS = 90  # issue 2: 100k paragraphs, n-gram field included, on this 2-core machine
HAN_RUN = re.compile(f"[{HAN}]+")


def folder_bytes(folder: Path) -> dict:
    """Bytes on disk of a build folder: Whoosh's files (MAIN_*, _MAIN_*.toc) and each of jiaokan's own files."""
    whoosh = 0
    own: dict[str, int] = {}
    for f in sorted(folder.iterdir()):
        if not f.is_file():
            continue
        if f.name.startswith(("MAIN_", "_MAIN_")):
            whoosh += f.stat().st_size
        else:
            own[f.name] = f.stat().st_size
    return {"whoosh": whoosh, "jiaokan_files": own, "total": whoosh + sum(own.values())}


def _cpu_seconds() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def build_once(paragraphs, dictionary: Dictionary, workers: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="jiaokan-bench-") as tmp:
        link = Path(tmp) / "index"
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        folder = write_paragraphs_index(paragraphs, dictionary, link, fingerprint="bench", workers=workers, progress=None)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        sizes = folder_bytes(folder)
    chars = sum(len(p.text) for p in paragraphs)
    return {
        "paragraphs": len(paragraphs),
        "characters": chars,
        "workers": workers,
        "build_seconds": round(seconds, 2),
        # CPU time of this process and its (reaped) worker processes: unlike wall time, not inflated by other
        # programs competing for the cores.
        "cpu_seconds": round(cpu, 2),
        "paragraphs_per_second": round(len(paragraphs) / seconds),
        "characters_per_second": round(chars / seconds),
        "index_bytes": sizes,
        "index_mb": round(sizes["total"] / 1e6, 1),
    }


def split_single_core(paragraphs, dictionary: Dictionary, sample_size: int, seed: int = 0) -> dict:
    """Single-core seconds for a sample: folding, segmentation, the whole analysis, postings, and index writing.

    Index writing is measured directly: the same write_paragraphs_index(workers=1) run with the writer's
    `analyze` replaced by a lookup of the analyses computed beforehand, so only the postings and the writing
    (Whoosh's term sorting, encoding and segment files; jiaokan's files) remain; the postings time is then subtracted."""
    import jiaokan.indexer.writer

    sample = random.Random(seed).sample(list(paragraphs), sample_size)
    texts = [p.text for p in sample]

    def timed(fn, repeat: int = 2) -> float:
        """CPU seconds of this process, best of `repeat` runs: other programs competing for the cores would inflate
        wall time (everything here runs in this one process)."""
        best = float("inf")
        for _ in range(repeat):
            t = time.process_time()
            fn()
            best = min(best, time.process_time() - t)
        return best

    analyses: list = []

    def run_analyze():
        analyses[:] = [analyze(text, dictionary) for text in texts]

    fold_s = timed(lambda: [fold(text) for text in texts])
    analyze_s = timed(run_analyze)
    runs = [r for a in analyses for r in HAN_RUN.findall(a.folded.text)]
    segment_s = timed(lambda: [dictionary.segment(r) for r in runs])
    postings_s = timed(lambda: [(a.gram_counts(), a.word_counts()) for a in analyses])

    def write():
        with tempfile.TemporaryDirectory(prefix="jiaokan-bench-") as tmp:
            write_paragraphs_index(sample, dictionary, Path(tmp) / "index", fingerprint="s", workers=1, progress=None)

    whole_s = timed(write)
    by_text = {id(text): a for text, a in zip(texts, analyses)}
    real_analyze = jiaokan.indexer.writer.analyze
    jiaokan.indexer.writer.analyze = lambda text, d: by_text[id(text)]
    try:
        prepared_s = timed(write)
    finally:
        jiaokan.indexer.writer.analyze = real_analyze
    writing_s = max(prepared_s - postings_s, 0.0)

    analysis_s = analyze_s + postings_s
    work = analysis_s + writing_s
    n = len(sample)
    return {
        "sample_paragraphs": n,
        "sample_characters": sum(len(t) for t in texts),
        "seconds": {
            "fold": round(fold_s, 3),
            "segment": round(segment_s, 3),
            "analyze": round(analyze_s, 3),
            "postings": round(postings_s, 3),
            "whoosh_writing": round(writing_s, 3),
            "build_workers_1": round(whole_s, 3),
        },
        "us_per_paragraph": {
            "fold": round(fold_s / n * 1e6),
            "segment": round(segment_s / n * 1e6),
            "analyze": round(analyze_s / n * 1e6),
            "postings": round(postings_s / n * 1e6),
            "analysis": round(analysis_s / n * 1e6),
            "whoosh_writing": round(writing_s / n * 1e6),
            "build_workers_1": round(whole_s / n * 1e6),
        },
        "share": {
            "analysis": round(analysis_s / work, 3),
            "of_which_segment": round(segment_s / work, 3),
            "of_which_fold": round(fold_s / work, 3),
            "whoosh_writing": round(writing_s / work, 3),
        },
    }


def markdown_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    lines = ["| " + " | ".join(title for title, _ in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(str(row[key]) for _, key in columns) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="paragraph counts, comma-separated")
    parser.add_argument(
        "--workers", default=str(os.cpu_count() or 1), help="worker processes, comma-separated (e.g. 2,1)"
    )
    parser.add_argument("--sample", type=int, default=2000, help="paragraphs for the analysis/writing split")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "build.json")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    workers_list = [int(w) for w in args.workers.split(",") if w]

    print("# jiaokan index build benchmark\n")
    load = os.getloadavg()[0]
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"load average {load:.2f} at start\n")

    t = time.perf_counter()
    dictionary = Dictionary.jieba_default(ROOT / "corpus" / USER_DICT)
    dictionary_s = time.perf_counter() - t
    print(f"Full dictionary load (jieba dict.txt + corpus user dictionary, {len(dictionary.freq):,} keys): "
          f"{dictionary_s:.2f} s, paid once per build, not counted below.\n")

    results = []
    corpora = {}
    for n in sizes:
        t = time.perf_counter()
        paragraphs = generate(n)
        generate_s = time.perf_counter() - t
        corpora[n] = paragraphs
        for workers in workers_list:
            row = build_once(paragraphs, dictionary, workers)
            row["generate_seconds"] = round(generate_s, 2)
            results.append(row)
            print(f"  built {n:,} paragraphs with {workers} worker(s) in {row['build_seconds']} s", file=sys.stderr)

    for row in results:
        row["characters_fmt"] = f"{row['characters']:,}"
        row["paragraphs_fmt"] = f"{row['paragraphs']:,}"
        row["pps_fmt"] = f"{row['paragraphs_per_second']:,}"
        b = row["index_bytes"]
        row["sizes_fmt"] = f"{b['whoosh'] / 1e6:.1f} / " + ", ".join(
            f"{name} {size / 1e6:.1f}" for name, size in b["jiaokan_files"].items() if size >= 50_000
        )
    print("## Build\n")
    print(
        markdown_table(
            results,
            [
                ("paragraphs", "paragraphs_fmt"),
                ("characters", "characters_fmt"),
                ("workers", "workers"),
                ("build s", "build_seconds"),
                ("CPU s", "cpu_seconds"),
                ("paragraphs/s", "pps_fmt"),
                ("index MB", "index_mb"),
                ("of which: Whoosh / jiaokan files MB", "sizes_fmt"),
            ],
        )
    )
    print("\nMB = 10^6 bytes. CPU s: this process and its workers. Build time is write_paragraphs_index: analysis, Whoosh segments, paragraph and "
          "dictionary files, swap-in; corpus generation and dictionary load excluded.")

    largest = max(sizes)
    split = split_single_core(corpora[largest], dictionary, min(args.sample, largest))
    s, us, share = split["seconds"], split["us_per_paragraph"], split["share"]
    work = s["analyze"] + s["postings"] + s["whoosh_writing"]
    print(f"\n## What bounds the build (CPU time on one core, {split['sample_paragraphs']:,} paragraphs sampled from "
          f"the {largest:,}-paragraph corpus, {split['sample_characters']:,} characters)\n")
    split_rows = [
        {"part": "analysis: fold (NFKC, case, spaces, t2s)", "s": s["fold"], "us": us["fold"],
         "share": f"{share['of_which_fold']:.0%}"},
        {"part": "analysis: segmentation (jieba algorithm)", "s": s["segment"], "us": us["segment"],
         "share": f"{share['of_which_segment']:.0%}"},
        {"part": "analysis: units, adjacency, words (rest of analyze)",
         "s": round(s["analyze"] - s["fold"] - s["segment"], 3), "us": us["analyze"] - us["fold"] - us["segment"],
         "share": f"{(s['analyze'] - s['fold'] - s['segment']) / work:.0%}"},
        {"part": "analysis: postings (terms and frequencies of both fields)", "s": s["postings"], "us": us["postings"],
         "share": f"{s['postings'] / work:.0%}"},
        {"part": "analysis total (analyze + postings)", "s": round(s["analyze"] + s["postings"], 3),
         "us": us["analysis"], "share": f"{share['analysis']:.0%}"},
        {"part": "index writing (Whoosh segments + jiaokan files)", "s": s["whoosh_writing"],
         "us": us["whoosh_writing"], "share": f"{share['whoosh_writing']:.0%}"},
        {"part": "whole build, workers=1 (for comparison)", "s": s["build_workers_1"], "us": us["build_workers_1"],
         "share": ""},
    ]
    print(markdown_table(split_rows, [("part", "part"), ("seconds", "s"), ("µs/paragraph", "us"), ("share", "share")]))

    summary = []
    for row in results:
        if row["paragraphs"] == largest:
            ideal = us["build_workers_1"] * largest / 1e6 / row["workers"]
            row["ideal_seconds_from_sample"] = round(ideal, 1)
            summary.append(
                f"- {largest:,} paragraphs, {row['workers']} worker(s): {row['build_seconds']} s wall, "
                f"{row['cpu_seconds']} s CPU (CPU / workers = {row['cpu_seconds'] / row['workers']:.1f} s; the "
                f"one-core sample rate / workers predicts {ideal:.1f} s); target {TARGET_SECONDS} s: "
                f"{'met' if row['build_seconds'] <= TARGET_SECONDS else 'NOT met'} in wall time"
            )
    bound = "analysis" if share["analysis"] >= share["whoosh_writing"] else "index writing"
    summary.append(
        f"- The build is CPU-bound and bounded by {bound}: analysis {share['analysis']:.0%} of one core's work "
        f"(segmentation {share['of_which_segment']:.0%}, folding {share['of_which_fold']:.0%}), index writing "
        f"{share['whoosh_writing']:.0%}."
    )
    summary.append(f"- Load average at the end: {os.getloadavg()[0]:.2f} (other processes on the machine slow every row).")
    print("\n" + "\n".join(summary))

    args.out.parent.mkdir(parents=True, exist_ok=True)
    for row in results:
        for key in ("characters_fmt", "paragraphs_fmt", "pps_fmt", "sizes_fmt"):
            row.pop(key)
    report = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_start": round(load, 2),
            "load_average_end": round(os.getloadavg()[0], 2),
        },
        "dictionary_load_seconds": round(dictionary_s, 2),
        "dictionary_keys": len(dictionary.freq),
        "builds": results,
        "split": split,
        "target_seconds_100k": TARGET_SECONDS,
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
