"""Mapped index files paged in when a server opens a build (web/holder.py), not by its first requests; not by
warm(), which also checks a new build in its own process before it is swapped in, where mapping every file made
that process the build's largest (2.4 GB resident at 1M paragraphs).

A query reads the posting arrays and the paragraph store through memory maps, so a server started on files that are
not in the page cache (after a reboot, or a build pushed out by other work) read them from disk in its first
requests, a page at a time: at 350k paragraphs, its first 60 queries took 912 ms in all (one 424 ms), 494 ms with
the files paged in at start-up. Asking the kernel to read ahead, then touching one byte per page, maps them in
order (the kernel maps neighbouring cached pages in batches): 17 ms for 576 MB already cached.

Whoosh reads its segment files with read(), through the page cache, which the kernel empties of pages no process
maps when it wants the memory: the engine maps the files a rare word's lookup reads (map_files) and keeps them
mapped while the index is open, so that they stay in memory like the rest."""
from __future__ import annotations

import mmap
import os

PAGE = mmap.PAGESIZE


def map_files(paths) -> list:
    """Each file mapped read-only (empty ones skipped: they cannot be mapped)."""
    maps = []
    for path in paths:
        with open(path, "rb") as f:
            if os.fstat(f.fileno()).st_size:
                maps.append(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    return maps


def page_in(maps) -> int:
    """Touch every page of each mapping (None and empty ones skipped); returns the bytes mapped."""
    import numpy as np

    total = 0
    for mm in maps:
        if mm is None or not len(mm):
            continue
        if hasattr(mm, "madvise") and hasattr(mmap, "MADV_WILLNEED"):
            mm.madvise(mmap.MADV_WILLNEED)
        np.frombuffer(mm, dtype=np.uint8)[::PAGE].max()
        total += len(mm)
    return total
