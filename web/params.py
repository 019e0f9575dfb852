"""Reading a request's query-string parameters into the arguments of search.searching.search and
search.collation.compare.

Only what HTTP adds is checked here (numbers arrive as text); everything else (query length, page range, versions,
languages) is search/'s to judge, so the web, the CLI and the API give the same answer to the same request.
"""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from jiaokan.search.errors import SearchError
from jiaokan.search.searching import MAX_PER_PAGE

DEFAULT_PER_PAGE = 10
_DIGITS = re.compile(r"[0-9]+")
_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class BadParameter(SearchError):
    code = "bad_parameter"
    status = 400


def search_params(args: MultiDict) -> dict:
    """{query, versions, lang, section, page, per_page, collapse, translate, match, sort, repair, aligned} for
    search(); raises BadParameter.
    A repeated flag counts by its first value (the search form sends translate=1 then translate=0 when its box is
    ticked, and only translate=0 when it is not)."""
    return {
        "query": args.get("q", ""),
        "versions": [v for v in args.getlist("version") if v],
        "lang": args.get("lang") or None,
        "section": args.get("section") or None,
        "page": _integer(args, "page", 1, "page must be a whole number, 1 or more"),
        "per_page": _integer(
            args, "per_page", DEFAULT_PER_PAGE, f"per_page must be a whole number between 1 and {MAX_PER_PAGE}"
        ),
        "collapse": _boolean(args, "collapse", True),
        "translate": _boolean(args, "translate", True),
        "match": (args.get("match") or "all").strip().lower(),
        "sort": (args.get("sort") or "relevance").strip().lower(),
        "repair": _boolean(args, "repair", True),
        "aligned": _boolean(args, "aligned", True),
    }


EXPORT_FORMATS = ("csv", "jsonl")


def export_format(args: MultiDict) -> str | None:
    """`format`: csv or jsonl for an export of everything that matches, or None for the JSON page."""
    raw = (args.get("format") or "").strip().lower()
    if raw in ("", "json"):
        return None
    if raw not in EXPORT_FORMATS:
        raise BadParameter(f"format must be json, csv or jsonl; got {raw[:40]!r}")
    return raw


def concordance_params(args: MultiDict) -> dict:
    """{query, versions, lang, section, translate, sort} for search.concordance.concordance(), and page/per_page."""
    from jiaokan.search.concordance import DEFAULT_PER_PAGE as LINES_PER_PAGE, MAX_PER_PAGE as MAX_LINES

    return {
        "query": args.get("q", ""),
        "versions": [v for v in args.getlist("version") if v],
        "lang": args.get("lang") or None,
        "section": args.get("section") or None,
        "translate": _boolean(args, "translate", True),
        "sort": (args.get("sort") or "doc").strip().lower(),
    }, {
        "page": _integer(args, "page", 1, "page must be a whole number, 1 or more"),
        "per_page": _integer(
            args, "per_page", LINES_PER_PAGE, f"per_page must be a whole number between 1 and {MAX_LINES}"
        ),
    }


def is_off(args: MultiDict, name: str) -> bool:
    """Whether flag `name` is given and switched off (for showing a form's state; no error for a bad value)."""
    raw = args.get(name)
    return raw is not None and raw.strip().lower() in _FALSE


def _boolean(args: MultiDict, name: str, default: bool) -> bool:
    raw = args.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise BadParameter(f"{name} must be 1 or 0 (true or false); got {raw[:40]!r}")


def _integer(args: MultiDict, name: str, default: int, message: str) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    raw = raw.strip()
    if not _DIGITS.fullmatch(raw):
        raise BadParameter(f"{message}; got {raw[:40]!r}")
    if len(raw.lstrip("0")) > 9:
        raise BadParameter(f"{name} {raw[:40]} is out of range")
    return int(raw)


def compare_params(args: MultiDict) -> dict:
    """{a, b, statement} for search.collation.compare(); raises BadParameter when a version is not given."""
    a, b = (args.get("a") or "").strip(), (args.get("b") or "").strip()
    missing = [name for name, value in (("a", a), ("b", b)) if not value]
    if missing:
        verb = "is" if len(missing) == 1 else "are"
        raise BadParameter(f"compare needs two versions: {' and '.join(missing)} {verb} missing (ids from /api/versions)")
    return {"a": a, "b": b, "statement": (args.get("statement") or "").strip() or None}
