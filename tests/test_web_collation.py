"""The collation pages on the real index: /passage/<id> and /api/passages/<id> (every version of a passage side by
side), /compare and /api/compare (two versions passage by passage), the links to them, their errors and OpenAPI."""
from __future__ import annotations

import html
import json
import re

import markupsafe
import pytest

from jiaokan.search import collation
from jiaokan.search.records import to_json
from jiaokan.search.highlight import marked_html
from jiaokan.web.marking import mark


def compare(*args, **kwargs) -> dict:
    """The comparison as the API returns it."""
    return to_json(collation.compare(*args, **kwargs))


def get_passage(*args) -> dict:
    """The passage as the API returns it."""
    return to_json(collation.get_passage(*args))

STATEMENT = "2022-new-era"
P045 = "2022-new-era-p045"  # un-053: 联合国大会第七十六届会议 in the UN text, 第76届联大 in the media
P032 = "2022-new-era-p032"  # un-040: 北约, the same wording in three versions
P009 = "2022-new-era-p009"  # un-017 in Chinese, xinhua-009 in English
P049 = "2022-new-era-p049"  # un-057: 大会第七十八届会议 / 第78届联大
NATO = "北约"
NATO_URL = "%E5%8C%97%E7%BA%A6"
VERSIONS = ["un", "xinhua", "chinanews-2", "chinanews-3", "preview-2017"]
CHINANEWS_3_COVERS = "not in this part: Part 下 only: "


def record(index, pid: str) -> dict:
    return index.paragraphs[index.paragraph_index[pid]]


def esc(text: str) -> str:
    return str(markupsafe.escape(text))


def alternate_href(body: str) -> str:
    m = re.search(r'<link rel="alternate" type="application/json" href="([^"]*)">', body)
    assert m, "no <link rel=alternate> to the JSON twin"
    return html.unescape(m.group(1))


def column(body: str, version: str) -> str:
    m = re.search(rf'<section class="version-column[^"]*" id="v-{re.escape(version)}">(.*?)</section>', body, re.S)
    assert m, f"no column for {version}"
    return m.group(1)


def column_text(body: str, version: str) -> str:
    return re.search(r'<p class="text" lang="[^"]+">(.*?)</p>', column(body, version), re.S).group(1)


def unmarked(fragment: str) -> str:
    return html.unescape(re.sub(r"</?mark[^>]*>", "", fragment))


# --- /api/passages/<id> ------------------------------------------------------------------------------------------


def test_api_passage_whole(client, corpus_index):
    assert record(corpus_index, "un-053")["passage"] == P045
    r = client.get(f"/api/passages/{P045}")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data == get_passage(corpus_index, P045)

    lacks = corpus_index.passages[P045]["lacks"]
    assert list(lacks) == ["chinanews-3"] and lacks["chinanews-3"].startswith(CHINANEWS_3_COVERS)
    statement = next(s for s in corpus_index.catalog["statements"] if s["id"] == STATEMENT)
    un, xinhua, cn2 = (record(corpus_index, p) for p in ("un-053", "xinhua-045", "chinanews-2-024"))
    media = {"a": "联合国大会第七十六届会议", "b": "第76届联大", "a_span": [89, 101], "b_span": [89, 95]}
    assert data == {
        "passage": {
            "id": P045, "statement": STATEMENT, "seq": 45, "kind": "body", "section": "三",
            "members": {"un": "un-053", "xinhua": "xinhua-045", "chinanews-2": "chinanews-2-024"},
            "lacks": lacks,
        },
        "statement": statement,
        "reference": "un-053",
        "versions": [
            {"version": "un", "paragraph": un, "note": "reference", "differences": [], "marked": None},
            {"version": "xinhua", "paragraph": xinhua, "differences": [media],
             "note": "联合国大会第七十六届会议 → 第76届联大",
             "marked": xinhua["text"].replace("第76届联大", "<mark>第76届联大</mark>")},
            {"version": "chinanews-2", "paragraph": cn2, "differences": [media],
             "note": "联合国大会第七十六届会议 → 第76届联大",
             "marked": cn2["text"].replace("第76届联大", "<mark>第76届联大</mark>")},
        ],
        "lacking": lacks,
        "previous": "2022-new-era-p044",
        "next": "2022-new-era-p046",
    }
    assert "<mark>第76届联大</mark>" in data["versions"][1]["marked"]
    assert "第76届联大" in r.get_data(as_text=True)  # Chinese unescaped in the JSON


