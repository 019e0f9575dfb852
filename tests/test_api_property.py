"""Whatever a client sends, the API answers with a status below 500, and every 4xx has the one error shape."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from jiaokan.web import create_app

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Any text a URL can carry (no lone surrogates: they have no UTF-8 form), control characters included.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
syntax = st.sampled_from(
    ['"', '""', '"北约', "(", ")", "((", "()", "-", "--", "NOT", "OR", "OR OR", "NOT NOT", "version:", "lang:",
     "section:", "version:un", "lang:fr", "author:x", ":", "::", "-北约", "北约 OR", "(北约 OR NATO) -合作", "\x00",
     "\t\n\r", "\u3000", "“北约”", "（北约）", "ＮＡＴＯ", "北約", "2030 年", "COVID-19", "*", "?", "~", "^2", "\\"]
)
query = st.one_of(
    any_text,
    syntax,
    st.lists(st.one_of(syntax, any_text, st.sampled_from(["北约", "合作", "vaccines", "双方"])), max_size=8).map(" ".join),
    st.text(st.characters(exclude_categories=("Cs",)), min_size=240, max_size=400),
)
number = st.one_of(
    st.integers(-3, 200).map(str),
    st.integers(10**8, 10**30).map(str),
    st.sampled_from(["", " 1", "1 ", "01", "1.0", "1e2", "٣", "１", "0x10", "NaN", "-0", "+1", "1_0"]),
    any_text,
)
version = st.one_of(st.sampled_from(["un", "xinhua", "chinanews-2", "chinanews-3", "preview-2017", "", "UN"]), any_text)
lang = st.one_of(st.sampled_from(["zh", "en", "", "fr", "ZH"]), any_text)
optional = lambda s: st.one_of(st.none(), s)  # noqa: E731


@pytest.fixture(scope="module")
def client(built_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(built_index)}).test_client()


def assert_answer(r, json_expected: bool):
    assert r.status_code < 500, r.get_data(as_text=True)[:500]
    if r.status_code >= 400:
        if json_expected:
            body = r.get_json()
            assert set(body) == {"error"}
            assert set(body["error"]) == {"code", "message"}
            assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
        else:
            assert r.mimetype == "text/html"
            assert "Traceback" not in r.get_data(as_text=True)
    elif json_expected:
        assert isinstance(r.get_json(), dict)


def build_args(q, page, per_page, versions, lang_value, section):
    args = MultiDict()
    for name, value in (("q", q), ("page", page), ("per_page", per_page), ("lang", lang_value), ("section", section)):
        if value is not None:
            args.add(name, value)
    for v in versions:
        args.add("version", v)
    return args


@SETTINGS
@given(
    q=optional(query),
    page=optional(number),
    per_page=optional(number),
    versions=st.lists(version, max_size=3),
    lang_value=optional(lang),
    section=optional(any_text),
)
def test_api_search_never_fails(client, q, page, per_page, versions, lang_value, section):
    args = build_args(q, page, per_page, versions, lang_value, section)
    assert_answer(client.get("/api/search", query_string=args), json_expected=True)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    q=optional(query),
    page=optional(number),
    per_page=optional(number),
    versions=st.lists(version, max_size=2),
    lang_value=optional(lang),
)
def test_search_page_never_fails(client, q, page, per_page, versions, lang_value):
    args = build_args(q, page, per_page, versions, lang_value, None)
    assert_answer(client.get("/", query_string=args), json_expected=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pid=st.one_of(any_text.filter(bool), st.sampled_from(["un-040", "un-000", "../x", "..", "%00", "un-040/"])),
       q=optional(query))
def test_paragraph_endpoints_never_fail(client, pid, q):
    path = quote(pid, safe="")
    args = {"q": q} if q is not None else {}
    assert_answer(client.get(f"/api/paragraphs/{path}", query_string=args), json_expected=True)
    assert_answer(client.get(f"/paragraph/{path}", query_string=args), json_expected=False)
