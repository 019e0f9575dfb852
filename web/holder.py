"""The index a running server reads: opened once, shared by every request and thread, reopened after a rebuild.

`jiaokan index` writes a new build folder, checks it and swaps the index link to it atomically (indexer/build.py).
Each request asks the holder for the index; the holder checks the link with one readlink (`CorpusIndex.is_current()`)
and, when it moved, one thread opens and probes the new build (search/integrity.py) while the others keep answering
from the old one. The old build is closed when its last request is done, so no request fails during a swap. A new
build that fails to open or to answer the probe is logged and not served: the old one keeps serving until the link
moves again.

Searches run in parallel: no lock is held across a search. The one thing Whoosh cannot share between threads, its
segment readers (seek() then read() on one file object), is per thread in search/engine.py; everything else a
search reads is loaded before the build serves anyone and not changed after.
"""
from __future__ import annotations

import gc
import logging
import threading
from contextlib import contextmanager
from pathlib import Path

from jiaokan.search.errors import IndexDamaged, IndexNotBuilt, SearchError
from jiaokan.search.index import CorpusIndex, open_index
from jiaokan.search.integrity import content_problem, probe
from jiaokan.web.heap import reserve_heap

log = logging.getLogger(__name__)


class Build:
    """One opened build of the index, with a count of the requests using it."""

    def __init__(self, index: CorpusIndex):
        self.index = index
        self.users = 0
        self.retired = False

    @contextmanager
    def using(self):
        """The one way views reach `self.index` (no lock: any number of requests read it at once)."""
        yield self.index


class IndexHolder:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._current: Build | None = None
        self._state = threading.Lock()  # guards _current and every Build's users/retired
        self._opening = threading.Lock()  # one thread opens a new build at a time
        # The build folder that failed to open, and why: not retried (nor logged again) until the link moves.
        self._refused: tuple[Path, SearchError] | None = None

    def acquire(self) -> Build:
        """The current build, counted as in use until `release`. Raises IndexNotBuilt (503) if there is none."""
        build = self._current
        if build is None or not build.index.is_current():
            # With an old build to fall back on, don't wait for another thread's reopen: answer from the old one.
            self._refresh(wait=build is None)
        with self._state:
            build = self._current
            if build is None:
                raise IndexNotBuilt(f"no index at {self.path}; build it with: jiaokan index")
            build.users += 1
            return build

    def warm(self) -> None:
        """Open the index now rather than on the first request."""
        self.release(self.acquire())

    def release(self, build: Build) -> None:
        with self._state:
            build.users -= 1
            close = build.retired and build.users == 0
        if close:
            _close(build)

    def close(self) -> None:
        with self._state:
            build, self._current = self._current, None
            if build is not None:
                build.retired = True
            close = build is not None and build.users == 0
        if close:
            _close(build)

    def _refresh(self, wait: bool) -> None:
        if not self._opening.acquire(blocking=wait):
            return
        try:
            current = self._current
            if current is not None and current.index.is_current():
                return  # another thread reopened it while we waited
            target = _target(self.path)
            if self._refused is not None and self._refused[0] == target:
                if current is None:
                    raise self._refused[1]
                return
            try:
                new = Build(_open_warm(self.path))
            except (SearchError, OSError) as e:
                error = e if isinstance(e, SearchError) else IndexNotBuilt(
                    f"the index at {self.path} cannot be opened ({e.strerror or e}); rebuild it with: jiaokan index"
                )
                if target is not None and not isinstance(error, IndexNotBuilt):
                    self._refused = (target, error)
                if current is None:
                    log.error("cannot serve %s: %s", self.path, error)
                    raise error from None
                # A damaged new build, or a broken or half-removed link: keep answering from the build we have.
                log.error("still serving %s: the new build %s was not opened: %s", current.index.build_dir, target, error)
                return
            self._refused = None
            with self._state:
                old, self._current = self._current, new
                close = False
                if old is not None:
                    old.retired = True
                    close = old.users == 0
            if close:
                _close(old)
            _settle()
            log.info("opened index build %s", new.index.build_dir)
        finally:
            self._opening.release()


def _settle() -> None:
    """Collect once, now that a build is open, and leave what is alive out of later collections (gc.freeze): an
    opened index is many long-lived objects that a full collection would visit again and again, each time stopping
    whichever request was running (12 of 330 requests at 350k paragraphs, 50 ms each). What the previous build
    left in cycles is collected here, at the next build's opening."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _target(path: Path) -> Path | None:
    try:
        return path.resolve()
    except OSError:
        return None


def _open_warm(path: Path) -> CorpusIndex:
    """Open a build, check its files against its manifest and probe it (load everything a request touches and answer
    one search), so that a damaged build is never served and its files are open before a later rebuild may remove
    its folder."""
    for _ in range(3):
        index = open_index(path)
        try:
            # Every file's checksum, once per build (milliseconds per megabyte, while the old build serves).
            problem = content_problem(index.build_dir, index.meta)
            if problem:
                raise IndexDamaged(index.path, problem)
            probe(index)
            index.engine.page_in()  # the mapped files, not each request's first reads of them (search/paging.py)
            reserve_heap(len(index.paragraphs))  # and the heap the searches' arrays come from (web/heap.py)
            return index
        except IndexDamaged:
            index.close()
            if index.is_current():
                raise
            # The folder was removed under us (two rebuilds in quick succession): the link points elsewhere now.
    raise IndexNotBuilt(f"the index at {path} keeps changing while being opened; try again")


def _close(build: Build) -> None:
    try:
        build.index.close()
    except Exception:  # closing an old build must never fail a request
        log.exception("closing index build %s", build.index.build_dir)
