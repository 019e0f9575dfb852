"""Which language a paragraph is in, told by the script its letters are written in.

Han characters are zh, Latin letters en (the corpus is bilingual; a Latin-script text in another language should be
declared in the catalog and checked by `jiaokan check`), Cyrillic ru, kana ja, Hangul ko, Greek el. Any other
script gets the BCP 47 label for "undetermined language in script X" (und-Arab, und-Hebr, …) rather than a wrong
language. A paragraph with no letters at all ("—", "1.") takes its version's main language.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter

from jiaokan.search.units import HAN, HAN_RE

_HAN = HAN_RE
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_CYRILLIC_LETTER = re.compile(r"[\u0400-\u0481\u048a-\u04ff]")  # the block without its sign and combining marks
# Any other word character but digits and '_': letters of other scripts (checked one by one).
_OTHER_LETTER = re.compile(rf"[^\W\d_A-Za-z{HAN}\u0400-\u0481\u048a-\u04ff]")
_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")

# Unicode script names (the first word of a letter's name) and the label a paragraph in them gets.
_SCRIPT_LANGS = {"LATIN": "en", "CYRILLIC": "ru", "GREEK": "el"}
_SCRIPT_CODES = {
    "ARABIC": "Arab", "HEBREW": "Hebr", "DEVANAGARI": "Deva", "BENGALI": "Beng", "THAI": "Thai", "GEORGIAN": "Geor",
    "ARMENIAN": "Armn", "ETHIOPIC": "Ethi", "TAMIL": "Taml", "MONGOLIAN": "Mong", "TIBETAN": "Tibt", "KHMER": "Khmr",
    "LAO": "Laoo", "SYRIAC": "Syrc", "THAANA": "Thaa", "GUJARATI": "Gujr", "GURMUKHI": "Guru", "TELUGU": "Telu",
    "KANNADA": "Knda", "MALAYALAM": "Mlym", "SINHALA": "Sinh", "MYANMAR": "Mymr",
}
NO_LETTERS = ""


def detect_lang(text: str) -> str:
    """The language label of a paragraph, or NO_LETTERS when it has no letters to tell by."""
    counts: Counter[str] = Counter()
    # Han, ASCII letters and Cyrillic by whole-string counts (most text is only these); the rest letter by letter.
    for lang, pattern in (("zh", _HAN), ("en", _ASCII_LETTER), ("ru", _CYRILLIC_LETTER)):
        if n := len(pattern.findall(text)):
            counts[lang] += n
    for ch in _OTHER_LETTER.findall(text):
        if _KANA.match(ch):
            counts["ja"] += 1
        elif _HANGUL.match(ch):
            counts["ko"] += 1
        elif ch.isalpha():
            counts[_script_label(ch)] += 1
    if not counts:
        return NO_LETTERS
    if counts["ja"] and counts["ja"] * 10 >= counts["zh"]:
        counts["ja"] += counts.pop("zh", 0)  # Japanese writes with kanji and kana
    # Han wins a tie, as Chinese text carries Latin names (COVID-19, AUKUS).
    return max(counts, key=lambda lang: (counts[lang], lang == "zh"))


def _script_label(ch: str) -> str:
    words = unicodedata.name(ch, "").split()
    if "LATIN" in words[:2]:  # "FULLWIDTH LATIN CAPITAL LETTER A" too
        return "en"
    script = words[0] if words else ""
    if script in ("CJK", "IDEOGRAPHIC"):  # 々 and other ideographic marks
        return "zh"
    if script in _SCRIPT_LANGS:
        return _SCRIPT_LANGS[script]
    return f"und-{_SCRIPT_CODES.get(script, script.title() or 'Zyyy')}"


def fill_letterless(langs: list[str], declared: tuple[str, ...]) -> list[str]:
    """Give paragraphs without letters the version's most common language (else its first declared one)."""
    found = Counter(lang for lang in langs if lang != NO_LETTERS)
    main = found.most_common(1)[0][0] if found else (declared[0] if declared else "und")
    return [lang if lang != NO_LETTERS else main for lang in langs]
