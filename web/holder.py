"""The index a running server reads: opened once, shared by every request and thread, reopened after a rebuild.

`jiaokan index` writes a new build folder and swaps the index link to it atomically (indexer/build.py). Each request
asks the holder for the index; the holder checks the link with one readlink (`CorpusIndex.is_current()`) and, when it
moved, one thread opens and warms the new build while the others keep answering from the old one. The old build is
closed when its last request is done, so no request fails during a swap.

Whoosh reads non-compound segment files with seek() then read() on one shared file object, so one searcher used by
two threads at once returns wrong postings (TermNotFound, wrong hits). Every call into search/ therefore holds the
build's lock: requests are answered in parallel by the web server, searches one at a time (each takes milliseconds).
"""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from pathlib import Path

from jiaokan.search.errors import IndexNotBuilt, SearchError
from jiaokan.search.index import CorpusIndex, open_index
from jiaokan.search.paragraphs import get_paragraph
from jiaokan.search.searching import search
from jiaokan.search.units import HAN_CHAR, LATIN_WORD

log = logging.getLogger(__name__)


class Build:
    """One opened build of the index, with the lock its searcher needs and a count of the requests using it."""

    def __init__(self, index: CorpusIndex):
        self.index = index
        self.lock = threading.Lock()
        self.users = 0
        self.retired = False

    @contextmanager
    def using(self):
        """Hold the build's lock: the one way views reach `self.index`."""
        with self.lock:
            yield self.index


class IndexHolder:
    def __init__(self, path: Path | str):
        self.path = Path(path)
        self._current: Build | None = None
        self._state = threading.Lock()  # guards _current and every Build's users/retired
        self._opening = threading.Lock()  # one thread opens a new build at a time

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
            try:
                new = Build(_open_warm(self.path))
            except (SearchError, OSError) as e:
                if current is None:
                    if isinstance(e, SearchError):
                        raise
                    raise IndexNotBuilt(f"the index at {self.path} cannot be opened; rebuild it with: jiaokan index")
                # A broken or half-removed link: keep answering from the build we have.
                log.warning("keeping the open index: reopening %s failed: %s", self.path, e)
                return
            with self._state:
                old, self._current = self._current, new
                close = False
                if old is not None:
                    old.retired = True
                    close = old.users == 0
            if close:
                _close(old)
            log.info("opened index build %s", new.index.build_dir)
        finally:
            self._opening.release()


def _open_warm(path: Path) -> CorpusIndex:
    """Open a build and run one search on it, so that everything a request touches is loaded and the files are open
    before the build serves anyone (and before a later rebuild may remove its folder)."""
    for _ in range(3):
        index = open_index(path)
        try:
            _warm(index)
            return index
        except OSError:
            # The folder was removed under us (two rebuilds in quick succession): the link points elsewhere now.
            index.close()
            if index.is_current():
                raise
    raise IndexNotBuilt(f"the index at {path} keeps changing while being opened; try again")


def _warm(index: CorpusIndex) -> None:
    index.warm()
    if not index.paragraphs:
        return
    first = index.paragraphs[0]
    word = re.search(f"{HAN_CHAR}{{2}}|{LATIN_WORD}", first["text"])
    try:
        if word:
            search(index, word.group(0), per_page=1)
        get_paragraph(index, first["id"], word.group(0) if word else None)
    except SearchError:
        log.warning("warming %s: the sample search failed", index.build_dir, exc_info=True)


def _close(build: Build) -> None:
    try:
        build.index.close()
    except Exception:  # closing an old build must never fail a request
        log.exception("closing index build %s", build.index.build_dir)
