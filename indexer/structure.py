"""From a version's blocks to labelled paragraphs: where the text starts and stops, the front part (a cover
letter), the title, headings and the sections they open, closing lines, and paragraphs a page break split.

A section is opened by a heading (or, with the `points` rule, by a numbered point inside a body paragraph) and
closed by the next heading of the same or a higher level. A paragraph records its section as the labels of the
open sections, outermost first ("三", "第二章 / 第一节", "Scope / 1.2"), and its heading path as the open headings'
texts. Which numbering opens a section is the version's `sections` rule (see the catalog header).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from jiaokan.indexer import cleaning
from jiaokan.indexer.catalog import Rules, Version
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.readers import Block

PREAMBLE = "preamble"
NUMERAL_LEVEL = 1  # a numeral line outside markup headings opens a top-level section
POINT_LEVEL = 9  # a numbered point sits below every heading


@dataclass
class Draft:
    """A paragraph before it gets its id, sequence number and language."""

    text: str
    kind: str  # title | heading | body | closing
    section: str
    headings: list[str] = field(default_factory=list)  # the heading path it sits under, outermost first


@dataclass
class _Open:
    level: int
    text: str  # what the heading path shows
    label: str | None  # what the section shows; None: a heading that opens no section


def structure(blocks: list[Block], version: Version) -> list[Draft]:
    rules = version.rules
    blocks = _between_start_and_stop(blocks, version)
    drafts: list[Draft] = []
    if rules.front is not None:
        front, blocks = _split_front(blocks, version)
        drafts += _front_drafts(front, rules)
    drafts += _document_drafts(blocks, version)
    return join_broken_paragraphs(drafts) if rules.join_breaks else drafts


def _between_start_and_stop(blocks: list[Block], version: Version) -> list[Block]:
    rules = version.rules
    if rules.start_at is not None:
        for i, block in enumerate(blocks):
            if rules.start_at.search(block.text):
                blocks = blocks[i:]
                break
        else:
            raise CorpusError(
                f"{version.path}: version {version.id!r}: no paragraph matches start_at {rules.start_at.pattern!r}"
            )
    if rules.stop_at is not None:
        for i, block in enumerate(blocks):
            if rules.stop_at.search(block.text):
                return blocks[:i]
    return blocks


def _split_front(blocks: list[Block], version: Version) -> tuple[list[Block], list[Block]]:
    front = version.rules.front
    for i, block in enumerate(blocks):
        if front.until.search(block.text):
            return blocks[: i + 1], blocks[i + 1 :]
    raise CorpusError(
        f"{version.path}: version {version.id!r}: the front part ({front.section}) never ends: "
        f"no paragraph matches front.until {front.until.pattern!r}"
    )


def _front_drafts(blocks: list[Block], rules: Rules) -> list[Draft]:
    """The front part's first paragraph and its last (the one `until` matched) are its headings; `closing_matching`
    lines (signatures) are closings; the rest is body, all in the front's own section."""
    name = rules.front.section
    drafts = []
    for i, block in enumerate(blocks):
        if i == 0 or i == len(blocks) - 1:
            kind = "heading"
        elif _is_closing(block.text, rules):
            kind = "closing"
        else:
            kind = "body"
        drafts.append(Draft(block.text, kind, name, [name]))
    return drafts


def _document_drafts(blocks: list[Block], version: Version) -> list[Draft]:
    rules = version.rules
    title_index = _title_index(blocks, rules)
    stack: list[_Open] = []
    if opening := _opening_section(blocks, version):
        stack.append(_Open(NUMERAL_LEVEL, opening, opening))
    drafts: list[Draft] = []
    for i, block in enumerate(blocks):
        text = block.text
        if i == title_index:
            drafts.append(Draft(text, "title", PREAMBLE))
            continue
        if i == 0 and _is_document_heading(blocks, rules):
            stack = [_Open(block.heading, text, None)]
            drafts.append(Draft(text, "heading", _section(stack), _path(stack)))
            continue
        opened = _heading(block, rules)
        if opened is not None:
            level, label = opened
            _push(stack, _Open(level, text, label))
            drafts.append(Draft(text, "heading", _section(stack), _path(stack)))
        elif any(p.search(text) for p in rules.heading_matching):
            drafts.append(Draft(text, "heading", _section(stack), _path(stack)))
        elif _is_closing(text, rules):
            drafts.append(Draft(text, "closing", _section(stack), _path(stack)))
        else:
            if point := _point(text, stack, rules):
                _push(stack, _Open(POINT_LEVEL, point, point))
            drafts.append(Draft(text, "body", _section(stack), _path(stack)))
    return drafts


