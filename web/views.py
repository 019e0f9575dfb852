"""The pages and their JSON twins. Each view reads its parameters, makes one call into search/, and renders the
answer as HTML or as JSON (the rule it was reached by says which, as in flask's two-rules-one-endpoint pattern)."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from markupsafe import Markup

from jiaokan.search.budget import time_budget
from jiaokan.search.collation import compare as run_compare
from jiaokan.search.collation import get_passage
from jiaokan.search.errors import BadQuery, IndexNotBuilt, SearchError
from jiaokan.search.paragraphs import get_paragraph
from jiaokan.search.records import to_json
from jiaokan.search.searching import LANGS, MAX_QUERY_CHARS, MAX_PER_PAGE
from jiaokan.search.searching import search as run_search
from jiaokan.web.holder import Build
from jiaokan.web.openapi import openapi_spec
from jiaokan.web.marking import excerpt, mark
from jiaokan.web.export import SEARCH_EXPORT_FIELDS, export_response, search_rows
from jiaokan.web.params import (
    DEFAULT_PER_PAGE, compare_params, concordance_params, export_format, is_off, search_params,
)

bp = Blueprint("web", __name__)
bp.add_app_template_filter(excerpt, "excerpt")

SEARCH_ARGS = ("q", "version", "lang", "section", "page", "per_page", "collapse", "translate", "match", "sort", "repair",
               "aligned")
COMPARE_ARGS = ("statement", "a", "b")
LANG_LABELS = {"zh": "中文 Chinese", "en": "英文 English"}
# Where a query term's equivalent came from (search/translation.py's sources), for the expansions line's tooltips.
SOURCE_LABELS = {
    "glossary": "术语表 · the corpus glossary",
    "learned": "对照习得 · learned from aligned passages",
    "variant": "版本异文 · a wording variant between versions",
    "dictionary": "词典 · a general dictionary",
}


# How a hit matched (search/results.py Hit.match), for its label.
MATCH_LABELS = {
    "exact": "原文 exact",
    "words": "分词 words apart",
    "translation": "译文 translation",
}


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
    if fmt == "json" and export_format(request.args):
        return _export_search(export_format(request.args), search_params(request.args))
    try:
        params = search_params(request.args)
        with index_build().using() as index:
            catalog = index.catalog
            if fmt == "json" or not _is_empty(params):
                with time_budget(current_app.config["SEARCH_TIME_LIMIT"]):
                    result = to_json(run_search(index, **params))
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


def _export_search(fmt: str, params: dict):
    """Every hit of the search, in the order the JSON pages give them, streamed (no per_page cap). The first page is
    searched before the response starts, so a bad query is a 400, not a broken download."""
    params = {**params, "page": 1, "per_page": MAX_PER_PAGE}
    build = index_build()
    with build.using() as index:
        first = to_json(run_search(index, **params))

    def pages():
        yield first["hits"]
        for page in range(2, first["pages"] + 1):
            # One page at a time under the build's lock, so a slow download does not hold up other requests.
            with build.using() as index:
                yield to_json(run_search(index, **{**params, "page": page}))["hits"]

    return export_response(fmt, search_rows(pages()), SEARCH_EXPORT_FIELDS, "jiaokan-search")


CONCORDANCE_ARGS = ("q", "version", "lang", "section", "translate", "sort", "per_page")
CONCORDANCE_FIELDS = ["paragraph", "version", "section", "start", "end", "left", "match", "right", "via"]


@bp.get("/concordance", defaults={"fmt": "html"})
@bp.get("/api/concordance", defaults={"fmt": "json"})
def concordance(fmt: str):
    """Every occurrence of the query, one line each, the matches in one column: the page, the JSON, or with
    format=csv|jsonl every line as a download."""
    from jiaokan.search.concordance import concordance as run_concordance
    from jiaokan.search.concordance import export_rows

    args = {k: request.args.getlist(k) for k in CONCORDANCE_ARGS if k in request.args}
    catalog = {"statements": [], "versions": []}
    result = page = None
    try:
        params, paging = concordance_params(request.args)
        export = export_format(request.args) if fmt == "json" else None
        with index_build().using() as index:
            catalog = index.catalog
            if fmt == "json" or params["query"].strip():
                result = run_concordance(index, **params)
        if export:
            return export_response(
                export, export_rows(result), CONCORDANCE_FIELDS, "jiaokan-concordance"
            )
        if result is not None:
            page = result.page(**paging)
    except SearchError as e:
        if fmt == "json" or isinstance(e, IndexNotBuilt):
            raise
        return _render_concordance(args, catalog, None, error=e, status=e.status)
    if fmt == "json":
        return jsonify(page)
    return _render_concordance(args, catalog, page, run=result)


def _render_concordance(args: dict, catalog: dict, page: dict | None, *, error=None, status=200, run=None):
    first = {k: v[0] for k, v in args.items() if v}
    q = first.get("q", "")
    selected = [v for v in args.get("version", []) if v]
    json_url = url_for("web.concordance", fmt="json", **args) if (page or error) else url_for("web.versions")

    def url(**changes) -> str:
        given = {**{k: v for k, v in args.items() if k != "page"}, **changes}
        return url_for("web.concordance", fmt="html", **{k: v for k, v in given.items() if v not in (None, "", [])})

    context = {
        "q": q,
        "lang": first.get("lang", ""),
        "section": first.get("section", ""),
        "sort": first.get("sort", "doc"),
        "translate": not is_off(request.args, "translate"),
        "version_choices": [
            {"id": v["id"], "label": v.get("publisher", v["id"]), "checked": v["id"] in selected,
             "count": page.get("by_version", {}).get(v["id"], 0) if page else None}
            for v in catalog.get("versions", [])
        ],
        "lang_labels": LANG_LABELS,
        "result": page,
        "error": error,
        "url": url,
        "pages": _page_window(page["page"], page["pages"]) if page else [],
        "csv_url": url_for("web.concordance", fmt="json", **{**args, "format": "csv"}) if page else None,
        "jsonl_url": url_for("web.concordance", fmt="json", **{**args, "format": "jsonl"}) if page else None,
        "understood": run.understood if run else None,
        "took_ms": run.took_ms if run else None,
        "search_url": url_for("web.search", fmt="html", q=q, version=selected, lang=first.get("lang"),
                              section=first.get("section")),
        "max_query_chars": MAX_QUERY_CHARS,
    }
    return _render("concordance.html", json_url, status=status, **context)


@bp.get("/paragraph/<pid>", defaults={"fmt": "html"})
@bp.get("/api/paragraphs/<pid>", defaults={"fmt": "json"})
def paragraph(pid: str, fmt: str):
    """One paragraph whole, with its neighbours and its version's catalog entry; `q` marks the query's matches."""
    q = _query_arg()
    with index_build().using() as index:
        data = to_json(get_paragraph(index, pid, q))
    if fmt == "json":
        return jsonify(data)
    return _render(
        "paragraph.html",
        url_for("web.paragraph", pid=pid, fmt="json", q=q),
        search_url=url_for("web.search", fmt="html", q=q) if q else url_for("web.search", fmt="html"),
        lang_labels=LANG_LABELS,
        **data,
    )


@bp.get("/passage/<pid>", defaults={"fmt": "html"})
@bp.get("/api/passages/<pid>", defaults={"fmt": "json"})
def passage(pid: str, fmt: str):
    """One passage in every version side by side: the wording that differs from the reference version marked, the
    English where a version has it, the versions that lack it and why. On the page, `q` marks the query's matches
    too (the JSON is get_passage's answer as it is)."""
    q = _query_arg() if fmt == "html" else None
    with index_build().using() as index:
        data = to_json(get_passage(index, pid))
        if fmt == "html":
            catalog = index.catalog
            found = _query_spans(index, q, [v["paragraph"]["text"] for v in data["versions"]])
    if fmt == "json":
        return jsonify(data)
    return _render(
        "passage.html",
        url_for("web.passage", pid=pid, fmt="json"),
        data=data,
        columns=_passage_columns(data, found),
        catalog_versions={v["id"]: v for v in catalog.get("versions", [])},
        query=q,
        search_url=url_for("web.search", fmt="html", q=q) if q else url_for("web.search", fmt="html"),
        compare_url=url_for("web.compare", fmt="html", statement=data["passage"]["statement"]),
        lang_labels=LANG_LABELS,
    )


@bp.get("/compare", defaults={"fmt": "html"})
@bp.get("/api/compare", defaults={"fmt": "json"})
def compare(fmt: str):
    """Two versions of a statement passage by passage: every passage whose wording differs, with the differences,
    and the passages only one of them has. The page without versions is the form to pick them."""
    args = {k: request.args.get(k, "").strip() for k in COMPARE_ARGS}
    result = None
    catalog = {"statements": [], "versions": []}
    try:
        with index_build().using() as index:
            catalog = index.catalog
            if fmt == "json" or args["a"] or args["b"]:
                result = to_json(run_compare(index, **compare_params(request.args)))
    except SearchError as e:
        if fmt == "json" or isinstance(e, IndexNotBuilt):
            raise
        # The form again, with the choice still made and what was wrong with it.
        return _render_compare(args, catalog, None, error=e, status=e.status)
    if fmt == "json":
        return jsonify(result)
    return _render_compare(args, catalog, result)


@bp.get("/api/versions")
def versions():
    """The catalog the index was built from: statements, and every version with what it covers and its counts."""
    with index_build().using() as index:
        return jsonify(index.catalog)


@bp.get("/api/openapi.json")
def openapi():
    """OpenAPI 3 description of the JSON API, with the languages of the index's paragraphs."""
    try:
        with index_build().using() as index:
            languages = list(dict.fromkeys([*LANGS, *(p["lang"] for p in index.paragraphs)]))
    except SearchError:  # no index yet: the spec still answers
        languages = list(LANGS)
    return jsonify(openapi_spec(languages))


# --- rendering ---------------------------------------------------------------------------------------------------


def _query_arg() -> str | None:
    q = request.args.get("q") or None
    if q is not None and len(q) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(q)} characters long; the limit is {MAX_QUERY_CHARS}")
    return q


