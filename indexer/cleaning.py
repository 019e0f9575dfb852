"""Shared rules for cutting published texts into paragraphs: what is furniture, how broken lines join back,
what counts as a complete paragraph, which lines are section numerals or closing dates, and which language a
paragraph is in. The per-format readers in indexer/paragraphs.py combine these rules.

None of these functions change the source's wording or punctuation: they only decide where a paragraph starts
and ends, and what whitespace goes where two pieces of one paragraph meet.
"""
from __future__ import annotations

import re

# A paragraph that ends with one of these (optionally followed by closing quotes or brackets) is complete.
# The colon counts: "声明如下：" introduces what follows but is a paragraph of its own.
_SENTENCE_FINAL = re.compile(r"[。！？!?.…：:；;][”’\"'」』）)》〉]*$")

# CJK ideographs (for telling the language), and everything written CJK-style: ideographs plus CJK and
# full-width punctuation (for joining: no space may appear next to those).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_SIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")

# Section numerals in the order the statements number their parts.
NUMERALS: tuple[str, ...] = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")

# How a section heading line may be spelled in a source, mapped to the Chinese numeral jiaokan records:
# the UN PDF text prints 一 as an em dash, and the Xinhua wire writes some numerals as English words.
_HEADING_SPELLINGS: dict[str, str] = {n: n for n in NUMERALS} | {
    "—": "一",
    "one": "一", "two": "二", "three": "三", "four": "四", "five": "五",
    "six": "六", "seven": "七", "eight": "八", "nine": "九", "ten": "十",
}

# A numbered point inside a paragraph ("一、双方相信…"), as the 2017 statement numbers its points.
_POINT_NUMERAL = re.compile(r"^([一二三四五六七八九十]{1,3})、")
# A list-numbering artefact ("1. 双方欢迎…") standing for the point after the last Chinese numeral.
_LIST_NUMBER = re.compile(r"^\d{1,2}\.\s")

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CN_DIGIT = "〇零一二三四五六七八九十"
# The date-and-place line that closes a statement: "二〇二二年二月四日于北京", "February 4, 2022 in Beijing".
_DATE_LINE = re.compile(
    rf"^(?:[{_CN_DIGIT}]{{4}}年[{_CN_DIGIT}]{{1,2}}月[{_CN_DIGIT}]{{1,3}}日"
    rf"|\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)于\S+$"
    rf"|^(?:{_MONTHS}) \d{{1,2}}, \d{{4}},? in [A-Z][A-Za-z ]+$"
)

# --- furniture: text a publisher put around the statement, never part of it ---------------------------------

# UN document furniture that can stand anywhere in the PDF text (the cover page itself is cut off as a whole).
UN_FURNITURE: tuple[re.Pattern[str], ...] = (
    re.compile(r"^\* "),  # distribution footnote: "* 仅以中文、俄文和英文分发。"
    re.compile(r"^\d{2}-\d{5} \([A-Z]\)"),  # job-number line: "22-03670 (C) 160322 210322"
    re.compile(r"^请回收$"),  # recycling mark
    re.compile(r"^\[原件：[^\]]+\]$"),  # language of the original: "[原件：中文和俄文]"
)

# Wire dateline: "新华社北京2月4日电".
WIRE_DATELINE = re.compile(r"^新华社\S{1,12}?\d{1,2}月\d{1,2}日电$")

# News-site lines named in the catalog: the end mark, the site name, and a promotional teaser line.
NEWS_SITE_FURNITURE: frozenset[str] = frozenset({"（完）", "中新网", "这是时隔两年多的老友重聚"})

# Markdown preview furniture: the page headline (level-1 heading; the document title is level 2), the
# publication timestamp, and the notice after which only the site's link follows.
PREVIEW_HEADLINE = re.compile(r"^#\s")
PREVIEW_TITLE = re.compile(r"^##\s+")
PREVIEW_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?$")
PREVIEW_END = re.compile(r"^\*\*预览已结束")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def matches_any(text: str, patterns: tuple[re.Pattern[str], ...]) -> bool:
    return any(p.search(text) for p in patterns)


def strip_markdown(line: str) -> str:
    """Drop Markdown markup (a level-2 heading mark, bold) and keep the words."""
    return _BOLD.sub(r"\1", PREVIEW_TITLE.sub("", line))


# --- joining ---------------------------------------------------------------------------------------------------


def blocks(text: str) -> list[list[str]]:
    """The text's blank-line-separated blocks, each a list of its lines as written (indentation kept)."""
    result: list[list[str]] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result


def join_pieces(left: str, right: str) -> str:
    """Join two pieces of one paragraph: nothing between CJK text (a hard break is not a space in Chinese),
    one space between two pieces of Latin text (English sentences on separate lines)."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    if _CJK_SIDE.match(left[-1]) or _CJK_SIDE.match(right[0]):
        return left + right
    return left + " " + right


def join_lines(lines: list[str]) -> str:
    text = ""
    for line in lines:
        text = join_pieces(text, line.strip()) if text else line.strip()
    return text


def ends_sentence(text: str) -> bool:
    """True when the paragraph ends with sentence-final punctuation, i.e. a break after it is a real paragraph end."""
    return bool(_SENTENCE_FINAL.search(text.rstrip()))


# --- classifying -----------------------------------------------------------------------------------------------


def heading_numeral(text: str) -> str | None:
    """The Chinese numeral of a section-heading line ("二", "—" for 一, "two"), or None for any other text."""
    return _HEADING_SPELLINGS.get(text.strip().lower())


def point_numeral(text: str, current: str) -> str | None:
    """The numeral of a point that starts inside this paragraph ("一、…"; "1. …" after 九 is 十), else None."""
    if m := _POINT_NUMERAL.match(text):
        return m.group(1)
    if _LIST_NUMBER.match(text) and current in NUMERALS:
        return next_numeral(current)
    return None


def next_numeral(numeral: str) -> str:
    index = NUMERALS.index(numeral)
    if index + 1 >= len(NUMERALS):
        raise ValueError(f"no section numeral after {numeral!r}")
    return NUMERALS[index + 1]


def previous_numeral(numeral: str) -> str | None:
    index = NUMERALS.index(numeral)
    return NUMERALS[index - 1] if index > 0 else None


def is_date_line(text: str) -> bool:
    """The closing date-and-place line of a statement."""
    return bool(_DATE_LINE.match(text.strip()))


def detect_lang(text: str) -> str:
    """"en" when Latin letters outnumber CJK characters, else "zh" (Chinese text may carry "COVID-19", "AUKUS")."""
    latin = len(_LATIN_LETTER.findall(text))
    cjk = len(_CJK.findall(text))
    return "en" if latin > cjk else "zh"
