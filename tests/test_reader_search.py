"""The reader's tools on the search page and its JSON (issue 10), on the real corpus: counts named as what they count,
document order, the snippet's remainder, the other language beside a hit, "Not in" once per page, the query as read,
prefix search, suggestions. Expected values come from the paragraphs, the catalog or the concordance, never from a
run written down.
"""
from __future__ import annotations

import html
import re
from urllib.parse import quote

import pytest

from as_written import search_function as search
from brute import brute_count
from jiaokan.search.concordance import concordance
from jiaokan.search.spans import exact_occurrences


def every_hit(index, query: str, **kwargs) -> list[dict]:
    first = search(index, query, per_page=100, **kwargs)
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += search(index, query, per_page=100, page=page, **kwargs)["hits"]
    return hits


def passages_of(index, ids) -> int:
    """Result groups of these paragraphs: their passages, a paragraph outside any passage a group of its own."""
    by_id = {p["id"]: p for p in index.paragraphs}
    return len({by_id[i].get("passage") or i for i in ids})


# --- counts, each named as what it counts --------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["北约", "发展", "双方 合作", "NATO", "vaccines", "nat*", '"human rights"', "人工智慧"])
def test_search_counts_occurrences_paragraphs_and_passages(corpus_index, query):
    result = search(corpus_index, query)
    lines = concordance(corpus_index, query)
    totals = result["totals"]
    assert totals["occurrences"] == lines.total  # the concordance's lines: one rule for an occurrence
    assert totals["paragraphs"] == result["total_paragraphs"]
    ids = {h["id"] for h in every_hit(corpus_index, query, collapse=False)}
    assert totals["paragraphs"] == len(ids)
    assert totals["passages"] == result["total"] == passages_of(corpus_index, ids)
    assert result["facets"]["version_occurrences"] == lines.by_version
    assert search(corpus_index, query, collapse=False)["totals"] == totals


@pytest.mark.parametrize("s", ["北约", "发展", "合作", "国际", "双方", "人类命运共同体", "的"])
def test_occurrences_of_a_chinese_string_are_a_brute_force_count(corpus_index, s):
    expected = brute_count(corpus_index, s)
    result = search(corpus_index, s, translate=False)
    assert result["totals"]["occurrences"] == sum(expected.values()) > 0
    # Filtered, the facet still counts every version's occurrences; the total only the filter's.
    by_id = {p["id"]: p for p in corpus_index.paragraphs}
    version = by_id[next(iter(expected))]["version"]
    filtered = search(corpus_index, s, translate=False, versions=[version])
    in_version = sum(n for pid, n in expected.items() if by_id[pid]["version"] == version)
    assert filtered["totals"]["occurrences"] == in_version
    assert filtered["facets"]["version_occurrences"][version] == in_version


def test_the_concordance_lines_are_exact_occurrences(corpus_index):
    """The concordance's rule is spans.exact_occurrences: its lines in each paragraph are that function's spans."""
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    for query in ["北约", "发展 合作", "NATO", "vaccines", '"each other"', "nat*", "核查议定书"]:
        lines = concordance(corpus_index, query).lines
        held: dict[str, list] = {}
        for line in lines:
            held.setdefault(line.paragraph, []).append((line.start, line.end, line.via))
        for pid, spans in held.items():
            assert spans == exact_occurrences(corpus_index, texts[pid], query), (query, pid)


def test_nato_counts_as_the_issue_describes(corpus_index):
    # "共 1 处" for 北约 meant one passage, while 北约 occurs more often, in more paragraphs.
    nato = brute_count(corpus_index, "北约")
    totals = search(corpus_index, "北约")["totals"]
    assert totals == {"occurrences": sum(nato.values()), "paragraphs": len(nato),
                      "passages": passages_of(corpus_index, nato)}
    assert totals["occurrences"] > totals["paragraphs"] > totals["passages"]


def test_search_page_names_its_counts(client, corpus_index):
    nato = brute_count(corpus_index, "北约")
    n, paragraphs = sum(nato.values()), len(nato)
    body = client.get("/?q=北约").get_data(as_text=True)
    assert re.search(rf'<strong class="occurrences">{n}</strong> 次 · {n} occurrences', body)
    assert re.search(rf'<strong class="paragraphs"><span class="total-paragraphs">{paragraphs}</span></strong> 段 '
                     rf'paragraphs', body)
    passages = passages_of(corpus_index, nato)
    assert re.search(rf'<strong class="passages">{passages}</strong> passages?\b', body)
    # The version facet shows occurrences beside paragraphs.
    by_version = search(corpus_index, "北约")["facets"]["version_occurrences"]
    for version, count in by_version.items():
        if count:
            assert re.search(rf'value="{version}">\s*<span class="vid">{version}</span> <span class="count">\d+</span> '
                             rf'<span class="occurrences"[^>]*>{count}×</span>', body), version