def _query_spans(index, q: str | None, texts: list[str]) -> list[list[list[int]]]:
    """The query's matches in each text, as get_paragraph finds them; none for no query or one that means nothing."""
    if not q:
        return [[] for _ in texts]
    from jiaokan.search.clauses import query_clauses
    from jiaokan.search.spans import highlight_spans

    try:
        clauses = query_clauses(index, q)
    except BadQuery:
        return [[] for _ in texts]
    return [highlight_spans(text, clauses) for text in texts]


def _passage_columns(data: dict, found: list[list[list[int]]]) -> list[dict]:
    """One column per version: its text marked where its wording differs from the reference (the reference where
    any other version's differs), and where the query matched."""
    differing_in_reference = [d["a_span"] for v in data["versions"] for d in v.get("differences", [])]
    columns = []
    for entry, spans in zip(data["versions"], found):
        p = entry["paragraph"]
        is_reference = p["id"] == data["reference"]
        if is_reference:
            diff = differing_in_reference
        else:
            diff = [d["b_span"] for d in entry.get("differences", [])]
        if entry.get("marked") is not None and not spans:
            text = Markup(entry["marked"])  # search/'s own marking: safe HTML, as the snippets
        else:
            text = mark(p["text"], diff, spans)
        columns.append({
            **entry,
            "is_reference": is_reference,
            "html": text,
            "matches": len(spans),
        })
    return columns