def test_api_passage_with_english(client, corpus_index):
    data = client.get(f"/api/passages/{P009}").get_json()
    assert data == get_passage(corpus_index, P009)
    assert [(v["version"], v["paragraph"]["id"], v["paragraph"]["lang"], v["note"]) for v in data["versions"]] == [
        ("un", "un-017", "zh", "reference"), ("xinhua", "xinhua-009", "en", "English translation"),
    ]


def test_api_passage_unknown_id_is_404(client):
    r = client.get("/api/passages/2022-new-era-p999")
    assert r.status_code == 404 and r.mimetype == "application/json"
    assert r.get_json() == {"error": {"code": "not_found", "message": "no passage with id '2022-new-era-p999'"}}


# --- /api/compare ------------------------------------------------------------------------------------------------


def test_api_compare_un_with_chinanews_3(client, corpus_index):
    r = client.get("/api/compare?a=un&b=chinanews-3")
    assert r.status_code == 200 and r.mimetype == "application/json"
    data = r.get_json()
    assert data == compare(corpus_index, "un", "chinanews-3")
    assert (data["statement"], data["a"], data["b"]) == (STATEMENT, "un", "chinanews-3")
    assert (data["same"], len(data["differing"]), len(data["only_in_a"]), len(data["only_in_b"]),
            len(data["different_languages"])) == (18, 8, 45, 0, 0)
    assert data["same"] + len(data["differing"]) + len(data["only_in_a"]) == len(corpus_index.passages)
    for row in data["only_in_a"]:
        assert row["why_missing"].startswith(CHINANEWS_3_COVERS)
        assert record(corpus_index, row["paragraph"])["version"] == "un"
    by_passage = {row["passage"]: row for row in data["differing"]}
    assert {"a": "大会第七十八届会议", "b": "第78届联大"} in [
        {"a": d["a"], "b": d["b"]} for d in by_passage[P049]["differences"]
    ]
    assert (by_passage[P049]["a"]["id"], by_passage[P049]["b"]["id"]) == ("un-057", "chinanews-3-004")
    for row in data["differing"]:
        for d in row["differences"]:
            assert row["a"]["text"][slice(*d["a_span"])] == d["a"]
            assert row["b"]["text"][slice(*d["b_span"])] == d["b"]


def test_api_compare_with_the_statement_named(client, corpus_index):
    named = client.get(f"/api/compare?statement={STATEMENT}&a=un&b=xinhua").get_json()
    assert named == client.get("/api/compare?a=un&b=xinhua").get_json() == compare(corpus_index, "un", "xinhua")
    assert len(named["different_languages"]) > 0
    assert named["different_languages"][0] == {"passage": P009, "un": "un-017", "xinhua": "xinhua-009"}


@pytest.mark.parametrize(
    "query, code, message",
    [
        ("a=un&b=nope", "bad_query",
         "unknown version 'nope': versions are un, xinhua, chinanews-2, chinanews-3, preview-2017"),
        ("a=un&b=preview-2017", "bad_query",
         "versions 'un' and 'preview-2017' carry different statements; they cannot be compared"),
        ("a=un&b=xinhua&statement=2017-world-situation", "bad_query",
         "statement '2017-world-situation' is not carried by 'un' and 'xinhua'"),
        ("a=un", "bad_parameter", "compare needs two versions: b is missing (ids from /api/versions)"),
        ("b=un&a=%20", "bad_parameter", "compare needs two versions: a is missing (ids from /api/versions)"),
        ("", "bad_parameter", "compare needs two versions: a and b are missing (ids from /api/versions)"),
    ],
)
def test_api_compare_errors_are_400(client, query, code, message):
    r = client.get(f"/api/compare?{query}")
    assert r.status_code == 400 and r.mimetype == "application/json"
    assert r.get_json() == {"error": {"code": code, "message": message}}


