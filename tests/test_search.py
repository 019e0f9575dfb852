"""The search function (issue 3) on the real corpus index: every query form, every folding, exact highlight spans,
snippets, hit fields, facets, how the query was understood, ranking ties, paging and the limits.

Everything goes through the public `search.searching.search()`. Expected sets of paragraphs are computed from the
paragraphs themselves (substring tests on the folded text), not copied from a run, so a test says what a reader
would expect: "every paragraph containing 核 is a hit", not "核 has 35 hits".
"""
from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from jiaokan.search.errors import BadQuery
from jiaokan.search.folding import fold_text
from as_written import search
from as_written import search_function

SENTENCE_END = "。！？；.!?;"
CLOSERS = "”’\"')）"


# --- helpers -----------------------------------------------------------------------------------------------------


def all_hits(index, query: str, **kwargs) -> list[dict]:
    """Every hit of `query`, paging through 100 at a time, in rank order."""
    first = search(index, query, per_page=100, **kwargs)
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += search(index, query, per_page=100, page=page, **kwargs)["hits"]
    assert len(hits) == first["total"], f"{query!r}: paging returned {len(hits)} hits, total says {first['total']}"
    return hits


def ids(hits: list[dict]) -> list[str]:
    return [h["id"] for h in hits]


def id_set(index, query: str, **kwargs) -> set[str]:
    return set(ids(all_hits(index, query, **kwargs)))


def containing(index, s: str) -> set[str]:
    """Ids of the paragraphs whose folded text contains the folded string `s`."""
    needle = fold_text(s)
    return {p["id"] for p in index.paragraphs if needle in fold_text(p["text"])}


def containing_words(index, *words: str) -> set[str]:
    """Ids of the paragraphs containing every one of the English `words` as whole words (any case)."""
    patterns = [re.compile(rf"(?<![^\W_]){re.escape(w)}(?![^\W_])", re.IGNORECASE) for w in words]
    return {p["id"] for p in index.paragraphs if all(pat.search(p["text"]) for pat in patterns)}


def covered(hit: dict) -> list[str]:
    """The text under each highlight span."""
    return [hit["text"][s:e] for s, e in hit["highlights"]]


def occurrences(text: str, s: str) -> list[tuple[int, int]]:
    """[start, end) of every (possibly overlapping) occurrence of `s` in `text`."""
    found, i = [], text.find(s)
    while i >= 0:
        found.append((i, i + len(s)))
        i = text.find(s, i + 1)
    return found


def is_covered(hit: dict, start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in hit["highlights"])


def corpus_order(index) -> dict[str, int]:
    return {p["id"]: i for i, p in enumerate(index.paragraphs)}


def by_id(hits: list[dict], pid: str) -> dict:
    for h in hits:
        if h["id"] == pid:
            return h
    raise AssertionError(f"{pid} is not among the hits {ids(hits)}")


def check_no_error(index, query: str) -> dict:
    try:
        return search(index, query)
    except BadQuery as e:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"the mistyped query {query!r} raised BadQuery({e}); it should be read as text") from None


# --- query forms ---------------------------------------------------------------------------------------------------


def test_space_separated_words_must_all_match(corpus_index):
    both = search(corpus_index, "北约 亚太")
    assert both["total"] > 0
    assert id_set(corpus_index, "北约 亚太") == containing(corpus_index, "北约") & containing(corpus_index, "亚太")
    # English: AND is the intersection of what each word finds alone.
    for a, b in [("democracy", "rights"), ("sides", "reiterated"), ("international", "community")]:
        together = id_set(corpus_index, f"{a} {b}")
        assert together, f"{a} {b}: no hits"
        assert together == id_set(corpus_index, a) & id_set(corpus_index, b), f"{a} {b} is not the AND of its words"


def test_chinese_without_spaces_is_found_wherever_it_occurs(corpus_index):
    for s in ["北约", "核动力潜艇", "人工智能", "地区安全", "战略稳定", "可持续发展", "命运共同体"]:
        expected = containing(corpus_index, s)
        assert expected, s
        found = id_set(corpus_index, s)
        assert expected <= found, f"{s}: paragraphs containing it but not returned: {sorted(expected - found)}"