def _render_compare(args: dict, catalog: dict, result: dict | None, *, error: SearchError | None = None, status=200):
    statements = _overview(catalog)
    chosen = args["statement"] or (result or {}).get("statement") or ""
    choosable = [s for s in statements if len(s["versions"]) > 1]
    default = next((s for s in choosable if s["id"] == chosen), choosable[0] if choosable else None)
    default_ids = [v["id"] for v in default["versions"][:2]] if default else ["", ""]
    a = args["a"] or (default_ids[0] if not args["b"] else "")
    b = args["b"] or (default_ids[1] if not args["a"] else "")
    given = {k: v for k, v in args.items() if v}
    json_url = url_for("web.compare", fmt="json", **given) if (result or error) else url_for("web.versions")
    versions = {v["id"]: v for v in catalog.get("versions", [])}
    context = {
        "statements": statements,
        "chosen_statement": chosen or (default["id"] if default else ""),
        "a": a,
        "b": b,
        "result": result,
        "error": error,
        "catalog_versions": versions,
        "lang_labels": LANG_LABELS,
    }
    if result is not None:
        context["differing"] = [
            {
                **row,
                "a_html": mark(row["a"]["text"], [d["a_span"] for d in row["differences"]]),
                "b_html": mark(row["b"]["text"], [d["b_span"] for d in row["differences"]]),
            }
            for row in result["differing"]
        ]
        context["only_in_a"] = _by_reason(result["only_in_a"])
        context["only_in_b"] = _by_reason(result["only_in_b"])
        context["statement_entry"] = next((s for s in statements if s["id"] == result["statement"]), None)
    return _render("compare.html", json_url, status=status, **context)


