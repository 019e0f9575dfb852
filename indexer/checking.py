"""Reading a corpus without building it: counts per version and warnings a user can act on (`jiaokan check`),
and the lines of a new version that look like furniture (`jiaokan add`)."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from jiaokan.indexer.catalog import Version, load_catalog, read_version_text
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.paragraphs import read_paragraphs
from jiaokan.indexer.readers import is_page_number, read_blocks
from jiaokan.indexer.records import Paragraph
from jiaokan.indexer.structure import PREAMBLE

_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u9fff\uff00-\uffef]+", re.IGNORECASE)
_TIMESTAMP = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?$")
_MARKUP = re.compile(r"^#{1,6}\s|\*\*|__|\]\(|!\[|<!--|-->|</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^>]*)?>|^```|^\s*[-*+]\s|^>\s")
SHORT = 40  # furniture is short


@dataclass
class VersionReport:
    id: str
    format: str
    paragraphs: int = 0
    headings: int = 0
    sections: int = 0
    languages: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def furniture_candidates(text: str, paragraphs: list[Paragraph]) -> list[str]:
    """What in a version's paragraphs looks like a publisher's furniture rather than the document: short
    paragraphs or lines that repeat, page numbers, URLs, date-and-time stamps. One line each, saying why."""
    found: list[str] = []
    texts = Counter(p.text for p in paragraphs)
    seen: set[str] = set()

    def note(what: str, why: str) -> None:
        if what not in seen:
            seen.add(what)
            found.append(f"{what!r}: {why}")

    for p in paragraphs:
        if p.kind == "heading":
            continue
        if texts[p.text] > 1 and len(p.text) <= SHORT:
            note(p.text, f"a short paragraph that occurs {texts[p.text]} times")
        if is_page_number(p.text):
            note(p.text, "looks like a page number")
        if _TIMESTAMP.match(p.text):
            note(p.text, "looks like a date-and-time stamp")
        for url in _URL.findall(p.text):
            note(url, f"a URL, in {p.id}")
    # A repeated line that a join glued onto a paragraph ("返回顶部" + the next paragraph).
    lines = Counter(s for line in text.split("\n") if (s := line.strip()) and len(s) <= SHORT)
    for line, n in lines.items():
        glued = any(t.startswith(line) or t.endswith(line) for t in texts)
        if glued and is_page_number(line):
            note(line, "looks like a page number")
        elif glued and n >= 2:
            note(line, f"a short line that occurs {n} times in the file")
    return found


def markup_left(paragraphs: list[Paragraph]) -> list[str]:
    return [f"{p.id}: {p.text[:40]!r}" for p in paragraphs if _MARKUP.search(p.text)]


def check_corpus(corpus_dir: Path) -> tuple[list[VersionReport], list[str]]:
    """(a report per version, corpus-wide warnings). A catalog error raises CorpusError; an error in one version
    is recorded in its report so every version gets read."""
    catalog = load_catalog(corpus_dir)
    reports = [check_version(v) for v in catalog.versions.values()]
    warnings = []
    for statement in catalog.statements.values():
        if not any(v.statement == statement.id for v in catalog.versions.values()):
            warnings.append(f"statement {statement.id!r} has no version")
    return reports, warnings


def check_version(version: Version) -> VersionReport:
    report = VersionReport(version.id, version.format)
    try:
        text = read_version_text(version)
        paragraphs = read_paragraphs(version)
    except CorpusError as e:
        report.error = str(e)
        return report
    report.paragraphs = len(paragraphs)
    report.headings = sum(1 for p in paragraphs if p.kind == "heading")
    front = version.rules.front.section if version.rules.front else None
    report.sections = len({p.section for p in paragraphs if p.section not in (PREAMBLE, front)})
    report.languages = dict(Counter(p.lang for p in paragraphs).most_common())
    for lang in version.languages:
        if lang not in report.languages:
            report.warnings.append(f"languages names {lang!r} but no paragraph reads as {lang}")
    if not version.languages:
        report.warnings.append(f"no languages declared; the reader finds {', '.join(report.languages)}")
    stop_at = version.rules.stop_at
    if stop_at is not None and not any(stop_at.search(b.text) for b in read_blocks(text, version)):
        report.warnings.append(f"stop_at {stop_at.pattern!r} matches no paragraph: the whole text is read")
    if version.format in ("markdown", "html"):
        for where in markup_left(paragraphs)[:5]:
            report.warnings.append(f"markup left in {where}")
    for candidate in furniture_candidates(text, paragraphs)[:10]:
        report.warnings.append(f"possible furniture {candidate}")
    return report
