"""The adversarial query shapes of bench/adversarial.py give right answers on the real corpus (issue 11); their time
is measured by the benchmark, not here. Each answer is checked against a plain test on the folded paragraph texts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.adversarial import adversarial_queries, over_limit_queries, with_limit
from jiaokan.search.folding import fold
from jiaokan.search.searching import search

_HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def shapes(corpus_index):
    return adversarial_queries(list(corpus_index.paragraphs))


@pytest.fixture(scope="module")
def folded(corpus_index):
    return {p["id"]: fold(p["text"]).text for p in corpus_index.paragraphs}


def _found(index, query: str) -> set[str]:
    ids, page = set(), 1
    while True:
        result = search(index, query, per_page=100, page=page, collapse=False, translate=False)
        ids.update(h.id for h in result.hits)
        if page >= result.pages:
            return ids
        page += 1


def _whole_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text) is not None


def test_every_shape_fits_the_query_limit_and_answers(shapes, corpus_index):
    assert len(shapes) >= 10
    for name, query in shapes.items():
        assert len(query) <= 256, name
        search(corpus_index, query)  # none is refused or fails


def test_128_one_character_words_must_all_match(shapes, corpus_index, folded):
    latin = shapes["128 one-character Latin/digit words"].split()
    assert len(latin) == 128
    expected = {pid for pid, text in folded.items() if all(_whole_word(text, w) for w in set(latin))}
    assert _found(corpus_index, shapes["128 one-character Latin/digit words"]) == expected

    han = shapes["128 one-character Han words of one paragraph"].split()
    assert len(han) == 128
    expected = {pid for pid, text in folded.items() if all(c in text for c in set(han))}
    assert expected, "the paragraph the characters come from contains them all"
    assert _found(corpus_index, shapes["128 one-character Han words of one paragraph"]) == expected


def test_wide_and_deep_or_match_any_alternative(shapes, corpus_index, folded):
    for name in ("52-way OR of Han characters", "nested OR, 25 deep"):
        chars = _HAN.findall(shapes[name])
        expected = {pid for pid, text in folded.items() if any(c in text for c in chars)}
        assert len(expected) > 10
        assert _found(corpus_index, shapes[name]) == expected, name


def test_64_way_or_over_the_limit_matches_any_alternative(corpus_index, folded):
    (query,) = over_limit_queries(list(corpus_index.paragraphs)).values()
    chars = _HAN.findall(query)
    assert len(chars) == 64 and len(query) > 256
    with with_limit(400):
        found = _found(corpus_index, query)
    assert found == {pid for pid, text in folded.items() if any(c in text for c in chars)}


def test_a_warmed_index_has_whoosh_open_only_if_it_has_a_whoosh_tail(built_index, whoosh_tail_index):
    # A server warms its index at start-up, so that its first rare term (often in an adversarial query) does not
    # pay Whoosh's import and opening; an index with no Whoosh tail (the bundled corpus) never opens it.
    from jiaokan.search.index import open_index

    for path, tail in ((built_index, False), (whoosh_tail_index, True)):
        index = open_index(path)
        try:
            search(index, "合作")
            assert index._ix is None, "a frequent term needs no Whoosh"
            index.warm()
            assert (index._ix is not None) == tail, path
        finally:
            index.close()


def test_a_long_run_found_nowhere_answers_with_no_hits(shapes, corpus_index, folded):
    # The no-hit suggestions look for its longest pieces that occur: bounded, and each offered piece does occur.
    run = shapes["256 different Han characters, one run"]
    assert not any(run in t for t in folded.values())
    result = search(corpus_index, run)
    assert result.total == 0
    for s in result.suggestions:
        assert s.total > 0 and any(s.query in t for t in folded.values()), s


def test_deep_parentheses_mean_what_they_enclose(shapes, corpus_index, folded):
    assert _found(corpus_index, shapes["deep parentheses"]) == {pid for pid, t in folded.items() if "合作" in t}


def test_long_runs_are_found_exactly_where_they_occur(shapes, corpus_index, folded):
    for name in ("256 of one Han character", "256 of one Latin letter", "long mixed-script run from the corpus",
                 "long mixed-script run, synthetic"):
        run = fold(shapes[name]).text
        expected = {pid for pid, text in folded.items() if run in text}
        assert _found(corpus_index, shapes[name]) == expected, name
    assert _found(corpus_index, shapes["long mixed-script run from the corpus"]), "the corpus's own run is not found"


def test_alternating_scripts_spaced_must_all_match(shapes, corpus_index, folded):
    words = set(shapes["alternating scripts, spaced"].split())
    expected = {
        pid for pid, text in folded.items()
        if all((w in text) if _HAN.match(w) else _whole_word(text, w) for w in words)
    }
    assert _found(corpus_index, shapes["alternating scripts, spaced"]) == expected


@pytest.mark.parametrize("query", ["\x00㐀㐀㐀", "\x00北约", "北约\x00", "\x00全面战略协作", "中华人民共和国\x00"])
def test_a_nul_character_in_a_query_is_answered_not_a_failure(corpus_index, query):
    """A NUL (a stray byte from a pasted file or a fuzzer) is read as nothing: the query answers as it does without
    it (OpenCC's phrase converter stops at a NUL, which once made a regional reading empty and the search fail)."""
    result = search(corpus_index, query)
    plain = search(corpus_index, query.replace("\x00", ""))
    assert (result.total, result.totals) == (plain.total, plain.totals)
    assert [h.id for h in result.hits] == [h.id for h in plain.hits]


def test_page_in_maps_every_file_a_query_reads(whoosh_tail_index):
    # A server's first requests should not read the index from disk a page at a time (search/paging.py): the
    # posting arrays, their term tables, the paragraph store and the Whoosh files a rare word is looked up in are
    # paged in when it opens a build, and the Whoosh files stay mapped (so in memory) until the index is closed.
    from jiaokan.search.index import open_index

    index = open_index(whoosh_tail_index)
    try:
        patterns = ("postings-*.dat", "postings-*.terms", "paragraphs.bin", "*.trm", "*.pst")
        mapped = sum(p.stat().st_size for pattern in patterns for p in index.build_dir.glob(pattern))
        assert list(index.build_dir.glob("postings-*.dat")) and list(index.build_dir.glob("*.trm"))
        assert index.engine.page_in() == mapped
        assert index.engine.page_in() == mapped  # again: the same maps, not a second set
        assert _mapped_here(".trm")
        word = _a_whoosh_word(index)
        found = search(index, word)  # looked up in the mapped Whoosh files
        assert found.total and any(word in fold(h.text).text for h in found.hits), word
    finally:
        index.close()
    assert not _mapped_here(".trm")


def _a_whoosh_word(index) -> str:
    """A Chinese word of two characters or more that the Whoosh segment holds."""
    with index.ix.reader() as reader:
        for term in reader.lexicon("words"):
            word = term.decode("utf-8")
            if len(word) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in word):
                return word
    raise AssertionError("no Chinese word in the Whoosh segment")


def _mapped_here(suffix: str) -> bool:
    maps = Path("/proc/self/maps")
    if not maps.exists():
        pytest.skip("no /proc/self/maps here")
    return any(line.rstrip().endswith(suffix) for line in maps.read_text().splitlines())
