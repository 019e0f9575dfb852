"""The web front end on the real index: every route and error, whole JSON answers, marked hits in the HTML."""
from __future__ import annotations

import html
import json
import re
import shutil
import threading
import time
from pathlib import Path

import markupsafe
import pytest
from click.testing import CliRunner

from jiaokan.search import paragraphs
from jiaokan.search.records import to_json
from as_written import search_function as run_search

from jiaokan.web import create_app


def get_paragraph(*args) -> dict:
    """The paragraph page as the API returns it."""
    return to_json(paragraphs.get_paragraph(*args))


VERSIONS = ["un", "xinhua", "chinanews-2", "chinanews-3", "preview-2017"]
NATO = "北约"
NATO_URL = "%E5%8C%97%E7%BA%A6"
UN_FILE = "texts/2022-un-chinese.txt"


def esc(text: str) -> str:
    """As Jinja's autoescape writes it."""
    return str(markupsafe.escape(text))


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def alternate_href(body: str) -> str:
    m = re.search(r'<link rel="alternate" type="application/json" href="([^"]*)">', body)
    assert m, "no <link rel=alternate> to the JSON twin"
    return html.unescape(m.group(1))


# --- /api/search -------------------------------------------------------------------------------------------------


SEARCH_KEYS = {"query", "understood", "total", "page", "per_page", "pages", "hits", "facets", "took_ms"}
NATO_FACETS = {"un": 1, "xinhua": 1, "chinanews-2": 1}  # versions without it left out


def test_api_search_one_result_per_paragraph(client, corpus_index):
    r = client.get("/api/search", query_string={"q": NATO, "collapse": "0"})
    assert r.status_code == 200
    assert r.mimetype == "application/json"
    data = r.get_json()
    assert without_time(data) == without_time(run_search(corpus_index, NATO, collapse=False))
    assert NATO in r.get_data(as_text=True)  # Chinese unescaped (ensure_ascii off)

    assert SEARCH_KEYS <= set(data)
    assert (data["query"], data["total"], data["page"], data["per_page"], data["pages"]) == (NATO, 3, 1, 10, 1)
    assert [(h["id"], h["version"]) for h in data["hits"]] == [
        ("un-040", "un"), ("xinhua-032", "xinhua"), ("chinanews-2-011", "chinanews-2"),
    ]
    for hit in data["hits"]:
        assert [hit["text"][a:b] for a, b in hit["highlights"]] == [NATO, NATO]
        assert hit["snippet"].count(f"<mark>{NATO}</mark>") == 2
        assert (hit["section"], hit["lang"], hit["kind"]) == ("三", "zh", "body")
    assert data["facets"]["version"] == NATO_FACETS
    assert data["facets"]["lang"].get("zh") == 3 and data["facets"]["lang"].get("en", 0) == 0
    assert data["understood"]["filters"] == {"version": [], "lang": None, "section": None}


def test_api_search_groups_the_versions_of_a_passage(client, corpus_index):
    data = client.get("/api/search", query_string={"q": NATO}).get_json()
    assert without_time(data) == without_time(run_search(corpus_index, NATO))
    assert (data["total"], data["counts"], data["total_paragraphs"]) == (1, "passages", 3)
    [hit] = data["hits"]
    assert hit["id"] == "un-040"
    assert [hit["text"][a:b] for a, b in hit["highlights"]] == [NATO, NATO]
    assert [(o["id"], o["version"], o["note"]) for o in hit["also_in"]] == [
        ("xinhua-032", "xinhua", "same wording"), ("chinanews-2-011", "chinanews-2", "same wording"),
    ]
    texts = {p["id"]: p["text"] for p in corpus_index.paragraphs}
    for other in hit["also_in"]:
        assert [texts[other["id"]][a:b] for a, b in other["highlights"]] == [NATO, NATO]
    assert data["facets"]["version"] == NATO_FACETS


def test_facets_leave_out_versions_without_a_match_and_the_page_shows_them_at_zero(client):
    """The JSON facets list only the versions (and occurrences, languages) that have matches, in corpus order: over
    thousands of versions the zeros were most of every answer. The page still shows every version's count."""
    data = client.get("/api/search", query_string={"q": NATO}).get_json()
    assert list(data["facets"]["version"]) == ["un", "xinhua", "chinanews-2"]
    assert data["facets"]["version_occurrences"] == {"un": 2, "xinhua": 2, "chinanews-2": 2}
    assert data["facets"]["lang"] == {"zh": 3}
    lines = client.get("/api/concordance", query_string={"q": NATO}).get_json()
    assert lines["by_version"] == data["facets"]["version_occurrences"]
    body = client.get("/", query_string={"q": NATO}).get_data(as_text=True)
    assert re.search(r'<span class="vid">preview-2017</span> <span class="count">0</span>', body)
    assert re.search(r'<span class="vid">un</span> <span class="count">1</span>', body)