def _by_reason(rows: list[dict]) -> list[dict]:
    """Passages one version lacks, grouped by why the other lacks them, in passage order."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row.get("why_missing") or "", []).append(row)
    return [{"why": why, "rows": rows} for why, rows in groups.items()]


def _is_empty(params: dict) -> bool:
    return not (params["query"].strip() or params["versions"] or params["lang"] or params["section"])


# Longest JSON-twin URL repeated in the Link header: a query at the length limit fits (256 four-byte characters
# percent-encoded are 3 KB); an over-long one is refused and not echoed into headers (proxies cap them at 4-8 KB).
MAX_LINK_URL = 4096


def _render(template: str, json_url: str, status: int = 200, **context):
    """An HTML page, linked to its JSON twin by a Link header and <link rel=alternate> (and a visible link)."""
    body = render_template(template, json_url=json_url, **context)
    if len(json_url) > MAX_LINK_URL:
        return body, status
    return body, status, {"Link": f'<{json_url}>; rel="alternate"; type="application/json"'}


def _render_search(args: dict, catalog: dict, result: dict | None, *, error: SearchError | None = None, status=200):
    q = (args.get("q") or [""])[0]
    selected = [v for v in args.get("version", []) if v]
    lang = (args.get("lang") or [""])[0]
    section = (args.get("section") or [""])[0]
    per_page = (args.get("per_page") or [""])[0]
    collapse = (args.get("collapse") or [""])[0]
    match = "exact" if (args.get("match") or [""])[0].strip().lower() == "exact" else None
    # The form sends translate=1 and translate=0 when its box is ticked (the first counts), translate=0 alone when
    # not: links carry translate=0 only when translation is off, and the JSON twin the value that counted.
    translate_off = is_off(request.args, "translate")
    translate = "0" if translate_off else None
    if "translate" in args:
        args = {**args, "translate": args["translate"][:1]}
    overview = result is None and error is None
    json_url = url_for("web.versions") if overview else url_for("web.search", fmt="json", **args)
    sort = (args.get("sort") or [""])[0].strip().lower()
    sort = sort if sort and sort != "relevance" else None
    repair = "0" if is_off(request.args, "repair") else None
    aligned = "0" if is_off(request.args, "aligned") else None

    def link(endpoint: str = "web.search", fmt: str = "html", **changes) -> str:
        """This search's URL with some parameters changed (None drops one), from page 1 unless one is given."""
        current = {
            "q": q, "version": selected, "lang": lang or None, "section": section or None, "page": None,
            "per_page": per_page or None, "collapse": collapse or None, "translate": translate, "match": match,
            "sort": sort, "repair": repair, "aligned": aligned,
        }
        current.update(changes)
        return url_for(endpoint, fmt=fmt, **{k: v for k, v in current.items() if v not in (None, "", [])})

    def page_url(n: int) -> str:
        return link(page=n)

    def grouping_url(grouped: bool) -> str:
        return link(collapse=None if grouped else "0")

    def translating_url() -> str:
        return link(translate=None)

    facets = (result or {}).get("facets", {}).get("version", {})
    occurrences = (result or {}).get("facets", {}).get("version_occurrences", {})
    version_choices = [
        {
            "id": v["id"],
            "label": v.get("publisher", v["id"]),
            # The facets leave out the versions with no match: here each version says so.
            "count": facets.get(v["id"], 0) if result is not None else v.get("paragraphs"),
            "occurrences": occurrences.get(v["id"], 0) if result is not None else None,
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
        "translate": not translate_off,
        "exact_only": match == "exact",
        "match_labels": MATCH_LABELS,
        "translating_url": translating_url,
        "source_labels": SOURCE_LABELS,
        "max_query_chars": MAX_QUERY_CHARS,
        "max_per_page": MAX_PER_PAGE,
        # Everything that matches, as a download, and every occurrence as a concordance (issue 10).
        "export_url": lambda fmt: link(fmt="json", per_page=None, aligned=None, format=fmt),
        "concordance_url": url_for("web.concordance", fmt="html", **{
            k: v for k, v in args.items() if k in ("q", "version", "lang", "section", "translate")}),
        "link": link,
        "sort": sort or "relevance",
        "aligned": aligned is None,
        "repair": repair is None,
        "selected": selected,
        "not_in": _not_in(result["hits"]) if result else [],
        "understood_open": bool(result) and _read_differently(result["understood"]),
    }
    if result is not None:
        context["summary"] = _match_summary(result)
        context["first"] = (result["page"] - 1) * result["per_page"] + 1 if result["hits"] else 0
        context["last"] = context["first"] + len(result["hits"]) - 1 if result["hits"] else 0
    return _render("search.html", json_url, status=status, **context)


def _not_in(hits: list[dict]) -> list[dict]:
    """The versions that lack the passages of this page's hits, once each: why (each reason once), and which hits."""
    lacking: dict[str, dict] = {}
    for hit in hits:
        for version, why in (hit.get("lacking") or {}).items():
            entry = lacking.setdefault(version, {"version": version, "why": [], "hits": []})
            if why not in entry["why"]:
                entry["why"].append(why)
            entry["hits"].append(hit["id"])
    return list(lacking.values())


def _read_differently(understood: dict) -> bool:
    """Whether the query was read otherwise than typed (folded, given a mainland reading, mended): the panel that
    says how is then open."""
    return bool(understood["repairs"]) or any(
        c["alternatives"] and c["kind"] != "prefix" or c["reads_as"] != c["text"] for c in understood["clauses"]
    )


def _match_summary(result: dict) -> str:
    """"3 paragraphs with 核查议定书, 3 more with its words apart": the matching paragraphs by how they match."""
    n = result["by_match"]
    what = " ".join(c["text"] for c in result["understood"]["clauses"] if not c["negated"]) or result["query"]
    plural = lambda k: "paragraph" if k == 1 else "paragraphs"  # noqa: E731
    parts = [f"{n['exact']} {plural(n['exact'])} with {what}"]
    if n["words"]:
        parts.append(f"{n['words']} more with its words apart")
    if n["translation"]:
        parts.append(f"{n['translation']} more through a translation")
    return ", ".join(parts)


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
