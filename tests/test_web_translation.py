"""Cross-language search in the web front end (issue 6) on the real index: the translate parameter of /api/search,
the page's checkbox, the expansions line and the "via" labels, the JSON twin and the links that keep the choice,
and the OpenAPI description."""
from __future__ import annotations

import html
import json
import re
from urllib.parse import urlencode

import pytest

import jiaokan.web.views
from as_written import search_function as run_search
from jiaokan.search.results import ExpansionUsed

NATO_EN = "NATO"
NATO_ZH = "北约"
NATO_PARAGRAPHS = ["un-040", "xinhua-032", "chinanews-2-011"]
NATO_EXPANSION = {"query": "NATO", "via": "北约", "lang": "zh", "source": "glossary"}
TAIWAN_ZH = "台湾"
TAIWAN_ZH_URL = "%E5%8F%B0%E6%B9%BE"
VIA_LABEL = '<span class="tag via" title="经翻译找到 · Found through a translation of the query">via {}</span>'
CHECKBOX = re.compile(r'<input type="checkbox" name="translate" value="1"( checked)?>')


def without_time(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "took_ms"}


def text_of(fragment: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, runs of white space as one space."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def alternate_href(body: str) -> str:
    m = re.search(r'<link rel="alternate" type="application/json" href="([^"]*)">', body)
    assert m, "no <link rel=alternate> to the JSON twin"
    return html.unescape(m.group(1))


def checkbox_state(body: str) -> bool:
    boxes = CHECKBOX.findall(body)
    assert len(boxes) == 1, "one translate checkbox on the page"
    return boxes[0] == " checked"


def submit_form(body: str, *, tick: bool | None = None) -> str:
    """The URL a browser goes to when the search form is submitted as shown (or with the translate box ticked or
    unticked first): every named input in document order, checkboxes and radios only when checked."""
    form = re.search(r'<form class="search" action="([^"]+)"[^>]*>(.*?)</form>', body, re.S)
    assert form
    pairs = []
    for tag in re.findall(r"<input\b[^>]*>", form.group(2)):
        attrs = {k: html.unescape(v) for k, v in re.findall(r'(\w+)="([^"]*)"', tag)}
        checked = re.search(r"\schecked\b", tag) is not None
        if "name" not in attrs:
            continue
        if attrs["name"] == "translate" and attrs.get("type") == "checkbox" and tick is not None:
            checked = tick
        if attrs.get("type") in ("checkbox", "radio") and not checked:
            continue
        pairs.append((attrs["name"], attrs.get("value", "")))
    return f"{html.unescape(form.group(1))}?{urlencode(pairs)}"


# --- /api/search?translate ---------------------------------------------------------------------------------------


def test_api_english_query_finds_the_chinese_via_the_glossary(client, corpus_index):
    r = client.get("/api/search", query_string={"q": NATO_EN, "collapse": "0"})
    assert r.status_code == 200
    data = r.get_json()
    assert without_time(data) == without_time(run_search(corpus_index, NATO_EN, collapse=False))
    assert data["understood"]["expansions"] == [NATO_EXPANSION]
    assert data["total"] == 3
    assert [h["id"] for h in data["hits"]] == NATO_PARAGRAPHS
    for hit in data["hits"]:
        assert hit["via"] == [NATO_ZH]
        assert hit["lang"] == "zh"
        assert [hit["text"][a:b] for a, b in hit["highlights"]] == [NATO_ZH, NATO_ZH]  # the Chinese it matched
        assert hit["snippet"].count(f"<mark>{NATO_ZH}</mark>") == 2


def test_api_translated_hits_grouped_by_passage(client, corpus_index):
    data = client.get("/api/search", query_string={"q": NATO_EN}).get_json()
    assert without_time(data) == without_time(run_search(corpus_index, NATO_EN))
    assert (data["total"], data["total_paragraphs"]) == (1, 3)
    (hit,) = data["hits"]
    assert hit["via"] == [NATO_ZH]
    assert [o["id"] for o in hit["also_in"]] == NATO_PARAGRAPHS[1:]
    for other in hit["also_in"]:
        assert other["highlights"] == hit["highlights"]  # what matched there is marked too


@pytest.mark.parametrize("off", ["0", "false", "no", "off", "OFF", " 0 "])
def test_api_translate_off_finds_only_the_query_as_written(client, corpus_index, off):
    r = client.get("/api/search", query_string={"q": NATO_EN, "translate": off})
    assert r.status_code == 200
    data = r.get_json()
    assert without_time(data) == without_time(run_search(corpus_index, NATO_EN, translate=False))
    assert data["total"] == 0 and data["hits"] == []
    assert data["understood"]["expansions"] == []


@pytest.mark.parametrize("on", ["1", "true", "yes", "on", "", " "])
def test_api_translate_on_is_the_default(client, on):
    default = client.get("/api/search", query_string={"q": NATO_EN}).get_json()
    data = client.get("/api/search", query_string={"q": NATO_EN, "translate": on}).get_json()
    assert without_time(data) == without_time(default)
    assert data["understood"]["expansions"] == [NATO_EXPANSION]


def test_api_repeated_translate_first_value_counts(client):
    # What the search form sends: translate=1 then translate=0 when ticked, translate=0 alone when not.
    on = client.get(f"/api/search?q={NATO_EN}&translate=1&translate=0").get_json()
    assert on["total"] == 1 and on["hits"][0]["via"] == [NATO_ZH]
    off = client.get(f"/api/search?q={NATO_EN}&translate=0&translate=1").get_json()
    assert off["total"] == 0


def test_api_chinese_query_finds_the_english(client, corpus_index):
    data = client.get("/api/search", query_string={"q": TAIWAN_ZH, "collapse": "0"}).get_json()
    assert without_time(data) == without_time(run_search(corpus_index, TAIWAN_ZH, collapse=False))
    assert {"query": TAIWAN_ZH, "via": "Taiwan", "lang": "en", "source": "glossary"} in data["understood"]["expansions"]
    by_id = {h["id"]: h for h in data["hits"]}
    english = [h for h in data["hits"] if h["lang"] == "en"]
    assert english and all(h["via"] == ["Taiwan"] for h in english)
    assert "Taiwan" in [english[0]["text"][a:b] for a, b in english[0]["highlights"]]
    # Direct matches first, and they carry no via.
    direct = [h for h in data["hits"] if not h["via"]]
    assert direct and all(h["lang"] == "zh" for h in direct)
    assert data["hits"][: len(direct)] == direct
    assert by_id.keys() > {h["id"] for h in english}

    off = client.get("/api/search", query_string={"q": TAIWAN_ZH, "collapse": "0", "translate": "0"}).get_json()
    assert [h["id"] for h in off["hits"]] == [h["id"] for h in direct]
    assert all(h["via"] == [] for h in off["hits"])


@pytest.mark.parametrize("value", ["maybe", "2", "-1", "translate", "是", "1 0", "0x0"])
def test_api_bad_translate_is_a_400_in_the_error_shape(client, value):
    r = client.get("/api/search", query_string={"q": NATO_EN, "translate": value})
    assert r.status_code == 400
    assert r.mimetype == "application/json"
    assert r.get_json() == {
        "error": {"code": "bad_parameter", "message": f"translate must be 1 or 0 (true or false); got {value!r}"}
    }


def test_api_bad_translate_message_is_cut(client):
    value = "x" * 100
    r = client.get("/api/search", query_string={"q": NATO_EN, "translate": value})
    assert r.status_code == 400
    assert r.get_json()["error"]["message"] == f"translate must be 1 or 0 (true or false); got {'x' * 40!r}"


# --- OpenAPI -----------------------------------------------------------------------------------------------------


def test_openapi_documents_translate(client):
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert "translate" in params
    translate = params["translate"]
    assert translate["in"] == "query"
    assert translate["schema"]["default"] == "1"
    assert {"0", "1"} <= set(translate["schema"]["enum"])
    assert translate["schema"] == params["collapse"]["schema"]  # parsed the same way
    assert "expansions" in translate["description"] and "via" in translate["description"]

    schemas = spec["components"]["schemas"]
    assert schemas["Hit"]["properties"]["via"]["type"] == "array"
    expansions = schemas["SearchResult"]["properties"]["understood"]["properties"]["expansions"]
    assert expansions["items"] == {"$ref": "#/components/schemas/Expansion"}
    assert set(schemas["Expansion"]["properties"]) == set(NATO_EXPANSION)
    # The answer's expansion sources are among the documented ones.
    assert "glossary" in schemas["Expansion"]["properties"]["source"]["enum"]
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(spec))
    assert set(refs) <= set(schemas)


