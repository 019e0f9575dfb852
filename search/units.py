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
# The same blocks as (first, last) code points, for counting Han characters with numpy (search/analysis.py).
HAN_RANGES = tuple((ord(HAN[i]), ord(HAN[i + 2])) for i in range(0, len(HAN), 3))
WORD_CHAR = f"[^\\W_{HAN}]"  # a letter or digit that is not Han
LATIN_WORD = f"{WORD_CHAR}+(?:['’]{WORD_CHAR}+)*"
DIGIT_GROUP = r"\d+(?:[ \u00a0]\d{3})+(?!\d)"



class LazyPattern:
    """A pattern compiled when first used. A class of every Han character costs re a few milliseconds to compile
    (it builds the character map in Python), which a one-shot lookup would otherwise pay for every pattern it
    imports, used or not (a Chinese query never needs the Latin-word ones)."""

    made: list["LazyPattern"] = []  # every one, for compile_all

    def __init__(self, pattern: str):
        self.pattern = pattern
        LazyPattern.made.append(self)

    def __getattr__(self, name: str):  # first use of match, findall, ...: compile, then keep the bound methods
        compiled = re.compile(self.pattern)
        for method in ("match", "search", "findall", "finditer", "fullmatch", "sub", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    @classmethod
    def compile_all(cls) -> None:
        """Compile every pattern made so far now (a server's start-up), not in the first request that uses it
        (the wording diff's pattern cost that request 5 to 7 ms)."""
        for pattern in cls.made:
            pattern.match


UNIT_RE = LazyPattern(f"{HAN_CHAR}|{LATIN_WORD}")
# The same units, a run of Han characters at a time (group 1): one match per run instead of one per character.
UNIT_RUN_RE = re.compile(f"({HAN_CHAR}+)|{LATIN_WORD}")
HAN_RE = LazyPattern(HAN_CHAR)
HAN_RUN_RE = LazyPattern(f"{HAN_CHAR}+")  # exactly UNIT_RUN_RE's runs: a Latin word holds no Han character
LATIN_WORD_RE = LazyPattern(LATIN_WORD)
WORD_CHAR_RE = LazyPattern(WORD_CHAR)
APOSTROPHES = "'’"


# What English adds to the end of a word without making it another word: the possessive and the contractions.
# A phrase typed without them still matches where the text has them on its last word ("each other" finds "each
# other's", "strengthen ASEAN" finds "strengthen ASEAN's"); irregular n't forms name their base.
CLITICS = ("'s", "’s", "n't", "n’t", "'re", "’re", "'ve", "’ve", "'ll", "’ll", "'d", "’d", "'m", "’m")
_IRREGULAR = {"can't": "can", "can’t": "can", "won't": "will", "won’t": "will", "shan't": "shall", "shan’t": "shall"}


def clitic_base(word: str) -> str | None:
    """The word a Latin word is with its possessive or contraction taken off ("asean's" -> "asean", "isn't" ->
    "is"), or None when it carries none."""
    if "'" not in word and "’" not in word:  # every clitic has an apostrophe: most words end here
        return None
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in CLITICS:
        if word.endswith(suffix) and len(word) > len(suffix):
            return word[: -len(suffix)]
    return None


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
