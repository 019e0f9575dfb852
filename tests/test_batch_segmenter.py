"""Bulk segmentation (search/batch_segmenter.py) is Dictionary.segment run by run: the same words for every run, the
same dictionary keys recorded for the corpus dictionary, and an index build that uses it writes the index a build
segmenting run by run writes."""
from __future__ import annotations

import random
import re

import pytest

from jiaokan.indexer import writer
from jiaokan.indexer.records import Paragraph
from jiaokan.search.batch_segmenter import LONG_RUN, segment_runs
from jiaokan.search.postings import PostingArrays, block_bases
from jiaokan.search.segmenter import Dictionary
from jiaokan.search.units import HAN, HAN_RUN_RE

HAN_RUN = re.compile(f"[{HAN}]+")


def _one_by_one(dictionary: Dictionary, runs: list[str]) -> tuple[list[list[str]], set[str]]:
    """Each run's words by segment(), and the keys of two or more characters its walk consulted."""
    fresh = Dictionary(dictionary.freq, dictionary.total)
    fresh.seen = set()
    words = [list(fresh.segment(r)) for r in runs]
    return words, {k for k in fresh.seen if len(k) > 1}


def _in_bulk(dictionary: Dictionary, runs: list[str]) -> tuple[list[list[str]], set[str]]:
    words, consulted = segment_runs(dictionary.trie, runs, -dictionary.log_total)
    return words, {dictionary.trie.words[i] for i in consulted.tolist()}


@pytest.fixture(scope="module")
def corpus_runs(corpus_index) -> list[str]:
    return sorted({run for p in corpus_index.paragraphs for run in HAN_RUN.findall(p["text"])})


def test_bulk_segmentation_cuts_every_han_run_of_the_corpus_as_segment_does(full_dictionary, corpus_runs):
    bulk, bulk_keys = _in_bulk(full_dictionary, corpus_runs)
    one, one_keys = _one_by_one(full_dictionary, corpus_runs)
    assert bulk == one
    assert bulk_keys == one_keys
    assert len(corpus_runs) > 500 and len(one_keys) > 1000


def test_bulk_segmentation_of_random_runs_of_frequent_characters(full_dictionary, corpus_runs):
    """Strings no text holds, drawn from the corpus's characters so that words overlap everywhere and ties and
    prefix entries come up; in batches of several sizes."""
    rng = random.Random(20261203)
    chars = list("".join(corpus_runs))
    runs = ["".join(rng.choices(chars, k=rng.randrange(1, 60))) for _ in range(3000)]
    runs += [c * k for c in "的中国人" for k in (1, 2, 5, 17)]
    one, one_keys = _one_by_one(full_dictionary, runs)
    for size in (1, 7, len(runs)):
        words, keys = [], set()
        for at in range(0, len(runs), size):
            w, k = _in_bulk(full_dictionary, runs[at : at + size])
            words += w
            keys |= k
        assert words == one
        assert keys == one_keys


def test_bulk_segmentation_with_a_small_dictionary():
    """Unknown characters, prefix entries, a key whose prefix is no key (segment()'s walk never reaches it), equal
    scores (the longer word wins), characters beyond the Basic Multilingual Plane, and no runs at all."""
    dictionary = Dictionary(
        {"中": 10, "中国": 10, "中国人": 0, "中国人民": 10, "国": 10, "国人": 10, "人": 10, "人民": 100,
         "民": 1, "北约": 5, "北": 0, "约": 5, "\U00020000": 3, "\U00020000\U00020001": 3, "长城站": 50},
        1000,
    )
    runs = ["中国人民", "中国人", "北约北约", "北", "人民中国国人", "长城站", "城站", "\U00020000\U00020001\U00020000",
            "龘", "中", "国国国国国国国国", "中国人民" * 20]
    assert _in_bulk(dictionary, runs) == _one_by_one(dictionary, runs)
    assert _in_bulk(dictionary, []) == ([], set())


def test_presegment_leaves_the_same_words_and_recording_as_segment(full_dictionary, corpus_runs):
    runs = corpus_runs[:500] + ["中" * (LONG_RUN + 1)]  # a run too long for bulk: left to segment()
    expected, expected_keys = _one_by_one(full_dictionary, runs)
    d = Dictionary(full_dictionary.freq, full_dictionary.total)
    d._trie = full_dictionary.trie
    d.seen = set()
    d.presegment(runs + runs[:10])
    assert runs[-1] not in d._cache and runs[0] in d._cache
    assert [d.segment(r) for r in runs] == expected
    assert {k for k in d.seen if len(k) > 1} == expected_keys


def _paragraphs(corpus_index) -> list[Paragraph]:
    return [
        Paragraph(id=p["id"], version=p["version"], statement=p["statement"], seq=p["seq"], section=p["section"],
                  kind=p["kind"], lang=p["lang"], text=p["text"])
        for p in corpus_index.paragraphs
    ]


def _words_postings(dest) -> dict[str, list[tuple[int, int]]]:
    found: dict[str, list[tuple[int, int]]] = {}
    for base in block_bases(dest):
        arrays = PostingArrays(dest, base)
        for term in arrays.terms("words"):
            docs, tfs = arrays.get("words", term)
            found.setdefault(term, []).extend(zip(docs.tolist(), tfs.tolist()))
    return found


def test_an_index_build_segmenting_in_bulk_writes_the_same_words(tmp_path, monkeypatch, full_dictionary,
                                                                  corpus_index):
    paragraphs = _paragraphs(corpus_index)
    monkeypatch.setattr(writer, "WHOOSH_TAIL_MIN", 10**9)  # every word in the posting arrays, to compare them all
    apart = tmp_path / "apart"
    seen_apart = writer.write_index(paragraphs, full_dictionary, apart, workers=1)
    monkeypatch.setattr(writer, "PRESEGMENT_MIN", 1)
    monkeypatch.setattr(writer, "CHUNK", 37)
    bulk = tmp_path / "bulk"
    seen_bulk = writer.write_index(paragraphs, full_dictionary, bulk, workers=1)
    assert HAN_RUN_RE.findall("中国，北约")  # the runs the build cuts are Han runs
    assert seen_bulk == seen_apart
    assert _words_postings(bulk) == _words_postings(apart)
    assert len(_words_postings(bulk)) > 1000


def test_the_tries_table_finds_every_key_and_no_other():
    """The open-addressing table behind the trie (linear probing, keys placed in parallel rounds): every key is
    found with its value, keys that are not in it are not, however the keys collide."""
    import numpy as np

    from jiaokan.search.batch_segmenter import _hash_table, _slot

    rng = np.random.default_rng(7)
    for n in (1, 3, 50, 20_000):
        keys = np.unique(rng.integers(1, 2**62, size=n, dtype=np.uint64))
        table, values, probes = _hash_table(keys, np.arange(1, len(keys) + 1))
        trie = Dictionary({"中": 1}, 10).trie  # any trie; its table is swapped for this one
        trie._table_keys, trie._table_children, trie._probes = table, values, probes
        parents, chars = keys >> np.uint64(21), keys & np.uint64((1 << 21) - 1)
        assert trie.children(parents, chars).tolist() == list(range(1, len(keys) + 1))
        absent = np.setdiff1d(rng.integers(1, 2**62, size=1000, dtype=np.uint64), keys)
        assert not trie.children(absent >> np.uint64(21), absent & np.uint64((1 << 21) - 1)).any()
        assert (_slot(keys, len(table)) < len(table)).all()
