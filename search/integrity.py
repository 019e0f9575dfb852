"""Is a build the one that was written? Its file manifest, checked cheaply at every open, fully when rebuilding.

The build records every file's size and SHA-256 in its meta file (jiaokan.json, "files"), written last. Opening a
build compares sizes (one stat per file: catches a file cut short, missing or grown); `jiaokan index` compares
contents too before calling an index up to date; `probe` answers one search, as the build does before swapping a
new folder in and the server before serving one.
"""
from __future__ import annotations

import re
from pathlib import Path

from jiaokan.search.errors import IndexDamaged
from jiaokan.search.units import HAN_CHAR

MANIFEST_KEY = "files"
# Whoosh's empty lock file, which a writer may leave or remove: not part of the build's contents.
_NOT_CONTENT = {"MAIN_WRITELOCK"}


def file_manifest(build_dir: Path, meta_file: str) -> dict[str, dict]:
    import hashlib  # only builds and full checks hash files; opening an index compares sizes

    out = {}
    for f in sorted(Path(build_dir).iterdir()):
        if f.name == meta_file or f.name in _NOT_CONTENT or not f.is_file():
            continue
        with f.open("rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        out[f.name] = {"size": f.stat().st_size, "sha256": digest}
    return out


def size_problem(build_dir: Path, meta: dict) -> str | None:
    """Why the build's files are not the sizes it wrote, or None (also for builds older than the manifest)."""
    for name, entry in (meta.get(MANIFEST_KEY) or {}).items():
        try:
            size = (Path(build_dir) / name).stat().st_size
        except FileNotFoundError:
            return f"{name} is missing"
        if size != entry["size"]:
            return f"{name} is {size} bytes, the build wrote {entry['size']}"
    return None


def content_problem(build_dir: Path, meta: dict) -> str | None:
    """size_problem, then every file's checksum."""
    import hashlib

    problem = size_problem(build_dir, meta)
    if problem:
        return problem
    for name, entry in (meta.get(MANIFEST_KEY) or {}).items():
        with (Path(build_dir) / name).open("rb") as fh:
            if hashlib.file_digest(fh, "sha256").hexdigest() != entry["sha256"]:
                return f"{name} has changed since the build wrote it"
    return None


def probe(index) -> None:
    """Load everything a request touches and answer one search that must find the first paragraph; raises
    IndexDamaged if that fails. Run on a new build before it is swapped in or served."""
    from jiaokan.search.paragraphs import get_paragraph
    from jiaokan.search.searching import search

    try:
        index.warm()
        index.ix  # Whoosh opens lazily: open it now, once, rather than in concurrent first requests
        if not index.paragraphs:
            return
        first = index.paragraphs[0]
        word = _probe_word(first["text"])
        if word:
            result = search(index, f'"{word}"', per_page=1, collapse=False, translate=False)
            if result.total < 1:
                raise IndexDamaged(index.path, f"a search for {word!r} from its first paragraph finds nothing")
        get_paragraph(index, first["id"], word)
    except IndexDamaged:
        raise
    except Exception as e:  # any failure here, JSON, numpy or Whoosh's own (struct.error, ...), means unusable
        raise IndexDamaged(index.path, diagnose(index) or f"{type(e).__name__}: {e}") from e


def _probe_word(text: str) -> str | None:
    for word in re.findall(f"{HAN_CHAR}{{2}}|[A-Za-z]{{3,}}", text):
        if word not in ("AND", "OR", "NOT"):
            return word
    return None


def diagnose(index) -> str | None:
    """After an unexpected error reading a build: what is wrong with its files, if anything."""
    try:
        return content_problem(index.build_dir, index.meta or {})
    except OSError as e:
        return f"{e.filename}: {e.strerror}"