def test_exact_string_ranks_above_its_words_apart(corpus_index):
    # 地区安全 is jieba's 地区 + 安全: 17 paragraphs hold the string, 8 more hold both words apart, and some of
    # those 8 have a higher BM25F score than some of the 17, so only the exact-string tier puts them below.
    query = "地区安全"
    hits = all_hits(corpus_index, query)
    exact = [fold_text(query) in fold_text(h["text"]) for h in hits]
    apart = [h for h, e in zip(hits, exact) if not e]
    assert apart, "the example needs paragraphs holding 地区 and 安全 apart"
    for h in apart:
        folded = fold_text(h["text"])
        assert "地区" in folded and "安全" in folded, f"{h['id']} is a hit without 地区 and 安全"
    first_apart = exact.index(False)
    assert all(exact[:first_apart]) and not any(exact[first_apart:]), (
        f"exact-string paragraphs must all come before words-apart ones: {list(zip(ids(hits), exact))}"
    )
    lowest_exact = min(h["score"] for h, e in zip(hits, exact) if e)
    assert max(h["score"] for h in apart) > lowest_exact, "example no longer shows the tier overriding BM25F"
    # The words-apart hits mark the words where they stand.
    for h in apart:
        assert h["highlights"], f"{h['id']}: a words-apart hit has no highlights"
        assert set(covered(h)) <= {"地区", "安全"}, f"{h['id']}: {covered(h)}"


def test_quoted_chinese_phrase_matches_only_the_exact_string(corpus_index):
    assert id_set(corpus_index, '"地区安全"') == containing(corpus_index, "地区安全")
    assert id_set(corpus_index, '"地区安全"') < id_set(corpus_index, "地区安全")
    hits = all_hits(corpus_index, '"核动力潜艇"')
    assert set(ids(hits)) == containing(corpus_index, "核动力潜艇") == {"un-043", "xinhua-035", "chinanews-2-014"}
    for h in hits:
        assert covered(h) == ["核动力潜艇"]


def test_quoted_english_phrase_matches_the_words_in_order(corpus_index):
    phrase = re.compile(r"(?<![^\W_])the\s+two\s+sides(?![^\W_])", re.IGNORECASE)
    expected = {p["id"] for p in corpus_index.paragraphs if phrase.search(p["text"])}
    hits = all_hits(corpus_index, '"the two sides"')
    assert set(ids(hits)) == expected and expected
    for h in hits:
        assert all(re.fullmatch(r"the two sides", c, re.IGNORECASE) for c in covered(h)), covered(h)
    # A quoted phrase is stricter than its words: "sides the" in order does not occur as a phrase.
    assert id_set(corpus_index, '"sides two"') == set()
    assert id_set(corpus_index, "sides two")


def test_or(corpus_index):
    either = id_set(corpus_index, "北约 OR AUKUS")
    assert either == containing(corpus_index, "北约") | containing(corpus_index, "AUKUS")
    assert len(either) == 6
    assert id_set(corpus_index, "vaccines OR 北约") == id_set(corpus_index, "vaccines") | id_set(corpus_index, "北约")


def test_minus_word_and_not_exclude(corpus_index):
    with_core = id_set(corpus_index, "核")
    without = with_core - id_set(corpus_index, "核武器")
    assert without and without < with_core
    assert id_set(corpus_index, "核 -核武器") == without
    assert id_set(corpus_index, "核 NOT 核武器") == without
    for h in all_hits(corpus_index, "核 -核武器"):
        assert "核武器" not in fold_text(h["text"]), h["id"]
    assert id_set(corpus_index, "AUKUS -核动力潜艇") == set()
    assert id_set(corpus_index, "AUKUS NOT 北约") == containing(corpus_index, "AUKUS")


def test_negation_only_query_is_not_a_crash(corpus_index):
    # "-北约" / "NOT 北约": everything but the NATO paragraphs, or a one-line BadQuery; never an internal error.
    for query in ["-北约", "NOT 北约", "-(北约)", "(-北约)"]:
        try:
            result = search(corpus_index, query, per_page=100)
        except BadQuery as e:
            assert "\n" not in str(e)
            continue
        except Exception as e:  # noqa: BLE001 - the test is that nothing else escapes
            raise AssertionError(
                f"search(index, {query!r}) raised {type(e).__name__}: {e} "
                "(expected the paragraphs without 北约, or BadQuery)"
            ) from None
        assert result["total"] == len(corpus_index.paragraphs) - len(containing(corpus_index, "北约")), query
        assert all("北约" not in fold_text(h["text"]) for h in result["hits"]), query


