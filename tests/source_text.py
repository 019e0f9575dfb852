"""What a reader sees of a source, by a route independent of jiaokan's readers: the oracle the character-
preservation checks compare paragraphs with. Written for sources like the fixtures (no code blocks, no tables)."""
from __future__ import annotations

import re

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


def without_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def markdown_body(source: str) -> str:
    return _FRONT_MATTER.sub("", source)


def markdown_text_characters(source: str) -> str:
    """Front matter, comments and images go; heading marks, bullets, emphasis and link targets go; an ordered
    item's number stays. Whitespace is left out."""
    text = markdown_body(source)
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^#{1,6}\s", "", text, flags=re.M)
    text = re.sub(r"^[-*+]\s", "", text, flags=re.M)
    text = text.replace("**", "").replace("*", "")
    return without_space(text)


def markdown_headings(source: str) -> list[str]:
    return [line.lstrip("#").strip() for line in markdown_body(source).splitlines() if re.match(r"#{1,6}\s", line)]
