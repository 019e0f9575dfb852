"""Generic readers: cut a version's text into blocks (paragraphs and headings) by its format, with no knowledge of
any publisher. What is particular to one version (its furniture, where its text starts and stops, how it numbers
sections) is data in its catalog entry (indexer.catalog.Rules), applied here and in indexer/structure.py.

    text      paragraphs separated by blank lines, one per line (a text without blank lines between them), or
              (paragraphs = "indent") started by an indented line
    markdown  CommonMark (markdown-it-py): headings, paragraphs, list items, table rows; markup, HTML comments,
              front matter and images dropped
    html      a saved web page (Beautiful Soup, html.parser): the article element or the catalog's CSS selector;
              scripts, styles, navigation, headers, footers and forms dropped
    pdf-text  text extracted from a PDF: blank-line paragraphs, form feeds are page breaks, page numbers and
              running header and footer lines (short lines at the top or bottom of 3 or more pages) dropped
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from jiaokan.indexer import cleaning
from jiaokan.indexer.catalog import Rules, Version
from jiaokan.indexer.errors import CorpusError


@dataclass
class Block:
    text: str
    heading: int = 0  # the markup's heading level (1-6); 0 for anything that is not marked up as a heading


def read_blocks(text: str, version: Version) -> list[Block]:
    try:
        reader = _READERS[version.format]
    except KeyError:
        raise CorpusError(f"version {version.id!r}: no paragraph reader for format {version.format!r}") from None
    return reader(text, version.rules)


def is_dropped(text: str, rules: Rules) -> bool:
    """A line or paragraph the catalog names as furniture (`drop` exactly, `drop_matching` by pattern)."""
    stripped = text.strip()
    return stripped in rules.drop or any(p.search(stripped) for p in rules.drop_matching)


# --- text and pdf-text -----------------------------------------------------------------------------------------


def read_text(text: str, rules: Rules) -> list[Block]:
    lines = [line for line in text.split("\n") if not (line.strip() and is_dropped(line, rules))]
    mode = rules.paragraphs
    if mode == "auto":
        mode = "lines" if one_paragraph_per_line(lines) else "blank-lines"
    if mode == "indent":
        return [Block(t) for t in _indented_paragraphs(lines)]
    if mode == "lines":
        return [Block(line.strip()) for line in lines if line.strip()]
    return [Block(cleaning.join_lines(block)) for block in cleaning.blocks("\n".join(lines))]


LINES_MIN_BLOCK = 5  # a block of at least this many lines
LINES_MIN_SHARE = 0.8  # of which this share end a sentence or are short heading-like lines


def one_paragraph_per_line(lines: list[str]) -> bool:
    """Does this text put one paragraph on each line, without blank lines between them? True when some block has
    5 or more lines and 80% of the lines in multi-line blocks end a sentence or are short (20 characters at most);
    hard-wrapped text breaks its lines mid-sentence."""
    blocks = cleaning.blocks("\n".join(lines))
    if not blocks or max(len(b) for b in blocks) < LINES_MIN_BLOCK:
        return False
    in_blocks = [line.strip() for b in blocks if len(b) > 1 for line in b]
    complete = sum(1 for line in in_blocks if cleaning.ends_sentence(line) or len(line) <= 20)
    return complete >= LINES_MIN_SHARE * len(in_blocks)


def _indented_paragraphs(lines: list[str]) -> list[str]:
    """An indented line starts a paragraph; an unindented line continues the paragraph above it (even after a
    blank line), except the first line and a closing date line, which stand alone."""
    paragraphs: list[str] = []
    for line in lines:
        if not line.strip():
            continue
        if line[:1].isspace() or not paragraphs or cleaning.is_date_line(line):
            paragraphs.append(line.strip())
        else:
            paragraphs[-1] = cleaning.join_pieces(paragraphs[-1], line.strip())
    return paragraphs


_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?\d{1,4}(?:\s*[-–—])?$"  # 12, - 12 -
    r"|^(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$"  # Page 3, Page 3 of 10
    r"|^\d{1,4}\s*/\s*\d{1,4}$"  # 3/10
    r"|^第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?$",  # 第 3 页 / 共 10 页
    re.IGNORECASE,
)
RUNNING_LINE_MAX = 60  # a running header or footer is a short line
RUNNING_LINE_MIN_PAGES = 3
RUNNING_LINE_EDGE = 2  # it stands among the first or last two lines of a page


def running_lines(text: str) -> set[str]:
    """Short lines at the top or bottom of 3 or more pages (pages split at form feeds): a PDF's running headers
    and footers. Without page breaks nothing counts as running: a text repeating a line is left to the catalog."""
    pages = text.split("\f")
    if len(pages) < RUNNING_LINE_MIN_PAGES:
        return set()
    counts: Counter[str] = Counter()
    for page in pages:
        lines = [s for line in page.split("\n") if (s := line.strip())]
        edges = lines[:RUNNING_LINE_EDGE] + lines[-RUNNING_LINE_EDGE:]
        counts.update({s for s in edges if len(s) <= RUNNING_LINE_MAX})
    return {s for s, n in counts.items() if n >= RUNNING_LINE_MIN_PAGES}


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line.strip()))


def read_pdf_text(text: str, rules: Rules) -> list[Block]:
    repeated = running_lines(text) if rules.drop_repeated else set()
    lines = text.replace("\f", "\n\n").split("\n")
    kept = [
        line
        for line in lines
        if not (line.strip() and (line.strip() in repeated or (rules.drop_page_numbers and is_page_number(line))))
    ]
    return read_text("\n".join(kept), rules)


# --- markdown --------------------------------------------------------------------------------------------------


def _markdown_parser():
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)


def read_markdown(text: str, rules: Rules) -> list[Block]:
    """Each heading, paragraph, list item and table row as a block. An ordered list item keeps its number ("1. ")
    as the reader sees it; bullets, emphasis and link markup go, link text stays; images, HTML comments and front
    matter are dropped; other HTML is read for its text."""
    tokens = _markdown_parser().parse(text)
    blocks: list[Block] = []
    ordered: list[bool] = []  # the open lists, innermost last
    item_marker: str | None = None  # an ordered item's number, for its first paragraph
    row: list[str] | None = None
    heading = 0
    for token in tokens:
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered.append(kind == "ordered_list_open")
        elif kind in ("bullet_list_close", "ordered_list_close"):
            ordered.pop()
        elif kind == "list_item_open":
            item_marker = f"{token.info}{token.markup} " if ordered and ordered[-1] and token.info else None
        elif kind == "heading_open":
            heading = int(token.tag[1])
        elif kind == "heading_close":
            heading = 0
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and row is not None:
            _add(blocks, " ".join(c for c in row if c), 0)
            row = None
        elif kind == "inline":
            content = _inline_text(token.children or [])
            if row is not None:
                row.append(content)
                continue
            if item_marker is not None:
                content, item_marker = item_marker + content, None
            _add(blocks, content, heading)
        elif kind in ("fence", "code_block"):
            _add(blocks, cleaning.join_lines(token.content.split("\n")), 0)
        elif kind == "html_block":
            _add(blocks, html_fragment_text(token.content), 0)
    return [b for b in blocks if not is_dropped(b.text, rules)]


def _add(blocks: list[Block], text: str, heading: int) -> None:
    text = text.strip()
    if text:
        blocks.append(Block(text, heading))


def _inline_text(children) -> str:
    text = ""
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            piece = child.content
        elif kind in ("softbreak", "hardbreak") or (kind == "html_inline" and _BR.fullmatch(child.content)):
            text = text.rstrip() + "\n"
            continue
        elif kind == "html_inline":
            piece = html_fragment_text(child.content)
        else:
            continue  # emphasis and link marks, images (their alt text too)
        if text.endswith("\n"):
            text = cleaning.join_pieces(text.rstrip("\n"), piece)
        else:
            text += piece
    return text.rstrip("\n")


_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ONLY_COMMENTS = re.compile(r"(?:\s*<!--(?:(?!-->).)*-->)+\s*", re.S)


def html_fragment_text(fragment: str) -> str:
    """The text of a piece of HTML inside Markdown: comments and tags go, entities are decoded."""
    if _ONLY_COMMENTS.fullmatch(fragment):
        return ""  # the common case, without building a parse tree
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(fragment, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for element in soup.find_all(["script", "style", "img"]):
        element.decompose()
    return _collapse(soup.get_text())


# --- html ------------------------------------------------------------------------------------------------------

_DROPPED_ELEMENTS = (
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "button", "img",
    "svg", "iframe", "figure", "select",
)
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCK_ELEMENTS = {
    "p", "div", "li", "blockquote", "pre", "section", "article", "main", "ul", "ol", "dl", "dt", "dd", "table",
    "thead", "tbody", "tr", "td", "th", "caption", "address", "hr", "body", "center", "figcaption",
} | set(_HEADINGS)


def read_html(text: str, rules: Rules) -> list[Block]:
    """The paragraphs and headings of the page's article (or of the catalog's `selector`, or else of main or body):
    every block element's own text is one block; <br> is a line break inside it."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(text, "html.parser")
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    dropped = _DROPPED_ELEMENTS
    if rules.selector:
        roots = soup.select(rules.selector)
        if not roots:
            raise CorpusError(f"no element matches the selector {rules.selector!r}")
    elif article := soup.find("article"):
        roots = [article]  # an article's own <header> holds its title: kept
    else:
        roots = [soup.find("main") or soup.find("body") or soup]
        dropped += ("header",)  # the page's header: the site's name and menus
    blocks: list[Block] = []
    for root in roots:
        for element in root.find_all(dropped):
            element.decompose()
        _walk_html(root, blocks)
    return [b for b in blocks if not is_dropped(b.text, rules)]