def test_parentheses_group(corpus_index):
    grouped = id_set(corpus_index, "(北约 OR AUKUS) 亚太")
    assert grouped == (containing(corpus_index, "北约") | containing(corpus_index, "AUKUS")) & containing(
        corpus_index, "亚太"
    )
    # Without them AND binds tighter than OR: 北约 OR (AUKUS 亚太).
    ungrouped = id_set(corpus_index, "北约 OR AUKUS 亚太")
    assert ungrouped == containing(corpus_index, "北约") | (
        containing(corpus_index, "AUKUS") & containing(corpus_index, "亚太")
    )
    # Grouping changes the meaning: (核 OR AUKUS) 北约 is not 核 OR (AUKUS 北约).
    assert id_set(corpus_index, "(核 OR AUKUS) 北约") != id_set(corpus_index, "核 OR AUKUS 北约")
    assert id_set(corpus_index, "(核 OR AUKUS) 北约") == containing(corpus_index, "北约") & (
        containing(corpus_index, "核") | containing(corpus_index, "AUKUS")
    )


def test_ranking_or_query_is_by_score_when_nothing_matches_apart(corpus_index):
    # 北约, AUKUS and 亚太 are each one word, so no hit can match "only with its words apart": the exact-string
    # tier has nothing to demote, and the order must be BM25F score, ties in corpus order. The AUKUS branch
    # (AUKUS 亚太) scores higher than the 北约 branch here.
    hits = all_hits(corpus_index, "北约 OR AUKUS 亚太")
    order = corpus_order(corpus_index)
    expected = sorted(hits, key=lambda h: (-h["score"], order[h["id"]]))
    assert ids(hits) == ids(expected), (
        "hits of an OR query are demoted for not containing the other branch's string: got "
        f"{[(h['id'], h['score']) for h in hits]}"
    )


def test_filters_in_the_query_and_as_arguments(corpus_index):
    paragraphs = {p["id"]: p for p in corpus_index.paragraphs}
    cases = [
        ("北约 version:un", "北约", {"versions": ["un"]}, lambda p: p["version"] == "un"),
        ("核 lang:zh version:xinhua", "核", {"versions": ["xinhua"], "lang": "zh"},
         lambda p: p["version"] == "xinhua" and p["lang"] == "zh"),
        ("the lang:en", "the", {"lang": "en"}, lambda p: p["lang"] == "en"),
        ("人工智能 section:三", "人工智能", {"section": "三"}, lambda p: p["section"] == "三"),
    ]
    for in_query, query, kwargs, keep in cases:
        expected = {i for i in id_set(corpus_index, query) if keep(paragraphs[i])}
        assert expected, in_query
        assert id_set(corpus_index, in_query) == expected, in_query
        assert id_set(corpus_index, query, **kwargs) == expected, (query, kwargs)
    # Several versions: either one.
    two = id_set(corpus_index, "北约", versions=["un", "chinanews-2"])
    assert two == {"un-040", "chinanews-2-011"}
    assert id_set(corpus_index, "北约 version:un version:chinanews-2") == two
    # Filters alone list the paragraphs they select.
    only = search(corpus_index, "version:preview-2017", per_page=100)
    assert only["total"] == sum(1 for p in corpus_index.paragraphs if p["version"] == "preview-2017")
    english = search(corpus_index, "", lang="en", per_page=100)
    assert english["total"] == sum(1 for p in corpus_index.paragraphs if p["lang"] == "en")


def test_mixed_english_and_chinese(corpus_index):
    hits = all_hits(corpus_index, "AUKUS 核动力潜艇")
    assert set(ids(hits)) == {"un-043", "xinhua-035", "chinanews-2-014"}
    for h in hits:
        assert set(covered(h)) == {"AUKUS", "核动力潜艇"}, covered(h)


def test_english_words_are_stemmed(corpus_index):
    assert ids(search(corpus_index, "vaccines")["hits"]) == ["xinhua-022"]
    for query in ["vaccine", "Vaccines", "VACCINE"]:
        hits = search(corpus_index, query)["hits"]
        assert ids(hits) == ["xinhua-022"], query
        assert covered(hits[0]) == ["vaccines"], query


def test_single_chinese_character(corpus_index):
    hits = all_hits(corpus_index, "核")
    assert set(ids(hits)) == containing(corpus_index, "核")
    for h in hits:
        assert set(covered(h)) == {"核"}, (h["id"], covered(h))
        assert len(h["highlights"]) == h["text"].count("核"), h["id"]


