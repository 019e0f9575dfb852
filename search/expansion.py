"""Translation expansion while evaluating: a term, or a run of English words the table knows as one term, also
matches the paragraphs holding one of its equivalents exactly (search/translation.py), a tier below and scored at
the translation's weight."""
from __future__ import annotations

from dataclasses import dataclass, field

from jiaokan.search import query_parser as P
from jiaokan.search.clauses import Clause, translation_clause
from jiaokan.search.demotion import TRANSLATION, Demotion
from jiaokan.search.engine import Result
from jiaokan.search.index import CorpusIndex
from jiaokan.search.translation import Expansion, english_spans

# A match through a translation or variant scores at this share of a direct match (and ranks a tier below).
TRANSLATION_WEIGHT = 0.5


@dataclass
class Expanded:
    result: Result  # the direct matches or any paragraph holding an equivalent
    demotions: list = field(default_factory=list)  # Demotion: the paragraphs found only through an equivalent
    expansions: list[Expansion] = field(default_factory=list)  # the equivalents that found something
    expansion_clauses: list[Clause] = field(default_factory=list)  # the same, as clauses to mark


def with_translations(direct: Result, expansions: list[Expansion], index: CorpusIndex, weight: float) -> Expanded:
    """`direct`, or any paragraph holding one of the equivalents exactly, those a tier lower (direct matches
    rank above matches through a translation) and scored at the translation's weight."""
    out = Expanded(direct)
    if not expansions:
        return out
    engine = index.engine
    via = engine.nothing()
    for e in expansions:
        clause = translation_clause(e, index)
        if clause is None:
            continue
        found = engine.exact(clause.readings[0], weight * TRANSLATION_WEIGHT * e.weight)
        if found.any():
            via = via | found
            out.expansions.append(e)
            out.expansion_clauses.append(clause)
    only_via = via.without(direct)
    if only_via.any():
        out.demotions.append(Demotion(only_via.ids, TRANSLATION))
        out.result = direct | only_via
    return out


def phrase_spans(children: list, index: CorpusIndex) -> list[tuple[list[int], list[Expansion]]]:
    """Runs of English words among an AND's children that the translation table knows as one term ("climate
    change"): (child indexes, expansions)."""
    spans = []
    run: list[int] = []
    for i, child in enumerate(children + [None]):
        if isinstance(child, P.Text) and not child.quoted and not child.prefix and child.text.isascii():
            run.append(i)
            continue
        if len(run) > 1:
            words = [children[i].text for i in run]
            for first, end, expansions in english_spans(index, words):
                spans.append((run[first:end], expansions))
        run = []
    return spans
