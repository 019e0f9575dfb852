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
