"""The search function every front end calls: a query string in, plain data out (hits, facets, how it was read).

What a query means (the parser is search/query_parser.py):
  - a word with Chinese in it, or several units (2030年, COVID-19), is a *string*: every paragraph containing it
    exactly (after folding) is a hit, and so is every paragraph containing all its jieba words apart, ranked below;
  - an English word matches its stem in the words field ("vaccines" finds "vaccine");
  - a "quoted phrase" matches exactly, in either language;
  - OR, NOT / -word, parentheses combine them; version:, lang:, section: filter.

Ranking (see _rank): paragraphs holding every string exactly come first (a close reader searching a phrase wants the
phrase), then BM25F over both fields decides, with a bonus for terms close together; ties keep corpus order.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from whoosh import query as Q

from search import query_parser as P
from search.analysis import Analysis, analyze
from search.errors import BadQuery
from search.folding import regional_reading
from search.highlight import merge_spans, snippet, unit_spans
from search.index import CorpusIndex
from search.matching import exact_query, find_exact, find_words, words_query

MAX_QUERY_CHARS = 256
MAX_PER_PAGE = 100
LANGS = ("zh", "en")

# BM25F: the words field carries meaning (whole words, stemmed English), the grams field carries exactness; a word
# match is worth more than the same characters matched as pairs, which each count once per pair.
WORDS_WEIGHT = 2.0
GRAMS_WEIGHT = 1.0
# Proximity: added to the BM25F score when the query's clauses sit within a few units of each other, at most
# about one strong term's worth, so it reorders near-ties without overriding what BM25F says about term weight.
PROXIMITY_BONUS = 3.0


@dataclass
class Clause:
    """One analysed piece of the query, with the readings it is searched under."""

    text: str
    quoted: bool
    readings: list[Analysis]  # the folded reading, then a regional one (人工智慧 -> 人工智能) if any
    kind: str  # "string" | "word" (a single English/digit word, matched by stem)
    negated: bool = False
    english_terms: set[str] = field(default_factory=set)

    def describe(self) -> dict:
        first = self.readings[0]
        return {
            "text": self.text,
            "kind": "phrase" if self.quoted else self.kind,
            "folded": " ".join(first.units) if not first.han or not all(first.han) else "".join(first.units),
            "words": first.words,
            "alternatives": ["".join(r.units) for r in self.readings[1:]],
            "negated": self.negated,
        }


def search(
    index: CorpusIndex,
    query: str,
    *,
    versions: list[str] | None = None,
    lang: str | None = None,
    section: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> dict:
    started = time.perf_counter()
    query = query or ""
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise BadQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if page < 1:
        raise BadQuery("page must be 1 or more")

    parsed = P.parse(query)
    versions = list(versions or []) + parsed.filters.get("version", [])
    lang = lang or (parsed.filters.get("lang") or [None])[-1]
    section = section or (parsed.filters.get("section") or [None])[-1]
    known_versions = index.meta["versions"]
    for v in versions:
        if v not in known_versions:
            raise BadQuery(f"unknown version {v!r}: versions are {', '.join(known_versions)}")
    if lang is not None and lang not in LANGS:
        raise BadQuery(f"unknown language {lang!r}: languages are zh, en")

    clauses: list[Clause] = []
    compiled = _compile(parsed.tree, index, clauses, negated=False) if parsed.tree is not None else None
    if compiled is None and parsed.tree is not None:
        raise BadQuery(f"nothing to search for in {query!r}: it has no letters, digits or Chinese characters")
    if compiled is None and not (versions or lang or section):
        raise BadQuery("the query is empty")
    filters = _filters(versions, lang, section)
    whoosh_query = compiled or Q.Every()

    searcher = index.searcher()
    results = searcher.search(
        whoosh_query, filter=filters, limit=None, scored=compiled is not None, terms=False
    )
    scored = [(hit.docnum, hit.score or 0.0) for hit in results]
    ranked = _rank(index, scored, clauses)
    total = len(ranked)
    last_page = max(1, -(-total // per_page))
    if page > last_page and total:
        raise BadQuery(f"page {page} is past the last page ({last_page})")
    window = ranked[(page - 1) * per_page : page * per_page]

    hits = [_hit(index, searcher, docnum, score, clauses) for docnum, score, _ in window]
    facets = _facets(index, [d for d, _, _ in ranked])
    return {
        "query": query,
        "understood": {
            "clauses": [c.describe() for c in clauses],
            "filters": {"version": versions, "lang": lang, "section": section},
        },
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": last_page,
        "hits": hits,
        "facets": facets,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def query_clauses(index: CorpusIndex, query: str) -> list[Clause]:
    """The analysed clauses of `query`, for marking its matches in a text (filters are ignored)."""
    parsed = P.parse(query[:MAX_QUERY_CHARS])
    clauses: list[Clause] = []
    if parsed.tree is not None:
        _compile(parsed.tree, index, clauses, negated=False)
    return clauses


# --- compiling the parsed query ----------------------------------------------------------------------------------


def _compile(node, index: CorpusIndex, clauses: list[Clause], negated: bool):
    if isinstance(node, P.Text):
        return _compile_text(node, index, clauses, negated)
    if isinstance(node, P.Not):
        inner = _compile(node.child, index, clauses, not negated)
        return ("not", inner) if inner is not None else None
    parts = [_compile(child, index, clauses, negated) for child in node.children]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if isinstance(node, P.Or):
        positives = [p for p in parts if not isinstance(p, tuple)]
        return Q.Or(positives) if len(positives) > 1 else (positives[0] if positives else None)
    positives = [p for p in parts if not isinstance(p, tuple)]
    negatives = [p[1] for p in parts if isinstance(p, tuple)]
    base = Q.And(positives) if len(positives) > 1 else (positives[0] if positives else Q.Every())
    for neg in negatives:
        base = Q.AndNot(base, neg)
    return base


def _compile_text(node: P.Text, index: CorpusIndex, clauses: list[Clause], negated: bool):
    dictionary = index.dictionary
    first = analyze(node.text, dictionary)
    if not first.units:
        return None
    readings = [first]
    other = regional_reading(node.text)
    if other is not None:
        readings.append(analyze(other, dictionary))
    single_word = len(first.units) == 1 and not first.han[0]
    kind = "word" if single_word and not node.quoted else "string"
    clause = Clause(node.text, node.quoted, readings, kind, negated)
    clauses.append(clause)
    if kind == "word":
        term = first.words[0]
        clause.english_terms.add(term)
        return Q.Term("words", term, boost=WORDS_WEIGHT)
    alternatives = []
    for reading in readings:
        exact = exact_query(reading)
        if exact is not None:
            alternatives.append(exact)
        if not node.quoted and len(reading.units) > 1:
            apart = words_query(reading)
            if apart is not None:
                apart.boost = WORDS_WEIGHT
                alternatives.append(apart)
    return Q.Or(alternatives) if len(alternatives) > 1 else alternatives[0]


def _filters(versions: list[str], lang: str | None, section: str | None):
    parts = []
    if versions:
        parts.append(Q.Or([Q.Term("version", v) for v in versions]))
    if lang:
        parts.append(Q.Term("lang", lang))
    if section:
        parts.append(Q.Term("section", section))
    if not parts:
        return None
    return Q.And(parts) if len(parts) > 1 else parts[0]


# --- ranking and hits --------------------------------------------------------------------------------------------


def _rank(index: CorpusIndex, scored: list[tuple[int, float]], clauses: list[Clause]):
    """(docnum, score, exact) sorted: exact-string hits first, then by score, ties in corpus (docnum) order."""
    strings = [c for c in clauses if c.kind == "string" and not c.negated and not c.quoted]
    if not strings:
        return sorted(((d, s, True) for d, s in scored), key=lambda r: (-r[1], r[0]))
    searcher = index.searcher()
    exact_sets = []
    for c in strings:
        docs: set[int] = set()
        for reading in c.readings:
            q = exact_query(reading)
            if q is not None:
                docs.update(searcher.docs_for_query(q))
        exact_sets.append(docs)
    ranked = []
    for docnum, score in scored:
        exact = all(docnum in s for s in exact_sets)
        ranked.append((docnum, score, exact))
    ranked.sort(key=lambda r: (not r[2], -r[1], r[0]))
    return ranked


def _hit(index: CorpusIndex, searcher, docnum: int, score: float, clauses: list[Clause]) -> dict:
    stored = searcher.stored_fields(docnum)
    text = stored["text"]
    spans = highlight_spans(text, clauses, index)
    return {
        "id": stored["id"],
        "version": stored["version"],
        "statement": stored["statement"],
        "seq": stored["seq"],
        "section": stored["section"],
        "kind": stored["kind"],
        "lang": stored["lang"],
        "passage": stored.get("passage") or None,
        "text": text,
        "score": round(score, 4),
        "highlights": spans,
        "snippet": snippet(text, spans),
    }


def highlight_spans(text: str, clauses: list[Clause], index: CorpusIndex) -> list[list[int]]:
    """Every occurrence of every positive clause in `text`, as merged [start, end) code-point offsets."""
    positive = [c for c in clauses if not c.negated]
    if not positive:
        return []
    doc = analyze(text, index.dictionary)
    spans: list[tuple[int, int]] = []
    for c in positive:
        if c.kind == "word":
            spans += unit_spans(doc, find_words(doc, c.english_terms))
            continue
        exact = []
        for reading in c.readings:
            exact += find_exact(doc, reading)
        if exact or c.quoted:
            spans += unit_spans(doc, exact)
        else:
            # Found through its words apart: mark each word wherever it stands.
            for reading in c.readings:
                for word in dict.fromkeys(reading.words):
                    spans += unit_spans(doc, find_exact(doc, analyze(word, index.dictionary)))
    return merge_spans(spans)


def _facets(index: CorpusIndex, docnums: list[int]) -> dict:
    """Matching paragraphs per version and per language (document numbers follow corpus order)."""
    paragraphs = index.paragraphs
    by_version: dict[str, int] = dict.fromkeys(index.meta["versions"], 0)
    by_lang: dict[str, int] = {}
    for docnum in docnums:
        p = paragraphs[docnum]
        by_version[p["version"]] += 1
        by_lang[p["lang"]] = by_lang.get(p["lang"], 0) + 1
    return {"version": by_version, "lang": by_lang}
