"""The sample test of issue 3: 1,000 strings that occur in the indexed paragraphs, each searched as a user would.

The sample is fixed (random.Random(3)): Chinese runs of 1 to 8 characters cut from the paragraphs' Han runs, English
words, and pairs of adjacent English words. For each string s, `search(index, s)` (every page) must
  1. return every paragraph containing s (Chinese: substring of the folded text; English: whole words, any case);
  2. rank the paragraphs containing s above the hits that do not contain it (words apart, other word forms);
  3. in each paragraph containing s, cover every occurrence of s with its highlights (for an English pair, every
     letter of both words; stemming may mark more, which is not checked here).
All failures are collected and reported together, grouped by what failed.
"""
from __future__ import annotations

import random
import re
import time

import pytest

from jiaokan.search.folding import HAN, fold
from as_written import search

SAMPLE_SIZE = 1000
SEED = 3
_HAN_RUN = re.compile(rf"[{HAN}]+")
# Units as search/analysis.py reads Latin text; only the all-ASCII-letter ones are sampled as English words.
_LATIN_UNIT = re.compile(rf"[^\W_{HAN}]+(?:['’][^\W_{HAN}]+)*")
_NOT_LATIN = rf"[^\W_{HAN}]"  # a letter or digit that is not Han: what may not touch a whole English word


def build_sample(paragraphs: list[dict]) -> list[tuple[str, str]]:
    """[(kind, string)]: kind is "zh", "word" or "pair"."""
    rng = random.Random(SEED)
    han_runs = [run for p in paragraphs for run in _HAN_RUN.findall(p["text"])]
    words: list[str] = []
    pairs: list[str] = []
    for p in paragraphs:
        text = p["text"]
        units = list(_LATIN_UNIT.finditer(text))
        for i, m in enumerate(units):
            w = m.group()
            if not (w.isascii() and w.isalpha()):
                continue
            words.append(w)
            if i + 1 < len(units):
                n = units[i + 1]
                gap = text[m.end() : n.start()]
                if gap and gap.isspace() and n.group().isascii() and n.group().isalpha():
                    pairs.append(f"{w} {n.group()}")
    sample = []
    for _ in range(SAMPLE_SIZE):
        kind = rng.choices(["zh", "word", "pair"], weights=[6, 2, 2])[0]
        if kind == "zh":
            run = rng.choice(han_runs)
            length = rng.randint(1, min(8, len(run)))
            start = rng.randrange(len(run) - length + 1)
            sample.append(("zh", run[start : start + length]))
        elif kind == "word":
            sample.append(("word", rng.choice(words)))
        else:
            sample.append(("pair", rng.choice(pairs)))
    return sample


def occurrences(kind: str, s: str, folded_text: str) -> list[tuple[int, int]]:
    """[start, end) in the folded text of every occurrence of s."""
    needle = fold(s).text
    if kind == "zh":
        found, i = [], folded_text.find(needle)
        while i >= 0:
            found.append((i, i + len(needle)))
            i = folded_text.find(needle, i + 1)
        return found
    body = r"\s+".join(re.escape(w) for w in needle.split())
    pattern = re.compile(rf"(?<!{_NOT_LATIN}){body}(?!{_NOT_LATIN})", re.IGNORECASE)
    return [m.span() for m in pattern.finditer(folded_text)]


def all_hits(index, query: str, **kwargs) -> list[dict]:
    first = search(index, query, per_page=100, **kwargs)
    hits = list(first["hits"])
    for page in range(2, first["pages"] + 1):
        hits += search(index, query, per_page=100, page=page, **kwargs)["hits"]
    return hits


