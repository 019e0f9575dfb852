"""The pages and their JSON twins. Each view reads its parameters, makes one call into search/, and renders the
answer as HTML or as JSON (the rule it was reached by says which, as in flask's two-rules-one-endpoint pattern)."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for

from search.errors import BadQuery, IndexNotBuilt, SearchError
from search.paragraphs import get_paragraph
from search.searching import MAX_QUERY_CHARS, MAX_PER_PAGE
from search.searching import search as run_search
from web.holder import Build
from web.openapi import openapi_spec
from web.params import DEFAULT_PER_PAGE, search_params

bp = Blueprint("web", __name__)

SEARCH_ARGS = ("q", "version", "lang", "section", "page", "per_page", "collapse")
LANG_LABELS = {"zh": "中文 Chinese", "en": "英文 English"}


def index_build() -> Build:
    """The index build this request reads, the same one for the whole request; released at teardown."""
    if "index_build" not in g:
        g.index_build = current_app.extensions["jiaokan_index"].acquire()
    return g.index_build


@bp.get("/", defaults={"fmt": "html"})
@bp.get("/api/search", defaults={"fmt": "json"})
def search(fmt: str):
    """Search the paragraphs: the form with its results, or the results as JSON; with no query and no filter the
    page shows the corpus overview instead."""
    args = {k: request.args.getlist(k) for k in SEARCH_ARGS if k in request.args}
    result = None
    catalog = {"statements": [], "versions": []}
    try:
        params = search_params(request.args)
        with index_build().using() as index:
            catalog = index.catalog
            if fmt == "json" or not _is_empty(params):
                result = run_search(index, **params)
        if result is not None and result["page"] > result["pages"]:
            # search/ only checks this when something matched; page 2 of nothing is out of range all the same.
            raise BadQuery(f"page {result['page']} is past the last page ({result['pages']})")
    except SearchError as e:
        if fmt == "json" or isinstance(e, IndexNotBuilt):
            raise
        # The form again, with the query still in the box and what was wrong with it.
        return _render_search(args, catalog, None, error=e, status=e.status)
    if fmt == "json":
        return jsonify(result)
    return _render_search(args, catalog, result)


@bp.get("/paragraph/<pid>", defaults={"fmt": "html"})
@bp.get("/api/paragraphs/<pid>", defaults={"fmt": "json"})
def paragraph(pid: str, fmt: str):
    """One paragraph whole, with its neighbours and its version's catalog entry; `q` marks the query's matches."""
    q = request.args.get("q") or None
    if q is not None and len(q) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    with index_build().using() as index:
        data = get_paragraph(index, pid, q)
    if fmt == "json":
        return jsonify(data)
    return _render(
        "paragraph.html",
        url_for("web.paragraph", pid=pid, fmt="json", q=q),
        search_url=url_for("web.search", fmt="html", q=q) if q else url_for("web.search", fmt="html"),
        lang_labels=LANG_LABELS,
        **data,
    )


@bp.get("/api/versions")
def versions():
    """The catalog the index was built from: statements, and every version with what it covers and its counts."""
    with index_build().using() as index:
        return jsonify(index.catalog)


@bp.get("/api/openapi.json")
def openapi():
    """OpenAPI 3 description of the JSON API."""
    return jsonify(openapi_spec())


# --- rendering ---------------------------------------------------------------------------------------------------


def _is_empty(params: dict) -> bool:
    return not (params["query"].strip() or params["versions"] or params["lang"] or params["section"])


def _render(template: str, json_url: str, status: int = 200, **context):
    """An HTML page, linked to its JSON twin by a Link header and <link rel=alternate> (and a visible link)."""
    body = render_template(template, json_url=json_url, **context)
    return body, status, {"Link": f'<{json_url}>; rel="alternate"; type="application/json"'}


def _render_search(args: dict, catalog: dict, result: dict | None, *, error: SearchError | None = None, status=200):
    q = (args.get("q") or [""])[0]
    selected = [v for v in args.get("version", []) if v]
    lang = (args.get("lang") or [""])[0]
    section = (args.get("section") or [""])[0]
    per_page = (args.get("per_page") or [""])[0]
    collapse = (args.get("collapse") or [""])[0]
    overview = result is None and error is None
    json_url = url_for("web.versions") if overview else url_for("web.search", fmt="json", **args)

    def page_url(n: int) -> str:
        return url_for(
            "web.search", fmt="html", q=q, version=selected, lang=lang or None, section=section or None,
            page=n, per_page=per_page or None, collapse=collapse or None,
        )

    def grouping_url(grouped: bool) -> str:
        return url_for(
            "web.search", fmt="html", q=q, version=selected, lang=lang or None, section=section or None,
            per_page=per_page or None, collapse=None if grouped else "0",
        )

    facets = (result or {}).get("facets", {}).get("version", {})
    version_choices = [
        {
            "id": v["id"],
            "label": v.get("publisher", v["id"]),
            "count": facets.get(v["id"]) if result is not None else v.get("paragraphs"),
            "checked": v["id"] in selected,
        }
        for v in catalog.get("versions", [])
    ]
    context = {
        "q": q,
        "lang": lang,
        "section": section,
        "per_page": per_page if per_page not in ("", str(DEFAULT_PER_PAGE)) else "",
        "version_choices": version_choices,
        "lang_labels": LANG_LABELS,
        "result": result,
        "error": error,
        "overview": _overview(catalog) if overview else None,
        "pages": _page_window(result["page"], result["pages"]) if result else [],
        "page_url": page_url,
        "grouping_url": grouping_url,
        "collapse": collapse,
        "max_query_chars": MAX_QUERY_CHARS,
        "max_per_page": MAX_PER_PAGE,
    }
    if result is not None:
        context["first"] = (result["page"] - 1) * result["per_page"] + 1 if result["hits"] else 0
        context["last"] = context["first"] + len(result["hits"]) - 1 if result["hits"] else 0
    return _render("search.html", json_url, status=status, **context)


def _overview(catalog: dict) -> list[dict]:
    """Statements, each with its versions, for the page shown before any search."""
    statements = []
    for s in catalog.get("statements", []):
        versions = [v for v in catalog.get("versions", []) if v.get("statement", {}).get("id") == s["id"]]
        statements.append({**s, "versions": versions, "paragraphs": sum(v.get("paragraphs", 0) for v in versions)})
    return statements


def _page_window(page: int, pages: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and a few around the current one; None stands for a gap."""
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    window: list[int | None] = []
    previous = 0
    for n in shown:
        if n - previous > 1:
            window.append(None)
        window.append(n)
        previous = n
    return window
