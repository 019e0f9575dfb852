"""One build of an index at a time: an exclusive POSIX record lock (lockf) on a lock file beside the index link.

The kernel releases the lock when its process ends, however it ends, so a killed build never leaves it held. A
record lock rather than a flock: a flock belongs to the open file, which the build's forked workers share, so one
worker outliving a killed build would keep the lock; a record lock belongs to the one process that took it.
The file stays (removing a lock file while others wait on it would let two builds run); it holds the pid of the
build holding it, for the message the second build prints. Re-entrant within a process: build_index holds it around
the up-to-date check and write_paragraphs_index (also called alone, by benchmarks and tests) takes it again.
"""
from __future__ import annotations

import errno
import fcntl
import os
import threading
from contextlib import contextmanager
from pathlib import Path

from jiaokan.indexer.errors import CorpusError, IndexWriteError


class BuildRunning(CorpusError):
    """Another process is building this index now."""


_held: dict[Path, int] = {}  # lock file -> depth, for this process
_guard = threading.Lock()


def lock_path(index_path: Path) -> Path:
    index_path = Path(index_path).absolute()
    return index_path.parent / f".{index_path.name}.build-lock"


@contextmanager
def build_lock(index_path: Path, *, wait: bool = False):
    """Hold the build lock of `index_path`; raises BuildRunning if another process holds it (unless `wait`)."""
    path = lock_path(index_path)
    with _guard:
        if path in _held:
            _held[path] += 1
            fd = None
        else:
            fd = _acquire(path, Path(index_path), wait)
            _held[path] = 1
    try:
        yield
    finally:
        with _guard:
            _held[path] -= 1
            if _held[path] == 0:
                del _held[path]
                if fd is not None:
                    os.close(fd)  # releases the lock


def _acquire(path: Path, index_path: Path, wait: bool) -> int:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise IndexWriteError.of(e, index_path) from None
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as e:
            if e.errno not in (errno.EACCES, errno.EAGAIN):
                raise
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise BuildRunning(
                f"another build of {index_path} is running (pid {holder}); wait for it to finish, then run jiaokan index again"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except OSError as e:
        os.close(fd)
        raise IndexWriteError.of(e, index_path) from None
    except BaseException:
        os.close(fd)
        raise
    return fd
