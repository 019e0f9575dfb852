"""search() as issue 3 defines it, shared by the search tests."""
from jiaokan.search.records import to_json
from jiaokan.search.searching import search as run_search


def search_function(index, query: str, **kwargs) -> dict:
    """search() as the API returns it (JSON data)."""
    return to_json(run_search(index, query, **kwargs))


def search(index, query: str, **kwargs) -> dict:
    """One hit per paragraph, and a query matches what is written: collation's collapsing of a passage carried by
    several versions into one result (issue 5) and matching through translations (issue 6), both on by default,
    are switched off."""
    kwargs.setdefault("collapse", False)
    kwargs.setdefault("translate", False)
    return search_function(index, query, **kwargs)
