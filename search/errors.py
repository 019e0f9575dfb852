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
