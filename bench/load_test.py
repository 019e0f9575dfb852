"""Load test: mixed queries from concurrent clients against `jiaokan serve` on loopback, for a bounded time.

    .venv/bin/python bench/load_test.py                 # starts jiaokan serve on a free port, 8 clients, 30 s
    .venv/bin/python bench/load_test.py --clients 16 --seconds 10
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:8000   # a server that is already running

Reports requests per second, p50/p99 latency and the error count (any status but 200, or no answer), prints a table
and writes bench/out/load.json. Exits 1 if there was any error. The client is the standard library only.
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


def start_server(index: str | None, threads: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    script = Path(sys.executable).with_name("jiaokan")
    command = [str(script)] if script.exists() else [sys.executable, "-c", "from jiaokan.cli import main; main()"]
    command += ["serve", "--port", str(port), "--threads", str(threads)]
    if index:
        command += ["--index", index]
    OUT.mkdir(parents=True, exist_ok=True)
    log = (OUT / "load-serve.log").open("w")
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 120  # may build the index first
    while True:
        if proc.poll() is not None:
            sys.exit(f"jiaokan serve exited with {proc.returncode}; see {OUT / 'load-serve.log'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                proc.terminate()
                sys.exit("jiaokan serve did not start listening within 120 s")
            time.sleep(0.1)
    return proc, f"http://127.0.0.1:{port}"


def client(base: str, offset: int, deadline: float, samples: list, errors: list) -> None:
    """One client: the request list in turn (each client from its own place in it) until the deadline."""
    i = offset
    while time.monotonic() < deadline:
        kind, path = REQUESTS[i % len(REQUESTS)]
        i += 1
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(base + path, timeout=30) as r:
                body = r.read()
                status = r.status
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        except (OSError, urllib.error.URLError) as e:
            status, body = None, str(e).encode()
        elapsed = time.perf_counter() - started
        samples.append((kind, elapsed))
        if status != 200 or not body:
            errors.append({"path": path, "status": status, "body": body[:200].decode("utf-8", "replace")})


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
        "p90_ms": round(percentile(values, 90) * 1000, 2),
        "p99_ms": round(percentile(values, 99) * 1000, 2),
        "max_ms": round(values[-1] * 1000, 2) if values else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="Base URL of a running server (default: start jiaokan serve on loopback).")
    parser.add_argument("--index", help="Index for the server this script starts (default: jiaokan's default).")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent client threads (default 8).")
    parser.add_argument("--threads", type=int, default=8, help="Server threads, when this script starts it (8).")
    parser.add_argument("--seconds", type=float, default=30.0, help=f"Duration, at most {MAX_SECONDS} (default 30).")
    parser.add_argument("--out", type=Path, default=OUT / "load.json", help="Where to write the JSON report.")
    args = parser.parse_args()
    seconds = max(1.0, min(args.seconds, MAX_SECONDS))
    clients = max(1, min(args.clients, 256))

    proc = None
    base = args.url.rstrip("/") if args.url else None
    if base is None:
        proc, base = start_server(args.index, args.threads)
    try:
        # One pass over every request first: a wrong request list fails fast, and the server is warm.
        warm_errors: list = []
        for _, path in REQUESTS:
            client_once(base, path, warm_errors)
        if warm_errors:
            print(json.dumps(warm_errors, ensure_ascii=False, indent=1), file=sys.stderr)
            return 1

        samples: list[tuple[str, float]] = []
        errors: list[dict] = []
        started = time.monotonic()
        deadline = started + seconds
        workers = [
            threading.Thread(target=client, args=(base, n * len(REQUESTS) // clients, deadline, samples, errors))
            for n in range(clients)
        ]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        elapsed = time.monotonic() - started
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    overall = summarise([s for _, s in samples], elapsed)
    by_kind = {}
    for kind in dict.fromkeys(k for k, _ in REQUESTS):
        by_kind[kind] = summarise([s for k, s in samples if k == kind], elapsed)
    report = {
        "url": base,
        "started_server": proc is not None,
        "clients": clients,
        "server_threads": args.threads if proc is not None else None,
        "seconds": round(elapsed, 2),
        "distinct_requests": len(REQUESTS),
        **overall,
        "errors": len(errors),
        "error_samples": errors[:10],
        "by_kind": by_kind,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

    print(f"{clients} clients, {elapsed:.1f} s against {base} ({len(REQUESTS)} distinct requests)")
    print(f"{'':14}{'requests':>10}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, row in [("all", overall), *by_kind.items()]:
        print(
            f"{name:14}{row['requests']:>10}{row['rps']:>9}{row['p50_ms']:>9}{row['p90_ms']:>9}{row['p99_ms']:>9}"
            f"{row['max_ms']:>9}"
        )
    print(f"errors: {len(errors)}")
    print(f"wrote {args.out}")
    return 1 if errors else 0


def client_once(base: str, path: str, errors: list) -> None:
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            if r.status != 200 or not r.read():
                errors.append({"path": path, "status": r.status})
    except urllib.error.HTTPError as e:
        errors.append({"path": path, "status": e.code, "body": e.read()[:200].decode("utf-8", "replace")})
    except OSError as e:
        errors.append({"path": path, "status": None, "body": str(e)})


if __name__ == "__main__":
    sys.exit(main())
