"""The paragraph record: one paragraph as a reader sees it in one version."""
from __future__ import annotations

from dataclasses import asdict, dataclass


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
        return asdict(self)
