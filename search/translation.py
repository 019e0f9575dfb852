"""Query translation: a query term looked up in the other language, and among wording variants.

The table is built with the index (indexer/translations.py: glossary, pairs learned from aligned passages,
variants found by collation). Lookups use the same folding as the index, so ＮＡＴＯ, nato and NATO meet.
"""
from __future__ import annotations

from dataclasses import dataclass

from jiaokan.search.folding import fold, regional_reading
from jiaokan.search.index import CorpusIndex
from jiaokan.search.units import latin_words

MAX_PHRASE_WORDS = 6


@dataclass(frozen=True)
class Expansion:
    query: str  # the query text it stands for
    target: str  # the equivalent searched for
    lang: str  # language of the target: "zh" or "en"
    source: str  # glossary | learned | variant
    weight: float

    def describe(self) -> dict:
        return {"query": self.query, "via": self.target, "lang": self.lang, "source": self.source}


def english_key(text: str) -> str:
    # ASCII folds to its lower case (NFKC and script conversion leave it as it is): skip the folding pipeline,
    # which a long query of English words would otherwise run for every run of words it looks up.
    return " ".join(latin_words(text.lower() if text.isascii() else fold(text).text))


def stem_key(text: str) -> str:
    from jiaokan.search.analysis import english_term

    return " ".join(english_term(w) for w in english_key(text).split())


def chinese_key(text: str) -> str:
    return "".join(fold(text).text.split())


def lookup(index: CorpusIndex, text: str) -> list[Expansion]:
    """Equivalents of one query term (a word, a phrase or a Chinese string), best sources first. The term is folded
    before it is looked up, as it is before it is searched: ＮＡＴＯ gets NATO's equivalents, 北約 北约's, and Taiwan
    vocabulary its mainland reading's as well (人工智慧 those of 人工智能)."""
    table = index.translations
    out: list[Expansion] = []
    # ASCII folds to its lower case: skip the pipeline (a long query of English words looks up every run of them).
    folded = text.lower() if text.isascii() else fold(text).text
    if folded.isascii():
        # The form typed, then other forms of the same words ("cooperation" also meets "cooperative").
        entries = list(table["en"].get(english_key(folded), []))
        entries += [e for e in table.get("en_stem", {}).get(stem_key(folded), []) if e not in entries]
    else:
        entries = list(table["zh"].get(chinese_key(folded), []))
        regional = regional_reading(text)
        if regional is not None:
            entries += [e for e in table["zh"].get(chinese_key(regional), []) if e not in entries]
    for e in entries:
        lang = "en" if "en" in e else "zh"
        out.append(Expansion(text, e[lang], lang, e["source"], e["weight"]))
    out.sort(key=lambda x: -x.weight)
    return out


def english_spans(index: CorpusIndex, words: list[str]) -> list[tuple[int, int, list[Expansion]]]:
    """Longest runs of two or more consecutive English words that the table knows as one term ("climate change"),
    left to right: (first, end, expansions)."""
    spans = []
    i = 0
    while i < len(words):
        found = None
        for j in range(min(len(words), i + MAX_PHRASE_WORDS), i + 1, -1):
            expansions = lookup(index, " ".join(words[i:j]))
            if expansions:
                found = (i, j, expansions)
                break
        if found:
            spans.append(found)
            i = found[1]
        else:
            i += 1
    return spans
