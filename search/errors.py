class SearchError(Exception):
    """An error a user can act on; `code` names it for the JSON API, `status` is its HTTP status."""

    code = "search_error"
    status = 400


class BadQuery(SearchError):
    code = "bad_query"


class IndexNotBuilt(SearchError):
    code = "index_not_built"
    status = 503


class NotFound(SearchError):
    code = "not_found"
    status = 404


class IndexDamaged(SearchError):
    """A build whose files are not the ones it wrote (cut short, missing, changed) or that fails to open."""

    code = "index_damaged"
    status = 503

    def __init__(self, path, why: str):
        super().__init__(f"the index at {path} is damaged ({why}); rebuild it with: jiaokan index --force")


class QueryTooCostly(SearchError):
    """A search stopped because it ran past its time budget (search/budget.py)."""

    code = "query_too_costly"
    status = 503
