"""Write paragraph records into a new index, on every core: Whoosh segments, posting arrays and the paragraph store.

The paragraphs are cut into blocks of `BLOCK` consecutive paragraphs; a pool of worker processes analyses one block
at a time and writes it as one Whoosh segment plus its posting arrays (search/postings.py), so a worker holds one
block's postings at a time whatever the corpus size. The parent commits the segments in block order, so document
numbers follow corpus order (ranking ties keep document order). Workers are forked after the dictionary is loaded,
so they share it instead of each loading 500k entries.

Each term's postings go to one place. `words` terms with at least MIN_DF postings in a block go to the posting
arrays (read with numpy), the long tail of rarer words to the Whoosh segment, with their frequencies (nothing reads
positions, so none are written), unless the block has at most WHOOSH_TAIL_MIN of them: then they go to the posting
arrays too, and a search never opens Whoosh. The posting index of a block is loaded whole when an index is opened,
at about a microsecond a term, while importing and opening Whoosh costs about 0.15 s, which a one-shot lookup on a
small corpus (the bundled one has under 2,000 rare words) would pay for almost every word it looks up. Every `grams` term goes to the posting arrays: exact strings are confirmed on the
folded text (search/matching.py), and the
grams vocabulary of real text is mostly rare pairs of characters (866k distinct terms in 40k paragraphs drawn from
jieba's word list, 96 % of them in fewer than 16 paragraphs), which Whoosh writes at about 50 µs a term. Whoosh's
per-posting and per-term Python writing was two thirds of the build when it wrote every posting, and the engine
never read the frequent terms from it. The paragraph text and record fields (id, version, ...) live in the
paragraph store (search/store.py), not in Whoosh.
"""
from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import sys
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from jiaokan.indexer.records import Paragraph
from jiaokan.search import analysis
from jiaokan.search.analysis import analyze, han_gram_postings
from jiaokan.search.folding import fold
from jiaokan.search.postings import FIELDS as ARRAY_FIELDS
from jiaokan.search.postings import MAX_BLOCK, MIN_DF, PostingArraysWriter, table_order, write_lengths
from jiaokan.search.schema import TailCodec, make_schema
from jiaokan.search.segmenter import Dictionary
from jiaokan.search.store import STORE_FILE, write_store
from jiaokan.search.units import HAN_RUN_RE

# Below this many paragraphs a second process costs more than it saves.
PARALLEL_THRESHOLD = 2000
# Paragraphs per block (one Whoosh segment, one set of posting arrays): bounds a worker's memory; the posting
# arrays store document numbers within a block as 16-bit integers.
BLOCK = 60_000
# A block's rare words go to its Whoosh segment only when it has more than this many (see above).
WHOOSH_TAIL_MIN = 20_000
# Blocks at least this large have their Han runs segmented in bulk, CHUNK paragraphs at a time (search/
# batch_segmenter.py): below it, building the dictionary's trie (about 1 s) costs more than it saves.
PRESEGMENT_MIN = 5_000
CHUNK = 2_000

_job: dict = {}  # set in the parent before forking: what every worker needs


