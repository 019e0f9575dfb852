"""The units of text, defined once: every tokenizer in jiaokan (analysis, matching, wording differences, collation,
translation keys, language detection) reads text through these.

  - a Han character: one unit per character, in the unified blocks, their extensions (including the supplementary
    planes) and the compatibility ideographs;
  - a Latin word: a run of letters and digits that are not Han (so "covid", "19", "g20", "2030"), with apostrophes
    inside it (china's, don't, o'neill); the same rule makes digits a unit, so a digit run is a Latin word too;
  - a digit group: a number whose thousands are spaced ("1 000", UN style), one number for the wording diff.
"""
from __future__ import annotations

import re

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HAN_CHAR = f"[{HAN}]"
WORD_CHAR = f"[^\\W_{HAN}]"  # a letter or digit that is not Han
LATIN_WORD = f"{WORD_CHAR}+(?:['’]{WORD_CHAR}+)*"
DIGIT_GROUP = r"\d+(?:[ \u00a0]\d{3})+(?!\d)"

UNIT_RE = re.compile(f"{HAN_CHAR}|{LATIN_WORD}")
HAN_RE = re.compile(HAN_CHAR)
LATIN_WORD_RE = re.compile(LATIN_WORD)
WORD_CHAR_RE = re.compile(WORD_CHAR)
APOSTROPHES = "'’"


def is_han(ch: str) -> bool:
    return HAN_RE.match(ch) is not None


def units(text: str) -> list[str]:
    """The units of `text` in order (text already folded when the caller compares them)."""
    return UNIT_RE.findall(text)


def latin_words(text: str) -> list[str]:
    return LATIN_WORD_RE.findall(text)


def starts_unit(text: str, pos: int) -> bool:
    """Whether a Latin word can start at `pos`: not inside another word, nor after an inner apostrophe (the "s" of
    "china's")."""
    if pos == 0:
        return True
    before = text[pos - 1]
    if WORD_CHAR_RE.match(before):
        return False
    return not (before in APOSTROPHES and pos >= 2 and WORD_CHAR_RE.match(text[pos - 2]))