# --- folding --------------------------------------------------------------------------------------------------------


def test_full_width_and_case_fold(corpus_index):
    expected = ids(search(corpus_index, "AUKUS")["hits"])
    assert len(expected) == 3
    for query in ["ＡＵＫＵＳ", "aukus", "Aukus", "ａｕｋｕｓ"]:
        hits = search(corpus_index, query)["hits"]
        assert ids(hits) == expected, query
        assert all(set(covered(h)) == {"AUKUS"} for h in hits), query


def test_cjk_digit_spacing_2030(corpus_index):
    hits = all_hits(corpus_index, "2030年")
    assert set(ids(hits)) == containing(corpus_index, "2030年")
    un = by_id(hits, "un-022")
    assert "2030 年" in un["text"]
    assert covered(un) == ["2030 年"], covered(un)
    preview = by_id(hits, "preview-2017-022")
    assert covered(preview) == ["2030年"]
    # And the other way round: the spaced query finds the unspaced text.
    assert id_set(corpus_index, "2030 年") >= {"un-022", "preview-2017-022"}


def test_traditional_script_folds(corpus_index):
    nato = all_hits(corpus_index, "北約")
    assert ids(nato) == ids(all_hits(corpus_index, "北约"))
    assert all(set(covered(h)) == {"北约"} for h in nato)

    ai = all_hits(corpus_index, "人工智慧")
    assert set(ids(ai)) >= containing(corpus_index, "人工智能")
    for h in ai:
        if "人工智能" in h["text"]:
            assert "人工智能" in covered(h), (h["id"], covered(h))

    climate = all_hits(corpus_index, "氣候變化")
    assert set(ids(climate)) == containing(corpus_index, "气候变化")
    assert all(set(covered(h)) == {"气候变化"} for h in climate)


# --- mistyped and meaningless queries --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ['"北约', '北约 "', "(北约", "北约)", "((北约", "北约 -", "北约 ))"])
def test_mistyped_query_reads_as_text(corpus_index, query):
    result = check_no_error(corpus_index, query)
    assert ids(result["hits"]) == ["un-040", "xinhua-032", "chinanews-2-011"], query


@pytest.mark.parametrize("query", ["北约 OR", "OR 北约", "北约 NOT", "AUKUS OR OR 北约", '"北约" "'])
def test_stray_operator_is_not_an_error(corpus_index, query):
    result = check_no_error(corpus_index, query)
    texts = [c["text"] for c in result["understood"]["clauses"]]
    assert "北约" in texts or "北约" in "".join(texts), (query, texts)


def test_unbalanced_parenthesis_inside_or(corpus_index):
    result = check_no_error(corpus_index, "(北约 OR AUKUS")
    assert set(ids(result["hits"])) == containing(corpus_index, "北约") | containing(corpus_index, "AUKUS")


@pytest.mark.parametrize(
    "query, words",
    [
        ("foo:bar 北约", ["foo"]),
        ("北约 Author:x", ["Author"]),
        ("，。！", ["nothing"]),
        ("!!! ...", ["nothing"]),
        ("", ["empty"]),
        ("version:nosuch", ["nosuch"]),
        ("lang:fr 北约", ["fr"]),
    ],
)
def test_meaningless_query_gets_one_line(corpus_index, query, words):
    with pytest.raises(BadQuery) as caught:
        search(corpus_index, query)
    message = str(caught.value)
    assert message and "\n" not in message, repr(message)
    for w in words:
        assert w in message, (query, message)


# --- highlights ---------------------------------------------------------------------------------------------------


def test_highlight_covers_chinese_substring_exactly(corpus_index):
    for query, expected in [("核动力潜", "核动力潜"), ("力潜", "力潜"), ("续扩", "续扩"), ("北约继续扩张", "北约继续扩张")]:
        hits = all_hits(corpus_index, query)
        assert hits, query
        for h in hits:
            assert covered(h) == [expected] * h["text"].count(expected), (query, h["id"], covered(h))


def test_highlight_covers_stemmed_english_word(corpus_index):
    hit = search(corpus_index, "vaccine")["hits"][0]
    (span,) = hit["highlights"]
    assert hit["text"][span[0] : span[1]] == "vaccines"
    hit = search(corpus_index, "coronavirus")["hits"][0]
    assert all(c.lower() == "coronavirus" for c in covered(hit)), covered(hit)


