"""The reader's tools (issue 10) on the real corpus: the concordance counts every occurrence a brute-force count finds,
each line's span is its match, exports hold exactly the hits and lines of the JSON.

Expected counts come from the paragraphs themselves (substring counts over the folded text), never from a run.
"""
from __future__ import annotations

import csv
import io
import json
import random
import re

import pytest

from brute import brute_count
from jiaokan.search.concordance import concordance
from jiaokan.search.errors import BadQuery
from jiaokan.search.folding import HAN, fold_text
from jiaokan.search.searching import search

ISSUE_FIELDS = {"query", "total", "paragraphs", "by_version", "lines", "page", "per_page", "pages"}
LINE_FIELDS = {"paragraph", "version", "section", "start", "end", "left", "match", "right", "via"}


@pytest.fixture(scope="module")
def sample_strings(corpus_index) -> list[str]:
    """Chinese strings of one to five characters taken from the corpus at random (seeded), and a few made up."""
    runs = [r for p in corpus_index.paragraphs for r in re.findall(f"[{HAN}]+", p["text"])]
    rng = random.Random(10)
    out = set()
    while len(out) < 60:
        run = rng.choice(runs)
        n = rng.randint(1, min(5, len(run)))
        i = rng.randint(0, len(run) - n)
        out.add(run[i : i + n])
    return sorted(out) + ["发展", "双方", "北约", "合作", "国际", "不存在的词"]


def test_concordance_counts_every_occurrence_a_brute_force_count_finds(corpus_index, sample_strings):
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    for s in sample_strings:
        expected = brute_count(corpus_index, s)
        result = concordance(corpus_index, s, translate=False)
        assert result.total == sum(expected.values()), (s, result.total, sum(expected.values()))
        assert result.paragraphs == len(expected), s
        per_paragraph: dict[str, int] = {}
        for line in result.lines:
            per_paragraph[line.paragraph] = per_paragraph.get(line.paragraph, 0) + 1
            text = texts[line.paragraph]
            assert text[line.start : line.end] == line.match, (s, line)
            assert fold_text(line.match) == fold_text(s), (s, line)
            assert text[: line.start].endswith(line.left) and text[line.end :].startswith(line.right), (s, line)
            assert line.via is None
        assert per_paragraph == expected, s
        assert sum(result.by_version.values()) == result.total


def test_english_word_lines_are_every_form_of_the_word(corpus_index):
    result = concordance(corpus_index, "vaccines", translate=False)
    pattern = re.compile(r"\bvaccines?\b", re.IGNORECASE)
    expected = sum(len(pattern.findall(p["text"])) for p in corpus_index.paragraphs)
    assert result.total == expected > 0
    assert {line.match.lower() for line in result.lines} <= {"vaccine", "vaccines"}


def test_several_words_give_each_words_occurrences_not_pieces(corpus_index):
    both = concordance(corpus_index, "北约 继续", translate=False)
    nato = concordance(corpus_index, "北约", translate=False)
    paragraphs = {line.paragraph for line in both.lines}
    assert paragraphs == {line.paragraph for line in nato.lines}  # both words stand only in the NATO paragraphs
    assert {line.match for line in both.lines} == {"北约", "继续"}
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    assert both.total == sum(texts[p].count("北约") + texts[p].count("继续") for p in paragraphs)


def test_translated_occurrences_say_via(corpus_index):
    through = concordance(corpus_index, "NATO")
    assert through.total == sum(brute_count(corpus_index, "北约").values())
    assert {(line.match, line.via) for line in through.lines} == {("北约", "北约")}
    assert concordance(corpus_index, "NATO", translate=False).total == 0


@pytest.mark.parametrize("sort", ["left", "right"])
def test_sorted_by_the_words_before_or_after(corpus_index, sort):
    result = concordance(corpus_index, "发展", translate=False, sort=sort)
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}

    def key(line):
        t = texts[line.paragraph]
        near = fold_text(t[max(0, line.start - 40) : line.start])[::-1] if sort == "left" else fold_text(t[line.end :][:40])
        return "".join(c for c in near if c.isalnum())

    keys = [key(line) for line in result.lines]
    assert keys == sorted(keys)
    assert sorted((l.paragraph, l.start) for l in result.lines) == sorted(
        (l.paragraph, l.start) for l in concordance(corpus_index, "发展", translate=False).lines
    )