# Issue 3's search, and the same with issue 6's cross-language matching (the default since): hits through a
# translation rank a tier below, so the three checks hold either way.
@pytest.mark.parametrize("translate", [False, True], ids=["as-written", "with-translations"])
def test_sample_of_strings_in_the_corpus(corpus_index, translate):
    paragraphs = corpus_index.paragraphs
    folds = {p["id"]: fold(p["text"]) for p in paragraphs}
    sample = build_sample(paragraphs)
    assert len(sample) == SAMPLE_SIZE
    kinds = {k: sum(1 for kk, _ in sample if kk == k) for k in ("zh", "word", "pair")}
    assert all(kinds.values()), kinds

    failures: dict[str, list[str]] = {"missing": [], "order": [], "highlight": [], "error": []}
    started = time.perf_counter()
    for kind, s in sample:
        try:
            hits = all_hits(corpus_index, s, translate=translate)
        except Exception as e:  # noqa: BLE001 - collected and reported below
            failures["error"].append(f"{s!r}: {type(e).__name__}: {e}")
            continue
        where = {p["id"]: occurrences(kind, s, folds[p["id"]].text) for p in paragraphs}
        containing = {pid for pid, occ in where.items() if occ}
        assert containing, f"sample string {s!r} does not occur in the corpus (sampling bug)"
        returned = [h["id"] for h in hits]

        missing = containing - set(returned)
        if missing:
            failures["missing"].append(f"{kind} {s!r}: not returned: {sorted(missing)[:5]} ({len(missing)} in all)")

        flags = [pid in containing for pid in returned]
        if True in flags and False in flags and flags.index(False) < len(flags) - flags[::-1].index(True) - 1:
            first_without = flags.index(False)
            late = [pid for pid, f in zip(returned[first_without:], flags[first_without:]) if f]
            failures["order"].append(
                f"{kind} {s!r}: {returned[first_without]} (without it) ranks above {late[:3]} (with it)"
            )

        for h in hits:
            occ = where.get(h["id"]) or []
            folded = folds[h["id"]]
            for a, b in occ:
                start, end = folded.span(a, b)
                if kind == "pair":
                    ok = all(
                        any(s0 <= i < e0 for s0, e0 in h["highlights"])
                        for i in range(start, end)
                        if not h["text"][i].isspace()
                    )
                else:
                    ok = any(s0 <= start and end <= e0 for s0, e0 in h["highlights"])
                if not ok:
                    covered = [h["text"][s0:e0] for s0, e0 in h["highlights"]]
                    failures["highlight"].append(
                        f"{kind} {s!r}: occurrence {h['text'][start:end]!r} at {start} in {h['id']} not covered "
                        f"(highlights: {covered[:6]})"
                    )
                    break
    seconds = time.perf_counter() - started
    print(f"\nsample of {SAMPLE_SIZE} strings {kinds}, translate={translate}: {seconds:.1f} s")

    report = []
    for what, items in failures.items():
        if items:
            by_kind = {k: sum(1 for i in items if i.startswith(k + " ")) for k in ("zh", "word", "pair")}
            report.append(f"{what}: {len(items)} strings {by_kind}, e.g.\n    " + "\n    ".join(items[:8]))
    assert not report, "\n".join(report)


def test_sample_in_traditional_script_finds_the_same(corpus_index):
    """The Chinese strings of the sample written in Traditional script (OpenCC s2t, and s2twp with Taiwan
    vocabulary) find at least every paragraph the Simplified string finds: the query folds as the index does."""
    import opencc

    sample = [s for kind, s in build_sample(corpus_index.paragraphs) if kind == "zh"]
    failures = []
    for config in ("s2t", "s2twp"):
        converter = opencc.OpenCC(config)
        for s in sample:
            traditional = converter.convert(s)
            if traditional == s:
                continue
            simplified_ids = {h["id"] for h in all_hits(corpus_index, s)}
            traditional_ids = {h["id"] for h in all_hits(corpus_index, traditional)}
            if not simplified_ids <= traditional_ids:
                failures.append(
                    f"{config}: {traditional!r} (for {s!r}) misses {sorted(simplified_ids - traditional_ids)[:4]}"
                )
    assert not failures, f"{len(failures)} strings, e.g.\n    " + "\n    ".join(failures[:10])