def test_adjacent_and_overlapping_spans_merge(corpus_index):
    # 北约 and 继续 touch in 反对北约继续扩张: one span. The second 北约 (呼吁北约摒弃) stands alone.
    hit = by_id(search(corpus_index, "北约 继续")["hits"], "un-040")
    assert covered(hit) == ["北约继续", "北约"], covered(hit)
    # 北约继 and 约继续 overlap: one span.
    hit = by_id(search(corpus_index, "北约继 约继续")["hits"], "un-040")
    assert covered(hit) == ["北约继续"], covered(hit)
    for h in all_hits(corpus_index, "核"):
        spans = h["highlights"]
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), f"{h['id']}: spans overlap or touch: {spans}"


def test_no_span_for_absent_english_or_branch(corpus_index):
    hits = all_hits(corpus_index, "北约 OR AUKUS")
    for h in hits:
        has_nato = "北约" in h["text"]
        assert set(covered(h)) == ({"北约"} if has_nato else {"AUKUS"}), (h["id"], covered(h))


def test_no_span_for_absent_chinese_or_branch(corpus_index):
    # 北约东扩 is not in the corpus, and its words (北约, 东扩) are not all in any paragraph, so the branch matches
    # nowhere: the NATO paragraphs are hits through 北约 alone, and nothing but 北约 may be marked in them (not
    # the 扩 of 扩张, nor single characters of 不存在的词).
    for query in ["北约 OR 北约东扩", "北约 OR 不存在的词"]:
        for h in all_hits(corpus_index, query):
            assert set(covered(h)) == {"北约"}, (
                f"{query!r} marks {covered(h)} in {h['id']}: spans for a query term that is not there"
            )


def test_highlights_are_code_point_offsets_into_text(corpus_index):
    for query in ["北约", "2030年", "AUKUS 核动力潜艇", "the two sides", "氣候變化"]:
        for h in all_hits(corpus_index, query):
            for s, e in h["highlights"]:
                assert isinstance(s, int) and isinstance(e, int)
                assert 0 <= s < e <= len(h["text"]), (query, h["id"], s, e)


def test_negated_terms_are_not_marked(corpus_index):
    for h in all_hits(corpus_index, "核 -核武器"):
        assert set(covered(h)) == {"核"}


# --- snippets ---------------------------------------------------------------------------------------------------------


def _is_sentence_start(text: str, pos: int) -> bool:
    before = text[:pos].rstrip().rstrip(CLOSERS)
    return pos == 0 or not before or before[-1] in SENTENCE_END


def _is_sentence_end(text: str, pos: int) -> bool:
    return pos == len(text) or text[:pos].rstrip().rstrip(CLOSERS)[-1:] in tuple(SENTENCE_END)


def check_snippet(hit: dict) -> None:
    text, snip = hit["text"], hit["snippet"]
    assert snip, hit["id"]
    # Nothing but <mark> is unescaped.
    bare = re.sub(r"</?mark>", "", snip)
    assert "<" not in bare and ">" not in bare, snip
    assert re.fullmatch(r"(?:[^<]|<mark>[^<]+</mark>)*", snip), f"malformed marks: {snip}"
    # Marked text is highlighted text.
    for marked in re.findall(r"<mark>(.*?)</mark>", snip):
        assert html.unescape(marked) in covered(hit) or any(
            html.unescape(marked) in c for c in covered(hit)
        ), (hit["id"], marked, covered(hit))
    plain = html.unescape(bare)
    pieces = [p for p in plain.split("…")]
    kept = [p.strip() for p in pieces if p.strip()]
    assert kept, snip
    positions = []
    for piece in kept:
        starts = [s for s, _ in occurrences(text, piece)]
        assert starts, f"{hit['id']}: snippet piece not in text: {piece!r}"
        good = [s for s in starts if _is_sentence_start(text, s) and _is_sentence_end(text, s + len(piece))]
        assert good, f"{hit['id']}: snippet piece is not whole sentences: {piece!r}"
        positions.append((good[0], good[0] + len(piece)))
    # An ellipsis wherever text was left out, and nowhere else.
    starts_cut = text[: positions[0][0]].strip() != ""
    ends_cut = text[positions[-1][1] :].strip() != ""
    assert plain.startswith("…") == starts_cut, (hit["id"], snip)
    assert plain.endswith("…") == ends_cut, (hit["id"], snip)
    for (a, b), (c, d) in zip(positions, positions[1:]):
        assert b <= c and text[b:c].strip(), f"{hit['id']}: an ellipsis where nothing was cut: {snip}"


