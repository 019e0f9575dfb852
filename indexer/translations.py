"""The translation table of an index: for a query term, its equivalents in the other language and its wording
variants, each with its source and a weight. Built with the index from three sources, in order of trust:

  1. corpus/glossary.toml, the bilingual glossary of this corpus's terms (checked against the texts);
  2. term pairs learned from the aligned English and Chinese paragraphs of one passage (collation);
  3. wording variants between versions found by collation (第76届联大 / 联合国大会第七十六届会议).

Keys are folded (search/folding.py) so that the lookup meets the query as the index meets it: English keys are
lower-case words joined by single spaces, Chinese keys the folded string.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

from indexer.errors import CorpusError
from indexer.records import Paragraph
from search.folding import HAN
from search.translation import chinese_key, english_key
from search.wording import differences

GLOSSARY_FILE = "glossary.toml"
WEIGHTS = {"glossary": 1.0, "learned": 0.7, "variant": 0.9}
_HAN_ONLY = re.compile(rf"^[{HAN}]+$")
# English candidates for learning: acronyms and capitalised names (1-4 words), the part of a translation that
# survives as a term; ordinary words are left to the glossary and the dictionary.
_NAME = re.compile(r"\b(?:[A-Z][A-Za-z0-9\-]*)(?:\s+(?:of\s+the\s+|of\s+|and\s+|for\s+)?[A-Z][A-Za-z0-9\-]*){0,3}\b")
_STOP_NAMES = {"The", "It", "They", "Both", "China", "Russia", "Chinese", "Russian", "Some", "All", "At", "Such", "In"}


def build_translations(corpus_dir: Path, paragraphs: list[Paragraph], passages: list, dictionary) -> dict:
    """{"en": {english key: [{"zh"|"en", "source", "weight"}]}, "zh": {chinese key: [{"en"|"zh", ...}]}}: each
    entry names its target in the other language ("zh" under "en", "en" under "zh") or a form of the same
    language."""
    en: dict[str, list[dict]] = defaultdict(list)
    zh: dict[str, list[dict]] = defaultdict(list)

    def add(english: str, chinese: str, source: str) -> None:
        ek, zk = english_key(english), chinese_key(chinese)
        if not ek or not zk:
            return
        weight = WEIGHTS[source]
        if not any(e.get("zh") == chinese for e in en[ek]):
            en[ek].append({"zh": chinese, "source": source, "weight": weight})
        if not any(e.get("en") == english for e in zh[zk]):
            zh[zk].append({"en": english, "source": source, "weight": weight})

    for entry in read_glossary(corpus_dir):
        for chinese in entry["zh"]:
            for english in entry["en"]:
                add(english, chinese, "glossary")
        # Forms of one term in the same language find each other (上合组织 / 上海合作组织, SCO / Shanghai ...).
        for a in entry["zh"]:
            for b in entry["zh"]:
                if a != b and not any(e.get("zh") == b for e in zh[chinese_key(a)]):
                    zh[chinese_key(a)].append({"zh": b, "source": "glossary", "weight": WEIGHTS["glossary"]})
        for a in entry["en"]:
            for b in entry["en"]:
                if english_key(a) != english_key(b) and not any(e.get("en") == b for e in en[english_key(a)]):
                    en[english_key(a)].append({"en": b, "source": "glossary", "weight": WEIGHTS["glossary"]})

    for english, chinese in learn_pairs(paragraphs, passages, dictionary):
        if english_key(english) not in en:
            add(english, chinese, "learned")

    for a, b in wording_variants(paragraphs, passages):
        for x, y in ((a, b), (b, a)):
            if not any(e.get("zh") == y for e in zh[chinese_key(x)]):
                zh[chinese_key(x)].append({"zh": y, "source": "variant", "weight": WEIGHTS["variant"]})
    return {"en": dict(en), "zh": dict(zh)}


def read_glossary(corpus_dir: Path) -> list[dict]:
    path = Path(corpus_dir) / GLOSSARY_FILE
    if not path.exists():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: cannot read the glossary: {e}") from None
    entries = []
    for i, term in enumerate(data.get("term", []), start=1):
        zh_forms = term.get("zh") or []
        en_forms = term.get("en") or []
        if isinstance(zh_forms, str):
            zh_forms = [zh_forms]
        if isinstance(en_forms, str):
            en_forms = [en_forms]
        if not zh_forms or not en_forms:
            raise CorpusError(f"{path}: term #{i} needs both zh and en forms")
        entries.append({"zh": zh_forms, "en": en_forms, "kind": term.get("kind", "")})
    return entries


def learn_pairs(paragraphs: list[Paragraph], passages: list, dictionary) -> list[tuple[str, str]]:
    """(English name, Chinese word) pairs that stand in the same aligned passages: in at least two passages
    pairing an English paragraph with its Chinese, and almost never one without the other. English names are
    acronyms and capitalised names; Chinese words the jieba-algorithm words of the index (2+ characters)."""
    from search.analysis import analyze

    by_id = {p.id: p for p in paragraphs}
    pairs = []
    for passage in passages:
        members = [by_id[pid] for pid in passage.members.values()]
        english = next((p for p in members if p.lang == "en"), None)
        chinese = next((p for p in members if p.lang == "zh"), None)
        if english and chinese:
            pairs.append((english.text, chinese.text))
    if not pairs:
        return []
    names_per = [{n for n in _NAME.findall(e) if n not in _STOP_NAMES and len(n) > 1} for e, _ in pairs]
    words_per = [{w for w in analyze(z, dictionary).words if len(w) >= 2 and _HAN_ONLY.match(w)} for _, z in pairs]
    name_count = Counter(n for names in names_per for n in names)
    word_count = Counter(w for words in words_per for w in words)
    together: Counter = Counter()
    for names, words in zip(names_per, words_per):
        for n in names:
            for w in words:
                together[(n, w)] += 1
    learned = {}
    for (n, w), c in together.items():
        # Found together in at least two passages and almost never apart (Dice >= 0.8).
        if c >= 2 and 2 * c / (name_count[n] + word_count[w]) >= 0.8:
            # Of several perfectly associated words, the longest is the most specific (金砖国家 over 金砖).
            if n not in learned or len(w) > len(learned[n]):
                learned[n] = w
    return sorted(learned.items())


def wording_variants(paragraphs: list[Paragraph], passages: list) -> list[tuple[str, str]]:
    """Chinese wordings that versions of one passage use for each other where they name the same numbered thing
    (第76届联大 / 联合国大会第七十六届会议): a difference whose two sides carry the same numbers, one in digits
    and one in Chinese numerals or both alike. Other differences are real wording differences, not variants."""
    by_id = {p.id: p for p in paragraphs}
    found = set()
    for passage in passages:
        members = [by_id[pid] for pid in passage.members.values() if by_id[pid].lang == "zh"]
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                for d in differences(a.text, b.text):
                    x, y = d["a"].strip(), d["b"].strip()
                    numbers = _numbers(x)
                    if x and y and numbers and numbers == _numbers(y):
                        found.add(tuple(sorted((x, y))))
    return sorted(found)


_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")}
_NUMERAL = re.compile(r"[0-9]+|[〇一二三四五六七八九十百]+")


def _numbers(text: str) -> list[int]:
    """The numbers in a wording, whether written 76 or 七十六 (up to 999)."""
    out = []
    for m in _NUMERAL.findall(text):
        if m.isdigit():
            out.append(int(m))
            continue
        value, current = 0, 0
        for ch in m:
            if ch == "百":
                value += (current or 1) * 100
                current = 0
            elif ch == "十":
                value += (current or 1) * 10
                current = 0
            else:
                current = current * 10 + _DIGITS[ch] if current else _DIGITS[ch]
        out.append(value + current)
    return out