# --- the marking of the HTML -------------------------------------------------------------------------------------


def test_marking_is_search_marking_for_differences(corpus_index):
    """Without a query the pages mark differences exactly as search/ does."""
    checked = 0
    for pid in corpus_index.passages:
        for v in get_passage(corpus_index, pid)["versions"]:
            if v.get("marked"):
                assert mark(v["paragraph"]["text"], [d["b_span"] for d in v["differences"]]) == v["marked"]
                checked += 1
    assert checked > 10
    text = 'a<b>&"c"'
    assert mark(text) == marked_html(text, []) == "a&lt;b&gt;&amp;&quot;c&quot;"
    assert mark(text, [[1, 4]]) == marked_html(text, [[1, 4]]) == "a<mark>&lt;b&gt;</mark>&amp;&quot;c&quot;"
    assert mark("一二三四五", [[1, 3]], [[2, 4]]) == '一<mark>二</mark><mark class="q d">三</mark><mark class="q">四</mark>五'
    assert mark("一二三", [[1, 1]], [[0, 1], [1, 2]]) == '<mark class="q">一二</mark>三'  # empty spans, runs joined


# --- HTML: the passage page --------------------------------------------------------------------------------------


def test_passage_page_side_by_side(client, corpus_index):
    r = client.get(f"/passage/{P045}")
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert re.findall(r'<section class="version-column[^"]*" id="v-([^"]+)">', body) == ["un", "xinhua", "chinanews-2"]
    assert '<div class="versions-grid">' in body
    # Each version's wording difference marked; in the reference, the wording the others have differently.
    assert column_text(body, "un").count("<mark>") == 1
    assert "<mark>联合国大会第七十六届会议</mark>" in column_text(body, "un")
    for version, pid in [("xinhua", "xinhua-045"), ("chinanews-2", "chinanews-2-024")]:
        text = column_text(body, version)
        assert text == get_passage(corpus_index, P045)["versions"][1 if version == "xinhua" else 2]["marked"]
        assert "<mark>第76届联大</mark>" in text and text.count("<mark>") == 1
        assert unmarked(text) == record(corpus_index, pid)["text"]
        assert '<span class="was">联合国大会第七十六届会议</span> → <span class="now">第76届联大</span>' in column(body, version)
    assert unmarked(column_text(body, "un")) == record(corpus_index, "un-053")["text"]
    assert "参照版本 · Reference" in column(body, "un")
    # Catalog names, links to each paragraph, the lacking version with its reason, the neighbours.
    for v in corpus_index.catalog["versions"][:4]:
        assert esc(v["publisher"]) in body
    for pid in ("un-053", "xinhua-045", "chinanews-2-024"):
        assert f'<a class="paragraph-link" href="/paragraph/{pid}">' in body
    lacking = re.search(r'<li class="lacking"><span class="tag version">([^<]+)</span>.*?<span class="why">(.*?)</span>',
                        body, re.S)
    assert lacking.group(1) == "chinanews-3"
    assert html.unescape(lacking.group(2)) == corpus_index.passages[P045]["lacks"]["chinanews-3"]
    assert '<a rel="prev" href="/passage/2022-new-era-p044">' in body
    assert '<a rel="next" href="/passage/2022-new-era-p046">' in body
    assert '<a class="compare-link" href="/compare?statement=2022-new-era">' in body
    for label in ("段落对照 Passage", "缺此段的版本 · Versions without this passage", "上一段 Previous", "下一段 Next"):
        assert label in body
    # The JSON twin.
    assert alternate_href(body) == f"/api/passages/{P045}"
    assert r.headers["Link"] == f'</api/passages/{P045}>; rel="alternate"; type="application/json"'
    assert client.get(alternate_href(body)).get_json() == get_passage(corpus_index, P045)


