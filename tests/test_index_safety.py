"""A damaged, contested or unwritable index is detected, explained in one line and never served (issue 11).

Real builds, the real app (Flask test client), the installed `jiaokan` command as a subprocess, a real small tmpfs
for a full or read-only file system (skipped where mounting is not allowed)."""
from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiaokan.indexer.build import build_index
from jiaokan.indexer.build_lock import lock_path
from jiaokan.search.index import META_FILE
from jiaokan.search.store import STORE_FILE

ROOT = Path(__file__).resolve().parents[1]
JIAOKAN = Path(sys.executable).parent / "jiaokan"
DAMAGED = re.compile(
    r"^jiaokan: the index at (?P<path>\S+) is damaged \((?P<why>.+)\); rebuild it with: jiaokan index --force$"
)


def jiaokan(*args, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    return subprocess.run(
        [str(JIAOKAN), *map(str, args)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, **kwargs
    )


def _one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    # The build's progress line ("indexing 227/227 paragraphs") may come first; the error is one line after it.
    lines = [line for line in run.stderr.strip().splitlines() if not re.match(r"^indexing \d+/\d+ paragraphs", line)]
    assert len(lines) == 1, run.stderr
    return lines[0]


def _search_ids(client, q: str = "北约") -> list[str]:
    r = client.get("/api/search", query_string={"q": q, "collapse": "0"})
    assert r.status_code == 200, r.get_json()
    return [h["id"] for h in r.get_json()["hits"]]


def _cut(path: Path) -> None:
    """Cut a file to half its length, as a full disk or an interrupted copy leaves it."""
    with path.open("r+b") as f:
        f.truncate(path.stat().st_size // 2)


def _scramble(path: Path) -> None:
    """Change bytes of a file without changing its size: its first and some in the middle."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[0:1] = b"{"
    data[middle : middle + 16] = b"{" * 16
    path.write_bytes(bytes(data))


DAMAGES = {
    "paragraph store cut short": (STORE_FILE, _cut),
    "Whoosh terms cut short": ("*.trm", _cut),
    "passages scrambled, same size": ("passages.json", _scramble),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_damaged_live_build_is_refused_explained_and_repaired(tmp_path, corpus_dir, damage, caplog):
    from jiaokan.web import create_app

    link = tmp_path / "idx" / "index"
    build_index(link, corpus_dir, progress=None)
    app = create_app({"TESTING": True, "INDEX_DIR": str(link)})
    client = app.test_client()
    before = _search_ids(client)
    assert before, "the sample query finds nothing on the real corpus"
    serving = app.extensions["jiaokan_index"]._current.index.build_dir

    build_index(link, corpus_dir, force=True, progress=None)
    pattern, damage_file = DAMAGES[damage]
    victim = next(link.resolve().glob(pattern))
    damage_file(victim)

    # The command line names the index, what is wrong, and how to repair it.
    run = jiaokan("search", "北约", "--index", link)
    match = DAMAGED.match(_one_line_error(run))
    assert match, run.stderr
    assert match["path"] == str(link) and victim.name in match["why"], run.stderr

    # The server keeps answering from the build it has, and says why it did not move to the new one.
    with caplog.at_level(logging.ERROR, logger="jiaokan.web.holder"):
        assert _search_ids(client) == before
        assert _search_ids(client, "合作")  # and goes on answering, without retrying the damaged build
    assert app.extensions["jiaokan_index"]._current.index.build_dir == serving
    refusals = [r for r in caplog.records if "was not opened" in r.getMessage()]
    assert len(refusals) == 1 and victim.name in refusals[0].getMessage(), [r.getMessage() for r in caplog.records]

    # `jiaokan index` does not call it up to date: it rebuilds, and the server moves to the repaired build.
    repaired = jiaokan("index", "--index", link, "--corpus", corpus_dir)
    assert repaired.returncode == 0 and repaired.stdout.startswith(f"built {link}"), (repaired.stdout, repaired.stderr)
    assert jiaokan("search", "北约", "--index", link).returncode == 0
    assert _search_ids(client) == before
    assert app.extensions["jiaokan_index"]._current.index.build_dir == link.resolve() != serving
    assert jiaokan("index", "--index", link, "--corpus", corpus_dir).stdout.startswith(f"{link} is up to date")


def test_server_starting_on_a_damaged_index_says_so(tmp_path, corpus_dir):
    from jiaokan.search.errors import IndexDamaged
    from jiaokan.web import create_app

    link = tmp_path / "idx" / "index"
    build_index(link, corpus_dir, progress=None)
    _cut(link.resolve() / STORE_FILE)
    client = create_app({"TESTING": True, "INDEX_DIR": str(link)}).test_client()
    for _ in range(2):
        r = client.get("/api/search", query_string={"q": "北约"})
        assert r.status_code == 503
        assert r.get_json()["error"]["code"] == IndexDamaged.code
        assert "jiaokan index --force" in r.get_json()["error"]["message"]


def test_new_build_is_on_disk_with_a_manifest_of_its_files(tmp_path, corpus_dir):
    import json

    link = tmp_path / "idx" / "index"
    build_index(link, corpus_dir, progress=None)
    meta = json.loads((link / META_FILE).read_text(encoding="utf-8"))
    names = {p.name for p in link.resolve().iterdir() if p.name not in (META_FILE, "MAIN_WRITELOCK")}
    assert set(meta["files"]) == names
    for name, entry in meta["files"].items():
        assert (link / name).stat().st_size == entry["size"]


# --- two builds at once -------------------------------------------------------------------------------------------


def _big_corpus(corpus_dir: Path, dest: Path, copies: int) -> Path:
    """The real corpus with each version listed `copies` more times under new ids: a build of several seconds."""
    from test_index import _duplicated_corpus

    return _duplicated_corpus(corpus_dir, dest, copies)


def _start_build(link: Path, corpus: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    command = [str(JIAOKAN), "index", "--force", "--index", str(link), "--corpus", str(corpus)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True)
    deadline = time.monotonic() + 60
    lock = lock_path(link)
    while not (lock.exists() and lock.read_text().strip() == str(proc.pid)):
        assert proc.poll() is None, f"the build ended before taking the lock: {log.read_text()}"
        assert time.monotonic() < deadline, "the build never took the lock"
        time.sleep(0.02)
    return proc


def test_second_build_exits_2_while_one_runs_and_a_killed_one_leaves_no_lock(tmp_path, corpus_dir):
    link = tmp_path / "idx" / "index"
    build_index(link, corpus_dir, progress=None)
    target = os.readlink(link)
    big = _big_corpus(corpus_dir, tmp_path / "big", copies=15)

    first = _start_build(link, big, tmp_path / "first.log")
    try:
        second = jiaokan("index", "--force", "--index", link, "--corpus", corpus_dir)
        assert first.poll() is None, "the first build finished before the second started: make the corpus larger"
        line = _one_line_error(second)
        assert line == (
            f"jiaokan: another build of {link} is running (pid {first.pid}); wait for it to finish, "
            "then run jiaokan index again"
        )
        assert os.readlink(link) == target, "the refused build moved the link"
        assert first.wait(timeout=300) == 0, (tmp_path / "first.log").read_text()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
    assert os.readlink(link) != target

    # A build killed while it holds the lock does not leave it held.
    killed = _start_build(link, big, tmp_path / "killed.log")
    os.killpg(killed.pid, signal.SIGKILL)
    killed.wait()
    after = jiaokan("index", "--index", link, "--corpus", corpus_dir)
    assert after.returncode == 0 and after.stdout.startswith(f"built {link}"), (after.stdout, after.stderr)


# --- full and read-only file systems ------------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path):
    """A real tmpfs of a few megabytes at tmp_path/fs: (mount point, remount(options))."""
    point = tmp_path / "fs"
    point.mkdir()
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    size = _build_size_hint()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")

    def remount(options: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)

    try:
        yield point, remount
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


_SIZE: list[int] = []


def _build_size_hint() -> int:
    """Bytes of one build of the bundled corpus (measured once), so that the tmpfs holds one build but not two."""
    if not _SIZE:
        import tempfile

        with tempfile.TemporaryDirectory() as d:
            link = Path(d) / "index"
            build_index(link, ROOT / "corpus", progress=None)
            _SIZE.append(sum(p.stat().st_size for p in link.resolve().iterdir()))
    # One and a half builds: the first fits (tmpfs counts whole pages), a second beside it does not.
    return _SIZE[0] * 3 // 2 + 256 * 1024


def test_full_disk_is_one_line_and_the_old_index_keeps_serving(small_fs, corpus_dir):
    point, _ = small_fs
    link = point / "index"
    built = jiaokan("index", "--index", link, "--corpus", corpus_dir)
    assert built.returncode == 0, built.stderr
    target, entries = os.readlink(link), sorted(p.name for p in point.iterdir())

    full = jiaokan("index", "--force", "--index", link, "--corpus", corpus_dir)
    line = _one_line_error(full)
    assert line.startswith(f"jiaokan: cannot write the index at {link}: {point}") and "No space left on device" in line
    assert os.readlink(link) == target and sorted(p.name for p in point.iterdir()) == entries, "a partial build was left"
    assert jiaokan("search", "北约", "--index", link).returncode == 0, "the previous index stopped answering"

    # `serve` that must build first (here: a new index on the full disk) says the same and does not start.
    (point / "filler").write_bytes(b"\0" * (os.statvfs(point).f_bavail * os.statvfs(point).f_frsize))
    serve = jiaokan("serve", "--port", "0", "--index", point / "other", "--corpus", corpus_dir)
    assert "No space left on device" in _one_line_error(serve) and str(point) in serve.stderr


def test_read_only_file_system_is_one_line_and_the_old_index_keeps_serving(small_fs, corpus_dir):
    point, remount = small_fs
    link = point / "index"
    assert jiaokan("index", "--index", link, "--corpus", corpus_dir).returncode == 0
    target = os.readlink(link)
    remount("ro")
    refused = jiaokan("index", "--force", "--index", link, "--corpus", corpus_dir)
    line = _one_line_error(refused)
    assert line.startswith(f"jiaokan: cannot write the index at {link}: {point}") and "Read-only file system" in line
    assert os.readlink(link) == target
    assert jiaokan("search", "北约", "--index", link).returncode == 0
    remount("rw")


@pytest.mark.skipif(os.geteuid() == 0, reason="root is not denied permission")
def test_permission_denied_is_one_line(tmp_path, corpus_dir):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        line = _one_line_error(jiaokan("index", "--index", locked / "index", "--corpus", corpus_dir))
        assert str(locked) in line and "Permission denied" in line
    finally:
        locked.chmod(0o700)


def test_invalid_utf8_argument_is_one_line(built_index):
    run = subprocess.run([os.fsencode(JIAOKAN), b"search", b"\xff\xfeabc", b"--index", os.fsencode(built_index)],
                         capture_output=True, cwd=ROOT, timeout=120)
    assert run.returncode == 2 and b"Traceback" not in run.stderr, run.stderr
    assert run.stderr.decode().strip() == "jiaokan: argument '\\xff\\xfeabc' is not valid UTF-8; jiaokan reads text as UTF-8"
