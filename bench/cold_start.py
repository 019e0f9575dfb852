"""Cold one-shot lookup (issue 12): `jiaokan search 北约` on the bundled corpus as fresh processes, beside the naive
recipe's lookup and the floors every Python lookup pays, in one run.

    .venv/bin/python bench/cold_start.py                 # 20 runs of each command, interleaved
    .venv/bin/python bench/cold_start.py --runs 50 --profile

Each run is a new process; wall time is measured around it and CPU time (user + system) from the kernel's account
of the finished child (os.wait4), so a busy machine shows in wall time more than in CPU time. The commands take
turns run by run, so load from elsewhere spreads over all of them. The indexes are built first (untimed), and one
untimed run of each writes its .pyc files and fills the page cache.

The commands:
  - `python -c pass`: the interpreter with this venv's site-packages (the editable install's path finder included);
  - `python -c "import numpy"`: the floor of anything that evaluates with numpy, as the engine does (with one
    OpenBLAS thread, as jiaokan/cli.py sets it);
  - `python -c "import numpy, click"`: and the command-line library;
  - `jiaokan search 北约 --index …` through the installed console script, and the same through `python -c` calling
    jiaokan.cli.main (the difference is the console script's own overhead);
  - `python bench/naive_recipe.py lookup 北约`: Whoosh + jieba's ChineseAnalyzer, opened, parsed, searched, printed.

With --baseline DIR (a folder holding the `jiaokan` package of another revision, e.g. its files with links to
that checkout's search/, indexer/, web/, corpus/), that revision's `jiaokan search` too, as `python -c` with DIR
first on PYTHONPATH, on an index it builds itself (bench/out/cold-baseline-index): before and after in one run.

With --installed SCRIPT, the console script of a non-editable install too (what a user runs).
With --profile, one more jiaokan run under cProfile and `-X importtime`: the functions and imports that cost most.
Results go to bench/out/cold_start.json and the Markdown table to stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.query_bench import COLD_QUERY, ensure_corpus_indexes  # noqa: E402

OUT = ROOT / "bench" / "out"
TARGET_S = 0.15  # issue 12: a tenth of the naive recipe's 1.35 s
# What jiaokan/cli.py does before numpy is imported; the floors do it too, so that they are what jiaokan pays.
ONE_BLAS_THREAD = "import os; os.environ.setdefault('OPENBLAS_NUM_THREADS', '1'); "


def commands(jiaokan_index: Path, naive_index: Path) -> dict[str, list[str]]:
    py = sys.executable
    script = str(Path(py).parent / "jiaokan")
    search_args = ["search", COLD_QUERY, "--index", str(jiaokan_index)]
    return {
        "python -c pass": [py, "-c", "pass"],
        "python -c 'import numpy'": [py, "-c", ONE_BLAS_THREAD + "import numpy"],
        "python -c 'import numpy, click'": [py, "-c", ONE_BLAS_THREAD + "import numpy, click"],
        f"jiaokan search {COLD_QUERY} (console script)": [script, *search_args],
        f"python -c 'jiaokan.cli.main()' search {COLD_QUERY}": [
            py, "-c", "import sys; from jiaokan.cli import main; sys.argv[0] = 'jiaokan'; main()", *search_args
        ],
        f"naive recipe lookup {COLD_QUERY}": [py, str(ROOT / "bench" / "naive_recipe.py"), "lookup", COLD_QUERY,
                                              "--index", str(naive_index)],
    }


def baseline_command(folder: Path, env: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """The `python -c` lookup of the revision in `folder`, and its environment; builds its index first."""
    env = dict(env, PYTHONPATH=str(folder))
    index = OUT / "cold-baseline-index"
    code = "import sys; from jiaokan.cli import main; sys.argv[0] = 'jiaokan'; main()"
    # -P: not the current folder first on sys.path, where a checkout's own jiaokan/ would shadow DIR's.
    subprocess.run([sys.executable, "-P", "-c", code, "index", "--index", str(index)], env=env, check=True,
                   capture_output=True)
    return [sys.executable, "-P", "-c", code, "search", COLD_QUERY, "--index", str(index)], env


def child_env() -> dict[str, str]:
    # .pyc files as a user has them (an installed copy compiles them at install time): this sandbox's shells set
    # PYTHONDONTWRITEBYTECODE, which would make every run compile jiaokan's modules from source.
    return {k: v for k, v in os.environ.items() if k not in ("JIAOKAN_INDEX", "PYTHONDONTWRITEBYTECODE")}


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child: user + system)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err}")
    return wall, usage.ru_utime + usage.ru_stime


def summary(values: list[float]) -> dict:
    return {"p50": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4)}


def profile(cmd: list[str], env: dict[str, str]) -> dict:
    """One jiaokan run under cProfile (top functions by cumulative time) and one under -X importtime (the imports
    by cumulative time), each in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "cold.prof"
        code = (
            "import cProfile, sys; sys.argv = ['jiaokan'] + sys.argv[1:]\n"
            "from jiaokan.cli import main\n"
            f"prof = cProfile.Profile(); prof.enable()\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"prof.disable(); prof.dump_stats({str(stats)!r})\n"
        )
        subprocess.run([sys.executable, "-c", code, *cmd[1:]], env=env, capture_output=True, check=True)
        import io
        import pstats

        buf = io.StringIO()
        pstats.Stats(str(stats), stream=buf).sort_stats("cumulative").print_stats(30)
    done = subprocess.run([sys.executable, "-X", "importtime", *cmd_as_python(cmd)], env=env, capture_output=True)
    imports = []
    for line in done.stderr.decode(errors="replace").splitlines():
        if line.startswith("import time:") and "|" in line:
            own, cum, name = (part.strip() for part in line[len("import time:"):].split("|"))
            if own.isdigit():
                imports.append({"module": name, "own_ms": int(own) / 1000, "cumulative_ms": int(cum) / 1000,
                                "top_level": not line.split("|")[2].startswith("  ")})
    top = sorted((i for i in imports if i["top_level"]), key=lambda i: -i["cumulative_ms"])[:15]
    return {"pstats": buf.getvalue(), "top_level_imports": top,
            "modules_loaded": len(imports), "imported_whoosh": any(i["module"] == "whoosh.index" for i in imports),
            "imported_jieba": any(i["module"] == "jieba" for i in imports),
            "imported_flask": any(i["module"] == "flask" for i in imports)}


