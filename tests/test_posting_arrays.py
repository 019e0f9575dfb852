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


def _random_block(rng: random.Random, terms: int) -> dict[str, tuple[list[int], list[int]]]:
    block = {}
    for k in range(terms):
        docs = sorted(rng.sample(range(60_000), rng.randint(1, 40)))
        block[f"{chr(0x4E00 + rng.randrange(20_000))}{chr(0x4E00 + rng.randrange(20_000))}{k}"] = (
            docs, [rng.randint(1, 300) for _ in docs])
    return block


def test_terms_added_in_any_order_or_grouped_read_back_the_same(tmp_path):
    """A build adds a field's postings grouped in its table's order (written as they are); terms added one by one,
    in any order, are put in that order when the block is closed."""
    rng = random.Random(7)
    block = _random_block(rng, 3000)
    one_by_one, grouped = tmp_path / "one", tmp_path / "grouped"
    one_by_one.mkdir(), grouped.mkdir()
    writer = PostingArraysWriter(one_by_one, 0)
    for term, (docs, tfs) in block.items():
        writer.add("grams", term, docs, tfs)
    writer.add("words", "北约", [3, 9], [1, 2])
    writer.close()
    from jiaokan.search.postings import table_order

    terms = list(block)
    _, _, order = table_order("grams", terms)
    in_order = [terms[i] for i in order.tolist()]
    writer = PostingArraysWriter(grouped, 0)
    writer.add_grouped("grams", in_order, np.array([len(block[t][0]) for t in in_order]),
                       np.concatenate([block[t][0] for t in in_order]), np.concatenate([block[t][1] for t in in_order]))
    writer.add("words", "北约", [3, 9], [1, 2])
    writer.close()
    for folder in (one_by_one, grouped):
        arrays = PostingArrays(folder, 0)
        for term, (docs, tfs) in block.items():
            ids, freqs = arrays.find("grams", term)
            assert ids.tolist() == docs and freqs.tolist() == tfs, term
            assert arrays.count("grams", term) == len(docs)
        assert arrays.find("words", "北约")[1].tolist() == [1, 2]
    assert (one_by_one / "postings-0.dat").read_bytes() == (grouped / "postings-0.dat").read_bytes()


def test_a_term_table_with_stored_counts_is_still_read(tmp_path):
    """Blocks written before the counts were read from the next term's first posting: first (n), count (n,
    uint16), hash, start, text; their postings in the order the terms were added."""
    import marshal

    block = _random_block(random.Random(8), 500)
    writer = PostingArraysWriter(tmp_path, 0)
    for term, (docs, tfs) in block.items():
        writer.add("grams", term, docs, tfs)
    writer.close()
    new = PostingArrays(tmp_path, 0)
    expected = {t: (new.find("grams", t)[0].tolist(), new.find("grams", t)[1].tolist()) for t in block}
    # The same block in the earlier layout.
    stem = tmp_path / "postings-0"
    header = marshal.loads(stem.with_suffix(".idx").read_bytes())
    layout = header["fields"]["grams"]
    raw = stem.with_suffix(".terms").read_bytes()
    n = layout["count"]
    first = np.frombuffer(raw, np.uint32, n + 1, layout["first"])
    parts = {"first": first[:-1].tobytes(), "postings": np.diff(first).astype(np.uint16).tobytes(),
             "hashes": raw[layout["hashes"]: layout["hashes"] + 4 * n],
             "starts": raw[layout["starts"]: layout["starts"] + 4 * (n + 1)]}
    out, old_layout = bytearray(), {"count": n}
    for name, data in parts.items():
        out += b"\0" * (-len(out) % 8)
        old_layout[name] = len(out)
        out += data
    old_layout["text"] = len(out)
    out += raw[layout["text"]: layout["text_end"]]
    old_layout["text_end"] = len(out)
    stem.with_suffix(".terms").write_bytes(bytes(out))
    header["fields"]["grams"] = old_layout
    stem.with_suffix(".idx").write_bytes(marshal.dumps(header))
    old = PostingArrays(tmp_path, 0)
    for term, (docs, tfs) in expected.items():
        assert old.find("grams", term)[0].tolist() == docs and old.find("grams", term)[1].tolist() == tfs
        assert old.count("grams", term) == len(docs) == len(block[term][0])
    assert old.find("grams", "北约") is None
