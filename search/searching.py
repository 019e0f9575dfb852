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
from functools import lru_cache
from dataclasses import dataclass, field

import numpy as np

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import Analysis, analyze
from jiaokan.search.errors import BadQuery
from jiaokan.search.folding import regional_reading
from jiaokan.search.highlight import merge_spans, snippet, unit_spans
from jiaokan.search.translation import Expansion, english_spans, lookup
from jiaokan.search.wording import differences, summary
from jiaokan.search.index import CorpusIndex
from jiaokan.search.engine import Engine, Result
from jiaokan.search.matching import find_exact, find_words

MAX_QUERY_CHARS = 256
MAX_PER_PAGE = 100
LANGS = ("zh", "en")

# BM25F: the words field carries meaning (whole words, stemmed English), the grams field carries exactness; a word
# match is worth more than the same characters matched as pairs, which each count once per pair.
WORDS_WEIGHT = 2.0
GRAMS_WEIGHT = 1.0
# Proximity: added to the BM25F score when the query's clauses sit within a few units of each other, at most
# about one strong term's worth, so it reorders near-ties without overriding what BM25F says about term weight.
# A match through a translation or variant scores at this share of a direct match (and ranks a tier below).
TRANSLATION_WEIGHT = 0.5
PROXIMITY_BONUS = 3.0
PROXIMITY_WINDOW = 20
TIER = 1e6