def test_api_search_matches_the_cli_json(client, built_index):
    from jiaokan.cli import main

    cli = CliRunner().invoke(main, ["search", "--index", str(built_index), "--json", NATO])
    assert cli.exit_code == 0, cli.output
    printed = json.loads(cli.output)
    api = client.get("/api/search", query_string={"q": NATO}).get_json()
    assert {k: api[k] for k in printed if k != "took_ms"} == without_time(printed)


def test_api_search_filters(client, corpus_index):
    args = [("q", "合作"), ("version", "un"), ("version", "xinhua"), ("lang", "zh"), ("per_page", "100")]
    data = client.get("/api/search", query_string=args).get_json()
    expected = run_search(corpus_index, "合作", versions=["un", "xinhua"], lang="zh", per_page=100)
    assert without_time(data) == without_time(expected)
    assert data["total"] > 0
    assert {h["version"] for h in data["hits"]} <= {"un", "xinhua"}
    assert {h["lang"] for h in data["hits"]} == {"zh"}
    assert data["understood"]["filters"] == {"version": ["un", "xinhua"], "lang": "zh", "section": None}


def test_api_search_filters_without_a_query_browse_a_version(client):
    data = client.get("/api/search?version=chinanews-3&per_page=100").get_json()
    assert data["total"] == 26
    assert [h["id"] for h in data["hits"]] == [f"chinanews-3-{n:03d}" for n in range(1, 27)]


