"""Evaluating the parse tree: each node becomes a Result (matching paragraphs and their scores, search/engine.py), with
what it found on the way (its clauses, the paragraphs that match only loosely, the equivalents it used) returned
beside it, never stored aside.

A word matches its stem in the words field; a string matches exactly, and (unless quoted) by its words apart; a
term also matches through its equivalents (search/expansion.py). Loose matches are *demoted*: they rank a tier
below the exact ones (search/ranking.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import analyze
from jiaokan.search.clauses import Clause, apart_words, make_clause
from jiaokan.search.demotion import WORDS, Demotion
from jiaokan.search.engine import Engine, Result, common, union
from jiaokan.search.matching import chain_terms
from jiaokan.search.expansion import Expanded, phrase_spans, with_translations
from jiaokan.search.index import CorpusIndex
from jiaokan.search.translation import Expansion, lookup

# BM25F: the words field carries meaning (whole words, stemmed English), the grams field carries exactness; a word
# match is worth more than the same characters matched as pairs, which each count once per pair.
WORDS_WEIGHT = 2.0
GRAMS_WEIGHT = 1.0


@dataclass(frozen=True)
class Negated:
    """A node that stands for every paragraph *without* `result` (NOT x, -x), kept apart so that an AND can
    subtract it and an OR can add its complement."""

    result: Result


@dataclass
class Evaluated:
    """What one node evaluates to, and what it found on the way."""

    result: Result | Negated | None  # None: nothing searchable in the node
    clauses: list[Clause] = field(default_factory=list)
    # The paragraphs that match only loosely (words apart, another form of an English word, only through a
    # translation): each ranks them a tier below the exact ones.
    demotions: list[Demotion] = field(default_factory=list)
    expansions: list[Expansion] = field(default_factory=list)
    expansion_clauses: list[Clause] = field(default_factory=list)

    def absorb(self, other: "Evaluated | Expanded") -> None:
        """Take over what `other` found (not its result)."""
        self.clauses += getattr(other, "clauses", [])
        self.demotions += other.demotions
        self.expansions += other.expansions
        self.expansion_clauses += other.expansion_clauses


def evaluate(tree, index: CorpusIndex, translate: bool) -> Evaluated:
    return _evaluate(tree, index, translate)


def _evaluate(node, index: CorpusIndex, translate: bool, negated: bool = False, translate_here: bool = True) -> Evaluated:
    if isinstance(node, P.Text):
        return _evaluate_text(node, index, translate and translate_here, negated)
    if isinstance(node, P.Not):
        inner = _evaluate(node.child, index, translate, not negated)
        if isinstance(inner.result, Negated):  # NOT NOT x
            inner.result = inner.result.result
        elif inner.result is not None:
            inner.result = Negated(inner.result)
        return inner
    return _evaluate_group(node, index, translate, negated)


def _evaluate_text(node: P.Text, index: CorpusIndex, translate: bool, negated: bool,
                   within: np.ndarray | None = None) -> Evaluated:
    """`within`: the documents an AND's other clauses leave (only those of this one's matter)."""
    clause = make_clause(node, index, negated)
    if clause is None:
        return Evaluated(None)
    result, apart = match_clause(clause, index.engine, within)
    out = Evaluated(result, [clause])
    if apart is not None and not negated:
        out.demotions.append(Demotion(apart, WORDS))
    if translate and not negated:
        expansions = [e for term in clause.lookup_terms() for e in lookup(index, term)]
        expanded = with_translations(result, expansions, index, GRAMS_WEIGHT)
        out.result = expanded.result
        out.absorb(expanded)
    return out


def _evaluate_group(node, index: CorpusIndex, translate: bool, negated: bool) -> Evaluated:
    engine = index.engine
    children = list(node.children)
    phrases = phrase_spans(children, index) if isinstance(node, P.And) and translate and not negated else []
    # Words of a phrase the table knows ("human rights") are translated as the phrase, not one by one.
    in_phrase = {i for members, _ in phrases for i in members}
    if isinstance(node, P.And) and not negated and not phrases:
        parts = _evaluate_narrowing(children, index, translate)
    else:
        parts = [_evaluate(child, index, translate, negated, i not in in_phrase) for i, child in enumerate(children)]
    out = Evaluated(None)
    for part in parts:
        out.absorb(part)
    results = [p.result for p in parts]
    for members, expansions in phrases:
        if any(results[i] is None for i in members):
            continue
        direct = results[members[0]]
        for i in members[1:]:
            direct = direct & results[i]
            results[i] = None
        expanded = with_translations(direct, expansions, index, GRAMS_WEIGHT)
        results[members[0]] = expanded.result
        out.absorb(expanded)
    results = [r for r in results if r is not None]
    positives = [r for r in results if not isinstance(r, Negated)]
    negatives = [r.result for r in results if isinstance(r, Negated)]
    if isinstance(node, P.Or):
        if not positives:
            return out
        result = positives[0]
        for p in positives[1:]:
            result = result | p
        # "a OR -b": everything but b counts as a branch too.
        for n in negatives:
            result = result | engine.everything().without(n)
        out.result = result
        return out
    if not positives and not negatives:
        return out
    if not positives and len(negatives) == 1:
        out.result = Negated(negatives[0])
        return out
    result = positives[0] if positives else engine.everything()
    for p in positives[1:]:
        result = result & p
    for n in negatives:
        result = result.without(n)
    out.result = result
    words = [c.text for c in children if isinstance(c, P.Text) and not c.quoted and not c.prefix]
    if len(words) > 1 and not negated and all(w.isascii() and w.isalnum() for w in words):
        # English words typed one after another: paragraphs where they stand together as typed rank first.
        # (Chinese typed with spaces between has been cut by the user on purpose, so it is left alone.)
        together = engine.exact(analyze(" ".join(words), None))
        out.demotions.append(Demotion(result.without(together).ids, WORDS))
    return out


def _evaluate_narrowing(children: list, index: CorpusIndex, translate: bool) -> list[Evaluated]:
    """An AND's children, evaluated (and returned) each as on its own, but those that are strings each only where the
    ones before it stand, the strings rarest first: what the AND keeps is the same, and a common string beside a
    rare one is confirmed in the rare one's paragraphs, not in all of its own (Engine.exact)."""
    engine = index.engine

    def rarity(i: int) -> float:
        child = children[i]
        if not isinstance(child, P.Text):
            return -1.0  # groups and negations first: they narrow the strings, and nothing narrows them
        terms = chain_terms(analyze(child.text, None))
        return min((engine.df("grams", t) or 0 for t in terms), default=float("inf"))

    parts: list = [None] * len(children)
    within = None
    strings = [c for c in children if isinstance(c, P.Text)]
    if len(strings) > 1:
        # Two strings or more: each can match only where it has its candidates (or its words apart), so where they
        # all do is where the AND can match, before any is confirmed (十五条 十二条: 28k and 30k candidates, a few
        # hundred in common).
        for child in strings:
            found = _candidates(child, index, translate)
            if found is not None:
                within = found if within is None else within[common(within, found)[0]]
    for i in sorted(range(len(children)), key=rarity):
        child = children[i]
        if isinstance(child, P.Text):
            parts[i] = _evaluate_text(child, index, translate, False, within)
        else:
            parts[i] = _evaluate(child, index, translate)
        found = parts[i].result
        if isinstance(found, Result):
            within = found.ids if within is None else within[common(within, found.ids)[0]]
    return parts


