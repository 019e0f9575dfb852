"""The search function every front end calls: a query string in, a SearchPage out (hits, facets, how it was read).

What a query means (the parser is search/query_parser.py):
  - a word with Chinese in it, or several units (2030年, COVID-19), is a *string*: every paragraph containing it
    exactly (after folding) is a hit, and so is every paragraph containing all its jieba words apart, ranked below;
  - an English word matches its stem in the words field ("vaccines" finds "vaccine");
  - a "quoted phrase" matches exactly, in either language;
  - OR, NOT / -word, parentheses combine them; version:, lang:, section: filter.

The steps, one module each: clauses (search/clauses.py), evaluation over the whole index (search/evaluation.py,
with translations from search/expansion.py), ranking (search/ranking.py), hits (search/hits.py).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from jiaokan.search import query_parser as P
from jiaokan.search import scratch
from jiaokan.search.clauses import MAX_QUERY_CHARS, Clause, query_clauses
from jiaokan.search.demotion import EXACT, MATCHES, demoted_positions, match_kinds
from jiaokan.search.engine import Result
from jiaokan.search.errors import BadQuery
from jiaokan.search.evaluation import Negated, evaluate
from jiaokan.search.hits import align_hit, collate_hit, make_hit
from jiaokan.search.index import CorpusIndex
from jiaokan.search.ranking import PROXIMITY_WINDOW, apply_proximity, rank_key
from jiaokan.search.occurrences import occurrence_counts
from jiaokan.search.results import (
    ByMatch, ClauseReading, ExpansionUsed, Filters, RepairMade, SearchPage, Totals, Understood,
)
from jiaokan.search.translation import Expansion

MAX_PER_PAGE = 100
LANGS = ("zh", "en")
SORTS = ("relevance", "doc")

__all__ = ["LANGS", "MAX_PER_PAGE", "MAX_QUERY_CHARS", "SORTS", "Selection", "search", "select"]


@dataclass
class Selection:
    """A query evaluated over the whole index, with its filters: which paragraphs match, how they rank, and the
    paragraphs each facet counts over (each with every filter but its own, so a filter form shows what ticking
    another version or language would add). Everything is per document of `matched`, in its order."""

    query: str
    filters: Filters
    matched: Result  # the paragraphs the query matches, before filters, and their scores
    keep: np.ndarray  # bool: those that match every filter too
    key: np.ndarray  # rank key (search/ranking.py)
    kinds: np.ndarray  # how each matches: an index into MATCHES (search/demotion.py)
    by_version: np.ndarray  # bool: what the version facet counts
    by_lang: np.ndarray  # bool: what the language facet counts
    clauses: list[Clause]
    expansions: list[Expansion]
    expansion_clauses: list[Clause]
    repairs: list[P.Repair] = field(default_factory=list)  # what the parser mended in what was typed
    has_text: bool = True  # False for a query of filters only
    unfiltered: bool = False  # True: keep, by_version and by_lang are all True (no filter, match="all")

    def kept(self, values: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """values[mask] for one of keep, by_version, by_lang (values itself where no filter is set: no copy)."""
        return values if self.unfiltered else values[mask]

    def occurrence_clauses(self) -> list[Clause]:
        """What the query's occurrences are of (search/spans.exact_occurrences): its own clauses that are not
        negated, then the equivalents that found something."""
        return [c for c in self.clauses if not c.negated] + self.expansion_clauses

    @property
    def ids(self) -> np.ndarray:
        """The document numbers of the paragraphs that match the query and every filter, in corpus order."""
        return self.matched.ids[self.keep]

    def paragraph_ids(self, index: CorpusIndex, match: str | None = None) -> list[str]:
        """The matching paragraphs' ids, in corpus order; with `match`, only those matching that way."""
        keep = self.keep if match is None else self.keep & (self.kinds == MATCHES.index(match))
        ids = index.paragraphs.strings("id")
        return [ids[i] for i in self.matched.ids[keep].tolist()]

    def _position(self, docnum: int) -> int | None:
        ids = self.matched.ids
        i = int(ids.searchsorted(ids.dtype.type(docnum)))  # a Python int would have the whole array converted
        return i if i < len(ids) and int(ids[i]) == docnum else None

    def holds(self, docnum: int) -> bool:
        """Whether the paragraph matches the query and every filter."""
        i = self._position(docnum)
        return i is not None and bool(self.keep[i])

    def match_of(self, docnum: int) -> str:
        return MATCHES[int(self.kinds[self._position(docnum)])]

    def score_of(self, docnum: int) -> float:
        return float(self.matched.score[self._position(docnum)])

    def by_match(self) -> ByMatch:
        counts = np.bincount(self.kept(self.kinds, self.keep), minlength=len(MATCHES))
        return ByMatch(*(int(n) for n in counts))


