"""The corpus catalog (corpus/catalog.toml): statements, and the published versions that carry them."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from jiaokan.indexer.errors import CorpusError

FORMATS = ("un-pdf", "xinhua-wire", "news-site", "markdown-preview")
COVERAGES = ("whole", "part", "truncated")
STATEMENT_FIELDS = ("id", "title_zh", "title_en", "date", "place")
VERSION_FIELDS = ("id", "file", "statement", "format", "publisher", "source", "languages", "coverage", "covers", "notes")


@dataclass(frozen=True)
class Statement:
    id: str
    title_zh: str
    title_en: str
    date: str
    place: str


@dataclass(frozen=True)
class Version:
    id: str
    file: str
    statement: str
    format: str
    publisher: str
    source: str
    languages: tuple[str, ...]
    coverage: str
    covers: str
    notes: str
    path: Path = field(compare=False)


@dataclass(frozen=True)
class Catalog:
    root: Path
    statements: dict[str, Statement]
    versions: dict[str, Version]

    def version(self, version_id: str) -> Version:
        try:
            return self.versions[version_id]
        except KeyError:
            known = ", ".join(self.versions)
            raise CorpusError(f"unknown version id {version_id!r} (known: {known})") from None


def load_catalog(corpus_dir: Path) -> Catalog:
    """Read and check corpus_dir/catalog.toml; every problem is a CorpusError naming the entry and field."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / "catalog.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpusError(f"{path}: catalog file not found") from None
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not valid UTF-8 at byte {e.start}") from None
    except tomllib.TOMLDecodeError as e:
        raise CorpusError(f"{path}: not valid TOML: {e}") from None

    statements: dict[str, Statement] = {}
    for i, entry in enumerate(data.get("statement", [])):
        _require(path, f"statement #{i + 1}", entry, STATEMENT_FIELDS)
        statements[entry["id"]] = Statement(**{k: str(entry[k]) for k in STATEMENT_FIELDS})

    versions: dict[str, Version] = {}
    for i, entry in enumerate(data.get("version", [])):
        where = f"version {entry.get('id', '#' + str(i + 1))!r}"
        _require(path, where, entry, VERSION_FIELDS)
        if entry["id"] in versions:
            raise CorpusError(f"{path}: {where}: id is used twice")
        if entry["statement"] not in statements:
            raise CorpusError(f"{path}: {where}: statement {entry['statement']!r} is not a [[statement]] id")
        if entry["format"] not in FORMATS:
            raise CorpusError(f"{path}: {where}: format {entry['format']!r} is not one of {', '.join(FORMATS)}")
        if entry["coverage"] not in COVERAGES:
            raise CorpusError(f"{path}: {where}: coverage {entry['coverage']!r} is not one of {', '.join(COVERAGES)}")
        file_path = (corpus_dir / entry["file"]).resolve()
        if not file_path.is_relative_to(corpus_dir.resolve()):
            raise CorpusError(f"{path}: {where}: file {entry['file']!r} lies outside the corpus folder")
        versions[entry["id"]] = Version(
            **{k: entry[k] for k in VERSION_FIELDS if k != "languages"},
            languages=tuple(entry["languages"]),
            path=file_path,
        )
    if not versions:
        raise CorpusError(f"{path}: no [[version]] entries")
    return Catalog(root=corpus_dir, statements=statements, versions=versions)


def read_version_text(version: Version) -> str:
    """The file's text exactly as published; a missing or non-UTF-8 file is a CorpusError saying where."""
    try:
        raw = version.path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{version.path}: corpus file of version {version.id!r} not found") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise CorpusError(
            f"{version.path}: not valid UTF-8 at byte {e.start} (line {line}) in version {version.id!r}"
        ) from None


def _require(path: Path, where: str, entry: dict, fields: tuple[str, ...]) -> None:
    for name in fields:
        value = entry.get(name)
        if value is None or value == "" or value == []:
            raise CorpusError(f"{path}: {where}: missing field {name!r}")