def test_passage_page_english_beside_the_chinese(client, corpus_index):
    body = client.get(f"/passage/{P009}").get_data(as_text=True)
    assert '<section class="version-column reference lang-zh" id="v-un">' in body
    assert '<section class="version-column lang-en" id="v-xinhua">' in body
    english = re.search(r'<p class="text" lang="en">(.*?)</p>', column(body, "xinhua"), re.S).group(1)
    assert html.unescape(english) == record(corpus_index, "xinhua-009")["text"]
    assert "英文译文 · English translation" in column(body, "xinhua")
    assert "<mark" not in body.split("<main", 1)[1].replace('<mark>marked</mark>', "")


def test_passage_page_marks_the_query(client, corpus_index):
    r = client.get(f"/passage/{P032}?q={NATO_URL}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    versions = re.findall(r'<section class="version-column[^"]*" id="v-([^"]+)">', body)
    assert versions == ["un", "xinhua", "chinanews-2"]
    for version in versions:
        text = column_text(body, version)
        assert text.count(f'<mark class="q">{NATO}</mark>') == 2
        assert "<mark>" not in text  # the same wording in all three
        assert "2 处匹配 · 2 matches" in column(body, version)
    for pid in ("un-040", "xinhua-032", "chinanews-2-011"):
        assert f'href="/paragraph/{pid}?q={NATO_URL}"' in body
    assert f'<a rel="prev" href="/passage/2022-new-era-p031?q={NATO_URL}">' in body
    assert f'href="/?q={NATO_URL}"' in body  # back to the search
    assert alternate_href(body) == f"/api/passages/{P032}"


def test_passage_page_query_and_differences_together(client):
    body = client.get(f"/passage/{P045}", query_string={"q": "联大"}).get_data(as_text=True)
    assert column_text(body, "xinhua").count('<mark>第76届</mark><mark class="q d">联大</mark>') == 1
    # 联大 also finds its variant 联合国大会 (the glossary's abbreviation), marked as a query match inside the
    # difference; the rest of the differing wording keeps its difference mark.
    assert '<mark class="q d">联合国大会</mark><mark>第七十六届会议</mark>' in column_text(body, "un")


def test_passage_page_escapes_the_query(client):
    q = "<script>alert(1)</script>"
    r = client.get(f"/passage/{P032}", query_string={"q": q})
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert q not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_passage_page_query_too_long_is_400(client):
    r = client.get(f"/passage/{P032}", query_string={"q": "北" * 257})
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "the query is 257 characters long; the limit is 256" in r.get_data(as_text=True)


def test_every_passage_page_renders(client, corpus_index):
    assert len(corpus_index.passages) == 71
    for pid, passage in corpus_index.passages.items():
        r = client.get(f"/passage/{pid}")
        assert r.status_code == 200, pid
        body = r.get_data(as_text=True)
        assert re.findall(r'<section class="version-column[^"]*" id="v-([^"]+)">', body) == list(passage["members"])
        for version, paragraph in passage["members"].items():
            assert unmarked(column_text(body, version)) == record(corpus_index, paragraph)["text"]
        assert len(re.findall(r'<li class="lacking">', body)) == len(passage["lacks"])
    first, last = list(corpus_index.passages)[0], list(corpus_index.passages)[-1]
    assert 'rel="prev"' not in client.get(f"/passage/{first}").get_data(as_text=True)
    assert 'rel="next"' not in client.get(f"/passage/{last}").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/passage/2022-new-era-p999", "/passage/%3Cscript%3Ealert(1)%3C%2Fscript%3E"])