def cmd_as_python(cmd: list[str]) -> list[str]:
    return ["-c", "import sys; from jiaokan.cli import main; sys.argv[0] = 'jiaokan'; main()", *cmd[1:]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="also profile one jiaokan run (cProfile, importtime)")
    parser.add_argument("--installed", type=Path, default=None,
                        help="the jiaokan console script of a non-editable install (pip install . into another venv), "
                             "timed on the same index: a user's install, without the editable finder this venv's "
                             "development install imports first")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="a folder with another revision's jiaokan package, timed beside this one")
    args = parser.parse_args()

    jiaokan_index, naive_index = ensure_corpus_indexes()
    cmds = commands(jiaokan_index, naive_index)
    env = child_env()
    envs = {name: env for name in cmds}
    if args.installed:
        name = f"jiaokan search {COLD_QUERY} (non-editable install {args.installed})"
        cmds[name], envs[name] = [str(args.installed), "search", COLD_QUERY, "--index", str(jiaokan_index)], env
    if args.baseline:
        name = f"baseline python -c search {COLD_QUERY} ({args.baseline})"
        cmds[name], envs[name] = baseline_command(args.baseline.resolve(), env)
    for name, cmd in cmds.items():  # untimed: .pyc files, page cache
        run_once(cmd, envs[name])
    wall: dict[str, list[float]] = {name: [] for name in cmds}
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    load_before = os.getloadavg()
    for _ in range(args.runs):
        for name, cmd in cmds.items():
            w, c = run_once(cmd, envs[name])
            wall[name].append(w)
            cpu[name].append(c)
    load_after = os.getloadavg()

    jiaokan_name = next(n for n in cmds if n.endswith("(console script)"))
    naive_name = next(n for n in cmds if n.startswith("naive"))
    report = {
        "query": COLD_QUERY,
        "runs": args.runs,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in load_after]},
        "commands": {name: {"argv": cmd, "wall_s": summary(wall[name]), "cpu_s": summary(cpu[name])}
                     for name, cmd in cmds.items()},
        "target_s": TARGET_S,
    }
    j_wall, j_cpu = statistics.median(wall[jiaokan_name]), statistics.median(cpu[jiaokan_name])
    report["jiaokan_over_naive_wall"] = round(j_wall / statistics.median(wall[naive_name]), 3)
    report["jiaokan_over_naive_cpu"] = round(j_cpu / statistics.median(cpu[naive_name]), 3)
    if args.profile:
        report["profile"] = profile(cmds[jiaokan_name], env)

    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cold_start.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")

    print(f"## Cold one-shot lookup: `{COLD_QUERY}` on the bundled corpus, {args.runs} fresh processes each\n")
    print(f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after "
          "(wall time includes waiting for a CPU; CPU time is user + system of the process).\n")
    print("| command | wall p50 s | wall min s | CPU p50 s | CPU min s |")
    print("|---|---:|---:|---:|---:|")
    for name in cmds:
        w, c = report["commands"][name]["wall_s"], report["commands"][name]["cpu_s"]
        print(f"| {name} | {w['p50']} | {w['min']} | {c['p50']} | {c['min']} |")
    print(f"\njiaokan / naive: wall {report['jiaokan_over_naive_wall']}, CPU {report['jiaokan_over_naive_cpu']} "
          f"(target: at most {TARGET_S} s, a tenth of the naive recipe's 1.35 s on a quiet machine; here wall p50 "
          f"{j_wall:.3f} s, CPU p50 {j_cpu:.3f} s)")
    if args.profile:
        p = report["profile"]
        print(f"\n### One jiaokan run: {p['modules_loaded']} modules imported (Whoosh's index {p['imported_whoosh']}, "
              f"jieba {p['imported_jieba']}, Flask {p['imported_flask']}); top-level imports by cumulative ms\n")
        for i in p["top_level_imports"]:
            print(f"- {i['module']}: {i['cumulative_ms']:.1f} ms")
        print("\n```\n" + p["pstats"] + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
