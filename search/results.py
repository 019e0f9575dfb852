"""What search/ answers, as types: a search page and its hits, a paragraph page, a passage page, a comparison, a
concordance line. Front ends read the attributes; `to_json` (search/records.py) turns any of them into the JSON the
API returns, and web/openapi.py describes them from these definitions.

Paragraph and passage records inside them are the stored records (search/records.py) as the index holds them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jiaokan.search.records import OMIT_IF_NONE

Spans = list[list[int]]  # [start, end) code-point offsets into a text


@dataclass
class AlsoIn:
    """Another version of the hit's passage that matches too."""

    id: str
    version: str
    lang: str
    note: str  # how its wording differs from the hit's ("same wording", "a → b", "English translation")
    highlights: Spans
    snippet: str
    differences: list[dict]
    match: str  # exact | words | translation, as Hit.match


@dataclass
class OtherVersion:
    """A version of the hit's passage that does not match: what it says where the hit matched."""

    id: str
    version: str
    lang: str
    note: str
    wording: list[str]
    text: str
    differences: list[dict]


@dataclass
class Hit:
    id: str
    version: str
    statement: str
    seq: int
    section: str
    kind: str
    lang: str
    passage: str | None
    text: str
    score: float
    highlights: Spans
    snippet: str  # HTML: escaped text with <mark> around matches, … where cut
    via: list[str] = field(default_factory=list)  # equivalents of query terms the hit was found through
    # exact: every clause as typed (after folding); words: some only by its words (apart, another form, not together
    # as typed); translation: some only through an equivalent (see via).
    match: str = "exact"
    # The [start, end) ranges of the text the snippet shows (whole sentences), and how many highlights fall outside
    # them: front ends render the ranges (web/ as HTML, the CLI as terminal text) and link to the paragraph for more.
    snippet_ranges: Spans = field(default_factory=list)
    snippet_more: int = 0
    # With aligned: the passage's paragraph in the other language, the query and its translations marked.
    aligned: "Aligned | None" = field(default=None, metadata=OMIT_IF_NONE)
    # With collapse only:
    also_in: list[AlsoIn] | None = field(default=None, metadata=OMIT_IF_NONE)
    other_versions: list[OtherVersion] | None = field(default=None, metadata=OMIT_IF_NONE)
    lacking: dict[str, str] | None = field(default=None, metadata=OMIT_IF_NONE)  # version -> why it lacks it


@dataclass
class Aligned:
    """The same passage in the other language, beside a hit (an English hit's Chinese, a Chinese hit's English)."""

    id: str
    version: str
    lang: str
    text: str
    highlights: Spans  # the query's terms and their translations, as in hits
    snippet_ranges: Spans


@dataclass
class ClauseReading:
    text: str
    kind: str  # word | string | phrase | prefix
    reads_as: str  # what folding made of it, case kept, for showing (ＮＡＴＯ -> NATO, 人工智慧 -> 人工智能)
    folded: str
    words: list[str]
    alternatives: list[str]
    negated: bool


@dataclass
class ExpansionUsed:
    query: str  # the query term
    via: str  # the equivalent searched
    lang: str
    source: str  # glossary | learned | variant | dictionary


@dataclass
class Filters:
    version: list[str]
    lang: str | None
    section: str | None


@dataclass
class RepairMade:
    """One thing the parser mended in what was typed (search/query_parser.py)."""

    action: str  # dropped | closed
    token: str
    why: str


@dataclass
class Understood:
    clauses: list[ClauseReading]
    expansions: list[ExpansionUsed]
    filters: Filters
    repairs: list[RepairMade]  # empty with repair off (the query read exactly as typed)


@dataclass
class ByMatch:
    """Matching paragraphs by how they match (they add up to total_paragraphs)."""

    exact: int
    words: int
    translation: int


@dataclass
class Totals:
    """What matches, each counted as what it is."""

    occurrences: int  # exact occurrences (search/spans.exact_occurrences), as the concordance lists them
    paragraphs: int
    passages: int  # passages with a matching version (a paragraph outside any passage counts as one)


@dataclass
class Suggestion:
    """A query to try when one finds nothing: it runs as it is and finds `total` paragraphs."""

    query: str
    total: int
    why: str  # "without the filters", or "development for developmnet"
    filters: bool  # whether it keeps the search's filters


@dataclass
class SearchPage:
    query: str
    understood: Understood
    sort: str  # relevance | doc (version as catalogued, then paragraph order)
    totals: Totals
    total: int  # results: passages or paragraphs, as `counts` says
    counts: str  # passages | paragraphs
    total_paragraphs: int
    by_match: ByMatch
    match: str  # all | exact: what was asked for (match=exact returns only exact matches)
    page: int
    per_page: int
    pages: int
    hits: list[Hit]
    # version and lang: paragraphs per value; version_occurrences: occurrences per version (values with none left out)
    facets: dict[str, dict[str, int]]
    took_ms: float
    suggestions: list[Suggestion] | None = field(default=None, metadata=OMIT_IF_NONE)  # only when nothing matched


@dataclass
class ParagraphPage:
    paragraph: dict  # the stored record, with `highlights` and `marked` HTML
    before: list[dict]
    after: list[dict]
    version: dict | None  # the version's catalog entry
    query: str | None


@dataclass
class PassageVersion:
    version: str
    paragraph: dict
    note: str  # "reference", the wording differences in one line, or "English translation"
    differences: list[dict]  # from the reference (empty for the reference and for a translation)
    marked: str | None  # HTML: the text with this version's differing wording in <mark>


@dataclass
class PassagePage:
    passage: dict
    statement: dict | None
    reference: str  # the paragraph the others are measured against
    versions: list[PassageVersion]
    lacking: dict[str, str]
    previous: str | None
    next: str | None


@dataclass
class Differing:
    passage: str
    a: dict
    b: dict
    differences: list[dict]


@dataclass
class OnlyIn:
    passage: str
    paragraph: str
    why_missing: str | None


@dataclass
class Comparison:
    statement: str
    a: str
    b: str
    same: int  # passages worded the same
    differing: list[Differing]
    only_in_a: list[OnlyIn]
    only_in_b: list[OnlyIn]
    different_languages: list[dict]  # {passage, <a>: paragraph id, <b>: paragraph id}


@dataclass
class ConcordanceLine:
    """One occurrence of what a query matched exactly, with its context (for a concordance)."""

    paragraph: str
    version: str
    section: str
    start: int  # [start, end) of the match in the paragraph's text
    end: int
    left: str
    match: str
    right: str
    via: str | None = None  # the equivalent it was found through, if a translation