def test_snippets_are_whole_sentences_with_ellipses(corpus_index):
    seen_cut = seen_whole = 0
    for query in ["北约", "地区安全", "vaccines", "the two sides", "核", "2030年", "人工智能", "AUKUS 核动力潜艇"]:
        for h in all_hits(corpus_index, query):
            check_snippet(h)
            seen_cut += "…" in h["snippet"]
            seen_whole += "…" not in h["snippet"]
    assert seen_cut and seen_whole


def test_snippet_for_nato_is_the_sentence_with_both_mentions(corpus_index):
    hit = search(corpus_index, "北约")["hits"][0]
    assert hit["snippet"] == (
        "…双方反对<mark>北约</mark>继续扩张，呼吁<mark>北约</mark>摒弃冷战时期意识形态，尊重他国主权、安全、利益及"
        "文明多样性、历史文化多样性，客观公正看待他国和平发展。…"
    )


def test_snippet_escapes_english_apostrophes(corpus_index):
    hit = by_id(all_hits(corpus_index, "reiterated support"), "xinhua-028")
    assert "each other's" in hit["text"]
    assert "other&#x27;s" in hit["snippet"] or "other&#39;s" in hit["snippet"], hit["snippet"]


# --- a test corpus: HTML in a paragraph, proximity -------------------------------------------------------------

TEST_VERSION = """
[[version]]
id = "test-html"
file = "texts/test-html.txt"
statement = "2022-new-era"
format = "text"
publisher = "jiaokan tests"
source = "written for tests/test_search.py"
languages = ["en"]
coverage = "whole"
covers = "Test paragraphs."
notes = "Markup characters in the text, and two paragraphs with the same words in different orders."
"""

TEST_TEXT = """Test Statement On Markup

The parties agree that <b>bold</b> & "quotes" stay as written. A second sentence follows here.

Zebra markets open early and the quiet river flows past the old mill today.

Markets open early and the quiet river flows past the old zebra mill today.
"""


@pytest.fixture(scope="module")
def html_index(tmp_path_factory, corpus_dir):
    from jiaokan.indexer.build import build_index
    from jiaokan.search.index import open_index

    root = tmp_path_factory.mktemp("html-corpus")
    corpus = root / "corpus"
    shutil.copytree(corpus_dir, corpus)
    with open(corpus / "catalog.toml", "a", encoding="utf-8") as f:
        f.write(TEST_VERSION)
    (corpus / "texts" / "test-html.txt").write_text(TEST_TEXT, encoding="utf-8")
    build_index(root / "index", corpus, progress=None)
    index = open_index(root / "index")
    yield index
    index.close()


def test_snippet_escapes_markup_in_the_text(html_index):
    hits = search(html_index, "bold")["hits"]
    assert ids(hits) == ["test-html-002"]
    hit = hits[0]
    assert '<b>bold</b> & "quotes"' in hit["text"]
    assert covered(hit) == ["bold"]
    assert "&lt;b&gt;<mark>bold</mark>&lt;/b&gt; &amp; &quot;quotes&quot;" in hit["snippet"], hit["snippet"]
    check_snippet(hit)
    # Markup characters are not query syntax or search terms.
    hit = search(html_index, '"quotes" stay')["hits"][0]
    assert hit["id"] == "test-html-002"
    assert "<b>" not in hit["snippet"].replace("<mark>", "").replace("</mark>", "")


def test_proximity_bonus_orders_otherwise_equal_paragraphs(html_index):
    # Paragraphs 003 and 004 hold the same words the same number of times and have the same length, so BM25F
    # scores them alike; in 004 "zebra mill" stand side by side, in 003 they are the paragraph's two ends. The
    # issue asks for a bonus for proximity: 004 must rank first (a tie would keep corpus order, 003 first).
    hits = search(html_index, "zebra mill")["hits"]
    assert ids(hits) == ["test-html-004", "test-html-003"], (
        f"no proximity bonus: {[(h['id'], h['score']) for h in hits]}"
    )


