"""Load test of `jiaokan serve` on loopback, in one run: requests/s and p50/p99 latency at 1, 4 and 16 clients;
the same with 2 adversarial clients added (bench/adversarial.py's shapes); the same while `jiaokan index --force`
runs 3 times on the index being served; errors (must be 0); peak RSS of the server (all its processes); server CPU
seconds and the machine's load average beside each figure (the machine may be shared).

    .venv/bin/python bench/load_test.py                            # --workers 2 --threads 8, 10 s per phase
    .venv/bin/python bench/load_test.py --workers 1 --seconds 5    # one process, for comparison
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000  # a running server (no rebuild phase, no RSS)

The server this script starts serves a private index (bench/out/load-index), built first. Writes
bench/out/load.json; exits 1 if there was any error. The client is the standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
MAX_SECONDS = 600


def _q(**params) -> str:
    return urlencode(params, doseq=True, quote_via=quote)


# (kind, path): every one of them must answer 200.
REQUESTS: list[tuple[str, str]] = [
    # Chinese strings, as a reader types them, on the HTML page and through the API
    ("html search", "/?" + _q(q="北约")),
    ("api search", "/api/search?" + _q(q="合作")),
    ("html search", "/?" + _q(q="人工智能")),
    ("api search", "/api/search?" + _q(q="双方 发展")),
    ("html search", "/?" + _q(q="北約")),  # Traditional script folds to 北约
    ("api search", "/api/search?" + _q(q="2030 年")),
    ("html search", "/?" + _q(q="国际关系民主化")),
    # English words and phrases
    ("api search", "/api/search?" + _q(q="vaccines")),
    ("html search", "/?" + _q(q="democracy")),
    ("api search", "/api/search?" + _q(q='"international relations"')),
    ("html search", "/?" + _q(q='"新时代"')),
    # filters, OR / NOT, pages
    ("api search", "/api/search?" + _q(q="合作", version=["un", "xinhua"], lang="zh")),
    ("html search", "/?" + _q(q="cooperation", lang="en")),
    ("api search", "/api/search?" + _q(q="安全 OR 和平")),
    ("html search", "/?" + _q(q="联合国 -北约")),
    ("api search", "/api/search?" + _q(q="(发展 OR development) NOT 合作")),
    ("html search", "/?" + _q(q="合作", page=2)),
    ("api search", "/api/search?" + _q(q="双方", per_page=50, page=2)),
    ("html search", "/?" + _q(version="preview-2017")),
    ("api search", "/api/search?" + _q(q="section:三 安全")),
    # paragraph pages, the catalog, the overview
    ("paragraph", "/paragraph/un-040?" + _q(q="北约")),
    ("paragraph", "/api/paragraphs/xinhua-022?" + _q(q="vaccines")),
    ("paragraph", "/paragraph/chinanews-3-010"),
    ("other", "/api/versions"),
    ("other", "/"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _jiaokan() -> list[str]:
    script = Path(sys.executable).with_name("jiaokan")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from jiaokan.cli import main; main()"]


def start_server(index: Path, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    command = _jiaokan() + ["serve", "--port", str(port), "--threads", str(threads), "--workers", str(workers),
                            "--index", str(index)]
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "load-serve.log").open("w")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 180  # may build the index first
    while True:
        if proc.poll() is not None:
            sys.exit(f"jiaokan serve exited with {proc.returncode}; see {OUT / 'load-serve.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/versions", timeout=2):
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                sys.exit("jiaokan serve did not answer within 180 s")
            time.sleep(0.2)
    return proc, f"http://127.0.0.1:{port}"


# --- the server's processes: memory and CPU ----------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


class Watcher(threading.Thread):
    """Samples the server's processes every 0.1 s: the peak of their summed resident memory."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(0.1):
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in _tree(self.pid)))

    def cpu(self) -> float:
        return _cpu_seconds(_tree(self.pid))


# --- clients --------------------------------------------------------------------------------------------------------


