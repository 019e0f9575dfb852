"""The paragraph record: one paragraph as a reader sees it in one version."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Paragraph:
    id: str  # stable: "<version>-<seq:03d>"
    version: str
    statement: str
    seq: int  # 1-based order within the version
    section: str  # "cover letter", "preamble", "一", "二", ... (the 2017 numbered points likewise)
    kind: str  # title | heading | body | closing
    lang: str  # zh | en
    text: str  # the source's own wording and punctuation, joined across page and line breaks
    passage: str | None = None  # filled by collation; null for a statement with one version

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
        }