# --- HTML: the search page ---------------------------------------------------------------------------------------


def test_page_labels_hits_found_through_a_translation(client):
    r = client.get(f"/?q={NATO_EN}&collapse=0")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert body.count(VIA_LABEL.format(NATO_ZH)) == 3
    assert body.count(f"<mark>{NATO_ZH}</mark>") == 6  # the Chinese matched is marked
    hits = re.findall(r'<li class="hit">(.*?)</li>', body, re.S)
    assert len(hits) == 3 and all(VIA_LABEL.format(NATO_ZH) in h for h in hits)


def test_page_shows_the_expansions_under_the_count(client):
    body = client.get(f"/?q={NATO_EN}").get_data(as_text=True)
    summary = body.index('<p class="summary">')
    line = re.search(r'<p class="expansions">(.*?)</p>', body, re.S)
    assert line and line.start() > summary
    assert body.index('<ol class="hits"') > line.start()
    assert text_of(line.group(1)) == "也搜索了 Also searched: NATO → 北约 (glossary)"
    assert 'title="术语表 · the corpus glossary">(glossary)</span>' in line.group(1)
    assert '<span lang="zh-Hans">北约</span>' in line.group(1)


def test_page_expansions_in_both_directions(client):
    body = client.get(f"/?q={TAIWAN_ZH_URL}&collapse=0").get_data(as_text=True)
    line = re.search(r'<p class="expansions">(.*?)</p>', body, re.S)
    assert "台湾 → Taiwan (glossary)" in text_of(line.group(1))
    assert '<span lang="en">Taiwan</span>' in line.group(1)
    assert VIA_LABEL.format("Taiwan") in body
    # The direct Chinese hits come first and are not labelled.
    hits = re.findall(r'<li class="hit">(.*?)</li>', body, re.S)
    labelled = ["class=\"tag via\"" in h for h in hits]
    assert labelled == sorted(labelled) and not labelled[0] and labelled[-1]


