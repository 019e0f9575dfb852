"""Build the index for a corpus: only when stale, into a new folder, swapped in atomically.

Layout: the index path the user names (default instance/index) is a symbolic link to a build folder beside it
(`index.<stamp>`). A build writes a complete new folder, then replaces the link with `os.replace`, which is atomic:
a reader opens either the old index or the new one, never a half-written one, and a build that fails or is killed
leaves the link, and so the previous index, untouched. Older build folders are removed after a successful swap.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from jiaokan.indexer.build_lock import build_lock
from jiaokan.indexer.catalog import Catalog, load_catalog, read_version_text
from jiaokan.indexer.catalog_view import catalog_overview
from jiaokan.indexer.collation import collate
from jiaokan.indexer.translations import GLOSSARY_FILE, build_translations
from jiaokan.indexer.errors import CorpusError, IndexWriteError
from jiaokan.indexer.paragraphs import corpus_paragraphs
from jiaokan.indexer.records import Paragraph
from jiaokan.indexer.writer import PARALLEL_THRESHOLD, print_progress, write_index
from jiaokan.search import analysis
from jiaokan.search.errors import IndexDamaged
from jiaokan.search.index import (
    CATALOG_FILE,
    DICTIONARY_FILE,
    META_FILE,
    PASSAGES_FILE,
    TRANSLATIONS_FILE,
    CorpusIndex,
    read_meta,
    write_translations,
)
from jiaokan.search.records import to_json
from jiaokan.search.integrity import MANIFEST_KEY, content_problem, file_manifest, probe
from jiaokan.search.segmenter import Dictionary

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT / "corpus"
USER_DICT = "userdict.txt"



def code_sources() -> list[Path]:
    """The code whose change can change what an index holds: every module of jiaokan.search and jiaokan.indexer
    (what the indexer and the analysis it shares with search are made of), found on disk rather than listed, so a
    new module cannot be forgotten. Part of the fingerprint: an upgrade rebuilds a stale index."""
    import jiaokan.indexer
    import jiaokan.search

    folders = [Path(p) for package in (jiaokan.search, jiaokan.indexer) for p in package.__path__]
    return sorted({f for folder in folders for f in folder.glob("*.py")})


@dataclass
class BuildReport:
    built: bool  # False: the index was already up to date
    path: Path
    versions: dict[str, int]  # paragraphs per version
    paragraphs: int
    seconds: float


def corpus_fingerprint(corpus_dir: Path, catalog: Catalog) -> str:
    """Hash of everything an index is made from: catalog, version texts, user dictionary and analysis code."""
    h = hashlib.sha256()
    h.update((corpus_dir / "catalog.toml").read_bytes())
    for version in catalog.versions.values():
        h.update(version.id.encode())
        h.update(read_version_text(version).encode())
    for extra in (USER_DICT, GLOSSARY_FILE):
        if (corpus_dir / extra).exists():
            h.update((corpus_dir / extra).read_bytes())
    for source in code_sources():
        h.update(source.name.encode())
        h.update(source.read_bytes())
    return h.hexdigest()[:16]


def build_index(
    index_path: Path,
    corpus_dir: Path = DEFAULT_CORPUS,
    *,
    force: bool = False,
    progress=print_progress,
    wait: bool = False,
) -> BuildReport:
    """Build `index_path` from `corpus_dir` unless it is up to date (and intact). Raises CorpusError for a bad
    corpus, before anything on disk changes; BuildRunning if another process is building it (unless `wait`);
    IndexWriteError when the file system refuses (full, read-only, permissions): the previous index stays."""
    started = time.perf_counter()
    corpus_dir = Path(corpus_dir)
    index_path = Path(index_path)
    catalog = load_catalog(corpus_dir)
    fingerprint = corpus_fingerprint(corpus_dir, catalog)
    with build_lock(index_path, wait=wait):
        current = read_meta(index_path)
        if current and current.get("fingerprint") == fingerprint and not force and _intact(index_path, current):
            return BuildReport(False, index_path, current["versions"], current["paragraphs"], 0.0)
        return _build(index_path, corpus_dir, catalog, fingerprint, progress, started)


def _intact(index_path: Path, meta: dict) -> bool:
    """Up to date only if its files are the ones the build wrote (a damaged index is rebuilt, not kept)."""
    try:
        return content_problem(index_path.resolve(), meta) is None
    except OSError:
        return False


def _build(index_path, corpus_dir, catalog, fingerprint, progress, started) -> BuildReport:
    user_dict = corpus_dir / USER_DICT
    loaded: list[Dictionary] = []

    def load_dictionary() -> None:
        loaded.append(Dictionary.jieba_default(user_dict if user_dict.exists() else None))

    # jieba's dictionary (2.5 s) loads here while a large corpus is read in other processes.
    paragraphs = corpus_paragraphs(catalog, meanwhile=load_dictionary)
    dictionary = loaded[0]
    passages: list = []

    def collate_paragraphs() -> None:
        # While the workers analyse (6.8 s at 100k wordlist paragraphs, serial before they started): it sets
        # each paragraph's passage, which only the paragraph store, written after them, reads.
        passages.extend(collate(catalog, paragraphs))

    def translations(corpus_words: set[str]) -> dict:
        return build_translations(corpus_dir, paragraphs, passages, dictionary, corpus_words)

    write_paragraphs_index(
        paragraphs,
        dictionary,
        index_path,
        fingerprint=fingerprint,
        catalog=lambda: catalog_overview(corpus_dir, paragraphs),
        passages=lambda: to_json(passages),
        translations=translations,
        progress=progress,
        started=started,
        meanwhile=collate_paragraphs,
    )
    meta = read_meta(index_path) or {}
    return BuildReport(True, index_path, meta.get("versions", {}), len(paragraphs), time.perf_counter() - started)


def write_paragraphs_index(
    paragraphs: list[Paragraph],
    dictionary: Dictionary,
    index_path: Path,
    *,
    fingerprint: str,
    catalog: dict | None = None,
    passages: list[dict] | None = None,
    translations=None,
    progress=print_progress,
    workers: int | None = None,
    started: float | None = None,
    meanwhile=None,
) -> Path:
    """Write a complete index of `paragraphs` into a new build folder and swap it in; returns the folder.
    `catalog` and `passages` may be callables, called once the paragraphs are indexed; `meanwhile` is called
    while they are being indexed (write_index)."""
    started = time.perf_counter() if started is None else started
    index_path = Path(index_path).absolute()
    if index_path.exists() and not index_path.is_symlink():
        raise CorpusError(f"{index_path}: exists and is not a jiaokan index link; move it away or pick another --index")
    try:
        with build_lock(index_path):
            return _write_and_swap(
                paragraphs, dictionary, index_path, fingerprint, catalog, passages, translations, progress, workers,
                started, meanwhile,
            )
    except OSError as e:
        raise IndexWriteError.of(e, index_path) from None


def _write_and_swap(paragraphs, dictionary, index_path, fingerprint, catalog, passages, translations, progress,
                    workers, started, meanwhile) -> Path:
    index_path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per build, even two in the same second from one process; the pid lets a later build tell a folder
    # left by a killed build from one still being written.
    build_dir = index_path.parent / f"{index_path.name}.{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.getpid()}"
    try:
        seen = write_index(paragraphs, dictionary, build_dir, workers=workers, progress=progress, meanwhile=meanwhile)
        dictionary.restricted_to(seen).save(build_dir / DICTIONARY_FILE)
        catalog = catalog() if callable(catalog) else catalog
        passages = passages() if callable(passages) else passages
        # The catalog as it was at build time: what the service shows about each version.
        (build_dir / CATALOG_FILE).write_text(
            json.dumps(catalog or {"statements": [], "versions": []}, ensure_ascii=False), encoding="utf-8"
        )
        # Collation: which paragraph of each version is which passage of its statement.
        (build_dir / PASSAGES_FILE).write_text(json.dumps(passages or [], ensure_ascii=False), encoding="utf-8")
        # `translations` builds the table from the words the corpus holds (the corpus dictionary's keys).
        table = translations(seen) if callable(translations) else (translations or {"en": {}, "zh": {}})
        write_translations(build_dir / TRANSLATIONS_FILE, table)
        versions: dict[str, int] = {}
        for p in paragraphs:
            versions[p.version] = versions.get(p.version, 0) + 1
        meta = {
            "fingerprint": fingerprint,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "paragraphs": len(paragraphs),
            "versions": versions,
            # The pair count from which a block holds the pair's three-character strings (search/analysis.py): the
            # highest a block takes; each block's own is in its header (search/postings.py).
            "trigram_min_df": analysis.TRIGRAM_MIN_DF,
            "seconds": round(time.perf_counter() - started, 3),
            # Every file's size and checksum: how a reader tells a damaged build (search/integrity.py).
            MANIFEST_KEY: file_manifest(build_dir, META_FILE),
        }
        # The meta file is written last: a folder without it is an unfinished build.
        (build_dir / META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
        _fsync_folder(build_dir)
        _verify(build_dir, apart=len(paragraphs) >= PARALLEL_THRESHOLD)
    except BaseException:
        shutil.rmtree(build_dir, ignore_errors=True)
        raise
    _swap_in(index_path, build_dir)
    return build_dir


def _verify(build_dir: Path, apart: bool = False) -> None:
    """Open the new build and answer a probe query, as the server will, before anyone is pointed at it. With
    `apart` (a large build), the check runs in a fresh process: it loads everything a server holds (526 MB at 100k
    paragraphs), which on top of what the build holds made the build's parent its largest process (773 MB at
    100k); a fresh interpreter rather than a fork, which would count the parent's pages again. A small build
    checks here, sparing the interpreter's start."""
    if not apart:
        problem = _check(build_dir)
        if problem is not None:
            raise CorpusError(f"the new build {build_dir.name} failed its check, the previous index is kept: {problem}")
        return
    # `python -c`, not multiprocessing's spawn, which runs the caller's main script again in the child (a script
    # that builds without a __main__ guard would build again there). The child is given this process's sys.path,
    # so that it imports the same jiaokan.
    code = (
        "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
        "from jiaokan.indexer.build import _verify_in_child; _verify_in_child(sys.argv[2])"
    )
    checked = subprocess.run(
        [sys.executable, "-c", code, json.dumps(sys.path), str(build_dir)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
    )
    answer = (checked.stdout.strip().splitlines() or [""])[-1]  # the last line: whatever else the check printed
    if checked.returncode == 0 and answer == "ok":
        return
    if checked.returncode == 0 and answer.startswith("problem "):
        problem = answer[len("problem "):]
    else:
        last = (checked.stderr.strip().splitlines() or ["no message"])[-1]
        problem = f"the check's process ended with exit code {checked.returncode}: {last}"
    raise CorpusError(f"the new build {build_dir.name} failed its check, the previous index is kept: {problem}")


def _verify_in_child(build_dir: str) -> None:
    """The check of `build_dir` in its own process: prints "ok", or "problem " and what is wrong on one line."""
    try:
        problem = _check(Path(build_dir))
    except Exception as e:  # opening it failed in another way: still a build not to serve
        problem = f"{type(e).__name__}: {e}"
    print("ok" if problem is None else "problem " + " ".join(problem.split()), flush=True)


def _check(build_dir: Path) -> str | None:
    """None if the build at `build_dir` answers its probe, else what is wrong, in one line."""
    try:
        index = CorpusIndex(build_dir)
    except IndexDamaged as e:
        return str(e)
    try:
        probe(index)
    except IndexDamaged as e:
        return str(e)
    finally:
        index.close()
    return None


def _fsync_folder(folder: Path) -> None:
    """Every file's data, then the folder's entries, on disk before the link points at them: after a power cut
    the link never names a folder with empty or missing files."""
    for f in folder.iterdir():
        if f.is_file():
            fd = os.open(f, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)




def _swap_in(index_path: Path, build_dir: Path) -> None:
    link_tmp = index_path.parent / f".{index_path.name}.link-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(build_dir.name)
    os.replace(link_tmp, index_path)
    _fsync_dir(index_path.parent)  # the new link itself on disk
    _remove_old_builds(index_path, keep={build_dir.name})


def _remove_old_builds(index_path: Path, keep: set[str]) -> None:
    """Keep the new build and the one before it (a running server may still be reading it); remove the rest,
    and unfinished folders of builds whose process is gone."""
    finished = []
    for folder in index_path.parent.glob(f"{index_path.name}.*"):
        if not folder.is_dir() or folder.name in keep:
            continue
        if (folder / META_FILE).exists():
            finished.append(folder)
        elif not _process_alive(folder.name.rsplit("-", 1)[-1]):
            shutil.rmtree(folder, ignore_errors=True)
    finished.sort(key=lambda f: f.stat().st_mtime, reverse=True)
    for folder in finished[1:]:
        shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
