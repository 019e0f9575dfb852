"""Queries read as the reader meant them (issue 10): full-width and Traditional input get what their folded forms get,
translations included; a dangling operator or an unclosed quote is mended and said so; letter-spaced Chinese is found
by the word it spells. Expected results are the results of the plain form, on the real corpus.
"""
from __future__ import annotations

import shutil

import pytest

from jiaokan.search.query_parser import parse
from as_written import search_function as search


def found(index, query: str, **kwargs) -> list[tuple[str, tuple[str, ...]]]:
    """Every hit of `query` with what it was found through, paging through 100 at a time, in rank order."""
    kwargs.setdefault("collapse", False)
    first = search(index, query, per_page=100, **kwargs)
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += search(index, query, per_page=100, page=page, **kwargs)["hits"]
    return [(h["id"], tuple(h.get("via") or ())) for h in hits]


# (typed, plain): the typed form must find exactly what the plain form finds, in the same order, through the same
# translations.
SAME_AS_PLAIN = [
    ("ＮＡＴＯ", "NATO"),
    ("ＢＲＩＣＳ", "BRICS"),
    ("ｎａｔｏ", "NATO"),
    ("北約", "北约"),
    ("北约 AND", "北约"),
    ("北约 OR", "北约"),
    ("AND 北约", "北约"),
    ("OR 北约", "北约"),
    ("北约 NOT", "北约"),
    ("北约 -", "北约"),
    ("(北约", "北约"),
    ("北约)", "北约"),
    ('"international relations', '"international relations"'),
    ("ＮＡＴＯ AND", "NATO"),
]


@pytest.mark.parametrize(("typed", "plain"), SAME_AS_PLAIN)
def test_folded_and_repaired_queries_find_what_their_plain_forms_find(corpus_index, typed, plain):
    expected = found(corpus_index, plain)
    assert expected, plain
    assert found(corpus_index, typed) == expected, typed


def test_full_width_nato_gets_the_translations_of_nato(corpus_index):
    plain = search(corpus_index, "NATO")["understood"]["expansions"]
    wide = search(corpus_index, "ＮＡＴＯ")["understood"]["expansions"]
    assert plain and [e["via"] for e in wide] == [e["via"] for e in plain]
    # ...and so reaches the Chinese paragraphs, which NATO reaches only through 北约.
    assert {i for i, via in found(corpus_index, "ＮＡＴＯ") if via} == {i for i, via in found(corpus_index, "NATO") if via}


def test_taiwan_vocabulary_reaches_the_english_paragraph_its_mainland_form_reaches(corpus_index):
    english = {i for i, _ in found(corpus_index, "人工智能", lang="en")}
    assert english, "人工智能 reaches no English paragraph through its translation"
    assert {i for i, _ in found(corpus_index, "人工智慧", lang="en")} == english


@pytest.mark.parametrize(
    ("typed", "token"),
    [("北约 AND", "AND"), ("北约 OR", "OR"), ("NOT 北约 NOT", "NOT"), ('"international relations', '"'), ("(北约", "(")],
)
def test_a_repair_is_reported(corpus_index, typed, token):
    repairs = parse(typed).repairs
    assert [r.token for r in repairs] == [token]
    # With repair off the query is read as typed: nothing is mended.
    assert parse(typed, repair=False).repairs == []


def test_an_operator_alone_is_a_word():
    assert parse("OR").tree is not None and parse("OR").repairs == []


def test_prefix_is_read_from_a_trailing_star():
    tree = parse("nat*").tree
    assert tree.prefix and tree.text == "nat"
    assert not parse("北约*").tree.prefix


# --- letter-spaced Chinese ---------------------------------------------------------------------------------------

SPACED_VERSION = """
[[version]]
id = "test-spaced"
file = "texts/test-spaced.txt"
statement = "2022-new-era"
format = "text"
publisher = "jiaokan tests"
source = "written for tests/test_understood.py"
languages = ["zh"]
coverage = "whole"
covers = "Test paragraphs."
notes = "A heading set letter-spaced, as laws and PDF text print them."
"""

SPACED_TEXT = """测试文本

第三章  奖  励

第十条　对作出显著成绩的单位给予奖励。
"""


@pytest.fixture(scope="module")
def spaced_index(tmp_path_factory, corpus_dir):
    from jiaokan.indexer.build import build_index
    from jiaokan.search.index import open_index

    root = tmp_path_factory.mktemp("spaced-corpus")
    corpus = root / "corpus"
    shutil.copytree(corpus_dir, corpus)
    with open(corpus / "catalog.toml", "a", encoding="utf-8") as f:
        f.write(SPACED_VERSION)
    (corpus / "texts" / "test-spaced.txt").write_text(SPACED_TEXT, encoding="utf-8")
    build_index(root / "index", corpus, progress=None)
    index = open_index(root / "index")
    yield index
    index.close()


def test_letter_spaced_heading_is_found_by_the_word_it_spells(spaced_index):
    result = search(spaced_index, "奖励", versions=["test-spaced"], collapse=False, translate=False)
    by_id = {h["id"]: h for h in result["hits"]}
    heading = next(p for p in spaced_index.paragraphs if p["version"] == "test-spaced" and "奖  励" in p["text"])
    assert heading["id"] in by_id, f"the heading {heading['text']!r} is not found by 奖励"
    hit = by_id[heading["id"]]
    assert heading["kind"] == "heading" and heading["section"] == "第三章"  # a heading of its own, opening 第三章
    assert [hit["text"][s:e] for s, e in hit["highlights"]] == ["奖  励"]
    article = next(p for p in spaced_index.paragraphs if p["version"] == "test-spaced" and p["text"].startswith("第十条"))
    assert article["id"] in by_id and article["section"] == "第三章"
    # The spaced form typed as a phrase finds the unspaced text too, and the heading's whole title is one string.
    assert set(by_id) == {h["id"] for h in search(spaced_index, '"奖 励"', versions=["test-spaced"],
                                                       collapse=False, translate=False)["hits"]}
    assert heading["id"] in {h["id"] for h in search(spaced_index, "第三章奖励", collapse=False)["hits"]}