# --- order ---------------------------------------------------------------------------------------------------------


def test_search_in_document_order(corpus_index):
    """sort=doc: versions in catalog order, each in paragraph order; the same hits as by relevance."""
    versions = [v["id"] for v in corpus_index.catalog["versions"]]
    hits = every_hit(corpus_index, "合作", sort="doc", collapse=False)
    keys = [(versions.index(h["version"]), h["seq"]) for h in hits]
    assert keys == sorted(keys)
    assert {h["id"] for h in hits} == {h["id"] for h in every_hit(corpus_index, "合作", collapse=False)}
    ranked = [h["id"] for h in every_hit(corpus_index, "合作", collapse=False)]
    assert ranked != [h["id"] for h in hits]  # relevance is another order
    collapsed = every_hit(corpus_index, "合作", sort="doc")
    keys = [(versions.index(h["version"]), h["seq"]) for h in collapsed]
    assert keys == sorted(keys)


def test_sort_on_the_page_and_a_bad_sort(client):
    body = client.get("/?q=合作").get_data(as_text=True)
    link = html.unescape(re.search(r'<a class="sort sort-doc" href="([^"]+)"', body).group(1))
    assert "sort=doc" in link
    doc = client.get(link).get_data(as_text=True)
    assert '<strong class="sort-current">文档顺序 document order</strong>' in doc
    api = client.get("/api/search?q=" + quote("合作") + "&sort=doc").get_json()
    assert api["sort"] == "doc"
    page_ids = re.findall(r'<a class="hit-link" href="/paragraph/([^"?]+)', doc)
    assert page_ids == [h["id"] for h in api["hits"]]
    # In document order exact and loose hits interleave: no rule drawn between them.
    loose = client.get("/?q=" + quote("核查议定书") + "&collapse=0&sort=doc").get_data(as_text=True)
    assert 'class="tag match words"' in loose and 'class="match-rule"' not in loose
    r = client.get("/api/search?q=" + quote("合作") + "&sort=sideways")
    assert r.status_code == 400 and "sort" in r.get_json()["error"]["message"]


# --- the snippet's remainder ---------------------------------------------------------------------------------------


def test_a_snippet_says_how_many_matches_it_leaves_out(client, corpus_index):
    hits = every_hit(corpus_index, "发展", collapse=False)
    cut = [h for h in hits if h["snippet_more"]]
    assert cut, "no 发展 snippet leaves a match out"
    for h in hits:
        shown = sum(1 for s, e in h["highlights"] if any(s < b and e > a for a, b in h["snippet_ranges"]))
        assert shown + h["snippet_more"] == len(h["highlights"]), h["id"]
        assert h["snippet"].count("<mark>") == shown, h["id"]
    body = client.get("/?q=发展&collapse=0&per_page=100").get_data(as_text=True)
    on_page = [h for h in search(corpus_index, "发展", collapse=False, per_page=100)["hits"] if h["snippet_more"]]
    assert on_page
    for h in on_page:
        assert (f'<a href="/paragraph/{h["id"]}?q=%E5%8F%91%E5%B1%95">还有 {h["snippet_more"]} 处 · '
                f'{h["snippet_more"]} more in the paragraph') in body
    # The page renders the snippet from its ranges and spans, the same text the JSON's snippet_html holds.
    for h in on_page:
        lang = "zh-Hans" if h["lang"] == "zh" else h["lang"]
        assert f'<p class="snippet" lang="{lang}">{h["snippet"]}</p>' in body


# --- the other language beside a hit -------------------------------------------------------------------------------


def test_english_hit_shows_its_chinese_with_the_translation_marked(client, corpus_index):
    result = search(corpus_index, "vaccines")
    vias = {e["via"] for e in result["understood"]["expansions"] if e["lang"] == "zh"}
    assert vias
    hit = next(h for h in result["hits"] if h["lang"] == "en")
    aligned = hit["aligned"]
    assert aligned["lang"] == "zh" and aligned["id"] in corpus_index.passages[hit["passage"]]["members"].values()
    marked = [aligned["text"][s:e] for s, e in aligned["highlights"]]
    assert marked and set(marked) <= vias
    assert len(marked) == sum(aligned["text"].count(v) for v in set(marked))
    assert [hit["text"][s:e].lower() for s, e in hit["highlights"]] == ["vaccines"] * hit["text"].lower().count("vaccines")
    body = client.get("/?q=vaccines").get_data(as_text=True)
    assert re.search(r'<p class="aligned-text" lang="zh-Hans">[^<]*(?:<mark>[^<]*</mark>[^<]*)*<mark>'
                     + re.escape(marked[0]) + "</mark>", body)
    assert "aligned=0" in body
    off = client.get("/?q=vaccines&aligned=0").get_data(as_text=True)
    assert 'class="aligned-text"' not in off
    assert all("aligned" not in h for h in search(corpus_index, "vaccines", aligned=False)["hits"])


