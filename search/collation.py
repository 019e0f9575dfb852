"""Reading the collation: one passage across every version, and two versions compared passage by passage.

The alignment itself is computed by the indexer (indexer/collation.py) and stored with the index; these functions
add the wording differences (search/wording.py), measured against the statement's reference version.
"""
from __future__ import annotations

from jiaokan.search.errors import BadQuery, NotFound
from jiaokan.search.highlight import marked_html
from jiaokan.search.index import CorpusIndex
from jiaokan.search.records import passage_id
from jiaokan.search.results import Comparison, Differing, OnlyIn, PassagePage, PassageVersion
from jiaokan.search.wording import differences, summary


def get_passage(index: CorpusIndex, pid: str) -> PassagePage:
    """Every version of a passage side by side: each Chinese version with its differences from the reference
    (the first version that has the passage, in catalog order), English versions as translations."""
    passage = index.passages.get(pid)
    if passage is None:
        raise NotFound(f"no passage with id {pid!r}")
    members = [(v, _paragraph(index, member)) for v, member in passage["members"].items()]
    reference = next((p for _, p in members if p["lang"] == "zh"), members[0][1])
    versions = []
    for version, p in members:
        if p["lang"] == reference["lang"] and p is not reference:
            diffs = list(differences(reference["text"], p["text"]))
            marked = marked_html(p["text"], [d["b_span"] for d in diffs if d["b_span"][1] > d["b_span"][0]])
            versions.append(PassageVersion(version, p, summary(diffs), diffs, marked))
        elif p is reference:
            versions.append(PassageVersion(version, p, "reference", [], None))
        else:
            # A translation is not diffed against the Chinese.
            note = "English translation" if p["lang"] == "en" else "Chinese text"
            versions.append(PassageVersion(version, p, note, [], None))
    statement = next((s for s in index.catalog["statements"] if s["id"] == passage["statement"]), None)
    return PassagePage(
        passage=passage,
        statement=statement,
        reference=reference["id"],
        versions=versions,
        lacking=passage["lacks"],
        previous=_neighbour(index, passage, -1),
        next=_neighbour(index, passage, +1),
    )


def compare(index: CorpusIndex, a: str, b: str, statement: str | None = None) -> Comparison:
    """Every passage whose wording differs between versions `a` and `b` (Chinese with Chinese), with the
    differences, and the passages only one of them has."""
    versions = index.meta["versions"]
    if a == b:
        raise BadQuery(f"pick two different versions to compare (both are {a!r})")
    for v in (a, b):
        if v not in versions:
            raise BadQuery(f"unknown version {v!r}: versions are {', '.join(versions)}")
    statements = {p["statement"] for p in index.paragraphs if p["version"] in (a, b)}
    if statement is None:
        if len(statements) != 1:
            raise BadQuery(f"versions {a!r} and {b!r} carry different statements; they cannot be compared")
        statement = statements.pop()
    elif statement not in statements:
        raise BadQuery(f"statement {statement!r} is not carried by {a!r} and {b!r}")
    differing, only_a, only_b, translated = [], [], [], []
    same = 0
    for passage in index.passages.values():
        if passage["statement"] != statement:
            continue
        pa, pb = passage["members"].get(a), passage["members"].get(b)
        if pa and not pb:
            only_a.append(OnlyIn(passage["id"], pa, passage["lacks"].get(b)))
        elif pb and not pa:
            only_b.append(OnlyIn(passage["id"], pb, passage["lacks"].get(a)))
        elif pa and pb:
            ta, tb = _paragraph(index, pa), _paragraph(index, pb)
            if ta["lang"] != tb["lang"]:
                translated.append({"passage": passage["id"], a: pa, b: pb})
                continue
            diffs = list(differences(ta["text"], tb["text"]))
            if diffs:
                differing.append(Differing(passage["id"], ta, tb, diffs))
            else:
                same += 1
    if not (differing or only_a or only_b or translated or same):
        raise BadQuery(f"versions {a!r} and {b!r} share no passages")
    return Comparison(statement, a, b, same, differing, only_a, only_b, translated)


def _paragraph(index: CorpusIndex, paragraph_id: str) -> dict:
    return index.paragraphs[index.paragraph_index[paragraph_id]]


def _neighbour(index: CorpusIndex, passage: dict, step: int) -> str | None:
    candidate = passage_id(passage["statement"], passage["seq"] + step)
    return candidate if candidate in index.passages else None
