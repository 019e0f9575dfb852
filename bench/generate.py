"""A larger corpus shaped like the real one, for benchmarks: deterministic for a given size and seed.

Paragraphs are recombined from the real corpus's sentences (same languages, sentence lengths and vocabulary),
with paragraph lengths drawn from the real distribution, and numbers varied so that the vocabulary grows with
the corpus as it would with more statements.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

from jiaokan.indexer.records import Paragraph

ROOT = Path(__file__).resolve().parents[1]
_SENTENCE = re.compile(r"[^。；！？.;!?]+[。；！？.;!?]?\s*")
_NUMBER = re.compile(r"\d+")


def _source_paragraphs() -> list[str]:
    texts = []
    for path in sorted((ROOT / "corpus" / "texts").glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            block = " ".join(line.strip() for line in block.splitlines() if line.strip())
            if len(block) > 20:
                texts.append(block)
    return texts


def generate(n: int, seed: int = 20220204) -> list[Paragraph]:
    rng = random.Random(seed)
    sources = _source_paragraphs()
    zh = [s for p in sources if not p.isascii() for s in _SENTENCE.findall(p)]
    en = [s for p in sources if p.isascii() for s in _SENTENCE.findall(p)]
    lengths = [len(p) for p in sources]
    paragraphs = []
    for i in range(n):
        lang = "en" if rng.random() < 0.2 else "zh"
        pool = en if lang == "en" else zh
        target = rng.choice(lengths)
        parts: list[str] = []
        size = 0
        while size < target * 0.4:
            s = rng.choice(pool)
            s = _NUMBER.sub(lambda m: str(rng.randrange(1, 3000)), s) if rng.random() < 0.3 else s
            parts.append(s)
            size += len(s)
        version = f"gen{i % 7}"
        paragraphs.append(
            Paragraph(
                id=f"{version}-{i:06d}",
                version=version,
                statement="generated",
                seq=i + 1,
                section="一二三四"[i % 4],
                kind="body",
                lang=lang,
                text=("" if lang == "zh" else " ").join(p.strip() for p in parts),
            )
        )
    return paragraphs


# --- A corpus whose vocabulary grows as real text's does -------------------------------------------------------------

_NUMERALS = "零一二三四五六七八九"
_SECTIONS = "一二三四五六七八九十"
_PUNCT = ["，", "，", "，", "、", "；"]


def chinese_number(n: int) -> str:
    """1..999 in Chinese numerals (第二十三条)."""
    if n < 10:
        return _NUMERALS[n]
    if n < 20:
        return "十" + (_NUMERALS[n % 10] if n % 10 else "")
    if n < 100:
        return _NUMERALS[n // 10] + "十" + (_NUMERALS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + _NUMERALS[rest] if rest < 10 else ("一" + chinese_number(rest) if rest < 20 else chinese_number(rest)))
    return _NUMERALS[n // 100] + "百" + tail


def _word_list():
    """jieba's dictionary (349k words with corpus frequencies): words drawn by frequency follow real text's
    Zipf curve, and the larger the corpus the more of the long tail it holds."""
    import jieba

    words, weights = [], []
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and not parts[0].isascii():
                words.append(parts[0])
                weights.append(int(parts[1]))
    cumulative, total = [], 0
    for w in weights:
        total += w
        cumulative.append(total)
    return words, cumulative


def generate_documents(paragraphs: int, seed: int = 20220204, per_document: int = 100) -> list[dict]:
    """Documents of about `per_document` paragraphs: a title, sections headed 一, 二, ..., numbered articles
    (第X条) of words drawn by frequency from a real word list, and a date line. Every tenth document is also
    published in a second version with some words changed, so that collation has versions to align."""
    rng = random.Random(seed)
    words, cumulative = _word_list()
    lengths = [len(p) for p in _source_paragraphs() if not p.isascii()]

    def sentence_run(target: int) -> str:
        out, size = [], 0
        while size < target:
            chunk = rng.choices(words, cum_weights=cumulative, k=rng.randint(4, 12))
            piece = "".join(chunk)
            out.append(piece)
            size += len(piece)
            out.append(rng.choice(_PUNCT) if size < target else "。")
        return "".join(out)

    documents = []
    made = 0
    number = 0
    while made < paragraphs:
        number += 1
        count = min(per_document, paragraphs - made)
        title = "关于" + "".join(rng.choices(words, cum_weights=cumulative, k=6)) + "的规定"
        lines = [title]
        article = 0
        sections = max(1, count // 20)
        body = count - 2 - sections  # title, date line, one heading per section
        for s in range(sections):
            lines.append(_SECTIONS[s % len(_SECTIONS)])
            for _ in range(body // sections + (1 if s < body % sections else 0)):
                article += 1
                lines.append(f"第{chinese_number(min(article, 999))}条　" + sentence_run(rng.choice(lengths) * 0.8))
        year = 1990 + number % 35
        lines.append(f"{year}年{1 + number % 12}月{1 + number % 28}日")
        lines = lines[:count] if count >= 3 else lines[:count]
        documents.append({"id": f"doc{number:05d}", "paragraphs": lines, "versions": 1})
        made += len(lines)
        if number % 10 == 0 and made < paragraphs:
            variant = [
                "".join(rng.choices(words, cum_weights=cumulative, k=2)) + line[4:] if i % 7 == 3 and len(line) > 8 else line
                for i, line in enumerate(lines)
            ][: paragraphs - made]
            documents[-1]["variant"] = variant
            made += len(variant)
    return documents


def write_corpus(folder: Path, paragraphs: int, kind: str = "wordlist", seed: int = 20220204) -> Path:
    """A corpus folder `jiaokan index --corpus` reads: catalog.toml, texts/, and the bundled corpus's user
    dictionary and glossary. kind "wordlist": generate_documents; kind "recombined": generate()'s paragraphs as
    documents of 100 paragraphs (one version each)."""
    import json
    import shutil

    folder = Path(folder)
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "texts").mkdir(parents=True)
    for extra in ("userdict.txt", "glossary.toml"):
        if (ROOT / "corpus" / extra).exists():
            shutil.copy(ROOT / "corpus" / extra, folder / extra)
    if kind == "wordlist":
        documents = generate_documents(paragraphs, seed)
    else:
        flat = generate(paragraphs, seed)
        documents = []
        for start in range(0, len(flat), 100):
            part = flat[start : start + 100]
            documents.append({"id": f"doc{start // 100 + 1:05d}", "paragraphs": ["生成的文件" + str(start // 100 + 1)] + [p.text for p in part[1:]], "versions": 1})

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)

    catalog = []
    for d in documents:
        catalog.append(f"[[statement]]\nid = {q(d['id'])}\ntitle_zh = {q(d['paragraphs'][0])}\ntitle_en = {q('Generated ' + d['id'])}\n"
                       f"date = \"2022-02-04\"\nplace = \"Beijing\"\n")
        texts = [("a", d["paragraphs"])] + ([("b", d["variant"])] if d.get("variant") else [])
        for suffix, lines in texts:
            name = f"{d['id']}-{suffix}"
            (folder / "texts" / f"{name}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
            langs = '["zh", "en"]' if kind != "wordlist" else '["zh"]'
            catalog.append(
                f"[[version]]\nid = {q(name)}\nfile = {q('texts/' + name + '.txt')}\nstatement = {q(d['id'])}\n"
                f"format = \"text\"\npublisher = \"bench\"\nsource = \"bench/generate.py ({kind})\"\n"
                f"languages = {langs}\ncoverage = \"whole\"\ncovers = \"The whole document.\"\nnotes = \"Generated.\"\n"
            )
    (folder / "catalog.toml").write_text("\n".join(catalog), encoding="utf-8")
    return folder