def test_reported_score_agrees_with_the_order(html_index, corpus_index):
    # Equal scores keep corpus order (the "ties keep document order", as a reader of the scores sees
    # it): a bonus that reorders hits (proximity) has to show in the score, or two hits with equal printed
    # scores come out of corpus order. (Scores may rise down the list: the exact-string tier is not in them.)
    for index, query in [(html_index, "zebra mill"), (corpus_index, "sides reiterated"),
                         (corpus_index, "北约 亚太"), (corpus_index, "international community")]:
        hits = all_hits(index, query)
        order = corpus_order(index)
        for a, b in zip(hits, hits[1:]):
            if a["score"] == b["score"]:
                assert order[a["id"]] < order[b["id"]], (
                    f"{query!r}: {a['id']} and {b['id']} have the same score {a['score']} but are not in corpus "
                    "order (the score does not include the bonus that ordered them)"
                )


@pytest.mark.parametrize("query", ["北约 OR 亚太", "北约 OR NATO", "双方 OR 中俄", "战略协作 OR 全面战略协作",
                                   "北约东扩 OR 联合国", "双方 重申", "世界 OR 和平 OR 发展", "\"国际关系\" OR 主权"])
def test_proximity_decided_from_the_folded_text_gives_the_bonus_locating_every_clause_gives(corpus_index, query):
    # Proximity skips locating the clauses in a paragraph that surely lacks one of them (search/ranking.py): the
    # bonus of every matching paragraph is the same either way, so no ranking changes by it.
    from jiaokan.search.ranking import proximity
    from jiaokan.search.searching import select

    sel = select(corpus_index, query)
    clauses = [c for c in sel.clauses if not c.negated]
    texts, folded = corpus_index.paragraphs.strings("text"), corpus_index.engine.folded
    bonuses = [(proximity(texts[d], clauses, folded[d]), proximity(texts[d], clauses, None)) for d in sel.ids.tolist()]
    assert bonuses
    assert [fast for fast, _ in bonuses] == [slow for _, slow in bonuses]
    if query in ("北约 OR 亚太", "双方 OR 中俄"):
        assert any(b == 0 for b, _ in bonuses) and any(b > 0 for b, _ in bonuses)


# --- hit fields, facets, understood, order, paging, limits -----------------------------------------------------


def test_hit_fields(corpus_index):
    result = search(corpus_index, "北约")
    paragraphs = {p["id"]: p for p in corpus_index.paragraphs}
    for hit in result["hits"]:
        for key in ("id", "version", "statement", "seq", "section", "kind", "lang", "text", "score", "highlights",
                    "snippet"):
            assert key in hit, key
        p = paragraphs[hit["id"]]
        for key in ("version", "statement", "seq", "section", "kind", "lang", "text"):
            assert hit[key] == p[key], (hit["id"], key)
        assert isinstance(hit["score"], float) and hit["score"] > 0
        assert isinstance(hit["highlights"], list) and all(len(s) == 2 for s in hit["highlights"])
    hit = result["hits"][0]
    assert (hit["id"], hit["version"], hit["statement"], hit["seq"], hit["section"], hit["kind"], hit["lang"]) == (
        "un-040", "un", "2022-new-era", 40, "三", "body", "zh"
    )


