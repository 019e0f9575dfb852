"""The web front end: the search for people (HTML) and for programs (JSON), each page from one search call.

    create_app()                  # serves the index at $JIAOKAN_INDEX or instance/index
    create_app({"INDEX_DIR": p})  # tests and `jiaokan serve --index`

Every HTML page has a JSON twin under /api/ (linked with rel=alternate); errors have one shape,
{"error": {"code", "message"}}, as JSON under /api/ and as a page elsewhere.
"""
from __future__ import annotations

import logging

from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException

from jiaokan.search.errors import SearchError
from jiaokan.search.index import default_index_path
from jiaokan.web.holder import IndexHolder

log = logging.getLogger(__name__)

# No inline script or style anywhere: everything the page uses is in web/static/.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    # SEARCH_TIME_LIMIT: CPU seconds one search may take before it is stopped with a 503 (search/budget.py); None:
    # no limit. The slowest known query takes well under 0.1 s on an idle core.
    app.config.from_mapping(INDEX_DIR=str(default_index_path()), TESTING=False, SEARCH_TIME_LIMIT=1.0)
    if test_config is not None:
        app.config.from_mapping(test_config)
    app.debug = False
    # Chinese stays readable in JSON, and keys keep the order search/ gives them (facets in corpus order).
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    # "/api/paragraphs//0" is an unknown id (404 JSON), not a redirect to a cleaned-up path.
    app.url_map.merge_slashes = False

    app.extensions["jiaokan_index"] = IndexHolder(app.config["INDEX_DIR"])

    from jiaokan.web.views import bp

    app.register_blueprint(bp)
    app.teardown_appcontext(_release_index)
    app.after_request(_security_headers)
    app.register_error_handler(SearchError, _search_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _release_index(_exc=None) -> None:
    build = g.pop("index_build", None)
    if build is not None:
        from flask import current_app

        current_app.extensions["jiaokan_index"].release(build)


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def error_response(status: int, code: str, message: str, headers: dict | None = None):
    """The one error shape: JSON under /api/, the error page elsewhere."""
    if wants_json():
        from flask import jsonify

        response = jsonify({"error": {"code": code, "message": message}})
    else:
        response = render_template("error.html", status=status, code=code, message=message)
    return response, status, headers or {}


def _search_error(e: SearchError):
    return error_response(e.status, e.code, str(e))


def _http_error(e: HTTPException):
    if e.code is None or e.code < 400:
        return e
    code = (e.name or "error").lower().replace(" ", "_")
    message = {404: f"nothing at {request.path}"}.get(e.code, e.description or e.name)
    headers = {k: v for k, v in e.get_headers() if k.lower() == "allow"}
    return error_response(e.code, code, message, headers)


def _unexpected_error(e: Exception):
    # A bug, not a bad request: log it with its traceback, tell the client nothing about the inside.
    log.exception("unhandled error for %s %s", request.method, request.full_path)
    return error_response(500, "internal_error", "something went wrong on the server; it has been logged")
