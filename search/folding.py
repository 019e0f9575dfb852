"""Folding: make text equal where a reader sees no difference, and remember where each folded character came from.

Folding is applied to paragraphs when indexing and to queries when searching, so both meet in the same form:
  - NFKC width and compatibility forms (ＡＵＫＵＳ -> AUKUS, full-width punctuation -> ASCII), and lower case
    (Cyrillic too, with ё read as е, as Russian is mostly printed);
  - white space between a Han character and a digit or another Han character is dropped ("2030 年" -> "2030年",
    a letter-spaced heading "第三章  奖  励" -> "第三章奖励"), as PDF text and typeset headings insert it: Chinese
    puts no spaces between words, so such a space never separates two things a reader would keep apart;
  - Traditional script -> Simplified with OpenCC's t2s (characters and script phrases: 北約 -> 北约), which leaves
    Simplified text untouched. Regional vocabulary (Taiwan's 人工智慧 for 人工智能, 資訊 for 信息) is not folded:
    OpenCC's Taiwan phrase table rewrites words that are right in mainland text written in either script
    (文件 -> 文档, 核心 -> 内核, 建立 -> 创建, 設定 -> 设置). A query gets the regional reading as an extra
    alternative instead (`regional_reading`), so it broadens a search and never changes what the index holds.
The stored text is never altered: `Folded.span()` maps a folded range back to offsets in the original.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from jiaokan.search.script_keys import t2s_changes
from jiaokan.search.units import HAN, HAN_RE as _HAN_CHAR
from jiaokan.search.units import LazyPattern

_YO = str.maketrans("ё", "е")
_CJK_SPACE = LazyPattern(rf"(?<=[{HAN}])\s+(?=[\d{HAN}])|(?<=\d)\s+(?=[{HAN}])")


@dataclass(frozen=True, slots=True)
class Folded:
    text: str  # the folded text
    starts: list[int]  # starts[i]: offset in the original of the character folded text[i] came from
    ends: list[int]  # ends[i]: end offset in the original of that character

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) offsets covering folded characters [start, end)."""
        return self.starts[start], self.ends[end - 1]


@lru_cache(maxsize=2)
def _converter(config: str):
    import opencc  # C++ library with its own dictionaries: no download, about 3 ms to load

    return opencc.OpenCC(config)


# Checking a text costs about 0.07 µs a character, converting it with OpenCC once loaded 0.015 µs: the check
# saves loading OpenCC (12 ms) for a one-shot lookup, and past this many characters checked it would cost more.
_CHECK_CHARS = 50_000
_checked = 0


def _t2s(text: str) -> str:
    """OpenCC's t2s of `text`; for the first texts of a process, without loading OpenCC for a text it would not
    change (search/script_keys.py). The same result either way."""
    global _checked
    if _checked < _CHECK_CHARS:
        changes = t2s_changes()
        if changes is not None:
            _checked += len(text)  # a race between threads only moves the switch a little
            if not changes.may_change(text):
                return text
    return _converter("t2s").convert(text)


def _may_hold_cjk_space(text: str) -> bool:
    """Whether `text` may hold a space _CJK_SPACE drops, at C speed and without compiling it: white space with text
    on both sides (split() finds it; most Chinese text, most queries, have none) and a character in or above the
    first Han block (max())."""
    return len(text.split(None, 1)) > 1 and max(text) >= "\u3400"


def fold(text: str, *, offsets: bool = True) -> Folded:
    """Fold `text`. With `offsets` off (an index build: it stores the folded text and counts its terms) the
    offsets back into the original are not computed, and `span()` is not available."""
    n = len(text)
    starts: list[int] = list(range(n)) if offsets else []
    ends: list[int] = list(range(1, n + 1)) if offsets else []

    # Width, compatibility forms and case. Per character only where the whole-string form changes the length
    # (rare: ligatures, circled numbers), so offsets stay exact; the same text with offsets or without.
    folded = unicodedata.normalize("NFKC", text).lower()
    if len(folded) != n:
        folded, starts, ends = _fold_per_char(text)
        if not offsets:
            starts, ends = [], []
    folded = folded.translate(_YO)

    # Drop spaces between Han characters, and between Han characters and digits.
    if _may_hold_cjk_space(folded) and _CJK_SPACE.search(folded):
        if offsets:
            # The offsets of what stays, a stretch between two dropped spaces at a time.
            kept_starts: list[int] = []
            kept_ends: list[int] = []
            at = 0
            for m in _CJK_SPACE.finditer(folded):
                kept_starts.extend(starts[at : m.start()])
                kept_ends.extend(ends[at : m.start()])
                at = m.end()
            kept_starts.extend(starts[at:])
            kept_ends.extend(ends[at:])
            starts, ends = kept_starts, kept_ends
        folded = _CJK_SPACE.sub("", folded)

    # Traditional -> Simplified.
    simplified = _t2s(folded)
    if simplified != folded:
        if len(simplified) != len(folded) and offsets:
            starts, ends = _realign(folded, simplified, starts, ends)
        folded = simplified
    return Folded(folded, starts, ends)


def fold_text(text: str) -> str:
    return fold(text).text


def reading(text: str) -> str:
    """What folding makes of a query term, for showing it: width, script and spaces folded, case kept
    (ＮＡＴＯ -> NATO, 北約 -> 北约)."""
    text = unicodedata.normalize("NFKC", text)
    if _may_hold_cjk_space(text):
        text = _CJK_SPACE.sub("", text)
    return _t2s(text)


def has_traditional(text: str) -> bool:
    return _t2s(text) != text


def regional_reading(text: str) -> str | None:
    """The mainland reading of a query's Taiwan vocabulary (人工智慧 -> 人工智能, 資訊 -> 信息, 晶片 -> 芯片), or None.
    Search uses it as an alternative, never as a replacement. Two-character queries in Simplified script get none:
    there the phrase table mostly rewrites ordinary mainland words (智慧 -> 智能, 核心 -> 内核)."""
    if not has_traditional(text) and (len(text) < 3 or len(_HAN_CHAR.findall(text)) < 3):
        return None  # before the phrase table is loaded: a one-shot lookup of 北约 need not load it
    # OpenCC's phrase converter stops at a NUL character (it returned "" for "\x00㐀㐀㐀"): read the rest.
    text = text.replace("\x00", "")
    plain = _t2s(text)
    other = _converter("tw2sp").convert(text)
    if other == plain:
        return None
    return other


def _fold_per_char(text: str) -> tuple[str, list[int], list[int]]:
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for i, ch in enumerate(text):
        f = unicodedata.normalize("NFKC", ch).lower()
        out.append(f)
        starts.extend([i] * len(f))
        ends.extend([i + 1] * len(f))
    return "".join(out), starts, ends


def _realign(before: str, after: str, starts: list[int], ends: list[int]) -> tuple[list[int], list[int]]:
    """Offsets for `after` when phrase conversion changed the length (網際網路 -> 互联网): characters inside a
    replaced block all map to the whole original block."""
    new_starts: list[int] = []
    new_ends: list[int] = []
    import difflib  # here, not at the top: few texts need it, and a one-shot lookup would pay its import

    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            new_starts.extend(starts[i1:i2])
            new_ends.extend(ends[i1:i2])
        elif j2 > j1:
            lo = starts[i1] if i2 > i1 else (ends[i1 - 1] if i1 else 0)
            hi = ends[i2 - 1] if i2 > i1 else lo
            new_starts.extend([lo] * (j2 - j1))
            new_ends.extend([hi] * (j2 - j1))
    return new_starts, new_ends