def _walk_html(element, blocks: list[Block]) -> None:
    from bs4 import NavigableString, Tag

    pieces: list[str] = []

    def flush() -> None:
        _add(blocks, _collapse("".join(pieces)), _HEADINGS.get(element.name, 0))
        pieces.clear()

    for child in element.children:
        if isinstance(child, NavigableString):
            pieces.append(str(child))
        elif isinstance(child, Tag):
            if child.name == "br":
                pieces.append("\n")
            elif child.name in _BLOCK_ELEMENTS:
                flush()
                _walk_html(child, blocks)
            else:
                pieces.append(_inline_html_text(child, blocks))
    flush()


def _inline_html_text(element, blocks: list[Block]) -> str:
    """Text of an inline element (a, span, strong, …), with <br> as a line break."""
    from bs4 import NavigableString, Tag

    out = []
    for child in element.children:
        if isinstance(child, NavigableString):
            out.append(str(child))
        elif isinstance(child, Tag):
            out.append("\n" if child.name == "br" else _inline_html_text(child, blocks))
    return "".join(out)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def _collapse(text: str) -> str:
    """HTML white space: runs of spaces become one; a line break joins like a hard break (nothing between Chinese
    characters, one space between Latin words)."""
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return cleaning.join_lines([line for line in lines if line])


_READERS = {"text": read_text, "markdown": read_markdown, "html": read_html, "pdf-text": read_pdf_text}
