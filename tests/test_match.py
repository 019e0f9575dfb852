"""Exact means exact (issue 14): each hit says how it matched, the answer counts each kind, match=exact returns only
the exact ones, and an English phrase is found where the text adds a possessive or contraction to its last word."""
from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from as_written import search_function
from jiaokan.search.folding import HAN, fold
from jiaokan.search.searching import select
from jiaokan.search.spans import exact_occurrences

HAN_RUN = re.compile(f"[{HAN}]+")


def every_hit(index, query: str, **kwargs) -> list[dict]:
    first = search_function(index, query, per_page=100, collapse=False, **kwargs)
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += search_function(index, query, per_page=100, page=page, collapse=False, **kwargs)["hits"]
    return hits


def holding(index, string: str) -> set[str]:
    """Brute force: the paragraphs whose folded text holds the folded string."""
    fs = fold(string).text
    return {p["id"] for p in index.paragraphs if fs in fold(p["text"]).text}


@pytest.fixture(scope="module")
def sample(corpus_index) -> list[str]:
    """Chinese strings of 3 to 6 characters drawn from the corpus, and the issue's example."""
    runs = [r for p in corpus_index.paragraphs for r in HAN_RUN.findall(p["text"])]
    distinct = sorted({r[i : i + n] for r in runs for n in range(3, 7) for i in range(len(r) - n + 1)})
    return ["核查议定书", "北约东扩"] + random.Random(14).sample(distinct, 60)


def test_by_match_exact_counts_the_paragraphs_that_hold_the_string(corpus_index, sample):
    for s in sample:
        result = search_function(corpus_index, s, collapse=False)
        n = result["by_match"]
        assert n["exact"] == len(holding(corpus_index, s)), s
        assert n["exact"] + n["words"] + n["translation"] == result["total_paragraphs"], s


def test_exact_hits_hold_the_string_and_words_hits_do_not(corpus_index, sample):
    for s in sample[:25]:
        expected = holding(corpus_index, s)
        hits = every_hit(corpus_index, s)
        exact = {h["id"] for h in hits if h["match"] == "exact"}
        assert exact == expected, s
        assert all(h["match"] in ("words", "translation") for h in hits if h["id"] not in expected), s
        # The exact ones come first.
        kinds = [h["match"] == "exact" for h in hits]
        assert kinds == sorted(kinds, reverse=True), s


def test_the_issue_example_reads_three_and_three(corpus_index):
    result = search_function(corpus_index, "核查议定书", collapse=False)
    assert result["by_match"] == {"exact": 3, "words": 3, "translation": 0}
    assert result["counts"] == "paragraphs" and result["total"] == 6


def test_match_exact_returns_exactly_the_exact_hits(corpus_index, sample):
    for s in sample[:25]:
        every = every_hit(corpus_index, s)
        only = every_hit(corpus_index, s, match="exact")
        assert [h["id"] for h in only] == [h["id"] for h in every if h["match"] == "exact"], s
        assert all(h["match"] == "exact" for h in only)
    exact = search_function(corpus_index, "核查议定书", collapse=False, match="exact")
    assert exact["total"] == 3 and exact["by_match"] == {"exact": 3, "words": 0, "translation": 0}
    assert sum(exact["facets"]["version"].values()) == 3  # facets count the exact matches only


def test_quoted_strings_stay_exact(corpus_index):
    result = search_function(corpus_index, '"核查议定书"', collapse=False, translate=False)
    assert result["by_match"] == {"exact": 3, "words": 0, "translation": 0}


def test_translation_hits_say_so(corpus_index):
    hits = every_hit(corpus_index, "human rights")
    assert {h["match"] for h in hits} == {"exact", "translation"}
    assert all(h["via"] for h in hits if h["match"] == "translation")
    assert all("human rights" in fold(h["text"]).text for h in hits if h["match"] == "exact")
    assert not any("human rights" in fold(h["text"]).text for h in hits if h["match"] == "translation")
    # The English of the corpus never says NATO: 北约 is found only through the translation.
    assert {h["match"] for h in every_hit(corpus_index, "NATO")} == {"translation"}


def test_also_in_versions_say_how_they_matched(corpus_index):
    result = search_function(corpus_index, "核查议定书")
    also = [a for h in result["hits"] for a in h["also_in"]]
    assert also and all(a["match"] in ("exact", "words", "translation") for a in also)
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    for a in also:
        assert (a["match"] == "exact") == ("核查议定书" in texts[a["id"]])


def test_bad_match_value_is_a_bad_query(client):
    r = client.get("/api/search?q=北约&match=nearly")
    assert r.status_code == 400 and "match must be all or exact" in r.get_json()["error"]["message"]


