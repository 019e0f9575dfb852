"""The bilingual glossary (corpus/glossary.toml) checked against the real corpus.

The glossary is the data cross-language search trusts most (issue 6), so every entry must be true of these texts:
its Chinese forms occur in them, no Chinese form is claimed by two entries, and its English forms are the ones the
Xinhua English paragraphs actually use where they translate the term.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter

import pytest

from jiaokan.search.folding import fold

KINDS = {"organisation", "treaty", "programme", "place", "person", "title", "event", "concept"}
FIELDS = {"zh", "en", "kind", "note"}
MIN_ENTRIES = 300
# Measured: 194 of 198 term-passage pairs (0.980); the threshold sits just below.
MIN_TRANSLATION_RATE = 0.975


@pytest.fixture(scope="module")
def terms(corpus_dir) -> list[dict]:
    with open(corpus_dir / "glossary.toml", "rb") as f:
        data = tomllib.load(f)
    assert set(data) == {"term"}, f"only [[term]] tables belong in the glossary, found {sorted(data)}"
    return data["term"]


@pytest.fixture(scope="module")
def folded_zh(corpus_index) -> list[str]:
    return [fold(p["text"]).text for p in corpus_index.paragraphs if p["lang"] == "zh"]


def folded(form: str) -> str:
    return fold(form).text


def test_every_entry_has_zh_en_and_a_known_kind(terms):
    problems = []
    for n, term in enumerate(terms, 1):
        where = f"entry {n} {term.get('zh')}"
        if set(term) - FIELDS or not {"zh", "en", "kind"} <= set(term):
            problems.append(f"{where}: fields {sorted(term)}, expected zh, en, kind and optionally note")
            continue
        for field in ("zh", "en"):
            forms = term[field]
            if not (isinstance(forms, list) and forms and all(isinstance(f, str) and f.strip() == f and f for f in forms)):
                problems.append(f"{where}: {field} must be a non-empty list of non-empty strings without outer spaces")
            elif len({f.lower() for f in forms}) != len(forms):
                problems.append(f"{where}: {field} repeats a form")
        if term["kind"] not in KINDS:
            problems.append(f"{where}: kind {term['kind']!r} is not one of {sorted(KINDS)}")
        if "note" in term and not isinstance(term["note"], str):
            problems.append(f"{where}: note must be a string")
        if any(re.search(r"[\u4e00-\u9fff]", f) for f in term["en"] if isinstance(f, str)):
            problems.append(f"{where}: an en form holds Chinese characters")
    assert not problems, "\n".join(problems)


def test_the_glossary_has_several_hundred_entries(terms):
    counts = Counter(t["kind"] for t in terms)
    assert len(terms) >= MIN_ENTRIES, f"{len(terms)} entries: {dict(counts)}"
    assert set(counts) == KINDS, f"every kind is used: {dict(counts)}"


def test_every_chinese_form_occurs_in_the_corpus(terms, folded_zh):
    missing = [f for t in terms for f in t["zh"] if not any(folded(f) in text for text in folded_zh)]
    assert not missing, f"Chinese forms found in no paragraph of the corpus: {missing}"


def test_no_chinese_form_belongs_to_two_entries(terms):
    owners: dict[str, list[str]] = {}
    for t in terms:
        for f in t["zh"]:
            owners.setdefault(folded(f), []).append(t["zh"][0])
    repeated = {f: heads for f, heads in owners.items() if len(heads) > 1}
    assert not repeated, f"Chinese forms in more than one entry (or twice in one): {repeated}"


def _terms_in(text: str, forms: list[tuple[str, int]]) -> set[int]:
    """The entries with a form in `text` that is not just part of a longer form of another entry there."""
    spans = [(m.start(), m.end(), i) for form, i in forms for m in re.finditer(re.escape(form), text)]
    found = set()
    for start, end, i in spans:
        inside_longer = any(
            s <= start and end <= e and e - s > end - start and j != i for s, e, j in spans
        )
        if not inside_longer:
            found.add(i)
    return found


def _says(english: str, forms: list[str]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", english, re.IGNORECASE) for f in forms)


def test_english_forms_are_what_the_xinhua_english_says(terms, corpus_index):
    """For each passage that Xinhua gives in English, every glossary term in its Chinese paragraphs (un and the
    news-site parts) should appear in the English paragraph through one of its English forms."""
    english = {p["passage"]: p["text"] for p in corpus_index.paragraphs if p["lang"] == "en" and p["passage"]}
    chinese: dict[str, list[str]] = {}
    for p in corpus_index.paragraphs:
        if p["lang"] == "zh" and p["passage"] in english:
            chinese.setdefault(p["passage"], []).append(fold(p["text"]).text)
    assert len(english) >= 27 and len(chinese) >= 27

    forms = [(folded(f), i) for i, t in enumerate(terms) for f in t["zh"]]
    pairs = hits = 0
    misses = []
    for passage in sorted(chinese):
        found = set().union(*(_terms_in(text, forms) for text in chinese[passage]))
        for i in sorted(found):
            pairs += 1
            if _says(english[passage], terms[i]["en"]):
                hits += 1
            else:
                misses.append(f"{passage}: {terms[i]['zh'][0]} {terms[i]['en']}")
    rate = hits / pairs
    assert pairs >= 150, f"only {pairs} term-passage pairs to check"
    assert rate >= MIN_TRANSLATION_RATE, (
        f"{hits} of {pairs} glossary terms ({rate:.3f}) appear in the Xinhua English of their passage; misses:\n"
        + "\n".join(misses)
    )
