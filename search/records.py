"""The records an index stores (a paragraph, a passage) and the one serialisation of every result type to JSON.

`to_json` walks dataclasses, lists and dicts; a field whose metadata has OMIT_IF_NONE is left out while it is None
(a hit's collation fields exist only for a collapsed search). Written for speed rather than with
dataclasses.asdict, which deep-copies every value (4 s over 100k paragraphs).
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from functools import lru_cache

OMIT_IF_NONE = {"omit_if_none": True}


def to_json(value):
    """Plain JSON data (dicts, lists, strings, numbers, None) for a result, a record, or any mix of them."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if is_dataclass(value):
        out = {}
        for name, omit in _fields(type(value)):
            v = getattr(value, name)
            if v is None and omit:
                continue
            out[name] = to_json(v)
        return out
    raise TypeError(f"cannot serialise {type(value).__name__}")


@lru_cache(maxsize=None)
def _fields(cls) -> tuple[tuple[str, bool], ...]:
    return tuple((f.name, bool(f.metadata.get("omit_if_none"))) for f in fields(cls))


@dataclass(slots=True)  # no per-record __dict__: a build holds every record at once
class Paragraph:
    """One paragraph as a reader sees it in one version."""

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


@dataclass
class Passage:
    """One paragraph of a statement across its versions (indexer/collation.py aligns them)."""

    id: str  # passage_id(statement, seq)
    statement: str
    seq: int
    kind: str
    section: str
    members: dict[str, str] = field(default_factory=dict)  # version id -> paragraph id
    lacks: dict[str, str] = field(default_factory=dict)  # version id -> why it has no paragraph here


def passage_id(statement: str, seq: int) -> str:
    """The id of the statement's `seq`-th passage (1-based), the one place its format is written."""
    return f"{statement}-p{seq:03d}"