def test_chinese_hit_shows_its_english_where_a_version_has_one(corpus_index):
    english = {pid for p in corpus_index.passages.values() for pid in p["members"].values()
               if corpus_index.paragraphs[corpus_index.paragraph_index[pid]]["lang"] == "en"}
    hits = every_hit(corpus_index, "疫苗", collapse=False)
    with_english = [h for h in hits if h["lang"] == "zh" and h["passage"]
                    and set(corpus_index.passages[h["passage"]]["members"].values()) & english]
    assert with_english
    for h in with_english:
        assert h["aligned"]["lang"] == "en"
        assert [h["aligned"]["text"][s:e].lower() for s, e in h["aligned"]["highlights"]]  # vaccine(s) marked
    for h in hits:
        if h["passage"] and not set(corpus_index.passages[h["passage"]]["members"].values()) & english:
            assert "aligned" not in h


# --- "Not in" once per page ----------------------------------------------------------------------------------------


def test_not_in_notes_once_per_page(client, corpus_index):
    result = search(corpus_index, "发展")
    lacking = {v for h in result["hits"] for v in h["lacking"]}
    assert lacking
    body = client.get("/?q=发展").get_data(as_text=True)
    notes = re.findall(r'<li class="lacking">缺 Not in <span class="tag version">([^<]+)</span>', body)
    assert sorted(notes) == sorted(lacking)  # each version once, not once per hit
    assert body.index('<ul class="not-in">') > body.rindex('<li class="hit">')  # after the hits


# --- how the query was read ----------------------------------------------------------------------------------------


def understood_panel(body: str) -> str:
    return re.search(r'<details class="understood" open>(.*?)</details>', body, re.S).group(1)


def test_page_shows_folding_translation_and_repair_with_a_search_as_typed(client, corpus_index):
    body = client.get("/?q=ＮＡＴＯ AND").get_data(as_text=True)
    panel = understood_panel(body)
    assert "<q>ＮＡＴＯ</q>" in panel and "→ <q>NATO</q>" in panel
    for e in search(corpus_index, "NATO")["understood"]["expansions"]:
        assert f"<q>{e['via']}</q>" in panel or f'">{e["via"]}</q>' in panel  # the translations used
    assert re.search(r"dropped <code>AND</code>", panel)
    as_typed = html.unescape(re.search(r'<p class="as-typed"><a href="([^"]+)"', panel).group(1))
    assert "repair=0" in as_typed
    typed = client.get(as_typed.replace("/?", "/api/search?", 1)).get_json()
    # AND searched as a word as well: NATO's hits that also hold the word "and".
    plain = search(corpus_index, "NATO AND", repair=False)
    assert typed["understood"]["repairs"] == [] and typed["total"] == plain["total"]
    assert typed["total"] < search(corpus_index, "NATO")["total"]
    unclosed = understood_panel(client.get('/?q="international relations').get_data(as_text=True))
    assert "closed <code>&#34;</code>" in unclosed or "closed <code>&quot;</code>" in unclosed
    mainland = understood_panel(client.get("/?q=人工智慧").get_data(as_text=True))
    assert "<q>人工智能</q>" in mainland
    filtered = client.get("/?q=北约 lang:zh&version=un").get_data(as_text=True)
    assert re.search(r'<li class="filters-used">筛选 Filters:\s*version un\s*lang zh', filtered)


def test_a_query_read_as_typed_has_no_open_panel(client):
    body = client.get("/?q=北约").get_data(as_text=True)
    assert '<details class="understood">' in body and '<details class="understood" open>' not in body


# --- prefix --------------------------------------------------------------------------------------------------------


