"""Cut each published version into the paragraphs a reader sees, as Paragraph records.

Every format has its own reader that drops the publisher's furniture and returns the version's paragraphs in
order; the shared steps then label titles, section headings, closing lines and sections, and join body
paragraphs that a page break split (see join_broken_paragraphs). The rules themselves live in indexer/cleaning.py.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from jiaokan.indexer import cleaning
from jiaokan.indexer.catalog import Catalog, Version, read_version_text
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.records import Paragraph

COVER_LETTER = "cover letter"
PREAMBLE = "preamble"


@dataclass
class Draft:
    """A paragraph before it gets its id, sequence number and language."""

    text: str
    kind: str  # title | heading | body | closing
    section: str


def read_paragraphs(version: Version) -> list[Paragraph]:
    """The paragraphs of one version, in reading order, furniture removed and page breaks joined back."""
    try:
        reader = _READERS[version.format]
    except KeyError:
        raise CorpusError(f"version {version.id!r}: no paragraph reader for format {version.format!r}") from None
    drafts = join_broken_paragraphs(reader(read_version_text(version), version))
    if not drafts:
        raise CorpusError(f"{version.path}: no paragraphs found in version {version.id!r}")
    return [_record(version, seq, draft) for seq, draft in enumerate(drafts, start=1)]


def corpus_paragraphs(catalog: Catalog) -> list[Paragraph]:
    """All paragraphs of all versions, in catalog order."""
    return [p for version in catalog.versions.values() for p in read_paragraphs(version)]


def _record(version: Version, seq: int, draft: Draft) -> Paragraph:
    return Paragraph(
        id=f"{version.id}-{seq:03d}",
        version=version.id,
        statement=version.statement,
        seq=seq,
        section=draft.section,
        kind=draft.kind,
        lang=cleaning.detect_lang(draft.text),
        text=draft.text,
    )


# --- shared steps ----------------------------------------------------------------------------------------------


def join_broken_paragraphs(drafts: list[Draft]) -> list[Draft]:
    """Join a body paragraph that stops without sentence-final punctuation to the body paragraph after it.

    A page break in the source left such a paragraph open mid-sentence (sometimes mid-word). Titles, headings
    and closing lines have no final punctuation either but are complete, so only body joins body, and never
    across a section boundary. A paragraph with no successor (the 2017 preview's "…双方") stays as it is.
    """
    joined: list[Draft] = []
    for draft in drafts:
        previous = joined[-1] if joined else None
        if previous is not None and _continues_into(previous, draft):
            previous.text = cleaning.join_pieces(previous.text, draft.text)
        else:
            joined.append(Draft(draft.text, draft.kind, draft.section))
    return joined


def _continues_into(previous: Draft, draft: Draft) -> bool:
    return (
        previous.kind == "body"
        and draft.kind == "body"
        and previous.section == draft.section
        and not cleaning.ends_sentence(previous.text)
    )


def statement_drafts(texts: list[str], version: Version, *, numbered_points: bool = False) -> list[Draft]:
    """Label a statement's paragraphs: the first is the title, numeral lines are section headings, the closing
    date line is the closing, everything else is body in the current section.

    numbered_points: sections start at a numeral inside a paragraph ("一、…", as in the 2017 statement).
    """
    section = _opening_section(texts, version)
    drafts: list[Draft] = []
    for index, text in enumerate(texts):
        if index == 0:
            drafts.append(Draft(text, "title", PREAMBLE))
        elif numeral := cleaning.heading_numeral(text):
            section = numeral
            drafts.append(Draft(text, "heading", section))
        elif cleaning.is_date_line(text):
            drafts.append(Draft(text, "closing", section))
        else:
            if numbered_points and (numeral := cleaning.point_numeral(text, section)):
                section = numeral
            drafts.append(Draft(text, "body", section))
    return drafts


def _opening_section(texts: list[str], version: Version) -> str:
    """The section of the paragraphs before the first numeral: the preamble, except in a version that covers
    only a later part of the statement (coverage "part"), which opens inside the section before its first
    heading (chinanews-2 opens in 二 and shows 三 first)."""
    if version.coverage != "part":
        return PREAMBLE
    for text in texts[1:]:
        if numeral := cleaning.heading_numeral(text):
            return cleaning.previous_numeral(numeral) or PREAMBLE
    return PREAMBLE


def _block_texts(text: str) -> list[str]:
    """Each blank-line-separated block as one paragraph, its hard-broken lines joined back."""
    return [cleaning.join_lines(block) for block in cleaning.blocks(text)]


# --- un-pdf ----------------------------------------------------------------------------------------------------


def read_un_pdf(text: str, version: Version) -> list[Draft]:
    """UN document: cover page (dropped), the cover letter up to the annex heading, then the statement."""
    texts = [t for t in _block_texts(text) if not cleaning.matches_any(t, cleaning.UN_FURNITURE)]
    # The cover page (organs, session, symbol, agenda items and their titles) runs up to the letter's title.
    letter_start = _first_index(texts, lambda t: t.endswith("的信"), version, "the cover letter's title (…的信)")
    annex = _first_index(texts, lambda t: t.endswith("的附件"), version, "the annex heading (…的附件)")
    if annex < letter_start:
        raise CorpusError(f"{version.path}: the annex heading comes before the cover letter in version {version.id!r}")
    letter = [_cover_letter_draft(t, i == 0) for i, t in enumerate(texts[letter_start : annex + 1])]
    return letter + statement_drafts(texts[annex + 1 :], version)


def _cover_letter_draft(text: str, is_title: bool) -> Draft:
    if is_title or text.endswith("的附件"):
        kind = "heading"
    elif text.endswith(("常驻代表", "(签名)", "（签名）")):
        kind = "closing"  # signature lines: the representative's office and the signed name
    else:
        kind = "body"
    return Draft(text, kind, COVER_LETTER)


def _first_index(texts: list[str], test: Callable[[str], bool], version: Version, what: str) -> int:
    for index, text in enumerate(texts):
        if test(text):
            return index
    raise CorpusError(f"{version.path}: {what} not found in version {version.id!r} (format un-pdf)")


# --- xinhua-wire -----------------------------------------------------------------------------------------------


def read_xinhua_wire(text: str, version: Version) -> list[Draft]:
    """Wire text: a paragraph starts with two spaces; an unindented line continues the paragraph above it
    (English paragraphs put each sentence on its own line), except the first (the title) and the closing date."""
    paragraphs: list[str] = []
    for line in text.splitlines():
        if not line.strip() or cleaning.WIRE_DATELINE.match(line.strip()):
            continue
        if line.startswith("  ") or not paragraphs or cleaning.is_date_line(line):
            paragraphs.append(line.strip())
        else:
            paragraphs[-1] = cleaning.join_pieces(paragraphs[-1], line.strip())
    return statement_drafts(paragraphs, version)


# --- news-site -------------------------------------------------------------------------------------------------


def read_news_site(text: str, version: Version) -> list[Draft]:
    """News-site text: one paragraph per block; the end mark, site name and teaser lines are dropped."""
    texts = [t for t in _block_texts(text) if t not in cleaning.NEWS_SITE_FURNITURE]
    return statement_drafts(texts, version)


# --- markdown-preview ------------------------------------------------------------------------------------------


def read_markdown_preview(text: str, version: Version) -> list[Draft]:
    """Markdown preview: everything from the '预览已结束' notice on is the site's; the level-1 page headline and
    the timestamp are furniture; markup is stripped, keeping the level-2 heading's words as the title."""
    texts: list[str] = []
    for block in _block_texts(text):
        if cleaning.PREVIEW_END.match(block):
            break
        if cleaning.PREVIEW_HEADLINE.match(block) or cleaning.PREVIEW_TIMESTAMP.match(block):
            continue
        texts.append(cleaning.strip_markdown(block).strip())
    return statement_drafts(texts, version, numbered_points=True)


_READERS: dict[str, Callable[[str, Version], list[Draft]]] = {
    "un-pdf": read_un_pdf,
    "xinhua-wire": read_xinhua_wire,
    "news-site": read_news_site,
    "markdown-preview": read_markdown_preview,
}
