"""The paragraph record: one paragraph as a reader sees it in one version."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    id: str  # stable: "<version>-<seq:03d>"
    version: str
    statement: str
    seq: int  # 1-based order within the version
    section: str  # "preamble", "一", "第二章 / 第一节": the labels of the open sections; a front part's name
    kind: str  # title | heading | body | closing
    lang: str  # zh | en | ru | ja | ko | el, or und-<Script> (indexer/languages.py)
    text: str  # the source's own wording and punctuation, joined across page and line breaks
    passage: str | None = None  # filled by collation; null for a statement with one version
    headings: list[str] = field(default_factory=list)  # the heading path it sits under, outermost first

    def to_dict(self) -> dict:
        # A plain dict by hand: dataclasses.asdict deep-copies every field, 4 s over 100k paragraphs.
        return {
            "id": self.id,
            "version": self.version,
            "statement": self.statement,
            "seq": self.seq,
            "section": self.section,
            "kind": self.kind,
            "lang": self.lang,
            "text": self.text,
            "passage": self.passage,
            "headings": self.headings,
        }