def _candidates(node: P.Text, index: CorpusIndex, translate: bool) -> np.ndarray | None:
    """Documents among which are all those the string `node` matches, found without confirming it: those holding
    every pair of a reading's chain, or its words apart (match_clause); None where that is not known so cheaply
    (a word, a prefix, a string with equivalents, which match through them too)."""
    clause = make_clause(node, index, False)
    if clause is None or clause.kind != "string":
        return None
    if translate and any(lookup(index, term) for term in clause.lookup_terms()):
        return None
    engine = index.engine
    found = None
    for reading in clause.readings:
        terms = chain_terms(reading)
        if not terms:
            continue
        ids = (engine.term("grams", terms[0]) if len(terms) == 1 else engine.all_of("grams", terms)[0]).ids
        words = apart_words(reading)
        if words and not clause.quoted:
            ids = _either(ids, engine.all_words_of(words, WORDS_WEIGHT).ids)
        found = ids if found is None else _either(found, ids)
    return found


def _either(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The sorted document numbers in a or in b."""
    return union(a, b)[0] if len(a) and len(b) else (a if len(a) else b)


def match_clause(clause: Clause, engine: Engine, within: np.ndarray | None = None) -> tuple[Result, np.ndarray | None]:
    """(what the clause matches, the paragraphs among them that match it only loosely, or None). A word: its stem
    in the words field, loosely where the form typed is absent. A string: paragraphs holding it exactly, scored on
    both fields, and (unless quoted) paragraphs holding all its words apart, scored on the words field, loosely.
    A prefix: any of its words, as written. With `within`, of a string's exact matches only those among these
    documents are sure to be found (an AND's other clauses leave only them)."""
    if clause.kind == "prefix":
        found = engine.nothing()
        for reading in clause.readings:
            found = found | engine.term("grams", reading.units[0], GRAMS_WEIGHT)
        return found, None
    if clause.kind == "word":
        stemmed = engine.term("words", next(iter(clause.english_terms)), WORDS_WEIGHT)
        if not stemmed.any():
            return stemmed, None
        surface = engine.term("grams", clause.readings[0].units[0])
        return stemmed, stemmed.without(surface).ids
    result, apart_ids = None, None
    for reading in clause.readings:
        exact = engine.exact(reading, GRAMS_WEIGHT, within)
        # The string's meaning-bearing words add their words-field score wherever the string stands.
        meaning = engine.all_words_in(reading, exact.ids, WORDS_WEIGHT) if reading.words and exact.any() else \
            engine.nothing()
        found = exact.plus(meaning)
        words = apart_words(reading)
        if words and not clause.quoted:
            apart = engine.all_words_of(words, WORDS_WEIGHT).without(found)
            apart_ids = apart.ids if apart_ids is None else union(apart_ids, apart.ids)[0]
            found = found | apart
        result = found if result is None else (result | found)
    return result, apart_ids
