"""The grams an index build writes are gram_counts's, paragraph by paragraph: the build counts the Han grams of a
whole block at once (search/analysis.py han_gram_postings) and the Latin ones paragraph by paragraph, and what it
writes must be every paragraph's gram_counts exactly, with the field lengths that score them."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from jiaokan.indexer import writer
from jiaokan.indexer.records import Paragraph
from jiaokan.search.analysis import analyze, han_gram_postings
from jiaokan.search.folding import fold
from jiaokan.search.postings import PostingArrays, block_bases, read_lengths
from jiaokan.search.segmenter import Dictionary

# Han characters from every block the units know (basic, extension A, compatibility, extension B and beyond, the
# blocks' first and last code points) and characters just outside them, which are not Han units.
HAN = list("中国俄罗斯北约的了") + ["\u3400", "\u4dbf", "\u4e00", "\u9fff", "\uf900", "\ufaff", "\U00020000",
                                   "\U0002a6a5", "\U00030000", "\U0003134f"]
NOT_HAN = ["\u4dc0", "\ua000", "\U00031350", "\u3007", "。", "，", "、", "《", "》", " ", "\n", "-", "·"]
LATIN = ["covid", "19", "asean's", "don't", "can't", "g20", "NATO", "Россия", "войны", "ＡＢＣ", "o’neill", "2030"]


def _random_text(rng: random.Random) -> str:
    pieces = []
    for _ in range(rng.randrange(0, 40)):
        kind = rng.random()
        if kind < 0.55:
            pieces.append("".join(rng.choice(HAN) for _ in range(rng.randrange(1, 6))))
        elif kind < 0.8:
            pieces.append(rng.choice(NOT_HAN))
        else:
            pieces.append(rng.choice(LATIN) + rng.choice(["", " ", " ", "，"]))
    return "".join(pieces)


def _texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = [_random_text(rng) for _ in range(count)]
    return texts + ["", "中", "中中中中", "covid", "北约 北约", "\U00020000\U00020000\U0002a6a5"]


def _han_part(text: str) -> Counter:
    analysis = analyze(text, None, offsets=False)
    han = analysis.gram_counts()
    for term, n in analysis.latin_gram_counts().items():
        han[term] -= n
    return +han


def test_han_gram_postings_count_what_gram_counts_counts():
    texts = _texts(400, 20221204)
    folded = [fold(t, offsets=False).text for t in texts]
    terms, counts, docnums, tfs, lengths, _ = han_gram_postings(folded)
    assert len(terms) == len(set(terms)) == len(counts)
    assert int(counts.sum()) == len(docnums) == len(tfs)
    found = [Counter() for _ in texts]
    at = 0
    for term, n in zip(terms, counts.tolist()):
        docs = docnums[at : at + n].tolist()
        assert docs == sorted(set(docs)), f"{term}: documents out of order"
        for d, tf in zip(docs, tfs[at : at + n].tolist()):
            found[d][term] = tf
        at += n
    expected = [_han_part(t) for t in texts]
    assert found == expected
    assert lengths.tolist() == [sum(c.values()) for c in expected]
    assert sum(len(c) for c in expected) > 2000  # the fixture holds many grams of every kind
    assert any(len(term) == 2 and ord(term[0]) > 0xFFFF for term in terms)


def test_no_texts_and_texts_without_han_have_no_han_grams():
    for texts in ([], [""], ["covid 19, NATO's"]):
        terms, counts, docnums, tfs, lengths, _ = han_gram_postings(texts)
        assert terms == [] and len(counts) == len(docnums) == len(tfs) == 0
        assert lengths.tolist() == [0] * len(texts)


@pytest.mark.parametrize("block", [7, 60_000])
def test_an_index_build_writes_every_paragraphs_gram_counts(tmp_path, monkeypatch, block):
    """Through write_index, in one block and in many blocks written by parallel workers."""
    monkeypatch.setattr(writer, "BLOCK", block)
    monkeypatch.setattr(writer, "PARALLEL_THRESHOLD", 0 if block < 100 else writer.PARALLEL_THRESHOLD)
    texts = _texts(120, 7)
    paragraphs = [
        Paragraph(id=f"v-{i + 1:03d}", version="v", statement="s", seq=i + 1, section="", kind="body", lang="zh",
                  text=t)
        for i, t in enumerate(texts)
    ]
    dictionary = Dictionary({"中国": 100, "中": 50, "国": 40, "北约": 30, "北": 5}, 1000)
    dest = tmp_path / "index"
    writer.write_index(paragraphs, dictionary, dest, workers=2)

    bases = block_bases(dest)
    assert len(bases) > 10 if block < 100 else len(bases) == 1
    found = [Counter() for _ in texts]
    for base in bases:
        arrays = PostingArrays(dest, base)
        for term in arrays.terms("grams"):
            docs, tfs = arrays.get("grams", term)
            for d, tf in zip(docs.tolist(), tfs.tolist()):
                assert term not in found[d]
                found[d][term] = tf
    expected = [analyze(t, None, offsets=False).gram_counts() for t in texts]
    assert found == expected
    assert read_lengths(dest, "grams").tolist() == [sum(c.values()) for c in expected]


LADDER = (120, 60, 30, 15)


@pytest.mark.parametrize("thresholds, budget, taken", [
    (30, None, 30),  # one threshold: taken as it is
    (LADDER, (0, float("inf")), 15),  # a ladder within any budget: its lowest
    (LADDER, (1 << 20, float("inf")), 120),  # one term per million texts: its highest, whatever the budget says
    (LADDER, (1, float("inf")), 60),  # a term per text: 127 pieces at 60, 430 at 30
    (LADDER, (0, 0.8), 60),  # 80 % of the Han postings: 74 % at 60, 91 % at 30
    (LADDER, None, None),  # the real budget: the lowest within it (checked below)
])
def test_three_character_postings_are_those_of_the_common_pairs(monkeypatch, thresholds, budget, taken):
    # With a threshold, han_gram_postings adds every three Han characters side by side that start with a pair
    # held by at least that many texts, with its frequency in each; the characters, pairs and lengths stay as
    # they were (the pieces do not score). Given several, it takes the lowest whose pieces keep within the budget
    # (a term per TRIGRAM_TEXTS_PER_TERM texts, TRIGRAM_MAX_SHARE of the Han postings), the highest at least.
    from jiaokan.search import analysis

    if budget is not None:
        monkeypatch.setattr(analysis, "TRIGRAM_TEXTS_PER_TERM", budget[0])
        monkeypatch.setattr(analysis, "TRIGRAM_MAX_SHARE", budget[1])
    rng = random.Random(8)
    alphabet = "联合国作际中方\U00020000"
    texts = ["".join(rng.choices(alphabet + "ab ", k=rng.randint(0, 30))) for _ in range(300)] + ["", "联合"]
    texts += ["".join(rng.choices("联合国作", k=60)) for _ in range(100)]  # where the commonest pairs are
    plain = han_gram_postings(texts)
    terms, counts, docnums, tfs, lengths, threshold = han_gram_postings(texts, trigram_min_df=thresholds)
    assert terms[: len(plain[0])] == plain[0] and (lengths == plain[4]).all()
    assert (counts[: len(plain[1])] == plain[1]).all() and (docnums[: len(plain[2])] == plain[2]).all()

    def han(s: str) -> bool:
        return all(c in alphabet for c in s)

    pair_df = Counter(p for t in texts for p in {t[i : i + 2] for i in range(len(t) - 1)} if han(p))

    def pieces(floor: int) -> list[Counter]:
        return [Counter(t[i : i + 3] for i in range(len(t) - 2) if han(t[i : i + 3]) and pair_df[t[i : i + 2]] >= floor)
                for t in texts]

    def within_budget(floor: int) -> bool:
        held = pieces(floor)
        distinct = len({p for c in held for p in c})
        postings = sum(len(c) for c in held)
        return (distinct * analysis.TRIGRAM_TEXTS_PER_TERM <= len(texts)
                and postings <= analysis.TRIGRAM_MAX_SHARE * len(plain[2]))

    if taken is not None:
        assert threshold == taken
    else:
        assert threshold in LADDER and (threshold == LADDER[0] or within_budget(threshold))
        lower = LADDER[LADDER.index(threshold) + 1 :]
        assert not lower or not within_budget(lower[0])
    expected = pieces(threshold)
    found = [Counter() for _ in texts]
    at = len(plain[2])
    for term, n in zip(terms[len(plain[0]) :], counts[len(plain[1]) :].tolist()):
        assert len(term) == 3
        for d, tf in zip(docnums[at : at + n].tolist(), tfs[at : at + n].tolist()):
            found[d][term] = tf
        at += n
    assert found == expected
    assert sum(len(c) for c in expected) > 500