def test_document_order(corpus_index):
    order = {p["id"]: i for i, p in enumerate(corpus_index.paragraphs)}
    lines = concordance(corpus_index, "发展").lines
    assert [(order[l.paragraph], l.start) for l in lines] == sorted((order[l.paragraph], l.start) for l in lines)


def test_bad_sort_is_a_bad_query(corpus_index):
    with pytest.raises(BadQuery):
        concordance(corpus_index, "北约", sort="sideways")


# --- the API -------------------------------------------------------------------------------------------------------


def all_lines(client, **params) -> list[dict]:
    first = client.get("/api/concordance", query_string={**params, "per_page": 7}).get_json()
    lines = list(first["lines"])
    for page in range(2, first["pages"] + 1):
        lines += client.get("/api/concordance", query_string={**params, "per_page": 7, "page": page}).get_json()["lines"]
    return lines


def test_api_concordance_has_the_issues_fields_and_pages(client, corpus_index):
    data = client.get("/api/concordance", query_string={"q": "发展", "per_page": 7}).get_json()
    assert set(data) == ISSUE_FIELDS
    assert all(set(line) == LINE_FIELDS for line in data["lines"])
    assert data["total"] == concordance(corpus_index, "发展").total and data["pages"] == -(-data["total"] // 7)
    lines = all_lines(client, q="发展")
    assert len(lines) == data["total"]
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    assert all(texts[l["paragraph"]][l["start"] : l["end"]] == l["match"] for l in lines)
    r = client.get("/api/concordance", query_string={"q": "发展", "page": data["pages"] + 1})
    assert r.status_code == 400 and set(r.get_json()) == {"error"}
    assert client.get("/api/concordance", query_string={"q": "发展", "sort": "up"}).status_code == 400
    assert client.get("/api/concordance", query_string={"q": "发展", "format": "xml"}).status_code == 400


def test_concordance_exports_hold_exactly_the_lines_of_the_json(client):
    for params in [{"q": "发展"}, {"q": "NATO", "sort": "left"}, {"q": "合作", "version": "un", "lang": "zh"}]:
        lines = all_lines(client, **params)
        r = client.get("/api/concordance", query_string={**params, "format": "csv"})
        assert r.status_code == 200 and r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in r.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(r.get_data().decode("utf-8"))))
        assert rows[0] == ["paragraph", "version", "section", "start", "end", "left", "match", "right", "via"]
        assert rows[1:] == [[str(l[k]) if l[k] is not None else "" for k in rows[0]] for l in lines], params
        r = client.get("/api/concordance", query_string={**params, "format": "jsonl"})
        assert [json.loads(x) for x in r.get_data(as_text=True).splitlines()] == lines, params


def all_hits(client, **params) -> list[dict]:
    first = client.get("/api/search", query_string={**params, "per_page": 100}).get_json()
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += client.get("/api/search", query_string={**params, "per_page": 100, "page": page}).get_json()["hits"]
    return hits


@pytest.mark.parametrize("params", [{"q": "合作"}, {"q": "合作", "collapse": "0"}, {"q": "cooperation"},
                                    {"q": "双方", "lang": "zh", "per_page": "5"}])
def test_search_exports_hold_exactly_the_hits_of_the_json(client, params):
    hits = all_hits(client, **params)
    assert len(hits) > 10
    r = client.get("/api/search", query_string={**params, "format": "jsonl"})
    exported = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert [h["id"] for h in exported] == [h["id"] for h in hits]  # all of them: no per_page cap
    assert [h["highlights"] for h in exported] == [h["highlights"] for h in hits]
    r = client.get("/api/search", query_string={**params, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8"))))
    assert [row["id"] for row in rows] == [h["id"] for h in hits]
    assert [row["text"] for row in rows] == [h["text"] for h in hits]
    assert [int(row["rank"]) for row in rows] == list(range(1, len(hits) + 1))
    assert client.get("/?" + "&".join(f"{k}={v}" for k, v in params.items())).get_data(as_text=True).count(
        'class="download csv"') == 1


def test_a_bad_export_query_is_a_400_before_any_download(client):
    r = client.get("/api/search", query_string={"q": "version:nosuch", "format": "csv"})
    assert r.status_code == 400 and set(r.get_json()) == {"error"}