def test_result_fields(corpus_index):
    result = search(corpus_index, "核", page=2, per_page=5)
    for key in ("query", "understood", "total", "page", "per_page", "pages", "hits", "facets", "took_ms"):
        assert key in result, key
    assert result["query"] == "核"
    assert (result["page"], result["per_page"]) == (2, 5)
    assert result["pages"] == -(-result["total"] // 5)
    assert isinstance(result["took_ms"], (int, float)) and result["took_ms"] >= 0


def test_facets_per_version_and_language(corpus_index):
    for query in ["核", "the", "北约 OR vaccines", "2030年"]:
        result = search(corpus_index, query, per_page=3)
        hits = all_hits(corpus_index, query)
        by_version: dict[str, int] = {}
        by_lang: dict[str, int] = {}
        for h in hits:
            by_version[h["version"]] = by_version.get(h["version"], 0) + 1
            by_lang[h["lang"]] = by_lang.get(h["lang"], 0) + 1
        facets = result["facets"]
        assert {k: v for k, v in facets["version"].items() if v} == by_version, query
        assert {k: v for k, v in facets["lang"].items() if v} == by_lang, query
        assert sum(facets["version"].values()) == result["total"]
    mixed = search(corpus_index, "北约 OR vaccines")["facets"]
    assert {k: v for k, v in mixed["lang"].items() if v} == {"zh": 3, "en": 1}
    assert mixed["version"]["xinhua"] == 2 and mixed["version"]["un"] == 1
    # Under filters, each facet counts with every filter but its own (a filter form shows what ticking another
    # version or language would add); the hits and total follow all filters.
    filtered = search(corpus_index, "北约", versions=["un"])
    assert filtered["total"] == 1
    assert filtered["facets"]["version"] == search(corpus_index, "北约")["facets"]["version"]
    assert {k: v for k, v in filtered["facets"]["lang"].items() if v} == {"zh": 1}
    english = search(corpus_index, "北约 OR vaccines", lang="en")
    assert english["total"] == 1
    assert {k: v for k, v in english["facets"]["lang"].items() if v} == {"zh": 3, "en": 1}
    assert {k: v for k, v in english["facets"]["version"].items() if v} == {"xinhua": 1}


def test_understood_shows_terms_after_segmentation_and_folding(corpus_index):
    def clauses(q):
        return search(corpus_index, q)["understood"]["clauses"]

    (c,) = clauses("北約")
    assert c["text"] == "北約" and c["folded"] == "北约" and c["words"] == ["北约"]
    (c,) = clauses("ＡＵＫＵＳ")
    assert c["folded"] == "aukus" and c["kind"] == "word"
    (c,) = clauses("vaccines")
    assert c["words"] == ["vaccin"]
    (c,) = clauses("地区安全")
    assert c["folded"] == "地区安全" and c["words"] == ["地区", "安全"] and c["kind"] == "string"
    (c,) = clauses("人工智慧")
    assert "人工智能" in c["alternatives"]
    (c,) = clauses("2030年")
    assert c["words"] == ["2030", "年"]
    (c,) = clauses('"the two sides"')
    assert c["kind"] == "phrase" and c["folded"] == "the two sides"
    a, b = clauses("AUKUS -核动力潜艇")
    assert (a["negated"], b["negated"]) == (False, True)
    filters = search(corpus_index, "北约 version:un lang:zh section:三")["understood"]["filters"]
    assert filters == {"version": ["un"], "lang": "zh", "section": "三"}


def test_default_call_counts_the_same_paragraphs(corpus_index):
    # Since issue 5 the default call collapses passages; it still matches the same paragraphs. And with
    # translations (issue 6) it matches at least those.
    for query in ["北约", "核", "地区安全", "vaccines"]:
        plain = search(corpus_index, query)["total"]
        assert search_function(corpus_index, query, translate=False)["total_paragraphs"] == plain, query
        assert search_function(corpus_index, query)["total_paragraphs"] >= plain, query


def test_ties_keep_corpus_order(corpus_index):
    hits = search(corpus_index, "北约")["hits"]
    assert ids(hits) == ["un-040", "xinhua-032", "chinanews-2-011"]
    assert len({h["score"] for h in hits}) == 1
    order = corpus_order(corpus_index)
    for query in ["核", "人工智能", "AUKUS", "地区安全"]:
        hits = all_hits(corpus_index, query)
        for a, b in zip(hits, hits[1:]):
            if a["score"] == b["score"]:
                assert order[a["id"]] < order[b["id"]], (query, a["id"], b["id"])


def test_paging(corpus_index):
    everything = ids(all_hits(corpus_index, "核"))
    assert len(everything) > 20
    page2 = search(corpus_index, "核", page=2, per_page=10)
    assert ids(page2["hits"]) == everything[10:20]
    last = search(corpus_index, "核", page=page2["pages"], per_page=10)
    assert ids(last["hits"]) == everything[(page2["pages"] - 1) * 10 :]
    with pytest.raises(BadQuery) as caught:
        search(corpus_index, "核", page=page2["pages"] + 1, per_page=10)
    assert "\n" not in str(caught.value)
    with pytest.raises(BadQuery):
        search(corpus_index, "核", page=0)


def test_limits(corpus_index):
    assert len(search(corpus_index, "核", per_page=100)["hits"]) == min(100, len(containing(corpus_index, "核")))
    with pytest.raises(BadQuery):
        search(corpus_index, "核", per_page=101)
    with pytest.raises(BadQuery):
        search(corpus_index, "核", per_page=0)
    search(corpus_index, "北约" + " " * 254)  # 256 characters: allowed
    with pytest.raises(BadQuery) as caught:
        search(corpus_index, "北约" + " " * 255)
    assert "256" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(BadQuery):
        search(corpus_index, "北约", versions=["nosuch"])
    with pytest.raises(BadQuery):
        search(corpus_index, "北约", lang="fr")