def test_api_search_pagination(client):
    everything = client.get("/api/search", query_string={"q": "合作", "per_page": 100}).get_json()
    total = everything["total"]
    assert total > 10
    page2 = client.get("/api/search", query_string={"q": "合作", "per_page": 5, "page": 2}).get_json()
    assert (page2["total"], page2["page"], page2["per_page"], page2["pages"]) == (total, 2, 5, -(-total // 5))
    assert [h["id"] for h in page2["hits"]] == [h["id"] for h in everything["hits"][5:10]]
    last = -(-total // 5)
    r = client.get("/api/search", query_string={"q": "合作", "per_page": 5, "page": last + 1})
    assert r.status_code == 400
    assert r.get_json() == {"error": {"code": "bad_query", "message": f"page {last + 1} is past the last page ({last})"}}


LONG = "北" * 257


@pytest.mark.parametrize(
    "query, code, message",
    [
        ({"q": LONG}, "bad_query", "the query is 257 characters long; the limit is 256"),
        ({"q": "x", "per_page": "101"}, "bad_query", "per_page must be between 1 and 100"),
        ({"q": "x", "per_page": "0"}, "bad_query", "per_page must be between 1 and 100"),
        ({"q": "x", "per_page": "ten"}, "bad_parameter",
         "per_page must be a whole number between 1 and 100; got 'ten'"),
        ({"q": "x", "per_page": "1e3"}, "bad_parameter",
         "per_page must be a whole number between 1 and 100; got '1e3'"),
        ({"q": "x", "page": "0"}, "bad_query", "page must be 1 or more"),
        ({"q": "x", "page": "-1"}, "bad_parameter", "page must be a whole number, 1 or more; got '-1'"),
        ({"q": "x", "page": "2.5"}, "bad_parameter", "page must be a whole number, 1 or more; got '2.5'"),
        ({"q": "x", "page": "99999999999999999999"}, "bad_parameter", "page 99999999999999999999 is out of range"),
        ({"q": NATO, "version": "preview-2017", "page": "2"}, "bad_query", "page 2 is past the last page (1)"),
        ({"q": "x", "version": "nope"}, "bad_query",
         "unknown version 'nope': versions are un, xinhua, chinanews-2, chinanews-3, preview-2017"),
        ({"q": "x", "lang": "fr"}, "bad_query", "unknown language 'fr': languages are zh, en"),
        ({"q": "x", "collapse": "maybe"}, "bad_parameter", "collapse must be 1 or 0 (true or false); got 'maybe'"),
        ({}, "bad_query", "the query is empty"),
        ({"q": "   "}, "bad_query", "the query is empty"),
    ],
)
def test_api_search_bad_parameters(client, query, code, message):
    r = client.get("/api/search", query_string=query)
    assert r.status_code == 400
    assert r.mimetype == "application/json"
    assert r.get_json() == {"error": {"code": code, "message": message}}


def test_api_search_query_syntax_errors_are_400(client):
    r = client.get("/api/search", query_string={"q": "author:someone"})
    assert r.status_code == 400
    error = r.get_json()["error"]
    assert error["code"] == "bad_query" and "author" in error["message"]


# --- /api/paragraphs, /api/versions, /api/openapi.json -----------------------------------------------------------


def test_api_paragraph_whole(client, corpus_index):
    r = client.get(f"/api/paragraphs/un-040?q={NATO_URL}")
    assert r.status_code == 200
    data = r.get_json()
    assert data == get_paragraph(corpus_index, "un-040", NATO)
    p = data["paragraph"]
    assert (p["id"], p["version"], p["section"], p["lang"]) == ("un-040", "un", "三", "zh")
    assert [p["text"][a:b] for a, b in p["highlights"]] == [NATO, NATO]
    assert p["marked"].count(f"<mark>{NATO}</mark>") == 2
    assert [n["id"] for n in data["before"]] == ["un-038", "un-039"]
    assert [n["id"] for n in data["after"]] == ["un-041", "un-042"]
    assert data["version"]["id"] == "un" and data["version"]["paragraphs"] == 79
    assert data["query"] == NATO


def test_api_paragraph_without_query_marks_nothing(client, corpus_index):
    data = client.get("/api/paragraphs/xinhua-001").get_json()
    assert data == get_paragraph(corpus_index, "xinhua-001")
    assert data["paragraph"]["highlights"] == [] and "<mark>" not in data["paragraph"]["marked"]
    assert data["before"] == [] and data["query"] is None


def test_api_paragraph_unknown_id(client):
    r = client.get("/api/paragraphs/un-999")
    assert r.status_code == 404
    assert r.get_json() == {"error": {"code": "not_found", "message": "no paragraph with id 'un-999'"}}


def test_api_paragraph_query_too_long(client):
    r = client.get("/api/paragraphs/un-040", query_string={"q": LONG})
    assert r.status_code == 400
    assert r.get_json() == {
        "error": {"code": "bad_query", "message": "the query is 257 characters long; the limit is 256"}
    }


def test_api_versions_is_the_catalog(client, corpus_dir):
    from jiaokan.indexer.catalog_view import catalog_overview

    r = client.get("/api/versions")
    assert r.status_code == 200
    data = r.get_json()
    assert data == catalog_overview(corpus_dir)
    assert [v["id"] for v in data["versions"]] == VERSIONS
    assert [v["paragraphs"] for v in data["versions"]] == [79, 71, 25, 26, 26]


def test_openapi_describes_every_endpoint(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    spec = r.get_json()
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) == {
        "/api/search",
        "/api/paragraphs/{id}",
        "/api/versions",
        "/api/openapi.json",
        "/api/passages/{id}",
        "/api/compare",
        "/api/concordance",
    }
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert set(params) == {"q", "version", "lang", "section", "page", "per_page", "collapse", "translate", "match",
                           "sort", "repair", "aligned", "format"}
    assert params["q"]["maxLength"] == 256
    assert (params["per_page"]["minimum"], params["per_page"]["maximum"]) == (1, 100)
    assert params["page"]["minimum"] == 1
    assert params["lang"]["enum"] == ["zh", "en"]
    # Every $ref points at a schema that exists.
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec))
    assert refs and set(refs) <= set(spec["components"]["schemas"])


@pytest.mark.parametrize("path", ["/api/nope", "/api/", "/api", "/api/search/extra", "/api/paragraphs/"])
def test_unknown_api_routes_are_json_404(client, path):
    r = client.get(path)
    assert r.status_code == 404
    assert r.get_json() == {"error": {"code": "not_found", "message": f"nothing at {path}"}}


def test_wrong_method_is_json_405(client):
    r = client.post("/api/search", data={"q": NATO})
    assert r.status_code == 405
    assert r.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


# --- HTML: the search page ---------------------------------------------------------------------------------------


def test_search_page_marks_hits(client):
    r = client.get(f"/?q={NATO_URL}&collapse=0")
    assert r.status_code == 200 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert body.count(f"<mark>{NATO}</mark>") == 6  # two in each of the three hits' snippets
    assert f'value="{NATO}"' in body  # the query stays in the box
    assert re.search(r'<strong class="total">3</strong>', body)
    assert re.search(r'<span class="took">[0-9.]+ ms</span>', body)
    for pid, version in [("un-040", "un"), ("xinhua-032", "xinhua"), ("chinanews-2-011", "chinanews-2")]:
        assert f'href="/paragraph/{pid}?q={NATO_URL}"' in body
        assert f'<span class="tag version" title="版本 Version">{version}</span>' in body
    assert '<span class="tag section" title="章节 Section">三</span>' in body
    for label in ("搜索 Search", "版本 Version", "语言 Language"):
        assert label in body
    assert '<input type="hidden" name="collapse" value="0">' in body  # the choice survives the next search


def test_search_page_groups_versions_of_a_passage(client):
    body = client.get(f"/?q={NATO_URL}").get_data(as_text=True)
    hits = re.findall(r'<li class="hit">(.*?)</li>\s*</ul>', body, re.S)
    assert len(hits) == 1
    snippet = re.search(r'<p class="snippet" lang="zh-Hans">(.*?)</p>', hits[0], re.S).group(1)
    assert snippet.count(f"<mark>{NATO}</mark>") == 2
    assert '<strong class="total">1</strong>' in body and '<span class="total-paragraphs">3</span>' in body
    also = re.findall(r'<li class="also-in">亦见 Also in <a href="([^"]+)">', body)
    assert also == [f"/paragraph/xinhua-032?q={NATO_URL}", f"/paragraph/chinanews-2-011?q={NATO_URL}"]
    assert re.search(r'<li class="lacking">缺 Not in <span class="tag version">chinanews-3</span>', body)
    assert f'href="/?q={NATO_URL}&amp;collapse=0"' in body  # the switch to one result per paragraph


def test_search_page_links_its_json_twin(client):
    r = client.get(f"/?q={NATO_URL}&lang=zh")
    body = r.get_data(as_text=True)
    twin = alternate_href(body)
    assert twin == f"/api/search?q={NATO_URL}&lang=zh"
    assert r.headers["Link"] == f'<{twin}>; rel="alternate"; type="application/json"'
    assert f'class="json-link" href="{esc(twin)}"' in body  # and a visible link
    data = client.get(twin).get_json()
    assert data["total_paragraphs"] == 3


def test_search_page_filter_controls(client):
    body = client.get(f"/?q=合作&version=un&lang=zh").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" name="version" value="un" checked>', body)
    assert re.search(r'<input type="checkbox" name="version" value="xinhua">', body)
    assert re.search(r'<input type="radio" name="lang" value="zh" checked>', body)
    for v in VERSIONS:
        assert f'value="{v}"' in body
    # Facet counts beside the versions: un has the hits, the others none under this filter.
    assert re.search(r'value="un" checked>\s*<span class="vid">un</span> <span class="count">\d+</span>', body)
    versions_shown = re.findall(r'<span class="tag version" title="版本 Version">([^<]+)</span>', body)
    assert versions_shown and set(versions_shown) == {"un"}


def test_search_page_pagination_links(client):
    body = client.get("/?q=合作&per_page=5&page=2").get_data(as_text=True)
    assert '<span class="current" aria-current="page">2</span>' in body
    prev = re.search(r'<a rel="prev" href="([^"]+)"', body).group(1)
    nxt = re.search(r'<a rel="next" href="([^"]+)"', body).group(1)
    assert html.unescape(prev) == "/?q=%E5%90%88%E4%BD%9C&page=1&per_page=5"
    assert html.unescape(nxt) == "/?q=%E5%90%88%E4%BD%9C&page=3&per_page=5"
    assert '<ol class="hits" start="6">' in body
    assert len(re.findall(r'<li class="hit">', body)) == 5
    assert '<input type="hidden" name="per_page" value="5">' in body


def test_search_page_escapes_the_query(client):
    q = "<script>alert(1)</script>"
    body = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert q not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    q = '"><img src=x onerror=alert(1)>'
    body = client.get("/", query_string={"q": q}).get_data(as_text=True)
    assert "<img" not in body
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in body


def test_search_page_escapes_errors(client):
    r = client.get("/", query_string={"q": "<b>x</b>", "version": "<i>v</i>"})
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert "<i>v</i>" not in body and "<b>x</b>" not in body
    assert "unknown version &#39;&lt;i&gt;v&lt;/i&gt;&#39;" in body


def test_snippets_hold_no_html_but_marks(client):
    body = client.get("/?q=合作 OR cooperation&per_page=100&collapse=0").get_data(as_text=True)
    snippets = re.findall(r'<p class="snippet" lang="[^"]+">(.*?)</p>', body, re.S)
    assert len(snippets) > 50
    for s in snippets:
        assert "<" not in s.replace("<mark>", "").replace("</mark>", "")


def test_empty_query_shows_the_corpus_overview(client, corpus_index):
    r = client.get("/")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert '<section class="overview">' in body and '<section class="results">' not in body
    catalog = corpus_index.catalog
    for s in catalog["statements"]:
        assert esc(s["title_zh"]) in body and esc(s["title_en"]) in body
    for v in catalog["versions"]:
        assert f'<a href="/?version={v["id"]}">{v["id"]}</a>' in body
        assert esc(v["covers"]) in body
        assert esc(v["publisher"]) in body
        assert re.search(rf'<td class="num">{v["paragraphs"]}\b', body)
    assert alternate_href(body) == "/api/versions"
    assert r.headers["Link"] == '</api/versions>; rel="alternate"; type="application/json"'
    assert 'value=""' in body  # an empty box
    assert client.get("/?q=%20%20").get_data(as_text=True).count('<section class="overview">') == 1


def test_browsing_a_version_from_the_overview(client):
    body = client.get("/?version=preview-2017").get_data(as_text=True)
    assert '<strong class="total">26</strong>' in body
    assert "<mark>" not in body


@pytest.mark.parametrize(
    "query, message",
    [
        ({"q": "x", "per_page": "abc"}, "per_page must be a whole number between 1 and 100; got &#39;abc&#39;"),
        ({"q": "x", "version": "nope"}, "unknown version &#39;nope&#39;"),
        ({"q": "x", "lang": "fr"}, "unknown language &#39;fr&#39;"),
        ({"q": LONG}, "the query is 257 characters long; the limit is 256"),
        ({"q": NATO, "page": "9"}, "page 9 is past the last page (1)"),
    ],
)
def test_search_page_shows_bad_parameters_with_the_form(client, query, message):
    r = client.get("/", query_string=query)
    assert r.status_code == 400 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert '<section class="error" role="alert">' in body and message in body
    assert f'value="{esc(query["q"])}"' in body  # the query stays in the box
    assert '<form class="search"' in body


# --- HTML: the paragraph page ------------------------------------------------------------------------------------


def test_paragraph_page(client, corpus_index):
    r = client.get(f"/paragraph/un-040?q={NATO_URL}")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    current = re.search(r'<p class="text current" lang="zh-Hans">(.*?)</p>', body, re.S).group(1)
    assert current.count(f"<mark>{NATO}</mark>") == 2
    assert html.unescape(current.replace("<mark>", "").replace("</mark>", "")) == (
        corpus_index.paragraphs[corpus_index.paragraph_index["un-040"]]["text"]
    )
    neighbours = re.findall(r'<p class="neighbour (before|after)"[^>]*><a href="([^"]+)"', body)
    assert neighbours == [
        ("before", f"/paragraph/un-038?q={NATO_URL}"), ("before", f"/paragraph/un-039?q={NATO_URL}"),
        ("after", f"/paragraph/un-041?q={NATO_URL}"), ("after", f"/paragraph/un-042?q={NATO_URL}"),
    ]
    assert "United Nations (General Assembly and Security Council document)" in body  # the catalog entry
    assert 'class="vid">un</span>' in body
    assert f'href="/?q={NATO_URL}"' in body  # back to the search
    assert alternate_href(body) == f"/api/paragraphs/un-040?q={NATO_URL}"
    assert client.get(alternate_href(body)).get_json()["paragraph"]["id"] == "un-040"


def test_paragraph_page_without_query(client):
    body = client.get("/paragraph/un-040").get_data(as_text=True)
    assert "<mark>" not in body
    assert alternate_href(body) == "/api/paragraphs/un-040"


@pytest.mark.parametrize("path", ["/paragraph/un-999", "/paragraph/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/nope"])
def test_html_404_pages_are_templated_and_escaped(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert '<section class="error-page">' in body and "404" in body
    assert "<script>alert" not in body
    assert "Traceback" not in body


# --- headers, resources ------------------------------------------------------------------------------------------

EVERY_ROUTE = [
    "/", f"/?q={NATO_URL}", "/?q=x&page=0", "/paragraph/un-040", "/paragraph/nope", "/nope",
    f"/api/search?q={NATO_URL}", "/api/search", "/api/versions", "/api/paragraphs/un-040", "/api/paragraphs/nope",
    "/api/openapi.json", "/api/nope", "/static/style.css", "/static/app.js",
]


@pytest.mark.parametrize("path", EVERY_ROUTE)
def test_security_headers_on_every_response(client, path):
    r = client.get(path)
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"]


@pytest.mark.parametrize("path", ["/", f"/?q={NATO_URL}", f"/paragraph/un-040?q={NATO_URL}", "/nope", "/?q=x&page=0"])
def test_pages_use_no_inline_script_or_outside_resource(client, path):
    body = client.get(path).get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)  # every script is a file
    assert "<style" not in body and " style=" not in body
    assert not re.search(r'(?:src|href)="(?:https?:)?//', body)
    for ref in re.findall(r'(?:src|href)="([^"]+)"', body):
        assert ref.startswith("/"), ref


def test_stylesheet_is_local_with_a_cjk_font_stack(client):
    r = client.get("/static/style.css")
    assert r.status_code == 200
    css = r.get_data(as_text=True)
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    for font in ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei"):
        assert f'"{font}"' in css
    assert "@media (max-width" in css  # a phone layout


def test_no_file_paths_from_requests(client):
    for path in ["/static/../web/__init__.py", "/static/%2e%2e/__init__.py", "/static/..%2f..%2fpyproject.toml"]:
        assert client.get(path).status_code == 404


# --- the index: missing, built, rebuilt while serving ------------------------------------------------------------


def test_missing_index_is_503_then_a_build_and_a_rebuild_are_picked_up(tmp_path, corpus_dir):
    from jiaokan.indexer.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    link = tmp_path / "index"
    app = create_app({"TESTING": True, "INDEX_DIR": str(link)})
    client = app.test_client()

    r = client.get("/api/search?q=x")
    assert r.status_code == 503
    assert r.get_json() == {
        "error": {"code": "index_not_built", "message": f"no index at {link}; build it with: jiaokan index"}
    }
    r = client.get("/")
    assert r.status_code == 503 and "index_not_built" in r.get_data(as_text=True)
    assert client.get("/api/versions").status_code == 503

    build_index(link, corpus, progress=None)
    assert client.get("/api/search", query_string={"q": NATO, "collapse": 0}).get_json()["total"] == 3
    marker = "qqrebuildzz"
    assert client.get("/api/search", query_string={"q": marker}).get_json()["total"] == 0

    # Change one paragraph of the UN text and rebuild into the same link, while requests keep coming.
    un = corpus / UN_FILE
    text = un.read_text(encoding="utf-8")
    assert text.count("双方反对北约继续扩张") == 1
    un.write_text(text.replace("双方反对北约继续扩张", f"双方反对北约继续扩张{marker}"), encoding="utf-8")
    failures, answered, stop = [], [], threading.Event()

    def hammer():
        own = app.test_client()
        while not stop.is_set():
            r = own.get("/api/search", query_string={"q": NATO, "collapse": 0})
            answered.append(r.status_code)
            if r.status_code != 200 or r.get_json()["total"] != 3:
                failures.append((r.status_code, r.get_data(as_text=True)[:200]))

    threads = [threading.Thread(target=hammer) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        build_index(link, corpus, force=True, progress=None)
        # The first request after the swap opens the new build; others meanwhile answer from the old one.
        deadline = time.monotonic() + 10
        while True:
            r = client.get("/api/search", query_string={"q": marker})
            if r.get_json()["total"] or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert failures == [] and len(answered) > 0
    data = r.get_json()
    assert data["total"] == 1 and data["hits"][0]["id"] == "un-040"
    assert marker in client.get("/api/paragraphs/un-040").get_json()["paragraph"]["text"]
    assert marker in client.get("/paragraph/un-040").get_data(as_text=True)


def test_concurrent_requests_get_the_same_answers(app):
    queries = ["北约", "合作", "vaccines", "双方 发展", '"international relations"', "人工智慧", "安全 OR 和平",
               "联合国 -北约", "2030年", "democracy"]
    client = app.test_client()
    expected = {q: without_time(client.get("/api/search", query_string={"q": q, "per_page": 100}).get_json())
                for q in queries}
    wrong = []

    def worker(n):
        own = app.test_client()
        for i in range(30):
            q = queries[(i + n) % len(queries)]
            r = own.get("/api/search", query_string={"q": q, "per_page": 100})
            if r.status_code != 200 or without_time(r.get_json()) != expected[q]:
                wrong.append((q, r.status_code))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_app_is_not_in_debug_mode(app):
    assert app.debug is False
    assert app.json.ensure_ascii is False
