"""What to try when a query finds nothing: the same query without its filters, and the query with a term replaced by
the nearest terms that do occur (a Latin word by the words spelt most like it, a Chinese string by its longest pieces
that occur: 北约东扩 -> 北约).

Each suggestion is a query a reader can run as it is, with how many paragraphs it finds, so nothing is offered that
finds nothing either.
"""
from __future__ import annotations

import difflib

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import analyze
from jiaokan.search.errors import BadQuery
from jiaokan.search.index import CorpusIndex
from jiaokan.search.results import Suggestion
from jiaokan.search.vocabulary import latin_words

MAX_SUGGESTIONS = 5


def suggestions(index: CorpusIndex, query: str, *, versions=None, lang=None, section=None, translate=True,
                match="all") -> list[Suggestion]:
    """Queries that find something, best first, for a query that finds nothing."""
    from jiaokan.search.searching import select

    def total(q: str, **filters) -> int:
        try:
            return len(select(index, q, translate=translate, match=match, **filters).ids)
        except BadQuery:
            return 0

    out: list[Suggestion] = []
    parsed = P.parse(query)
    terms = _terms(parsed.tree)
    bare = " ".join(_written(t) for t in terms)
    if (versions or lang or section or parsed.filters) and bare:
        n = total(bare)
        if n:
            out.append(Suggestion(bare, n, "without the filters", False))
    # The query's own filters stay in the replaced query; those given beside it are passed again.
    kept = " ".join(f"{name}:{v}" for name, values in parsed.filters.items() for v in values)
    filters = {"versions": versions, "lang": lang, "section": section}
    for term in terms:
        for near in _nearest(index, term):
            replaced = " ".join(near if t is term else _written(t) for t in terms)
            if any(s.query == replaced for s in out):
                continue
            n = total(f"{replaced} {kept}".strip(), **filters)
            if n:
                out.append(Suggestion(f"{replaced} {kept}".strip(), n, f"{near} for {term.text}", True))
    return out[:MAX_SUGGESTIONS]


def _terms(node) -> list[P.Text]:
    """The query's positive terms, in order (what is left out is no help in finding something)."""
    if node is None or isinstance(node, (P.Not, P.Filter)):
        return []
    if isinstance(node, P.Text):
        return [node]
    return [t for child in node.children for t in _terms(child)]


def _written(t: P.Text) -> str:
    return f'"{t.text}"' if t.quoted else (t.text + ("*" if t.prefix else ""))


def _nearest(index: CorpusIndex, term: P.Text) -> list[str]:
    a = analyze(term.text, None)
    if not a.units:
        return []
    if len(a.units) == 1 and not a.han[0]:
        return difflib.get_close_matches(a.units[0], latin_words(index), n=3, cutoff=0.75)
    if not all(a.han):
        return []
    text = "".join(a.units)
    engine = index.engine
    for length in range(len(text) - 1, 1, -1):
        pieces = dict.fromkeys(text[i : i + length] for i in range(len(text) - length + 1))
        found = [p for p in pieces if engine.exact(analyze(p, None)).any()]
        if found:
            return found[:3]
    return []