def test_api_match_exact(client, corpus_index):
    data = client.get("/api/search?q=核查议定书&collapse=0&match=exact").get_json()
    assert [h["id"] for h in data["hits"]] == sorted(holding(corpus_index, "核查议定书"), key=[p["id"] for p in corpus_index.paragraphs].index) or len(data["hits"]) == 3
    assert {h["match"] for h in data["hits"]} == {"exact"}


def test_page_shows_labels_rule_and_summary(client):
    body = client.get("/?q=核查议定书&collapse=0").get_data(as_text=True)
    assert "3 paragraphs with 核查议定书, 3 more with its words apart" in body
    assert body.count('class="tag match exact"') == 3 and body.count('class="tag match words"') == 3
    assert body.count('class="match-rule"') == 1
    assert body.index('class="tag match exact"') < body.index('class="match-rule"') < body.index('class="tag match words"')
    only = client.get("/?q=核查议定书&collapse=0&match=exact").get_data(as_text=True)
    assert 'name="match" value="exact" checked' in only
    assert only.count('class="tag match exact"') == 3 and 'class="tag match words"' not in only


def test_cli_shows_labels_and_exact(built_index):
    run = lambda *a: subprocess.run(  # noqa: E731
        [str(Path(sys.executable).parent / "jiaokan"), "search", "--index", str(built_index), *a],
        capture_output=True, text=True,
    )
    out = run("核查议定书", "--no-collapse").stdout
    assert out.count("[exact]") == 3 and out.count("[words]") == 3
    assert "not the exact wording below" in out
    assert "paragraphs: 3 exact, 3 by words apart, 0 through a translation" in out
    exact = run("核查议定书", "--no-collapse", "--exact").stdout
    assert exact.count("[exact]") == 3 and "[words]" not in exact


# --- English phrases found inside possessives and contractions ----------------------------------------------------

_PAIR = re.compile(r"(?<![^\W_])(?<![^\W_]['’])(?=([A-Za-z]+ [A-Za-z]+)(?:['’]s)?(?![^\W_])(?!['’][^\W_]))")


def plain_pairs(texts) -> set[str]:
    """English word pairs on plain word boundaries (letters only): two runs of letters one space apart, neither
    inside a longer word (digits or other letters beside them), the second possibly followed by a possessive."""
    return {m.group(1) for t in texts for m in _PAIR.finditer(t)}


def test_issue_examples_find_the_possessives(corpus_index):
    for phrase, text in [("each other", "each other's"), ("any country", "any country's"),
                         ("strengthen ASEAN", "strengthen ASEAN's")]:
        expected = {p["id"] for p in corpus_index.paragraphs if text.lower() in p["text"].lower().replace("’", "'")}
        assert expected, text
        found = set(select(corpus_index, f'"{phrase}"', translate=False).paragraph_ids(corpus_index))
        assert expected <= found, phrase


def test_every_plain_english_pair_is_found_as_a_quoted_phrase(corpus_index):
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    pairs = sorted(plain_pairs(texts.values()))
    assert len(pairs) > 1000 and "each other" in pairs and "strengthen ASEAN" in pairs
    misses = []
    for pair in pairs:
        rx = re.compile(r"(?<![^\W_])(?<![^\W_]['’])" + re.escape(pair).replace(r"\ ", " ")
                        + r"(?=(?:['’]s)?(?![^\W_])(?!['’][^\W_]))", re.I)
        expected = {pid for pid, t in texts.items() if rx.search(t)}
        found = set(select(corpus_index, f'"{pair}"', translate=False).paragraph_ids(corpus_index))
        if expected - found:
            misses.append((pair, sorted(expected - found)[:2]))
    assert not misses, f"{len(misses)} of {len(pairs)} pairs missed: {misses[:5]}"


def test_contraction_and_possessive_in_the_highlight(corpus_index):
    text = "Both sides respect each other's core interests; it isn't over."
    doc_clauses = __import__("jiaokan.search.clauses", fromlist=["query_clauses"]).query_clauses(
        corpus_index, '"each other" "it is"', translate=False)
    from jiaokan.search.spans import highlight_spans

    spans = highlight_spans(text, doc_clauses)
    assert [text[a:b] for a, b in spans] == ["each other", "it is"]


def test_exact_occurrences_for_a_concordance(corpus_index):
    text = "双方支持重启《禁止生物武器公约》核查议定书谈判，核查工作和议定书另议。"
    spans = exact_occurrences(corpus_index, text, "核查议定书")
    assert [(text[a:b], via) for a, b, via in spans] == [("核查议定书", None)]
    spans = exact_occurrences(corpus_index, "NATO and 北约", "NATO")
    assert [("NATO and 北约"[a:b], via) for a, b, via in spans] == [("NATO", None), ("北约", "北约")]