@scratch.leasing
def select(
    index: CorpusIndex,
    query: str,
    *,
    versions: list[str] | None = None,
    lang: str | None = None,
    section: str | None = None,
    translate: bool = True,
    match: str = "all",
    repair: bool = True,
) -> Selection:
    """Every paragraph `query` matches under the filters (the first half of `search`, before paging and hits);
    with match="exact" only the paragraphs that match it exactly (facets count those too). With `repair` off the
    query is read exactly as typed (a dangling AND is a word; search/query_parser.py)."""
    if match not in ("all", EXACT):
        raise BadQuery(f"match must be all or exact; got {match!r}")
    query = query or ""
    if len(query) > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    parsed = P.parse(query, repair=repair)
    versions = list(versions or []) + parsed.filters.get("version", [])
    lang = lang or (parsed.filters.get("lang") or [None])[-1]
    lang = lang.lower() if lang else None
    section = section or (parsed.filters.get("section") or [None])[-1]
    known_versions = index.meta["versions"]
    for v in versions:
        if v not in known_versions:
            raise BadQuery(f"unknown version {v!r}: versions are {', '.join(known_versions)}")
    if lang is not None and lang not in LANGS:
        known = list(dict.fromkeys([*LANGS, *index.engine.codes["lang"][0]]))  # and any the corpus has (ru, …)
        if lang not in known:
            raise BadQuery(f"unknown language {lang!r}: languages are {', '.join(known)}")

    engine = index.engine
    if parsed.tree is not None:
        found = evaluate(parsed.tree, index, translate)
        if found.result is None:
            raise BadQuery(f"nothing to search for in {query!r}: it has no letters, digits or Chinese characters")
        matched = found.result
        if isinstance(matched, Negated):  # only a negation: every paragraph without it
            matched = engine.everything().without(matched.result)
        clauses, demotions = found.clauses, found.demotions
        expansions, expansion_clauses = found.expansions, found.expansion_clauses
    elif versions or lang or section:
        matched, clauses, demotions, expansions, expansion_clauses = engine.everything(), [], [], [], []
    else:
        raise BadQuery("the query is empty")
    ids = matched.ids
    # Where each demotion's documents stand among the matches: found once, for the match kinds and the rank key.
    demoted = [demoted_positions(ids, d) for d in demotions]
    kinds = match_kinds(ids, demotions, demoted)
    version_ok = engine.value_filter("version", versions, ids) if versions else None
    lang_ok = engine.value_filter("lang", [lang], ids) if lang else None
    section_ok = engine.value_filter("section", [section], ids) if section else None
    base = np.ones(len(ids), dtype=bool) if section_ok is None else section_ok
    if match == EXACT:
        base = base & (kinds == 0)
    by_lang = base if version_ok is None else base & version_ok
    by_version = base if lang_ok is None else base & lang_ok
    keep = by_lang if lang_ok is None else by_lang & lang_ok
    return Selection(
        query, Filters(versions, lang, section), matched, keep, rank_key(matched, demotions, demoted), kinds,
        by_version, by_lang, clauses, expansions, expansion_clauses, parsed.repairs, parsed.tree is not None,
        unfiltered=not (versions or lang or section or match == EXACT),
    )


