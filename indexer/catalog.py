"""The corpus catalog (catalog.toml): statements, the published versions that carry them, and each version's rules.

Everything about the catalog a user can get wrong is checked here, before any text is read, and reported as one
CorpusError line naming the file, the entry and the field. What the fields mean is written in the header of
corpus/catalog.toml (which `jiaokan init` copies into every new catalog).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from jiaokan.indexer.errors import CorpusError

FORMATS = ("text", "markdown", "html", "pdf-text")
COVERAGES = ("whole", "part", "truncated")
TITLE_RULES = ("first-block", "first-heading", "none")
PARAGRAPH_RULES = ("auto", "blank-lines", "lines", "indent")
SECTION_RULES = ("numerals", "english-numerals", "points", "list-points", "chapters", "numbered-headings", "headings")

# Which numbering opens a section when a version names none: headings of the markup, 第X章 / 第X节, lines that
# are a numeral on their own (一, 二, …), and in plain text short numbered lines ("一、基本情况").
DEFAULT_SECTIONS = {
    "text": ("numerals", "chapters", "numbered-headings"),
    "pdf-text": ("numerals", "chapters", "numbered-headings"),
    "markdown": ("headings", "chapters", "numerals"),
    "html": ("headings", "chapters", "numerals"),
}
DEFAULT_TITLE = {"text": "first-block", "pdf-text": "first-block", "markdown": "none", "html": "none"}

# Safe in a URL path segment, a file name and a paragraph id ("<version>-001"): no slash, no dot-dot, no space.
_SAFE_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

STATEMENT_FIELDS = {"id": str, "title_zh": str, "title_en": str, "date": str, "place": str}
VERSION_FIELDS = {
    "id": str, "file": str, "statement": str, "format": str, "publisher": str, "source": str,
    "languages": list, "coverage": str, "covers": str, "notes": str,
    # rules: how the reader cuts this version (all optional)
    "paragraphs": str, "drop": list, "drop_matching": list, "start_at": str, "stop_at": str, "title": str,
    "sections": list, "heading_aliases": dict, "heading_matching": list, "closing_matching": list,
    "front": dict, "join_breaks": bool, "selector": str, "drop_repeated": bool, "drop_page_numbers": bool,
}
FRONT_FIELDS = {"section": str, "until": str}


@dataclass(frozen=True)
class Statement:
    id: str
    title_zh: str
    title_en: str
    date: str
    place: str


@dataclass(frozen=True)
class Front:
    """A leading part before the document proper (a cover letter): its own section, up to a closing heading."""

    section: str
    until: re.Pattern[str]


@dataclass(frozen=True)
class Rules:
    """What is particular to one version, as data: see the catalog header for each field."""

    paragraphs: str = "blank-lines"
    drop: frozenset[str] = frozenset()
    drop_matching: tuple[re.Pattern[str], ...] = ()
    start_at: re.Pattern[str] | None = None
    stop_at: re.Pattern[str] | None = None
    title: str = "first-block"
    sections: tuple[str, ...] = ("numerals", "chapters", "numbered-headings")
    heading_aliases: dict[str, str] = field(default_factory=dict)
    heading_matching: tuple[re.Pattern[str], ...] = ()
    closing_matching: tuple[re.Pattern[str], ...] = ()
    front: Front | None = None
    join_breaks: bool = True
    selector: str | None = None
    drop_repeated: bool = False
    drop_page_numbers: bool = False


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
    rules: Rules = field(default_factory=Rules, compare=False)
    catalog_path: Path | None = field(default=None, compare=False)  # the catalog.toml that describes it


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


def load_catalog(corpus_dir: Path, *, empty_ok: bool = False) -> Catalog:
    """Read and check corpus_dir/catalog.toml; every problem is a CorpusError naming the entry and field."""
    corpus_dir = Path(corpus_dir)
    path = corpus_dir / "catalog.toml"
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        hint = "" if corpus_dir.is_dir() else f" (no folder {corpus_dir}; make a corpus with: jiaokan init DIR)"
        raise CorpusError(f"{path}: catalog file not found{hint}") from None
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not valid UTF-8 at byte {e.start}") from None
    except tomllib.TOMLDecodeError as e:
        raise CorpusError(f"{path}: not valid TOML: {e}") from None
    catalog = parse_catalog(data, corpus_dir, path, empty_ok=empty_ok)
    check_user_dict(corpus_dir / USER_DICT)
    return catalog


# jieba's user-dictionary line, as the index build reads it: "word frequency [part-of-speech tag]".
_USER_DICT_LINE = re.compile(r"^\S+[ \t]+\d+(?:[ \t]+[A-Za-z]+)?$")
USER_DICT = "userdict.txt"


def check_user_dict(path: Path) -> None:
    """Every line of the corpus user dictionary must be "word frequency [tag]" (blank and # lines aside)."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return
    except IsADirectoryError:
        raise CorpusError(f"{path}: is a folder, not jieba's user dictionary") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise CorpusError(f"{path}: not valid UTF-8 at byte {e.start} (jieba reads UTF-8 only)") from None
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if line and not line.startswith("#") and not _USER_DICT_LINE.match(line):
            raise CorpusError(
                f"{path}: line {number}: {line[:40]!r} is not 'word frequency [tag]' (a word without spaces, "
                "then a whole number)"
            )


def parse_catalog(data: dict, corpus_dir: Path, path: Path, *, empty_ok: bool = False) -> Catalog:
    for key in data:
        if key not in ("statement", "version"):
            raise CorpusError(f"{path}: unknown top-level key {key!r} (a catalog has [[statement]] and [[version]] entries)")
    statements: dict[str, Statement] = {}
    for i, entry in enumerate(_entries(path, data, "statement")):
        where = _where(path, "statement", entry, i)
        _check_fields(where, entry, STATEMENT_FIELDS)
        _require(where, entry, ("id",))
        _check_id(where, entry["id"])
        if entry["id"] in statements:
            raise CorpusError(f"{where}: id {entry['id']!r} is used by an earlier [[statement]]")
        if not entry.get("title_zh") and not entry.get("title_en"):
            raise CorpusError(f"{where}: missing field 'title_zh' or 'title_en' (the statement needs a title)")
        statements[entry["id"]] = Statement(**{k: entry.get(k, "") for k in STATEMENT_FIELDS})

    versions: dict[str, Version] = {}
    for i, entry in enumerate(_entries(path, data, "version")):
        where = _where(path, "version", entry, i)
        _check_fields(where, entry, VERSION_FIELDS)
        _require(where, entry, ("id", "file", "statement", "format"))
        _check_id(where, entry["id"])
        if entry["id"] in versions:
            raise CorpusError(f"{where}: id {entry['id']!r} is used by an earlier [[version]]")
        if entry["statement"] not in statements:
            raise CorpusError(f"{where}: field 'statement': {entry['statement']!r} is not a [[statement]] id")
        _check_choice(where, entry, "format", FORMATS)
        _check_choice(where, entry, "coverage", COVERAGES)
        languages = _strings(where, entry, "languages")
        for lang in languages:
            if not _LANGUAGE.match(lang):
                raise CorpusError(f"{where}: field 'languages': {lang!r} is not a language code such as zh, en, ru")
        versions[entry["id"]] = Version(
            id=entry["id"],
            file=entry["file"],
            statement=entry["statement"],
            format=entry["format"],
            publisher=entry.get("publisher", ""),
            source=entry.get("source", ""),
            languages=tuple(languages),
            coverage=entry.get("coverage", "whole"),
            covers=entry.get("covers", ""),
            notes=entry.get("notes", ""),
            path=_text_path(where, corpus_dir, entry["file"]),
            rules=_rules(where, entry),
            catalog_path=path,
        )
    if not versions and not empty_ok:
        raise CorpusError(f"{path}: no [[version]] entries (add one with: jiaokan add FILE --statement ID --version ID --format FMT)")
    return Catalog(root=corpus_dir, statements=statements, versions=versions)


def read_version_text(version: Version) -> str:
    """The file's text as published, with a byte-order mark removed and CRLF / CR line ends read as LF; a missing
    or non-UTF-8 file is a CorpusError saying where."""
    try:
        raw = version.path.read_bytes()
    except FileNotFoundError:
        raise CorpusError(f"{version.path}: corpus file of version {version.id!r} not found") from None
    except IsADirectoryError:
        raise CorpusError(f"{version.path}: the file of version {version.id!r} is a folder") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise CorpusError(
            f"{version.path}: not valid UTF-8 at byte {e.start} (line {line}) in version {version.id!r}; "
            "save it as UTF-8 (a GB18030 text: iconv -f GB18030 -t UTF-8)"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- checks ----------------------------------------------------------------------------------------------------

_TYPE_NAMES = {str: "a string", list: "a list", dict: "a table", bool: "true or false", int: "an integer", float: "a number"}


def _type_name(value) -> str:
    for t in (bool, int, float, str, list, dict):
        if isinstance(value, t):
            return _TYPE_NAMES[t]
    return type(value).__name__  # TOML dates and times


def _entries(path: Path, data: dict, key: str) -> list[dict]:
    entries = data.get(key, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CorpusError(f"{path}: '{key}' must be written as [[{key}]] tables")
    return entries


def _where(path: Path, kind: str, entry: dict, i: int) -> str:
    ident = entry.get("id")
    return f"{path}: {kind} {ident!r}" if isinstance(ident, str) else f"{path}: {kind} #{i + 1}"


def _check_fields(where: str, entry: dict, fields: dict[str, type]) -> None:
    for name, value in entry.items():
        if name not in fields:
            raise CorpusError(f"{where}: unknown field {name!r} (known: {', '.join(fields)})")
        wanted = fields[name]
        if not isinstance(value, wanted) or (wanted is not bool and isinstance(value, bool)):
            raise CorpusError(f"{where}: field {name!r} must be {_TYPE_NAMES[wanted]}, not {_type_name(value)}")


def _require(where: str, entry: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if entry.get(name) in (None, ""):
            raise CorpusError(f"{where}: missing field {name!r}")


def _check_id(where: str, ident: str) -> None:
    if not _SAFE_ID.match(ident) or ".." in ident:
        raise CorpusError(
            f"{where}: field 'id': {ident!r} is not safe in a URL (use letters, digits, '-', '_' and '.', no '/' or '..')"
        )


def _check_choice(where: str, entry: dict, name: str, choices: tuple[str, ...]) -> None:
    if name in entry and entry[name] not in choices:
        raise CorpusError(f"{where}: field {name!r}: {entry[name]!r} is not one of {', '.join(choices)}")


def _strings(where: str, entry: dict, name: str) -> list[str]:
    values = entry.get(name, [])
    for value in values:
        if not isinstance(value, str) or not value:
            raise CorpusError(f"{where}: field {name!r} must be a list of non-empty strings, not one holding {_type_name(value)}")
    return values


def _pattern(where: str, name: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(source)
    except re.error as e:
        raise CorpusError(f"{where}: field {name!r}: {source!r} is not a valid regular expression ({e})") from None


def _text_path(where: str, corpus_dir: Path, file: str) -> Path:
    file_path = (corpus_dir / file).resolve()
    if not file_path.is_relative_to(corpus_dir.resolve()):
        raise CorpusError(f"{where}: field 'file': {file!r} lies outside the corpus folder")
    if file_path.is_dir():
        raise CorpusError(f"{where}: field 'file': {file!r} is a folder, not a text file")
    return file_path


def _rules(where: str, entry: dict) -> Rules:
    fmt = entry["format"]
    for name in ("paragraphs", "title"):
        _check_choice(where, entry, name, PARAGRAPH_RULES if name == "paragraphs" else TITLE_RULES)
    if "paragraphs" in entry and fmt != "text":
        raise CorpusError(f"{where}: field 'paragraphs' applies to format text only, not {fmt}")
    if "selector" in entry and fmt != "html":
        raise CorpusError(f"{where}: field 'selector' applies to format html only, not {fmt}")
    sections = _strings(where, entry, "sections") if "sections" in entry else list(DEFAULT_SECTIONS[fmt])
    for name in sections:
        if name not in SECTION_RULES:
            raise CorpusError(f"{where}: field 'sections': {name!r} is not one of {', '.join(SECTION_RULES)}")
    aliases = entry.get("heading_aliases", {})
    for key, value in aliases.items():
        if not isinstance(value, str) or not value:
            raise CorpusError(f"{where}: field 'heading_aliases': the value for {key!r} must be a non-empty string")
    front = None
    if "front" in entry:
        _check_fields(f"{where}: field 'front'", entry["front"], FRONT_FIELDS)
        _require(f"{where}: field 'front'", entry["front"], ("section", "until"))
        front = Front(entry["front"]["section"], _pattern(where, "front.until", entry["front"]["until"]))
    selector = entry.get("selector")
    if selector is not None:
        _check_selector(where, selector)
    is_pdf = fmt == "pdf-text"
    return Rules(
        paragraphs=entry.get("paragraphs", "auto" if fmt == "text" else "blank-lines"),
        drop=frozenset(s.strip() for s in _strings(where, entry, "drop")),
        drop_matching=tuple(_pattern(where, "drop_matching", s) for s in _strings(where, entry, "drop_matching")),
        start_at=_pattern(where, "start_at", entry["start_at"]) if "start_at" in entry else None,
        stop_at=_pattern(where, "stop_at", entry["stop_at"]) if "stop_at" in entry else None,
        title=entry.get("title", DEFAULT_TITLE[fmt]),
        sections=tuple(sections),
        heading_aliases=dict(aliases),
        heading_matching=tuple(_pattern(where, "heading_matching", s) for s in _strings(where, entry, "heading_matching")),
        closing_matching=tuple(_pattern(where, "closing_matching", s) for s in _strings(where, entry, "closing_matching")),
        front=front,
        # Markdown and HTML mark paragraphs up: a page break there is the rare case, a list item without a full
        # stop the common one.
        join_breaks=entry.get("join_breaks", fmt in ("text", "pdf-text")),
        selector=selector,
        drop_repeated=entry.get("drop_repeated", is_pdf),
        drop_page_numbers=entry.get("drop_page_numbers", is_pdf),
    )


def _check_selector(where: str, selector: str) -> None:
    import soupsieve

    try:
        soupsieve.compile(selector)
    except (soupsieve.SelectorSyntaxError, ValueError) as e:
        first = str(e).splitlines()[0]
        raise CorpusError(f"{where}: field 'selector': {selector!r} is not a valid CSS selector ({first})") from None