def fetch(base: str, path: str) -> tuple[int | None, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


def client(base: str, paths: list[str], offset: int, stop: threading.Event, samples: list, errors: list,
           cut: list | None = None) -> None:
    """One client: its request list in turn (from its own place in it) until told to stop. With `cut`, a 503
    query_too_costly answer (an adversarial query stopped by the time budget) is counted there, not as an error."""
    i = offset
    while not stop.is_set():
        path = paths[i % len(paths)]
        i += 1
        started = time.perf_counter()
        status, body = fetch(base, path)
        samples.append(time.perf_counter() - started)
        if cut is not None and status == 503 and b"query_too_costly" in body:
            cut.append(path)
        elif status != 200 or not body:
            errors.append({"path": path[:200], "status": status, "body": body[:200].decode("utf-8", "replace")})


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def summarise(latencies: list[float], seconds: float) -> dict:
    values = sorted(latencies)
    return {
        "requests": len(values),
        "rps": round(len(values) / seconds, 1) if seconds else 0.0,
        "p50_ms": round(percentile(values, 50) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2) if values else 0.0,
    }


def adversarial_paths(index: Path | None) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from bench.adversarial import adversarial_queries
    from jiaokan.search.index import open_index

    ix = open_index(index)
    try:
        queries = adversarial_queries(list(ix.paragraphs))
    finally:
        ix.close()
    return ["/api/search?" + _q(q=q) for q in queries.values()]


def rebuilds(index: Path, times: int, done: list, errors: list) -> None:
    for _ in range(times):
        started = time.perf_counter()
        run = subprocess.run(_jiaokan() + ["index", "--force", "--index", str(index)], cwd=ROOT,
                             capture_output=True, text=True)
        if run.returncode != 0:
            errors.append({"rebuild": run.returncode, "stderr": run.stderr[-300:]})
        done.append(round(time.perf_counter() - started, 2))


def phase(base: str, clients: int, seconds: float, adversaries: list[str] | None, rebuild_index: Path | None,
          watcher: Watcher | None) -> dict:
    normal = [p for _, p in REQUESTS]
    samples: list[float] = []
    adv_samples: list[float] = []
    errors: list[dict] = []
    cut: list[str] = []
    built: list[float] = []
    stop = threading.Event()
    threads = [threading.Thread(target=client, args=(base, normal, n * len(normal) // clients, stop, samples, errors))
               for n in range(clients)]
    if adversaries:
        threads += [threading.Thread(target=client, args=(base, adversaries, n * 3, stop, adv_samples, errors, cut))
                    for n in range(2)]
    builder = None
    if rebuild_index is not None:
        builder = threading.Thread(target=rebuilds, args=(rebuild_index, 3, built, errors))
    cpu0, wall0, client_cpu0 = (watcher.cpu() if watcher else 0.0), time.monotonic(), time.process_time()
    for t in threads:
        t.start()
    if builder:
        builder.start()
    time.sleep(seconds)
    if builder:
        builder.join()  # the phase lasts until the three rebuilds are done
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - wall0
    row = {
        "clients": clients,
        "adversarial_clients": 2 if adversaries else 0,
        "rebuilds_s": built if rebuild_index is not None else None,
        "seconds": round(elapsed, 2),
        **summarise(samples, elapsed),
        "errors": len(errors),
        "error_samples": errors[:5],
        "server_cpu_s": round(watcher.cpu() - cpu0, 2) if watcher else None,
        "client_cpu_s": round(time.process_time() - client_cpu0, 2),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if adversaries:
        row["adversarial"] = {**summarise(adv_samples, elapsed), "cut_off_503": len(cut)}
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Base URL of a running server (default: start jiaokan serve on loopback).")
    parser.add_argument("--index", type=Path, default=OUT / "load-index" / "index",
                        help="Index for the server this script starts, built first (default bench/out/load-index).")
    parser.add_argument("--workers", type=int, default=2, help="Server processes, when this script starts it (2).")
    parser.add_argument("--threads", type=int, default=8, help="Server threads per process (8).")
    parser.add_argument("--clients", default="1,4,16", help="Client counts to measure (default 1,4,16).")
    parser.add_argument("--seconds", type=float, default=10.0, help=f"Per phase, at most {MAX_SECONDS} (default 10).")
    parser.add_argument("--out", type=Path, default=OUT / "load.json", help="Where to write the JSON report.")
    args = parser.parse_args()
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    counts = [max(1, min(int(c), 256)) for c in args.clients.split(",")]

    proc = watcher = None
    base = args.url.rstrip("/") if args.url else None
    if base is None:
        build = subprocess.run(_jiaokan() + ["index", "--index", str(args.index)], cwd=ROOT, capture_output=True, text=True)
        if build.returncode != 0:
            sys.exit(f"could not build {args.index}: {build.stderr.strip()}")
        proc, base = start_server(args.index, args.workers, args.threads)
        watcher = Watcher(proc.pid)
        watcher.start()
    rows = []
    try:
        warm_errors = [(p, s) for _, p in REQUESTS for s, _ in [fetch(base, p)] if s != 200]
        if warm_errors:
            print(json.dumps(warm_errors, ensure_ascii=False, indent=1), file=sys.stderr)
            return 1
        adversaries = adversarial_paths(None if args.url else args.index)
        for n in counts:
            rows.append({"phase": "plain", **phase(base, n, seconds, None, None, watcher)})
            rows.append({"phase": "+2 adversarial", **phase(base, n, seconds, adversaries, None, watcher)})
            if proc is not None:
                rows.append({"phase": "rebuilding x3", **phase(base, n, seconds, None, args.index, watcher)})
    finally:
        if proc is not None:
            watcher.stopped.set()
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()

    plain = {r["clients"]: r for r in rows if r["phase"] == "plain"}
    adv = {r["clients"]: r for r in rows if r["phase"] == "+2 adversarial"}
    errors = sum(r["errors"] for r in rows)
    report = {
        "url": base,
        "started_server": proc is not None,
        "server": {"workers": args.workers, "threads": args.threads} if proc is not None else None,
        "seconds_per_phase": seconds,
        "phases": rows,
        "scaling_4_vs_1_rps": round(plain[4]["rps"] / plain[1]["rps"], 2) if 4 in plain and 1 in plain else None,
        "p99_with_adversaries_vs_alone": {n: round(adv[n]["p99_ms"] / plain[n]["p99_ms"], 2) for n in adv if n in plain},
        "errors": errors,
        "peak_rss_mb": round(watcher.peak_kb / 1024, 1) if watcher else None,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    server = f"{args.workers} workers x {args.threads} threads" if proc is not None else base
    print(f"jiaokan serve ({server}), {seconds:.0f} s per phase, {len(REQUESTS)} distinct normal requests")
    print(f"{'phase':16}{'clients':>8}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'adv req/s':>10}{'adv p99':>9}"
          f"{'cut':>5}{'errors':>7}{'srv CPU s':>10}{'load':>6}  rebuilds s")
    for r in rows:
        a = r.get("adversarial") or {}
        print(f"{r['phase']:16}{r['clients']:>8}{r['rps']:>8}{r['p50_ms']:>8}{r['p99_ms']:>8}"
              f"{a.get('rps', ''):>10}{a.get('p99_ms', ''):>9}{a.get('cut_off_503', ''):>5}{r['errors']:>7}"
              f"{r['server_cpu_s'] if r['server_cpu_s'] is not None else '':>10}{r['load_average_1m']:>6}"
              f"  {r['rebuilds_s'] or ''}")
    print(f"4 clients vs 1: {report['scaling_4_vs_1_rps']}x requests/s; normal p99 with 2 adversarial clients vs "
          f"alone: {report['p99_with_adversaries_vs_alone']}")
    print(f"errors: {errors}; peak server RSS: {report['peak_rss_mb']} MB (all processes)")
    print(f"wrote {args.out}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
