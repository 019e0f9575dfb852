"""Cut each published version into the paragraphs a reader sees, as Paragraph records.

The version's format picks a generic reader (indexer/readers.py), which cuts the text into blocks and drops what
the catalog names as furniture; indexer/structure.py labels titles, headings, sections and closing lines and
joins paragraphs a page break split; here each paragraph gets its id, sequence number and language.

A large corpus is read on every core: a pool of processes reads one document (version) per task and the results
are taken in catalog order, so the paragraphs and their order are those of a serial read (and so are the document
numbers the index gives them). Reading was 2.2 s per 20k paragraphs in the build's parent, before any worker ran.
"""
from __future__ import annotations

import multiprocessing
import operator
import os
from collections.abc import Callable
from dataclasses import fields

from jiaokan.indexer.catalog import Catalog, Version, read_version_text
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.languages import detect_lang, fill_letterless
from jiaokan.indexer.readers import read_blocks
from jiaokan.indexer.records import Paragraph
from jiaokan.indexer.structure import PREAMBLE, Draft, join_broken_paragraphs, structure

__all__ = ["PREAMBLE", "Draft", "corpus_paragraphs", "join_broken_paragraphs", "read_drafts", "read_paragraphs"]

# A corpus with fewer bytes of text than this is read in this process: starting a pool costs more than it saves
# (the bundled corpus is under 100 kB).
PARALLEL_READ_BYTES = 2_000_000

_versions: list[Version] = []  # set in the parent before forking: the versions the pool reads, by position


def read_drafts(text: str, version: Version) -> list[Draft]:
    """The labelled paragraphs of a version's text, before ids and languages."""
    try:
        return structure(read_blocks(text, version), version)
    except CorpusError as e:
        message = str(e)
        raise CorpusError(message if message.startswith(str(version.path)) else f"{version.path}: {message}") from None


def read_paragraphs(version: Version) -> list[Paragraph]:
    """The paragraphs of one version, in reading order, furniture removed and page breaks joined back."""
    drafts = read_drafts(read_version_text(version), version)
    if not drafts:
        raise CorpusError(f"{version.path}: no paragraphs found in version {version.id!r}")
    langs = fill_letterless([detect_lang(d.text) for d in drafts], version.languages)
    _check_languages(version, drafts, langs)
    return [
        Paragraph(
            id=f"{version.id}-{seq:03d}",
            version=version.id,
            statement=version.statement,
            seq=seq,
            section=draft.section,
            kind=draft.kind,
            lang=lang,
            text=draft.text,
            headings=draft.headings,
        )
        for seq, (draft, lang) in enumerate(zip(drafts, langs), start=1)
    ]


def _check_languages(version: Version, drafts: list[Draft], langs: list[str]) -> None:
    """Every language the reader finds must be declared (when the entry declares any): Russian text in a version
    said to be Chinese is a catalog error, not a silent mislabel."""
    if not version.languages:
        return
    undeclared = [(i, lang) for i, lang in enumerate(langs) if lang not in version.languages]
    if undeclared:
        found = sorted({lang for _, lang in undeclared})
        first = undeclared[0][0]
        where = version.catalog_path or version.path
        raise CorpusError(
            f"{where}: version {version.id!r}: field 'languages' is {list(version.languages)} but "
            f"{len(undeclared)} paragraph(s) read as {', '.join(found)} (the first: {version.id}-{first + 1:03d} "
            f"{drafts[first].text[:30]!r}); add the language or a drop rule"
        )


def corpus_paragraphs(
    catalog: Catalog,
    *,
    workers: int | None = None,
    threshold: int = PARALLEL_READ_BYTES,
    meanwhile: Callable[[], object] | None = None,
) -> list[Paragraph]:
    """All paragraphs of all versions, in catalog order. A corpus of at least `threshold` bytes of text is read by
    `workers` processes (default: one per core), a document per task, the results taken in catalog order: the
    same paragraphs in the same order as a serial read, and the same first error. `meanwhile`, if given, is called
    in this process while they read (the build loads its dictionary then)."""
    versions = list(catalog.versions.values())
    if workers is None:
        workers = os.cpu_count() or 1
    if workers < 2 or len(versions) < 2 or _text_bytes(versions) < threshold:
        paragraphs = [p for version in versions for p in read_paragraphs(version)]
        if meanwhile is not None:
            meanwhile()
        return _shared(paragraphs)
    _versions[:] = versions
    try:
        with multiprocessing.get_context("fork").Pool(min(workers, len(versions))) as pool:
            # Tasks of a few documents: fewer messages, and still enough tasks to keep every process busy.
            chunk = max(1, min(16, len(versions) // (workers * 8)))
            read = pool.imap(_read_version, range(len(versions)), chunksize=chunk)
            if meanwhile is not None:
                meanwhile()
            return _shared([Paragraph(*row) for rows in read for row in rows])
    finally:
        _versions.clear()


_FIELDS = operator.attrgetter(*(f.name for f in fields(Paragraph)))


def _shared(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs with one object for each repeated section name and heading path: read in other processes,
    every paragraph came with its own copies (a build holds every record; with slots, 734 -> 673 bytes a record
    at 100k word-list paragraphs). Nothing changes a record's heading list in place."""
    names: dict[str, str] = {}
    paths: dict[tuple[str, ...], list[str]] = {}
    for p in paragraphs:
        p.section = names.setdefault(p.section, p.section)
        p.headings = paths.setdefault(tuple(p.headings), p.headings)
    return paragraphs


def _read_version(i: int) -> list[tuple]:
    """A version's paragraphs as tuples of their fields, which cross the pipe faster than the records."""
    return [_FIELDS(p) for p in read_paragraphs(_versions[i])]


def _text_bytes(versions: list[Version]) -> int:
    total = 0
    for version in versions:
        try:
            total += version.path.stat().st_size
        except OSError:
            pass  # read_paragraphs says what is wrong with it
    return total