def test_prefix_finds_every_word_it_starts(corpus_index):
    ids = lambda q, **k: {h["id"] for h in every_hit(corpus_index, q, collapse=False, **k)}  # noqa: E731
    prefix = ids("nat*")
    assert ids("NATO") | ids("national") | ids("nations") <= prefix
    plain = ids("nat*", translate=False)
    words = re.compile(r"\bnat\w*", re.IGNORECASE)
    expected = {p["id"] for p in corpus_index.paragraphs if words.search(p["text"])}
    assert plain == expected
    # Highlights mark whole words: every word that starts with nat, all of it.
    for h in every_hit(corpus_index, "nat*", collapse=False, translate=False):
        marked = [h["text"][s:e] for s, e in h["highlights"]]
        assert marked == [m.group() for m in re.finditer(r"\b[Nn][Aa][Tt][A-Za-z]*", h["text"])], h["id"]
    reading = search(corpus_index, "nat*")["understood"]["clauses"][0]
    assert reading["kind"] == "prefix" and "national" in reading["alternatives"]


# --- suggestions ---------------------------------------------------------------------------------------------------


def test_no_hits_suggests_what_is_there(corpus_index, client):
    typo = search(corpus_index, "developmnet")
    assert typo["total"] == 0
    first = typo["suggestions"][0]
    assert first["query"] == "development"
    assert first["total"] == search(corpus_index, "development", collapse=False)["total"] > 0
    nato = brute_count(corpus_index, "北约")
    missing = next(v["id"] for v in corpus_index.catalog["versions"]
                   if not any(pid.startswith(v["id"] + "-") for pid in nato))
    filtered = search(corpus_index, f"北约 version:{missing}")
    assert {"query": "北约", "total": len(nato), "why": "without the filters", "filters": False} in filtered["suggestions"]
    body = client.get(f"/?q=北约&version={missing}").get_data(as_text=True)
    link = re.search(r'<a class="suggestion" href="([^"]+)">北约</a>', body).group(1)
    assert "version" not in link
    assert "suggestions" not in search(corpus_index, "北约")
    for s in search(corpus_index, "北约东扩")["suggestions"]:
        assert s["total"] == search(corpus_index, s["query"], collapse=False)["total"] > 0


def test_nearest_spellings_are_difflibs_over_the_whole_vocabulary(tmp_path):
    """close_words filters the vocabulary by a bound before difflib: the words it suggests must be exactly
    difflib's over every word, for misspellings of each word, words of repeated letters (a count past what its table
    holds) and words that share letters but not their order."""
    import difflib
    import random

    from jiaokan.search.vocabulary import close_words, latin_words
    from tests.one_version import one_version_index

    rng = random.Random(7)
    vocab = {"cooperation", "cooperative", "operation", "corporation", "development", "developing", "envelope",
             "stressed", "desserts", "a" * 300, "a" * 299 + "b", "nato", "natto", "tonal", "atlantic", "2022", "20220"}
    vocab |= {"".join(rng.choice("abcdeinorst") for _ in range(rng.randint(3, 12))) for _ in range(400)}
    words = sorted(vocab)
    texts = [" ".join(words[i : i + 20]) + "." for i in range(0, len(words), 20)]
    index = one_version_index(tmp_path, "vocab", texts, "en", "Vocabulary")
    try:
        assert set(latin_words(index)) == vocab
        queries = ["a" * 301, "a" * 280, "ab", "", "dessert", "tsressed", "zzzz", "cooperaton", "natoo"]
        for w in rng.sample(words, 120):
            i = rng.randrange(len(w))
            queries += [w[:i] + w[i + 1 :], w[:i] + "e" + w[i:], w[:i] + "x" + w[i + 1 :], w[::-1]]
        for q in queries:
            assert close_words(index, q) == difflib.get_close_matches(q, latin_words(index), n=3, cutoff=0.75), q
        assert close_words(index, "cooperaton")[0] == "cooperation"
    finally:
        index.close()


def test_counting_from_the_index_agrees_with_the_rule_paragraph_by_paragraph(corpus_index):
    """search's occurrence counts take term frequencies from the index where a reading is one term; they must be
    what exact_occurrences finds in every paragraph, for every Latin word of the corpus and mixed queries."""
    import numpy as np

    from jiaokan.search.occurrences import occurrence_counts
    from jiaokan.search.searching import select
    from jiaokan.search.vocabulary import latin_words

    texts = [p["text"] for p in corpus_index.paragraphs]
    queries = latin_words(corpus_index) + ["发展", "的", "北约 NATO", '"each other"', "nat*", "COVID-19", "2030年",
                                           "人工智慧", "human rights", "可持续发展 发展", '"covid 19" COVID-19']
    for q in queries:
        sel = select(corpus_index, q)
        docs = sel.matched.ids[sel.by_version]
        clauses = sel.occurrence_clauses()
        expected = [len(exact_occurrences(corpus_index, texts[d], clauses)) for d in docs]
        assert occurrence_counts(corpus_index, docs, clauses).tolist() == expected, q