def test_passage_page_unknown_is_404(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert '<section class="error-page">' in body and "not_found" in body
    assert "<script>alert" not in body


# --- links to the passage and compare pages ----------------------------------------------------------------------


def test_search_hits_link_their_passage(client):
    body = client.get(f"/?q={NATO_URL}").get_data(as_text=True)
    assert re.findall(r'<a class="passage-link" href="([^"]+)"', body) == [f"/passage/{P032}?q={NATO_URL}"]
    body = client.get("/", query_string={"q": "第76届联大"}).get_data(as_text=True)
    assert f'<a class="passage-link" href="/passage/{P045}?q=' in body


def test_paragraph_page_links_its_passage(client):
    body = client.get(f"/paragraph/un-040?q={NATO_URL}").get_data(as_text=True)
    assert f'<a class="passage-link" href="/passage/{P032}?q={NATO_URL}">' in body
    assert f'<a class="passage-link" href="/passage/{P032}">' in client.get("/paragraph/un-040").get_data(as_text=True)
    # A statement with one version has no passages.
    assert "passage-link" not in client.get("/paragraph/preview-2017-003").get_data(as_text=True)


def test_overview_links_the_compare_page(client):
    body = client.get("/").get_data(as_text=True)
    assert re.findall(r'<a class="compare-link" href="([^"]+)"', body) == [f"/compare?statement={STATEMENT}"]


# --- HTML: the compare page --------------------------------------------------------------------------------------


def test_compare_page_without_versions_is_the_form(client):
    r = client.get("/compare")
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert '<form class="compare-form" action="/compare" method="get">' in body
    assert '<section class="comparison">' not in body and 'role="alert"' not in body
    assert re.findall(r'<option value="([^"]+)" selected>', body) == [STATEMENT, "un", "xinhua"]
    for v in VERSIONS:
        assert f'<option value="{v}"' in body
    assert "2017-world-situation\"" not in re.search(r'<select name="statement">(.*?)</select>', body, re.S).group(1)
    assert alternate_href(body) == "/api/versions"
    body = client.get(f"/compare?statement={STATEMENT}").get_data(as_text=True)
    assert re.findall(r'<option value="([^"]+)" selected>', body) == [STATEMENT, "un", "xinhua"]


def test_compare_page_un_with_chinanews_3(client, corpus_index):
    r = client.get("/compare?a=un&b=chinanews-3")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    counts = dict(re.findall(r'<li class="count-([a-z-]+)">[^<]*<strong>(\d+)</strong>', body))
    assert counts == {"same": "18", "differing": "8", "only-a": "45", "only-b": "0", "languages": "0"}
    assert "仅 un 有 · Only in un" in body and "措辞相同 Same wording" in body
    assert re.findall(r'<option value="([^"]+)" selected>', body) == [STATEMENT, "un", "chinanews-3"]
    rows = re.findall(r'<li class="differing-passage" id="([^"]+)">(.*?)</li>\s*(?=<li class="differing|</ol>)', body, re.S)
    assert [pid for pid, _ in rows] == [row["passage"] for row in compare(corpus_index, "un", "chinanews-3")["differing"]]
    p049 = dict(rows)[P049]
    assert f'<a class="passage-link" href="/passage/{P049}">' in p049
    assert '<tr><td class="a" lang="zh-Hans">大会第七十八届会议</td>\n            <td class="b" lang="zh-Hans">第78届联大</td></tr>' in p049
    sides = re.findall(r'<div class="side (a|b)">.*?<p class="text" lang="zh-Hans">(.*?)</p>', p049, re.S)
    assert [s for s, _ in sides] == ["a", "b"]
    assert "<mark>大会第七十八届会议</mark>" in sides[0][1] and "<mark>第78届联大</mark>" in sides[1][1]
    assert unmarked(sides[0][1]) == record(corpus_index, "un-057")["text"]
    assert unmarked(sides[1][1]) == record(corpus_index, "chinanews-3-004")["text"]
    # The passages chinanews-3 lacks, each linked, with the reason once.
    only = body.split('<h3 class="only-in">', 1)[1]
    assert only.startswith("仅 un 有的段落 · Passages only in un (45)")
    assert len(re.findall(r'<li><a href="/passage/2022-new-era-p\d{3}" class="pid">', only)) == 45
    assert only.count(CHINANEWS_3_COVERS) == 1
    assert alternate_href(body) == "/api/compare?a=un&b=chinanews-3"
    assert client.get(alternate_href(body)).get_json() == compare(corpus_index, "un", "chinanews-3")


def test_compare_page_lists_passages_in_different_languages(client):
    body = client.get("/compare?a=un&b=xinhua").get_data(as_text=True)
    assert '<h3 class="languages">' in body
    assert (f'<li><a href="/passage/{P009}" class="pid">{P009}</a>\n      (<a href="/paragraph/un-017" class="pid">un-017</a>,'
            in body)


@pytest.mark.parametrize(
    "query, message",
    [
        ({"a": "un", "b": "nope"}, "unknown version &#39;nope&#39;"),
        ({"a": "un", "b": "preview-2017"}, "carry different statements; they cannot be compared"),
        ({"a": "un"}, "compare needs two versions: b is missing"),
        ({"a": "<b>x</b>", "b": "un"}, "unknown version &#39;&lt;b&gt;x&lt;/b&gt;&#39;"),
    ],
)
def test_compare_page_shows_errors_with_the_form(client, query, message):
    r = client.get("/compare", query_string=query)
    assert r.status_code == 400 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert '<section class="error" role="alert">' in body and message in body
    assert '<form class="compare-form"' in body and '<section class="comparison">' not in body
    assert "<b>x</b>" not in body


# --- OpenAPI, headers, resources ---------------------------------------------------------------------------------


def test_openapi_lists_the_collation_routes(client):
    spec = client.get("/api/openapi.json").get_json()
    assert {"/api/passages/{id}", "/api/compare"} <= set(spec["paths"])
    passage = spec["paths"]["/api/passages/{id}"]["get"]
    assert set(passage["responses"]) == {"200", "404", "503"}
    comparison = spec["paths"]["/api/compare"]["get"]
    assert {p["name"]: p.get("required", False) for p in comparison["parameters"]} == {
        "a": True, "b": True, "statement": False,
    }
    assert set(comparison["responses"]) == {"200", "400", "503"}
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec))
    assert {"PassagePage", "Comparison"} <= set(refs) <= set(spec["components"]["schemas"])


PAGES = [f"/passage/{P045}", f"/passage/{P032}?q={NATO_URL}", "/compare", "/compare?a=un&b=chinanews-3",
         "/compare?a=un&b=nope", "/passage/nope"]


@pytest.mark.parametrize("path", PAGES + [f"/api/passages/{P045}", "/api/compare?a=un&b=xinhua", "/api/compare"])
def test_security_headers(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("path", PAGES)
def test_pages_use_no_inline_script_or_style(client, path):
    body = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "<style" not in body and " style=" not in body
    for ref in re.findall(r'(?:src|href|action)="([^"]+)"', body):
        assert ref.startswith(("/", "#")), ref


def test_stylesheet_lays_the_versions_out_in_columns_or_stacked(client):
    css = client.get("/static/style.css").get_data(as_text=True)
    assert re.search(r"\.versions-grid \{[^}]*display: grid;[^}]*grid-template-columns: repeat\(auto-fit", css)
    phone = css.rsplit("@media (max-width: 40rem)", 1)[1]
    assert ".versions-grid" in phone and "grid-template-columns: 1fr" in phone
