"""Write paragraph records into a new Whoosh index, on every core.

Each worker process analyses a contiguous slice of the paragraphs and writes it as its own segment with a plain
Whoosh SegmentWriter; the parent then commits the segments in slice order, so document numbers follow corpus order
(ranking ties keep document order). Segments are not merged: a merge would cost a second pass over every posting
and searching two segments costs nothing measurable here. Workers are forked after the dictionary is loaded, so
they share it instead of each loading 500k entries.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from jiaokan.indexer.records import Paragraph
from jiaokan.search.analysis import analyze
from jiaokan.search.index import FOLDED_FILE
from jiaokan.search.postings import FIELDS as ARRAY_FIELDS
from jiaokan.search.postings import MIN_DF, PostingArraysWriter, write_lengths
from jiaokan.search.schema import make_schema
from jiaokan.search.segmenter import Dictionary

# Below this many paragraphs a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000

_job: dict = {}  # set in the parent before forking: what every worker needs


def write_index(
    paragraphs: Sequence[Paragraph],
    dictionary: Dictionary,
    dest: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> set[str]:
    """Index `paragraphs` into the empty folder `dest`. Returns the dictionary keys the segmentation consulted
    (the corpus dictionary, see search/segmenter.py)."""
    dest.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(dest), make_schema())
    if workers is None:
        workers = os.cpu_count() or 1
    if len(paragraphs) < PARALLEL_THRESHOLD:
        workers = 1
    bounds = [len(paragraphs) * i // workers for i in range(workers + 1)]
    slices = [(bounds[i], bounds[i + 1]) for i in range(workers)]

    if workers == 1:
        results = [_write_slice(str(dest), paragraphs, 0, len(paragraphs), dictionary, None, progress)]
    else:
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("i", 0)
        _job.update(dest=str(dest), paragraphs=paragraphs, dictionary=dictionary, counter=counter)
        try:
            with ctx.Pool(workers) as pool:
                pending = pool.map_async(_worker, slices)
                reported = 0
                while not pending.ready():
                    pending.wait(1.0)
                    if progress and counter.value != reported:
                        reported = counter.value
                        progress(reported, len(paragraphs))
                results = pending.get()
        finally:
            _job.clear()

    writer = SegmentWriter(ix)
    writer._commit_toc([r[0] for r in results])
    writer._finish()
    seen: set[str] = set()
    for r in results:
        seen |= r[1]
    write_lengths(dest, "words", [n for r in results for n in r[2]])
    write_lengths(dest, "grams", [n for r in results for n in r[3]])
    (dest / FOLDED_FILE).write_text(
        json.dumps([t for r in results for t in r[4]], ensure_ascii=False), encoding="utf-8"
    )
    return seen


class _SliceWriter(SegmentWriter):
    """A SegmentWriter for one slice of a fresh build, with two shortcuts that halve Whoosh's share of the build:
    postings are grouped by term as they arrive (documents come in order, so each term's postings are already
    sorted and only the distinct terms need sorting, not every posting), and the final flush looks up each
    document's field lengths once instead of once per posting."""

    def __init__(self, ix, arrays: PostingArraysWriter, **kwargs):
        super().__init__(ix, _lk=False, compound=False, **kwargs)
        self.pool = _TermGroupingPool()
        self.arrays = arrays

    def _flush_segment(self):
        self.perdocwriter.close()
        lengths = _LengthTable(self.per_document_reader())
        fw = self.fieldwriter
        schema = self.schema
        current_field = None
        for (fieldname, term), (docnums, weights, values) in self.pool.sorted_terms():
            if fieldname != current_field:
                if current_field is not None:
                    fw.finish_field()
                fw.start_field(fieldname, schema[fieldname])
                current_field = fieldname
                column = lengths.column(fieldname)
            fw.start_term(term)
            add = fw.add
            for docnum, weight, value in zip(docnums, weights, values):
                add(docnum, weight, value, column[docnum])
            fw.finish_term()
            if fieldname in ARRAY_FIELDS and len(docnums) >= MIN_DF:
                self.arrays.add(fieldname, term.decode("utf-8"), docnums, weights)
        if current_field is not None:
            fw.finish_field()
        fw.close()
        lengths.close()
        self.arrays.close()


class _TermGroupingPool:
    """Postings per term as three parallel lists (document numbers, weights, encoded positions): no tuple per
    posting, and the posting arrays take the first two as they are."""

    def __init__(self):
        self._terms: dict[tuple[str, bytes], tuple[list, list, list]] = {}
        self.fieldnames: set[str] = set()

    def add(self, item):
        fieldname, term, docnum, weight, value = item
        lists = self._terms.get((fieldname, term))
        if lists is None:
            lists = self._terms[(fieldname, term)] = ([], [], [])
            self.fieldnames.add(fieldname)
        lists[0].append(docnum)
        lists[1].append(weight)
        lists[2].append(value)

    def sorted_terms(self):
        terms = self._terms
        for key in sorted(terms):
            yield key, terms[key]

    def cleanup(self):
        self._terms.clear()


class _LengthTable:
    def __init__(self, reader):
        self._reader = reader

    def column(self, fieldname: str) -> list[int]:
        read = self._reader.doc_field_length
        return [read(d, fieldname, 0) for d in range(self._reader.doc_count_all())]

    def close(self):
        self._reader.close()


def _worker(bounds: tuple[int, int]):
    start, end = bounds
    return _write_slice(_job["dest"], _job["paragraphs"], start, end, _job["dictionary"], _job["counter"], None)


def _write_slice(dest, paragraphs, start, end, dictionary, counter, progress):
    ix = whoosh_index.open_dir(dest)
    # Plain segment files: assembling a compound file would copy every byte once more.
    writer = _SliceWriter(ix, PostingArraysWriter(Path(dest), start))
    dictionary.seen = set()
    try:
        lengths_and_folded = _add_documents(writer, paragraphs, start, end, dictionary, counter, progress)
        segment = writer._finalize_segment()
        return (segment, dictionary.seen, *lengths_and_folded)
    finally:
        # The caller's dictionary stops recording, whether the slice was written or failed.
        dictionary.seen = None


def _add_documents(writer, paragraphs, start, end, dictionary, counter, progress):
    word_lengths: list[int] = []
    gram_lengths: list[int] = []
    folded: list[str] = []
    last_report = time.monotonic()
    for order in range(start, end):
        p = paragraphs[order]
        analysis = analyze(p.text, dictionary)
        word_lengths.append(len(analysis.words))
        gram_lengths.append(len(analysis.units) + sum(analysis.adjacent))
        folded.append(analysis.folded.text)
        writer.add_document(
            id=p.id,
            version=p.version,
            statement=p.statement,
            section=p.section,
            kind=p.kind,
            lang=p.lang,
            seq=p.seq,
            text=p.text,
            words=analysis,
            grams=analysis,
            **({"passage": p.passage} if p.passage else {}),
        )
        if (order - start) % 500 == 499:
            if counter is not None:
                with counter.get_lock():
                    counter.value += 500
            elif progress and time.monotonic() - last_report > 0.5:
                progress(order + 1, len(paragraphs))
                last_report = time.monotonic()
    return word_lengths, gram_lengths, folded


def print_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\rindexing {done:,}/{total:,} paragraphs", end="", file=sys.stderr, flush=True)
    else:
        print(f"indexing {done:,}/{total:,} paragraphs", file=sys.stderr, flush=True)
