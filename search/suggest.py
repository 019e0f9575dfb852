"""What to try when a query finds nothing: the same query without its filters, and the query with a term replaced by
the nearest terms that do occur (a Latin word by the words spelt most like it, a Chinese string by its longest pieces
that occur: 北约东扩 -> 北约).

Each suggestion is a query a reader can run as it is, with how many paragraphs it finds, so nothing is offered that
finds nothing either.
"""
from __future__ import annotations

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import analyze
from jiaokan.search.errors import BadQuery
from jiaokan.search.index import CorpusIndex
from jiaokan.search.results import Suggestion
from jiaokan.search.vocabulary import close_words

MAX_SUGGESTIONS = 5
# Each try is a whole search of the changed query, so their number is bounded, and a query of many terms (where one
# word replaced is no help, and each try costs as much as the query itself) gets only the filter suggestion.
MAX_TRIES = 6
MAX_TERMS_REPLACED = 6
MAX_PIECE = 12
MAX_PIECE_CHECKS = 120


def suggestions(index: CorpusIndex, query: str, *, versions=None, lang=None, section=None, translate=True,
                match="all") -> list[Suggestion]:
    """Queries that find something, best first, for a query that finds nothing."""
    from jiaokan.search.searching import select

    tries = 0

    def total(q: str, **filters) -> int:
        nonlocal tries
        tries += 1
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
    if len(terms) > MAX_TERMS_REPLACED:
        return out
    for term in terms:
        if len(out) >= MAX_SUGGESTIONS or tries >= MAX_TRIES:
            break
        for near in _nearest(index, term):
            if tries >= MAX_TRIES:
                break
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
        return close_words(index, a.units[0], n=3, cutoff=0.75)
    if not all(a.han):
        return []
    text = "".join(a.units)
    engine = index.engine
    # Longest pieces first, but no longer than MAX_PIECE and at most MAX_PIECE_CHECKS lookups: a long run would
    # otherwise cost a lookup for every piece of every length (32,000 for 256 characters).
    checks = 0
    for length in range(min(len(text) - 1, MAX_PIECE), 1, -1):
        pieces = dict.fromkeys(text[i : i + length] for i in range(len(text) - length + 1))
        found = []
        for p in pieces:
            if checks >= MAX_PIECE_CHECKS:
                return found[:3]
            checks += 1
            if engine.exact(analyze(p, None)).any():
                found.append(p)
        if found:
            return found[:3]
    return []
