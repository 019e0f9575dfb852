"""An installed, non-editable copy: the wheel of this tree installed into a fresh virtual environment, run from
outside the checkout, serves the bundled corpus (package data) and keeps its index in the user's data folder.

The wheel is built without build isolation and its dependencies are taken from the test environment (a .pth
line), so the test needs no network; the jiaokan package itself comes only from the wheel."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import tomllib
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600, **kwargs)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def test_an_installed_copy_serves_the_bundled_corpus_from_outside_the_checkout(tmp_path):
    # Built from a clean copy of the tree: an in-tree build/ folder could carry files this tree no longer has.
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(".venv", ".git", "instance", "build", "out", "*.egg-info", "__pycache__", ".pytest_cache"))
    wheels = tmp_path / "wheels"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", wheels, tree)
    wheel = next(wheels.glob("jiaokan-*.whl"))
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q", "--no-deps", wheel)
    site = Path(run(venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIAOKAN_", "XDG_"))} | {"HOME": str(tmp_path / "home")}
    where = run(venv / "bin" / "python", "-c", "import jiaokan.indexer.readers as r; print(r.__file__)", cwd=outside, env=env)
    assert where.stdout.startswith(str(site)), where.stdout  # the installed copy, not the checkout

    server = subprocess.Popen(
        [str(venv / "bin" / "jiaokan"), "serve", "--port", "0"], cwd=outside, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            if m := re.search(r"serving (\S+) on (http://\S+/)", line):
                break
        assert m, "".join(lines)
        index, url = Path(m[1]), m[2]
        assert index == tmp_path / "home" / ".local" / "share" / "jiaokan" / "index"
        with urllib.request.urlopen(url + "api/search?q=%E5%8C%97%E7%BA%A6", timeout=30) as response:
            data = json.load(response)
        bundled = [v["id"] for v in tomllib.loads((ROOT / "corpus" / "catalog.toml").read_text(encoding="utf-8"))["version"]]
        assert data["total"] > 0 and {h["version"] for h in data["hits"]} <= set(bundled)
        with urllib.request.urlopen(url + "api/versions", timeout=30) as response:
            assert [v["id"] for v in json.load(response)["versions"]] == bundled
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not (outside / "instance").exists()  # nothing written where it was run