def test_page_direct_hits_have_no_via_label(client):
    body = client.get("/", query_string={"q": NATO_ZH, "collapse": "0"}).get_data(as_text=True)
    assert '<strong class="total">3</strong>' in body
    assert 'class="tag via"' not in body
    assert '<p class="expansions">' not in body  # nothing in English to expand to for this one


def test_page_translate_checkbox_ticked_by_default(client):
    body = client.get(f"/?q={NATO_EN}").get_data(as_text=True)
    assert checkbox_state(body) is True
    assert "翻译 Also search translations" in body
    # The hidden translate=0 follows the box, so a ticked box's translate=1 comes first and counts.
    box = CHECKBOX.search(body).start()
    hidden = body.index('<input type="hidden" name="translate" value="0">')
    assert hidden > box
    # And on the page before any search too.
    assert checkbox_state(client.get("/").get_data(as_text=True)) is True


def test_page_translate_off_keeps_the_box_unticked(client):
    r = client.get(f"/?q={NATO_EN}&translate=0")
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert checkbox_state(body) is False
    assert '<strong class="total">0</strong>' in body
    assert 'class="tag via"' not in body and '<p class="expansions">' not in body
    off = re.search(r'<p class="expansions off">(.*?)</p>', body, re.S)
    assert off and "Translations not searched" in off.group(1)
    on_link = html.unescape(re.search(r'href="([^"]+)"', off.group(1)).group(1))
    assert on_link == f"/?q={NATO_EN}"
    assert checkbox_state(client.get(on_link).get_data(as_text=True)) is True


def test_the_form_as_submitted_keeps_the_choice(client):
    body = client.get(f"/?q={NATO_EN}").get_data(as_text=True)
    # Unticking the box and searching again: translation off, the box stays unticked.
    url = submit_form(body, tick=False)
    assert "translate=0" in url and "translate=1" not in url
    off = client.get(url).get_data(as_text=True)
    assert checkbox_state(off) is False and '<strong class="total">0</strong>' in off
    # Submitting that page as it is keeps it off; ticking the box again turns it back on.
    again = client.get(submit_form(off)).get_data(as_text=True)
    assert checkbox_state(again) is False and '<strong class="total">0</strong>' in again
    url = submit_form(off, tick=True)
    assert "translate=1&translate=0" in url
    on = client.get(url).get_data(as_text=True)
    assert checkbox_state(on) is True and VIA_LABEL.format(NATO_ZH) in on