def write_index(
    paragraphs: Sequence[Paragraph],
    dictionary: Dictionary,
    dest: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> set[str]:
    """Index `paragraphs` into the empty folder `dest`. Returns the dictionary keys the segmentation consulted
    (the corpus dictionary, see search/segmenter.py). `meanwhile`, if given, is called in this process while the
    workers analyse, before the paragraph store is written (the build collates then: the workers read only
    the paragraphs' text)."""
    dest.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(dest), make_schema())
    if workers is None:
        workers = os.cpu_count() or 1
    n = len(paragraphs)
    if n < PARALLEL_THRESHOLD:
        workers = 1
    # Blocks of at most BLOCK paragraphs, as many for each worker, so that no worker is left alone at the end.
    count = workers * -(-n // (BLOCK * workers)) if n else 1
    bounds = [n * i // count for i in range(count + 1)]
    blocks = [(bounds[i], bounds[i + 1]) for i in range(count)]

    bulk = n // count >= PRESEGMENT_MIN
    _job.update(dest=str(dest), paragraphs=paragraphs, dictionary=dictionary, bulk=bulk)
    seen: set[str] = set()
    results = []

    def keep(result: dict) -> None:
        # A block's consulted keys joined at once: kept block by block, the sets of a 1M-paragraph build held
        # about 300 MB of strings that are mostly the same keys.
        seen.update(result.pop("seen"))
        results.append(result)

    try:
        if workers == 1:
            if meanwhile is not None:
                meanwhile()
            for block in blocks:
                keep(_worker(block))
                if progress:
                    progress(block[1], n)
        else:
            ctx = multiprocessing.get_context("fork")
            # The objects there are now (every paragraph record, the dictionary) out of the garbage collections
            # of the workers and of this process while they run: a collection writes to every object it visits,
            # and so to every page, which the kernel then copies out of the memory the processes share.
            dictionary.log_prob  # the route table, built once here and shared, not once per worker
            if bulk:
                dictionary.trie  # likewise the trie of bulk segmentation
            gc.freeze()
            try:
                # A fresh worker for every block: a worker reading its block's records writes their reference
                # counts, so the kernel copies their pages out of what it shares with this process, and a worker
                # kept for every block ended up with its own copy of most of the corpus (1.3 GB each at 1M).
                with ctx.Pool(workers, maxtasksperchild=1) as pool:
                    imap = pool.imap(_worker, blocks)
                    if meanwhile is not None:
                        meanwhile()
                    for result in imap:
                        keep(result)
                        if progress:
                            progress(blocks[len(results) - 1][1], n)
            finally:
                gc.unfreeze()
    finally:
        _job.clear()

    writer = SegmentWriter(ix)
    writer._commit_toc([r["segment"] for r in results])
    writer._finish()
    write_lengths(dest, "words", [x for r in results for x in r["word_lengths"]])
    write_lengths(dest, "grams", [x for r in results for x in r["gram_lengths"]])
    _write_paragraph_store(dest, paragraphs, results)
    return seen


def _write_paragraph_store(dest: Path, paragraphs, results) -> None:
    """The store, its folded text copied from the workers' files rather than read and joined whole (writing the
    store raised the parent's high-water mark from 263 to 405 MB at 100k wordlist paragraphs)."""
    import numpy as np

    parts, ends, chars, offset, char_offset = [], [], [], 0, 0
    for r in results:
        path = Path(r["folded"])
        parts.append(path)
        ends.append(offset + np.asarray(r["folded_ends"], dtype=np.int64))
        chars.append(char_offset + np.asarray(r["folded_chars"], dtype=np.int64))
        offset += path.stat().st_size
        char_offset = int(chars[-1][-1]) if len(chars[-1]) else char_offset
    empty = np.zeros(0, dtype=np.int64)
    write_store(
        dest / STORE_FILE, paragraphs, tuple(parts), np.concatenate([empty, *ends]), np.concatenate([empty, *chars])
    )
    for path in parts:
        path.unlink()


def _worker(block: tuple[int, int]) -> dict:
    start, end = block
    dictionary = _job["dictionary"]
    dictionary.seen = set()
    try:
        writer = _BlockWriter(whoosh_index.open_dir(_job["dest"]), Path(_job["dest"]), start)
        paragraphs = _job["paragraphs"]
        folded: list[bytes] = []
        folded_chars: list[int] = []
        bulk = _job["bulk"]
        for first in range(start, end, CHUNK):
            chunk = [paragraphs[order] for order in range(first, min(first + CHUNK, end))]
            texts = [fold(p.text, offsets=False) for p in chunk]
            if bulk:
                dictionary.presegment([run for f in texts for run in HAN_RUN_RE.findall(f.text)])
            for p, f in zip(chunk, texts):
                analysis = analyze(p.text, dictionary, folded=f, offsets=False)
                writer.add(p, analysis)
                folded.append(f.text.encode("utf-8"))
                folded_chars.append(len(f.text))
        segment = writer.finish()
        folded_path = Path(_job["dest"]) / f"folded-{start}.part"
        folded_path.write_bytes(b"".join(folded))
        ends = list(itertools.accumulate(map(len, folded)))
        chars = list(itertools.accumulate(folded_chars))
        return {
            "segment": segment,
            "seen": dictionary.seen & dictionary.freq.keys(),  # segment() also records characters that are no key
            "word_lengths": writer.lengths["words"],
            "gram_lengths": writer.lengths["grams"],
            "folded": str(folded_path),
            "folded_ends": ends,
            "folded_chars": chars,
        }
    finally:
        # The caller's dictionary stops recording, whether the block was written or failed.
        dictionary.seen = None


class _Postings:
    """One field's postings of a block as flat C arrays, one entry per (term, document): term id, document number
    within the block, term frequency. Term ids come from a dictionary whose missing keys number themselves, so
    adding a document's terms is three C-level extends, with no Python code per posting."""

    def __init__(self):
        self.vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
        self.term_ids = array("I")
        self.docnums = array("H")
        self.tfs = array("H")

    def add(self, docnum: int, counts: Counter) -> int:
        self.term_ids.extend(map(self.vocabulary.__getitem__, counts))
        self.tfs.extend(counts.values())
        self.docnums.extend(itertools.repeat(docnum, len(counts)))
        return sum(counts.values())

    def grouped(self, field: str, before=None):
        """(terms in the order of the field's term table, postings per term, document numbers and term frequencies
        grouped term by term in that order, each term's documents in order, first posting of each term, and the
        terms' UTF-8 and hashes in that order). In the table's order, the posting arrays write them as they come
        (search/postings.py), and take the UTF-8 and hashes rather than computing them again. `before`: more
        terms, none of them in this vocabulary, with their postings already grouped (terms, counts, document
        numbers, frequencies: han_gram_postings's grams)."""
        import numpy as np

        terms = list(self.vocabulary)
        ids = np.frombuffer(self.term_ids, dtype=np.uint32) if len(self.term_ids) else np.zeros(0, np.uint32)
        order = np.argsort(ids, kind="stable")  # grouped by term, each term's documents in the order added
        docnums = np.frombuffer(self.docnums, dtype=np.uint16)[order] if len(ids) else np.zeros(0, np.uint16)
        tfs = np.frombuffer(self.tfs, dtype=np.uint16)[order] if len(ids) else np.zeros(0, np.uint16)
        counts = np.bincount(ids, minlength=len(terms))
        if before is not None:
            terms = before[0] + terms
            counts = np.concatenate([before[1], counts])
            docnums = np.concatenate([before[2], docnums])
            tfs = np.concatenate([before[3], tfs])
        return _in_table_order(field, terms, counts, docnums, tfs)


def _in_table_order(field: str, terms: list[str], counts, docnums, tfs):
    """Postings grouped term by term (terms[i] has counts[i] of them) regrouped in the order of the field's term
    table: see _Postings.grouped."""
    import numpy as np

    encoded, hashes, table = table_order(field, terms)
    counts = np.asarray(counts, dtype=np.int64)
    firsts = np.cumsum(counts) - counts
    counts = counts[table]
    starts = np.cumsum(counts) - counts
    picked = np.repeat(firsts[table] - starts, counts) + np.arange(int(counts.sum()), dtype=np.int64)
    in_order = table.tolist()
    keys = ([encoded[i] for i in in_order], hashes[table])
    return [terms[i] for i in in_order], counts, docnums[picked], tfs[picked], starts, keys


class _BlockWriter(SegmentWriter):
    """A SegmentWriter for one block of a fresh build. `add` keeps the terms of both analysed fields in flat arrays
    (_Postings); `finish` groups them by term with one numpy sort, writes
    the posting arrays in bulk and the rare words, with their frequencies, to the Whoosh segment."""

    def __init__(self, ix, folder: Path, base: int):
        # Plain segment files: assembling a compound file would copy every byte once more. Every term here is a
        # rare word with a few postings, inlined in its term entry (search/schema.py TailCodec).
        super().__init__(ix, _lk=False, compound=False, codec=TailCodec(MIN_DF))
        assert BLOCK <= MAX_BLOCK
        self.arrays = PostingArraysWriter(folder, base)
        self.postings = {name: _Postings() for name in ARRAY_FIELDS}
        self.lengths: dict[str, list[int]] = {name: [] for name in ARRAY_FIELDS}
        self.folded: list[str] = []  # the block's folded texts, whose Han grams finish() counts all at once

    def add(self, p: Paragraph, analysis) -> None:
        docnum = self.docnum
        pdw = self.perdocwriter
        pdw.start_doc(docnum)  # a document with nothing stored: Whoosh's document numbers follow the block's
        self.lengths["grams"].append(self.postings["grams"].add(docnum, analysis.latin_gram_counts()))
        self.folded.append(analysis.folded.text)
        self.lengths["words"].append(self.postings["words"].add(docnum, analysis.word_counts()))
        pdw.finish_doc()
        self.docnum += 1

    def finish(self):
        import numpy as np

        self.perdocwriter.close()
        fw = self.fieldwriter
        schema = self.schema
        # Each field's collected postings (its vocabulary dict, the flat arrays) are let go once grouped: the
        # worker's high-water mark is this moment.
        # Every grams term to the posting arrays: the Han grams of the whole block counted at once, the Latin ones
        # as they were added (search/analysis.py gram_counts is the two together).
        han_terms, han_counts, han_docnums, han_tfs, han_lengths, trigram_min_df = han_gram_postings(
            self.folded, trigram_min_df=analysis.trigram_thresholds()
        )
        self.arrays.trigram_min_df = trigram_min_df
        self.folded = []
        self.lengths["grams"] = (np.asarray(self.lengths["grams"], dtype=np.int64) + han_lengths).tolist()
        terms, counts, docnums, tfs, _, keys = self.postings.pop("grams").grouped(
            "grams", (han_terms, han_counts, han_docnums, han_tfs)
        )
        del han_terms, han_counts, han_docnums, han_tfs, han_lengths
        self.arrays.add_grouped("grams", terms, counts, docnums, tfs, keys)
        del terms, counts, docnums, tfs, keys
        # Frequent words to the posting arrays, the rest to Whoosh.
        terms, counts, docnums, tfs, starts, keys = self.postings.pop("words").grouped("words")
        frequent = counts >= MIN_DF
        if len(frequent) - int(np.count_nonzero(frequent)) <= WHOOSH_TAIL_MIN:
            frequent[:] = True
        keep = frequent[np.repeat(np.arange(len(counts)), counts)]
        flags = frequent.tolist()
        kept_keys = ([b for b, f in zip(keys[0], flags) if f], keys[1][frequent])
        self.arrays.add_grouped(
            "words", [t for t, f in zip(terms, flags) if f], counts[frequent], docnums[keep], tfs[keep], kept_keys
        )
        rare = [i for i in np.flatnonzero(~frequent).tolist()]
        rare.sort(key=terms.__getitem__)
        self.arrays.add_rare("words", [terms[i] for i in rare])

        value = schema["words"].posting_value
        column = self.lengths["words"]
        fw.start_field("words", schema["words"])
        starts_l, counts_l = starts.tolist(), counts.tolist()
        for i in rare:
            fw.start_term(terms[i].encode("utf-8"))
            first = starts_l[i]
            last = first + counts_l[i]
            for docnum, tf in zip(docnums[first:last].tolist(), tfs[first:last].tolist()):
                fw.add(docnum, float(tf), value(tf), column[docnum])
            fw.finish_term()
        fw.finish_field()
        fw.close()
        self.arrays.close()
        self.postings.clear()
        self._close_segment()
        return self.get_segment()


def print_progress(done: int, total: int) -> None:
    if sys.stderr.isatty():
        print(f"\rindexing {done:,}/{total:,} paragraphs", end="", file=sys.stderr, flush=True)
    else:
        print(f"indexing {done:,}/{total:,} paragraphs", file=sys.stderr, flush=True)
