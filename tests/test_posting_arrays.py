"""The posting arrays' term table on disk: every term written is found with its own postings, terms that share a
hash are told apart by their text, and a term never written is not found (whatever its hash)."""
from __future__ import annotations

import random
import re
import zlib
from functools import lru_cache

import numpy as np

from jiaokan.search.postings import PostingArrays, PostingArraysWriter


@lru_cache(maxsize=None)
def _colliding_pairs(field: str, wanted: int) -> list[tuple[str, str]]:
    """Pairs of distinct terms with the same CRC-32 under the field's seed, found among random 16-digit hex words (a
    few hundred thousand of them hold some such pairs, by the birthday bound; the seed makes it the same ones)."""
    rng = random.Random(20221204)
    seed = zlib.crc32(f"{field}:".encode())
    seen: dict[int, str] = {}
    pairs = []
    for _ in range(2_000_000):
        term = f"{rng.getrandbits(64):016x}"
        h = zlib.crc32(term.encode(), seed)
        if h in seen:
            pairs.append((seen[h], term))
            if len(pairs) == wanted:
                break
        seen[h] = term
    return pairs


def test_terms_sharing_a_hash_keep_their_own_postings(tmp_path):
    found = _colliding_pairs("grams", 6)
    pairs, absent = found[:3], found[3:]
    assert len(absent) == 3
    terms = {"北约": [1, 5, 9], "北": [1, 2, 5, 9], "nato": [3], "human rights": [4, 7]}
    for k, (a, b) in enumerate(pairs):
        terms[a] = [10 + k]
        terms[b] = [20 + k, 30 + k]
    writer = PostingArraysWriter(tmp_path, 0)
    for term, docs in terms.items():
        writer.add("grams", term, docs, [1] * len(docs))
    writer.add("words", "北约", [1, 5], [2, 1])
    writer.close()

    arrays = PostingArrays(tmp_path, 0)
    for term, docs in terms.items():
        ids, tfs = arrays.find("grams", term)
        assert ids.tolist() == docs, term
        assert arrays.count("grams", term) == len(docs)
    assert arrays.find("words", "北约")[1].tolist() == [2, 1]
    assert arrays.find("words", "北") is None  # each field its own table
    # A term never written is not found, even where its hash is taken by another term.
    for a, b in absent:
        assert arrays.find("grams", a) is None and arrays.find("grams", b) is None
    assert arrays.find("grams", "北约组织") is None and arrays.count("grams", "") is None
    assert sorted(arrays.terms("words")) == ["北约"]
    assert sorted(arrays.terms("grams")) == sorted(terms)
    assert sorted(arrays.terms("grams", re.compile(rb"^[0-9a-z]+$", re.M))) == sorted(
        t for t in terms if t.isascii() and t.isalnum())


def test_an_empty_block_has_no_terms(tmp_path):
    PostingArraysWriter(tmp_path, 0).close()
    arrays = PostingArrays(tmp_path, 0)
    assert arrays.find("grams", "北约") is None and arrays.terms("grams") == []
    assert np.asarray(arrays.find("grams", "x") or []).size == 0