def test_json_twin_keeps_translate(client):
    for query, twin in [
        (f"q={NATO_EN}&translate=0", f"/api/search?q={NATO_EN}&translate=0"),
        (f"q={NATO_EN}&translate=1&translate=0", f"/api/search?q={NATO_EN}&translate=1"),
        (f"q={NATO_EN}&collapse=0&translate=off", f"/api/search?q={NATO_EN}&collapse=0&translate=off"),
        (f"q={NATO_EN}", f"/api/search?q={NATO_EN}"),
    ]:
        r = client.get(f"/?{query}")
        body = r.get_data(as_text=True)
        assert alternate_href(body) == twin
        assert r.headers["Link"] == f'<{twin}>; rel="alternate"; type="application/json"'
        assert f'class="json-link" href="{html.escape(twin, quote=True).replace("&#x27;", "&#39;")}"' in body
    assert client.get(f"/api/search?q={NATO_EN}&translate=0").get_json()["total"] == 0
    assert client.get(f"/api/search?q={NATO_EN}&translate=1").get_json()["total"] == 1


def test_links_keep_translate_off(client):
    body = client.get("/?q=cooperation&per_page=2&translate=0").get_data(as_text=True)
    nxt = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', body).group(1))
    assert nxt == "/?q=cooperation&page=2&per_page=2&translate=0"
    grouping = re.search(r'<p class="grouping">(.*?)</p>', body, re.S).group(1)
    assert html.unescape(re.search(r'href="([^"]+)"', grouping).group(1)) == (
        "/?q=cooperation&per_page=2&collapse=0&translate=0"
    )
    # With translation on (the default) the links say nothing about it.
    body = client.get("/?q=cooperation&per_page=2").get_data(as_text=True)
    nxt = html.unescape(re.search(r'<a rel="next" href="([^"]+)"', body).group(1))
    assert nxt == "/?q=cooperation&page=2&per_page=2"


def test_page_bad_translate_is_a_400_with_the_form(client):
    r = client.get(f"/?q={NATO_EN}&translate=maybe")
    assert r.status_code == 400 and r.mimetype == "text/html"
    body = r.get_data(as_text=True)
    assert "translate must be 1 or 0 (true or false); got &#39;maybe&#39;" in body
    assert f'value="{NATO_EN}"' in body  # the query still in the box
    assert checkbox_state(body) is True


def test_via_label_is_escaped(client, monkeypatch):
    real = jiaokan.web.views.run_search

    def with_markup(index, **params):
        result = real(index, **params)
        for hit in result.hits:
            hit.via = ["<b>北约</b>", "a & b"]
        result.understood.expansions = [
            ExpansionUsed(query="<i>NATO</i>", via='<img src=x onerror="alert(1)">', lang="zh", source="<s>x</s>")
        ]
        return result

    monkeypatch.setattr(jiaokan.web.views, "run_search", with_markup)
    body = client.get(f"/?q={NATO_EN}").get_data(as_text=True)
    assert "<b>北约</b>" not in body and "<img" not in body and "<i>NATO</i>" not in body and "<s>x</s>" not in body
    assert VIA_LABEL.format("&lt;b&gt;北约&lt;/b&gt; / a &amp; b") in body
    line = re.search(r'<p class="expansions">(.*?)</p>', body, re.S).group(1)
    assert text_of(line) == '也搜索了 Also searched: <i>NATO</i> → <img src=x onerror="alert(1)"> (<s>x</s>)'


def test_translation_keeps_the_content_security_policy(client):
    r = client.get(f"/?q={NATO_EN}&collapse=0")
    body = r.get_data(as_text=True)
    csp = r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src 'self'" in csp
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert "<style" not in body and " style=" not in body and " onchange=" not in body


def test_app_js_reruns_the_search_when_the_box_changes(client):
    js = client.get("/static/app.js").get_data(as_text=True)
    assert ".translate-filter input[type=checkbox]" in js