def _title_index(blocks: list[Block], rules: Rules) -> int | None:
    if rules.title == "first-block":
        return 0 if blocks else None
    if rules.title == "first-heading":
        return next((i for i, b in enumerate(blocks) if b.heading), None)
    return None


def _is_document_heading(blocks: list[Block], rules: Rules) -> bool:
    """With title = "none", a first block that is the document's only heading of its top level ("# 立法法") is the
    document's own heading: a heading paragraph at the top of the heading path that opens no section."""
    if rules.title != "none" or not blocks or not blocks[0].heading:
        return False
    levels = [b.heading for b in blocks if b.heading]
    return blocks[0].heading == min(levels) and levels.count(min(levels)) == 1


def _heading(block: Block, rules: Rules) -> tuple[int, str | None] | None:
    """(level, section label) when the block is a heading, else None. A label of None opens no section."""
    text, sections = block.text, rules.sections
    if text.strip() in rules.heading_aliases:
        return block.heading or NUMERAL_LEVEL, rules.heading_aliases[text.strip()]
    if "numerals" in sections and (numeral := cleaning.numeral_line(text)):
        return block.heading or NUMERAL_LEVEL, numeral
    if "english-numerals" in sections and (numeral := cleaning.english_numeral_line(text)):
        return block.heading or NUMERAL_LEVEL, numeral
    if "chapters" in sections and (found := cleaning.chapter(text)):
        label, level = found
        return block.heading or level, label
    if "numbered-headings" in sections and not block.heading and (number := cleaning.numbered_heading(text)):
        return _number_level(number), number
    if block.heading:
        if "headings" in sections:
            return block.heading, cleaning.heading_number(text) or text
        return block.heading, None
    return None


def _number_level(number: str) -> int:
    """一 and 1 are top-level numbers, 1.2 one below."""
    return NUMERAL_LEVEL + number.count(".")


def _point(text: str, stack: list[_Open], rules: Rules) -> str | None:
    if "points" in rules.sections and (numeral := cleaning.point_numeral(text)):
        return numeral
    current = stack[-1].label if stack else None
    if "list-points" in rules.sections and cleaning.is_list_number(text) and current and cleaning.cn_to_int(current):
        return cleaning.next_numeral(current)  # "1." after point 九 stands for 十 (a list-numbering artefact)
    return None


def _is_closing(text: str, rules: Rules) -> bool:
    return cleaning.is_date_line(text) or any(p.search(text) for p in rules.closing_matching)


def _push(stack: list[_Open], opened: _Open) -> None:
    while stack and stack[-1].level >= opened.level:
        stack.pop()
    stack.append(opened)


def _section(stack: list[_Open]) -> str:
    return " / ".join(o.label for o in stack if o.label) or PREAMBLE


def _path(stack: list[_Open]) -> list[str]:
    return [o.text for o in stack]


def _opening_section(blocks: list[Block], version: Version) -> str | None:
    """A version that covers only a later part of the statement (coverage "part") opens inside the section before
    its first numbered heading (chinanews-2 opens in 二 and shows 三 first); any other version in the preamble."""
    if version.coverage != "part":
        return None
    for block in blocks[1:]:
        opened = _heading(block, version.rules)
        if opened and opened[1] and cleaning.cn_to_int(opened[1]):
            return cleaning.previous_numeral(opened[1])
    return None


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
            joined.append(Draft(draft.text, draft.kind, draft.section, list(draft.headings)))
    return joined


def _continues_into(previous: Draft, draft: Draft) -> bool:
    return (
        previous.kind == "body"
        and draft.kind == "body"
        and previous.section == draft.section
        and not cleaning.ends_sentence(previous.text)
    )
