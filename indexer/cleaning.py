"""Shared rules for cutting published texts into paragraphs, true of any publisher: how broken lines join back,
what counts as a complete paragraph, which lines are section numerals or closing dates. What is furniture in one
version is data in the catalog (indexer.catalog.Rules), never here.

None of these functions change the source's wording or punctuation: they only decide where a paragraph starts
and ends, and what whitespace goes where two pieces of one paragraph meet.
"""
from __future__ import annotations

import re

from jiaokan.search.units import HAN, HAN_RE

# A paragraph that ends with one of these (optionally followed by closing quotes or brackets) is complete.
# The colon counts: "声明如下：" introduces what follows but is a paragraph of its own.
_SENTENCE_FINAL = re.compile(r"[。！？!?.…：:；;][”’\"'」』）)》〉]*$")

# Everything written CJK-style: ideographs plus CJK and full-width punctuation (for joining: no space may appear
# next to those).
_CJK_SIDE = re.compile(f"[{HAN}\u2e80-\u4dff\ufe30-\ufe4f\uff00-\uffef]")

_CN_DIGITS = "一二三四五六七八九"
# A Chinese numeral from 一 to 九十九, as section numbers are written.
_CN_NUMBER = re.compile(rf"^(?:[{_CN_DIGITS}]|十[{_CN_DIGITS}]?|[{_CN_DIGITS}]十[{_CN_DIGITS}]?)$")
_ENGLISH_NUMBERS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
# A numbered point opening a paragraph: "一、双方相信…".
_POINT_NUMERAL = re.compile(rf"^([{_CN_DIGITS}十]{{1,3}})、")
# A list number opening a paragraph: "1. 双方欢迎…".
_LIST_NUMBER = re.compile(r"^\d{1,2}\.\s")
# 第X编 / 第X部分 / 第X章 / 第X节 at the start of a heading, with its level (编 and 部分 above 章 above 节).
_CHAPTER = re.compile(rf"^(第[{_CN_DIGITS}十百零〇两\d]{{1,6}}(编|部分|章|节))(?:[\s:：、.]|$)")
CHAPTER_LEVELS = {"编": 1, "部分": 1, "章": 2, "节": 3}
# Numbering at the start of a heading: "一、总则", "1. Scope", "1.2 Terms", "IV. …" is not counted (ambiguous).
_HEADING_NUMBER = re.compile(rf"^(?:([{_CN_DIGITS}十]{{1,3}})[、.．]|(\d{{1,3}}(?:\.\d{{1,3}})*)[.．、)]?(?=\s|$))")

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_CN_DIGIT = "〇零一二三四五六七八九十"
# The date-and-place line that closes a statement: "二〇二二年二月四日于北京", "February 4, 2022 in Beijing".
_DATE_LINE = re.compile(
    rf"^(?:[{_CN_DIGIT}]{{4}}年[{_CN_DIGIT}]{{1,2}}月[{_CN_DIGIT}]{{1,3}}日"
    rf"|\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)于\S+$"
    rf"|^(?:{_MONTHS}) \d{{1,2}}, \d{{4}},? in [A-Z][A-Za-z ]+$"
)

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


# --- numbering -------------------------------------------------------------------------------------------------


def cn_to_int(numeral: str) -> int | None:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十 -> 20, 九十九 -> 99; None for anything else."""
    if not _CN_NUMBER.match(numeral):
        return None
    if "十" not in numeral:
        return _CN_DIGITS.index(numeral) + 1
    tens, _, ones = numeral.partition("十")
    return (_CN_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CN_DIGITS.index(ones) + 1 if ones else 0)


def int_to_cn(n: int) -> str:
    if not 1 <= n <= 99:
        raise ValueError(f"no Chinese section numeral for {n}")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _CN_DIGITS[tens - 1] + "十")
    return head + (_CN_DIGITS[ones - 1] if ones else "")


def numeral_line(text: str) -> str | None:
    """The numeral of a line that is a Chinese numeral on its own ("三"), else None."""
    text = text.strip()
    return text if cn_to_int(text) else None


def english_numeral_line(text: str) -> str | None:
    """The Chinese numeral of a line that is an English number word on its own ("two" -> 二), else None."""
    word = text.strip().lower()
    return int_to_cn(_ENGLISH_NUMBERS.index(word) + 1) if word in _ENGLISH_NUMBERS else None


def point_numeral(text: str) -> str | None:
    """The numeral of a point that opens this paragraph ("一、…"), else None."""
    m = _POINT_NUMERAL.match(text)
    return m.group(1) if m and cn_to_int(m.group(1)) else None


def is_list_number(text: str) -> bool:
    return bool(_LIST_NUMBER.match(text))


def chapter(text: str) -> tuple[str, int] | None:
    """("第二章", 2) for a heading "第二章 法律"; None when the text does not start with such a number. Only short
    lines without sentence-final punctuation are headings ("第一节课…。" is not)."""
    m = _CHAPTER.match(text.strip())
    if not m or len(text) > 60 or ends_sentence(text):
        return None
    return m.group(1), CHAPTER_LEVELS[m.group(2)]


def heading_number(text: str) -> str | None:
    """The number a heading opens with: "一、总则" -> 一, "1. Scope" -> 1, "1.2 Terms" -> 1.2; else None."""
    m = _HEADING_NUMBER.match(text.strip())
    if not m:
        return None
    return m.group(1) or m.group(2)


NUMBERED_HEADING_MAX = 30


def numbered_heading(text: str) -> str | None:
    """The number of a plain-text heading line: short, opening with a number, no sentence-final punctuation
    ("一、基本情况" -> 一, "2.1 Scope" -> 2.1); None for a numbered sentence ("一、双方相信……。")."""
    if len(text) > NUMBERED_HEADING_MAX or ends_sentence(text) or not re.search(r"[^\W\d_]", text):
        return None  # a line of digits alone is a page number or a figure, not a heading
    return heading_number(text)


def next_numeral(numeral: str) -> str:
    return int_to_cn(cn_to_int(numeral) + 1)


def previous_numeral(numeral: str) -> str | None:
    n = cn_to_int(numeral)
    return int_to_cn(n - 1) if n and n > 1 else None


def is_date_line(text: str) -> bool:
    """The closing date-and-place line of a statement."""
    return bool(_DATE_LINE.match(text.strip()))
