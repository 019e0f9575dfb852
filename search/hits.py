"""Hits: a ranked paragraph with its highlights and snippet, and, collated, the passage's other versions."""
from __future__ import annotations

from jiaokan.search.clauses import Clause
from jiaokan.search.highlight import hidden_spans, snippet, snippet_html, snippet_ranges
from jiaokan.search.index import CorpusIndex
from jiaokan.search.results import Aligned, AlsoIn, Hit, OtherVersion
from jiaokan.search.spans import highlight_spans, via_terms
from jiaokan.search.wording import differences, summary


def make_hit(
    index: CorpusIndex, docnum: int, score: float, match: str, clauses: list[Clause], expansion_clauses: list[Clause]
) -> Hit:
    stored = index.paragraphs[docnum]  # document numbers follow corpus order
    text = stored["text"]
    folded = index.engine.folded[docnum]
    spans = highlight_spans(text, clauses + expansion_clauses, folded)
    ranges = snippet_ranges(text, spans)
    return Hit(
        id=stored["id"],
        version=stored["version"],
        statement=stored["statement"],
        seq=stored["seq"],
        section=stored["section"],
        kind=stored["kind"],
        lang=stored["lang"],
        passage=stored.get("passage") or None,
        text=text,
        score=round(score, 4),
        highlights=spans,
        snippet=snippet_html(text, ranges, spans),
        via=via_terms(text, expansion_clauses, index, folded),
        match=match,
        snippet_ranges=ranges,
        snippet_more=hidden_spans(spans, ranges),
    )


def collate_hit(index: CorpusIndex, hit: Hit, holds, match_of, clauses: list[Clause]) -> Hit:
    """The hit with its passage's other versions that match ("also_in", each with its highlights and how its
    wording differs from the hit's), the wording of those that don't where the hit matched ("other_versions"), and
    the versions that lack the passage ("lacking"). `holds(docnum)`: whether that paragraph matches."""
    hit.also_in, hit.other_versions, hit.lacking = [], [], {}
    passage = index.passages.get(hit.passage or "")
    if not passage:
        return hit
    hit.lacking = passage["lacks"]
    for version, pid in passage["members"].items():
        if pid == hit.id:
            continue
        docnum = index.paragraph_index[pid]
        other = index.paragraphs[docnum]
        note, diffs = _wording_note(hit, other)
        if holds(docnum):
            spans = highlight_spans(other["text"], clauses, index.engine.folded[docnum])
            hit.also_in.append(
                AlsoIn(pid, version, other["lang"], note, spans, snippet(other["text"], spans), list(diffs),
                       match_of(docnum))
            )
        else:
            # Where the hit matched, what does this version say instead?
            near = [d for d in diffs if any(_overlaps(d["a_span"], s) for s in hit.highlights)]
            hit.other_versions.append(
                OtherVersion(pid, version, other["lang"], note, [d["b"] for d in near], other["text"], list(diffs))
            )
    return hit


def align_hit(index: CorpusIndex, hit: Hit, clauses: list[Clause]) -> Hit:
    """The hit with its passage's paragraph in the other language beside it ("aligned"): the first version in the
    passage that has one, the clauses (the query's terms and their translations) marked in it."""
    passage = index.passages.get(hit.passage or "")
    if not passage:
        return hit
    for pid in passage["members"].values():
        other = index.paragraphs[index.paragraph_index[pid]]
        if other["lang"] == hit.lang:
            continue
        text = other["text"]
        spans = highlight_spans(text, clauses, index.engine.folded[index.paragraph_index[pid]])
        hit.aligned = Aligned(other["id"], other["version"], other["lang"], text, spans, snippet_ranges(text, spans))
        break
    return hit


def _wording_note(hit: Hit, other: dict) -> tuple[str, tuple]:
    if hit.lang != other["lang"]:
        return ("English translation" if other["lang"] == "en" else "Chinese text"), ()
    diffs = differences(hit.text, other["text"])
    return summary(diffs), diffs


def _overlaps(a: list[int], b: list[int]) -> bool:
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] <= a[0] <= b[1])
