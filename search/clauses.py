"""Query planning: the parse tree's text nodes analysed into clauses, each with the readings it is searched under."""
from __future__ import annotations

from dataclasses import dataclass, field

from jiaokan.search import query_parser as P
from jiaokan.search.analysis import Analysis, analyze
from jiaokan.search.folding import reading as folded_reading
from jiaokan.search.folding import regional_reading
from jiaokan.search.index import CorpusIndex
from jiaokan.search.translation import Expansion, english_spans, lookup

MAX_QUERY_CHARS = 256


@dataclass
class Clause:
    """One analysed piece of the query, with the readings it is searched under."""

    text: str
    quoted: bool
    readings: list[Analysis]  # the folded reading, then a regional one (人工智慧 -> 人工智能) if any
    kind: str  # "string" | "word" (a single English/digit word, matched by stem) | "prefix" (nat*: its readings are
    # the corpus's words that start with it, each matched exactly)
    negated: bool = False
    english_terms: set[str] = field(default_factory=set)
    via: Expansion | None = None  # the Expansion this clause stands for, when it is a translation

    def describe(self) -> dict:
        first = self.readings[0]
        prefix = self.kind == "prefix"
        return {
            "text": self.text,
            "kind": "phrase" if self.quoted else self.kind,
            "reads_as": folded_reading(self.text),
            "folded": " ".join(first.units) if not first.han or not all(first.han) else "".join(first.units),
            "words": first.words if not prefix else [],
            # A Taiwan wording's mainland reading; for a prefix, the words it stands for.
            "alternatives": ["".join(r.units) for r in (self.readings if prefix else self.readings[1:])],
            "negated": self.negated,
        }

    def lookup_terms(self) -> list[str]:
        """The terms whose translations this clause is also searched through: its text, or a prefix's words."""
        return ["".join(r.units) for r in self.readings] if self.kind == "prefix" else [self.text]


def make_clause(node: P.Text, index: CorpusIndex, negated: bool) -> Clause | None:
    """The clause of a text node, or None when it holds nothing searchable (only punctuation)."""
    first = analyze(node.text, index.dictionary)
    if not first.units:
        return None
    if node.prefix and len(first.units) == 1 and not first.han[0]:
        from jiaokan.search.vocabulary import prefix_words

        words = prefix_words(index, first.units[0])
        readings = [analyze(w, None) for w in words] or [first]
        return Clause(node.text + "*", False, readings, "prefix", negated)
    readings = [first]
    other = regional_reading(node.text)
    if other is not None:
        alternative = analyze(other, index.dictionary)
        if alternative.units:
            readings.append(alternative)
    single_word = len(first.units) == 1 and not first.han[0]
    kind = "word" if single_word and not node.quoted else "string"
    clause = Clause(node.text, node.quoted, readings, kind, negated)
    if kind == "word":
        clause.english_terms.add(first.words[0])
    return clause


def translation_clause(e: Expansion, index: CorpusIndex) -> Clause | None:
    """The clause an equivalent is searched and marked by: its text, exactly."""
    reading = analyze(e.target, index.dictionary)
    if not reading.units:
        return None
    return Clause(e.target, True, [reading], "string", via=e)


def collect(node, index: CorpusIndex, negated: bool = False) -> list[Clause]:
    """Every clause of a parse tree, in order, each knowing whether it stands under a NOT."""
    if isinstance(node, P.Text):
        clause = make_clause(node, index, negated)
        return [clause] if clause is not None else []
    if isinstance(node, P.Not):
        return collect(node.child, index, not negated)
    return [c for child in node.children for c in collect(child, index, negated)]


def query_clauses(index: CorpusIndex, query: str, translate: bool = True) -> list[Clause]:
    """The analysed clauses of `query`, for marking its matches in a text (filters are ignored); with `translate`
    also the equivalents of its terms and English phrases, so a paragraph reached through 北约 marks 北约."""
    parsed = P.parse(query[:MAX_QUERY_CHARS])
    clauses = collect(parsed.tree, index) if parsed.tree is not None else []
    if not translate:
        return clauses
    expansions = [e for c in clauses if not c.negated for t in c.lookup_terms() for e in lookup(index, t)]
    words = [c.text for c in clauses if not c.negated and not c.quoted and c.kind != "prefix" and c.text.isascii()]
    expansions += [e for _, _, found in english_spans(index, words) for e in found]
    found = (translation_clause(e, index) for e in dict.fromkeys(expansions))
    return clauses + [c for c in found if c is not None]


def apart_words(reading: Analysis) -> list[str]:
    """The words a string may be found by when they stand apart: only when it cuts into two or more words of two
    or more characters. Single characters scattered through a paragraph say nothing about the string (北约东扩 cuts
    into 北约 / 东 / 扩), and a one-word string has no "apart"."""
    words = list(dict.fromkeys(reading.words))
    if len(words) < 2 or any(len(w) < 2 and not w.isascii() for w in words):
        return []
    return words