@scratch.leasing
def search(
    index: CorpusIndex,
    query: str,
    *,
    versions: list[str] | None = None,
    lang: str | None = None,
    section: str | None = None,
    page: int = 1,
    per_page: int = 10,
    collapse: bool = True,
    translate: bool = True,
    match: str = "all",
    sort: str = "relevance",
    repair: bool = True,
    aligned: bool = True,
    suggest: bool = True,
) -> SearchPage:
    """Search `index`. With `collapse` (the default) a passage that several versions carry is one result: its
    best-matching version, with the other versions that match "also in" it and the wording of those that don't;
    `total` then counts results (passages, and paragraphs outside any passage) and `total_paragraphs` paragraphs.
    With `translate` (the default) query terms also match through their equivalents in the other language and
    their wording variants (search/translation.py), below direct matches; `understood.expansions` lists them.
    Each hit says how it matches (exact, words, translation) and `by_match` counts the paragraphs of each kind;
    match="exact" returns only the exact ones. `totals` counts occurrences (as the concordance lists them),
    paragraphs and passages, and facets["version_occurrences"] the occurrences per version.

    `sort` is relevance or doc (document order: version as catalogued, then paragraph order). With `aligned` each hit
    carries its passage's paragraph in the other language; with `repair` (the default) a dangling operator or an
    unclosed quote is mended (understood.repairs says what), without it the query is read as typed; with `suggest`
    a search that finds nothing says what would find something (search/suggest.py)."""
    started = time.perf_counter()
    if len(query or "") > MAX_QUERY_CHARS:
        raise BadQuery(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    if per_page < 1 or per_page > MAX_PER_PAGE:
        raise BadQuery(f"per_page must be between 1 and {MAX_PER_PAGE}")
    if page < 1:
        raise BadQuery("page must be 1 or more")
    if sort not in SORTS:
        raise BadQuery(f"unknown sort {sort!r}: sorts are {', '.join(SORTS)}")
    sel = select(index, query, versions=versions, lang=lang, section=section, translate=translate, match=match,
                 repair=repair)
    engine = index.engine

    ids, key = sel.kept(sel.matched.ids, sel.keep), sel.kept(sel.key, sel.keep)
    total_paragraphs = len(ids)
    # Collapsed, a passage is one result: its best-ranked version (search/engine.py top_of_groups).
    total = engine.count_groups(ids) if collapse else total_paragraphs
    last_page = max(1, -(-total // per_page))
    if page > last_page:
        raise BadQuery(f"page {page} is past the last page ({last_page})")
    wanted = page * per_page
    if sort == "doc":
        # Document numbers follow the corpus: versions as catalogued, each in paragraph order.
        shown = engine.best_of_groups(key, ids) if collapse else ids
        window = [(d, 0.0) for d in shown[(page - 1) * per_page : wanted].tolist()]
    else:
        # Proximity reorders near-ties, so rank a few more than the page needs before applying it.
        pick = engine.top_of_groups if collapse else engine.top
        ranked = pick(key, ids, wanted + PROXIMITY_WINDOW)
        keys = key[np.searchsorted(ids, ranked)]
        ranked = apply_proximity(index, ranked, keys, sel.clauses)[:wanted]
        window = ranked[(page - 1) * per_page :]

    hits = [
        make_hit(
            index, docnum, sel.score_of(docnum) + bonus, sel.match_of(docnum), sel.clauses, sel.expansion_clauses,
        )
        for docnum, bonus in window
    ]
    marked = sel.clauses + sel.expansion_clauses
    if collapse:
        hits = [collate_hit(index, hit, sel.holds, sel.match_of, marked) for hit in hits]
    if aligned and hits:
        # The other language marks the query's terms and their translations, with translation on or off.
        across = marked if translate else query_clauses(index, query, translate=True)
        hits = [align_hit(index, hit, across) for hit in hits]
    understood = Understood(
        clauses=[ClauseReading(**c.describe()) for c in sel.clauses],
        expansions=[ExpansionUsed(**e.describe()) for e in dict.fromkeys(sel.expansions)],
        filters=sel.filters,
        repairs=[RepairMade(**r.describe()) for r in sel.repairs],
    )
    facets = {"version": engine.counts("version", sel.kept(sel.matched.ids, sel.by_version)),
              "lang": engine.counts("lang", sel.kept(sel.matched.ids, sel.by_lang))}
    # Occurrences, paragraphs and passages, each counted as what it is; the version facet in occurrences too (over
    # the facet's own paragraphs, every filter but the version's).
    counted = sel.kept(sel.matched.ids, sel.by_version)
    per_doc = occurrence_counts(index, counted, sel.occurrence_clauses()) if sel.has_text else np.zeros(
        len(counted), dtype=np.int64)
    by_version = engine.sums("version", counted, per_doc)
    facets["version_occurrences"] = engine.by_value("version", by_version)
    passages = total if collapse else engine.count_groups(ids)
    kept_counts = per_doc if sel.unfiltered else per_doc[sel.keep[sel.by_version]]
    totals = Totals(occurrences=int(kept_counts.sum()), paragraphs=total_paragraphs,
                    passages=passages)
    suggestions = None
    if suggest and not total and sel.has_text:
        from jiaokan.search.suggest import suggestions as suggest_for

        suggestions = suggest_for(index, query, versions=versions, lang=lang, section=section, translate=translate,
                                  match=match)
    return SearchPage(
        query=sel.query,
        understood=understood,
        sort=sort,
        totals=totals,
        total=total,
        counts="passages" if collapse else "paragraphs",
        total_paragraphs=total_paragraphs,
        by_match=sel.by_match(),
        match=match,
        page=page,
        per_page=per_page,
        pages=last_page,
        hits=hits,
        facets=facets,
        took_ms=round((time.perf_counter() - started) * 1000, 2),
        suggestions=suggestions,
    )