@dataclass
class Clause:
    """One analysed piece of the query, with the readings it is searched under."""

    text: str
    quoted: bool
    readings: list[Analysis]  # the folded reading, then a regional one (人工智慧 -> 人工智能) if any
    kind: str  # "string" | "word" (a single English/digit word, matched by stem)
    negated: bool = False
    english_terms: set[str] = field(default_factory=set)
    apart_mask: object = None  # numpy bool array: paragraphs holding only the string's words apart
    via: object = None  # the Expansion this clause stands for, when it is a translation

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
    collapse: bool = True,
    translate: bool = True,
) -> dict:
    """Search `index`. With `collapse` (the default) a passage that several versions carry is one result: its
    best-matching version, with the other versions that match "also in" it and the wording of those that don't;
    `total` then counts results (passages, and paragraphs outside any passage) and `total_paragraphs` paragraphs.
    With `translate` (the default) query terms also match through their equivalents in the other language and
    their wording variants (search/translation.py), below direct matches; `understood.expansions` lists them."""
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
    ctx = _Context(engine, index, translate)
    matched = _evaluate(parsed.tree, ctx) if parsed.tree is not None else None
    clauses, demotions = ctx.clauses, ctx.demotions
    if matched is None and parsed.tree is not None:
        raise BadQuery(f"nothing to search for in {query!r}: it has no letters, digits or Chinese characters")
    if matched is None and not (versions or lang or section):
        raise BadQuery("the query is empty")
    if matched is None:
        matched = engine.everything()
    elif isinstance(matched, tuple):  # only a negation: every paragraph without it
        matched = engine.everything().without(matched[1])
    # Filters as masks; each facet counts with every filter but its own, so a filter form shows what ticking
    # another version or language would add.
    version_mask = engine.value_mask("version", versions) if versions else None
    lang_mask = engine.value_mask("lang", [lang]) if lang else None
    section_mask = engine.value_mask("section", [section]) if section else None
    base = matched.mask if section_mask is None else matched.mask & section_mask
    by_lang = base if version_mask is None else base & version_mask
    by_version = base if lang_mask is None else base & lang_mask
    mask = by_lang if lang_mask is None else by_lang & lang_mask

    key = _rank_key(matched, demotions)
    total_paragraphs = int(mask.sum())
    shown = engine.best_of_each_passage(key, mask) if collapse else mask
    total = int(shown.sum())
    last_page = max(1, -(-total // per_page))
    if page > last_page:
        raise BadQuery(f"page {page} is past the last page ({last_page})")
    wanted = page * per_page
    # Proximity reorders near-ties, so rank a few more than the page needs before applying it.
    ranked = engine.top(key, shown, wanted + PROXIMITY_WINDOW)
    ranked = _apply_proximity(index, ranked, key, clauses)[:wanted]
    window = ranked[(page - 1) * per_page :]

    marked = clauses + ctx.expansion_clauses
    hits = [_hit(index, docnum, float(matched.score[docnum]) + bonus, marked) for docnum, bonus in window]
    for hit in hits:
        _add_via(hit, index, ctx.expansion_clauses)
    if collapse:
        for hit in hits:
            add_collation(index, hit, mask, marked)
    facets = {"version": engine.counts("version", by_version), "lang": engine.counts("lang", by_lang)}
    return {
        "query": query,
        "understood": {
            "clauses": [c.describe() for c in clauses],
            "expansions": [e.describe() for e in dict.fromkeys(ctx.expansions)],
            "filters": {"version": versions, "lang": lang, "section": section},
        },
        "total": total,
        "counts": "passages" if collapse else "paragraphs",
        "total_paragraphs": total_paragraphs,
        "page": page,
        "per_page": per_page,
        "pages": last_page,
        "hits": hits,
        "facets": facets,
        "took_ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _add_via(hit: dict, index: CorpusIndex, expansion_clauses: list[Clause]) -> None:
    """hit["via"]: the equivalents the hit holds in place of the query term they translate (for "NATO 扩张" a
    paragraph with 北约 and 扩张 is found via 北约)."""
    hit["via"] = []
    if not expansion_clauses:
        return
    doc = _marking_analysis(hit["text"])
    for c in expansion_clauses:
        if not clause_spans(doc, c):
            continue
        source = _clause(P.Text(c.via.query), index, negated=False)
        if source is None or not clause_spans(doc, source):
            hit["via"].append(c.text)
    hit["via"] = list(dict.fromkeys(hit["via"]))


def add_collation(index: CorpusIndex, hit: dict, mask, clauses: list[Clause]) -> None:
    """For a hit in a passage: the other versions that match ("also_in", each with its highlights and how its
    wording differs from the hit's), the wording of those that don't where the hit matched ("other_versions"), and
    the versions that lack the passage ("lacking")."""
    hit["also_in"], hit["other_versions"], hit["lacking"] = [], [], {}
    passage = index.passages.get(hit["passage"] or "")
    if not passage:
        return
    hit["lacking"] = passage["lacks"]
    for version, pid in passage["members"].items():
        if pid == hit["id"]:
            continue
        other = index.paragraphs[index.paragraph_index[pid]]
        note, diffs = _wording_note(hit, other)
        entry = {"id": pid, "version": version, "lang": other["lang"], "note": note}
        if mask[index.paragraph_index[pid]]:
            spans = highlight_spans(other["text"], clauses, index)
            entry.update(highlights=spans, snippet=snippet(other["text"], spans), differences=list(diffs))
            hit["also_in"].append(entry)
        else:
            # Where the hit matched, what does this version say instead?
            near = [d for d in diffs if any(_overlaps(d["a_span"], s) for s in hit["highlights"])]
            entry.update(wording=[d["b"] for d in near], text=other["text"], differences=list(diffs))
            hit["other_versions"].append(entry)


def _wording_note(hit: dict, other: dict) -> tuple[str, tuple]:
    if hit["lang"] != other["lang"]:
        return ("English translation" if other["lang"] == "en" else "Chinese text"), ()
    diffs = differences(hit["text"], other["text"])
    return summary(diffs), diffs


def _overlaps(a: list[int], b: list[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] <= a[0] <= b[1])


def query_clauses(index: CorpusIndex, query: str, translate: bool = True) -> list[Clause]:
    """The analysed clauses of `query`, for marking its matches in a text (filters are ignored); with `translate`
    also the equivalents of its terms and English phrases, so a paragraph reached through 北约 marks 北约."""
    parsed = P.parse(query[:MAX_QUERY_CHARS])
    clauses: list[Clause] = []
    if parsed.tree is not None:
        _collect(parsed.tree, index, clauses, negated=False)
    if not translate:
        return clauses
    expansions = [e for c in clauses if not c.negated for e in lookup(index, c.text)]
    words = [c.text for c in clauses if not c.negated and not c.quoted and c.text.isascii()]
    expansions += [e for _, _, found in english_spans(index, words) for e in found]
    for e in dict.fromkeys(expansions):
        reading = analyze(e.target, index.dictionary)
        if reading.units:
            clause = Clause(e.target, True, [reading], "string")
            clause.via = e
            clauses.append(clause)
    return clauses


# --- evaluating the parsed query --------------------------------------------------------------------------------


def _collect(node, index: CorpusIndex, clauses: list[Clause], negated: bool) -> None:
    if isinstance(node, P.Text):
        clause = _clause(node, index, negated)
        if clause is not None:
            clauses.append(clause)
    elif isinstance(node, P.Not):
        _collect(node.child, index, clauses, not negated)
    else:
        for child in node.children:
            _collect(child, index, clauses, negated)


def _clause(node: P.Text, index: CorpusIndex, negated: bool) -> Clause | None:
    first = analyze(node.text, index.dictionary)
    if not first.units:
        return None
    readings = [first]
    other = regional_reading(node.text)
    if other is not None:
        readings.append(analyze(other, index.dictionary))
    single_word = len(first.units) == 1 and not first.han[0]
    kind = "word" if single_word and not node.quoted else "string"
    clause = Clause(node.text, node.quoted, readings, kind, negated)
    if kind == "word":
        clause.english_terms.add(first.words[0])
    return clause


@dataclass
class _Context:
    """What evaluating one query collects besides its result."""

    engine: Engine
    index: CorpusIndex
    translate: bool
    clauses: list[Clause] = field(default_factory=list)
    # Masks of paragraphs that match only loosely (words apart, another form of an English word, only through a
    # translation) and so rank a tier below the exact ones.
    demotions: list = field(default_factory=list)
    expansions: list[Expansion] = field(default_factory=list)
    expansion_clauses: list[Clause] = field(default_factory=list)


def _evaluate(node, ctx: _Context, negated: bool = False, translate_here: bool = True):
    """The Result (mask, score) of a parse-tree node, ("not", Result) for a negation, or None for a node with
    nothing searchable in it."""
    engine = ctx.engine
    if isinstance(node, P.Text):
        clause = _clause(node, ctx.index, negated)
        if clause is None:
            return None
        ctx.clauses.append(clause)
        result = _match_clause(clause, engine)
        if clause.apart_mask is not None and not negated:
            ctx.demotions.append(clause.apart_mask)
        if ctx.translate and translate_here and not negated:
            result = _with_translations(result, lookup(ctx.index, node.text), ctx)
        return result
    if isinstance(node, P.Not):
        inner = _evaluate(node.child, ctx, not negated)
        if isinstance(inner, tuple):  # NOT NOT x
            return inner[1]
        return ("not", inner) if inner is not None else None
    children = list(node.children)
    phrases = _phrase_spans(children, ctx) if isinstance(node, P.And) and ctx.translate and not negated else []
    # Words of a phrase the table knows ("human rights") are translated as the phrase, not one by one.
    in_phrase = {i for members, _ in phrases for i in members}
    parts = [_evaluate(child, ctx, negated, i not in in_phrase) for i, child in enumerate(children)]
    for members, expansions in phrases:
        if any(parts[i] is None for i in members):
            continue
        direct = parts[members[0]]
        for i in members[1:]:
            direct = direct & parts[i]
            parts[i] = None
        parts[members[0]] = _with_translations(direct, expansions, ctx)
    parts = [p for p in parts if p is not None]
    positives = [p for p in parts if not isinstance(p, tuple)]
    negatives = [p[1] for p in parts if isinstance(p, tuple)]
    if isinstance(node, P.Or):
        if not positives:
            return None
        result = positives[0]
        for p in positives[1:]:
            result = result | p
        # "a OR -b": everything but b counts as a branch too.
        for n in negatives:
            result = result | engine.everything().without(n)
        return result
    if not positives and not negatives:
        return None
    if not positives and len(negatives) == 1:
        return ("not", negatives[0])
    result = positives[0] if positives else engine.everything()
    for p in positives[1:]:
        result = result & p
    for n in negatives:
        result = result.without(n)
    words = [c.text for c in children if isinstance(c, P.Text) and not c.quoted]
    if len(words) > 1 and not negated and all(w.isascii() and w.isalnum() for w in words):
        # English words typed one after another: paragraphs where they stand together as typed rank first.
        # (Chinese typed with spaces between has been cut by the user on purpose, so it is left alone.)
        together = engine.exact(analyze(" ".join(words), None))
        ctx.demotions.append(result.mask & ~together.mask)
    return result


def _phrase_spans(children: list, ctx: _Context) -> list[tuple[list[int], list[Expansion]]]:
    """Runs of English words among an AND's children that the translation table knows as one term ("climate
    change"): (child indexes, expansions)."""
    spans = []
    run: list[int] = []
    for i, child in enumerate(children + [None]):
        if isinstance(child, P.Text) and not child.quoted and child.text.isascii():
            run.append(i)
            continue
        if len(run) > 1:
            words = [children[i].text for i in run]
            for first, end, expansions in english_spans(ctx.index, words):
                spans.append((run[first:end], expansions))
        run = []
    return spans


def _with_translations(direct: Result, expansions: list[Expansion], ctx: _Context) -> Result:
    """`direct`, or any paragraph holding one of the equivalents exactly, those a tier lower (direct matches
    rank above matches through a translation) and scored at the translation's weight."""
    if not expansions:
        return direct
    via = ctx.engine.nothing()
    for e in expansions:
        reading = analyze(e.target, ctx.index.dictionary)
        if not reading.units:
            continue
        found = ctx.engine.exact(reading, GRAMS_WEIGHT * TRANSLATION_WEIGHT * e.weight)
        if found.mask.any():
            via = via | found
            ctx.expansions.append(e)
            clause = Clause(e.target, True, [reading], "string")
            clause.via = e
            ctx.expansion_clauses.append(clause)
    only_via = via.mask & ~direct.mask
    if not only_via.any():
        return direct
    ctx.demotions.append(only_via)
    return direct | Result(only_via, np.where(only_via, via.score, 0).astype(np.float32))


def apart_words(reading: Analysis) -> list[str]:
    """The words a string may be found by when they stand apart: only when it cuts into two or more words of two
    or more characters. Single characters scattered through a paragraph say nothing about the string (北约东扩 cuts
    into 北约 / 东 / 扩), and a one-word string has no "apart"."""
    words = list(dict.fromkeys(reading.words))
    if len(words) < 2 or any(len(w) < 2 and not w.isascii() for w in words):
        return []
    return words


def _match_clause(clause: Clause, engine: Engine) -> Result:
    """A word: its stem in the words field. A string: paragraphs holding it exactly, scored on both fields, and
    (unless quoted) paragraphs holding all its words apart, scored on the words field."""
    if clause.kind == "word":
        stemmed = engine.term("words", next(iter(clause.english_terms)), WORDS_WEIGHT)
        # Other forms of the word match too, below the form typed.
        if stemmed.mask.any():
            surface = engine.term("grams", clause.readings[0].units[0])
            clause.apart_mask = stemmed.mask & ~surface.mask
        return stemmed
    result = None
    for reading in clause.readings:
        exact = engine.exact(reading, GRAMS_WEIGHT)
        # The string's meaning-bearing words add their words-field score wherever the string stands.
        meaning = engine.all_words(reading, WORDS_WEIGHT) if reading.words else engine.nothing()
        found = Result(exact.mask, np.where(exact.mask, exact.score + meaning.score, 0).astype(np.float32))
        words = apart_words(reading)
        if words and not clause.quoted:
            apart = engine.all_words_of(words, WORDS_WEIGHT).without(found)
            clause.apart_mask = apart.mask if clause.apart_mask is None else (clause.apart_mask | apart.mask)
            found = found | apart
        result = found if result is None else (result | found)
    return result


# --- ranking and hits --------------------------------------------------------------------------------------------


def _rank_key(matched: Result, demotions: list[np.ndarray]) -> np.ndarray:
    """Score less a tier for each loose match (a string's words apart, another form of a word, words not
    together as typed): such paragraphs rank below every paragraph matching exactly (scores stay far below
    TIER). A paragraph that lacks a clause altogether, as in an OR, is not demoted for it."""
    key = matched.score.astype(np.float64)
    for mask in demotions:
        key = key - TIER * mask
    return key


def _apply_proximity(
    index: CorpusIndex, ranked: np.ndarray, key: np.ndarray, clauses: list[Clause]
) -> list[tuple[int, float]]:
    """(docnum, bonus) for the leading candidates, re-sorted with a bonus for the clauses standing close
    together. The bonus is far below a tier, so it only reorders within one."""
    positive = [c for c in clauses if not c.negated]
    if len(positive) < 2 or len(ranked) < 2:
        return [(int(d), 0.0) for d in ranked]
    paragraphs = index.paragraphs
    adjusted = []
    for docnum in ranked:
        docnum = int(docnum)
        bonus = _proximity(paragraphs[docnum]["text"], positive)
        adjusted.append((-(key[docnum] + bonus), docnum, bonus))
    adjusted.sort()
    return [(d, bonus) for _, d, bonus in adjusted]


def _proximity(text: str, clauses: list[Clause]) -> float:
    """PROXIMITY_BONUS when one occurrence of every clause fits in a few characters, less as the window widens."""
    doc = _marking_analysis(text)
    per_clause = [clause_spans(doc, c) for c in clauses]
    if not all(per_clause):
        return 0.0
    events = sorted((start, i) for i, spans in enumerate(per_clause) for start, _ in spans)
    best = None
    last: dict[int, int] = {}
    for pos, i in events:
        last[i] = pos
        if len(last) == len(per_clause):
            width = pos - min(last.values())
            best = width if best is None else min(best, width)
    return PROXIMITY_BONUS / (1 + best / 10) if best is not None else 0.0


def _hit(index: CorpusIndex, docnum: int, score: float, clauses: list[Clause]) -> dict:
    stored = index.paragraphs[docnum]  # document numbers follow corpus order
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


@lru_cache(maxsize=1024)
def _marking_analysis(text: str) -> Analysis:
    """A paragraph analysed for locating matches (no segmentation), shared by proximity, highlights and "via":
    the same few paragraphs are looked at several times per search, and again by the next page."""
    return analyze(text, None)


def highlight_spans(text: str, clauses: list[Clause], index: CorpusIndex) -> list[list[int]]:
    """Every occurrence of every positive clause in `text`, as merged [start, end) code-point offsets."""
    positive = [c for c in clauses if not c.negated]
    if not positive:
        return []
    doc = _marking_analysis(text)
    return merge_spans([span for c in positive for span in clause_spans(doc, c)])


def clause_spans(doc: Analysis, c: Clause) -> list[tuple[int, int]]:
    """Where one clause occurs in an analysed paragraph: the exact string wherever it stands; for a string found
    only through its words apart, each of its words; for an English word, every word with the same stem."""
    if c.kind == "word":
        return unit_spans(doc, find_words(doc, c.english_terms))
    text = doc.folded.text
    exact = [span for reading in c.readings for span in find_exact(text, reading)]
    if exact or c.quoted:
        return [doc.folded.span(s, e) for s, e in exact]
    for reading in c.readings:
        words = apart_words(reading)
        found = [find_exact(text, analyze(word, None)) for word in words]
        if words and all(found):
            return [doc.folded.span(s, e) for spans in found for s, e in spans]
    return []
