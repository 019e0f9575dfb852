"""Growing a corpus: make a new corpus folder, and add a version to one (the file copied byte for byte, its entry
appended to catalog.toml). Neither touches an index: `jiaokan index` builds one when the user is ready.

A failed add leaves the corpus as it was: the new catalog is parsed, checked and the new version read before
the catalog file is replaced (atomically), and the copied file is removed again on any error.
"""
from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from jiaokan.indexer.catalog import FORMATS, load_catalog, parse_catalog
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.paragraphs import read_paragraphs
from jiaokan.indexer.records import Paragraph
from jiaokan.search.folding import HAN

CATALOG = "catalog.toml"
TEXTS = "texts"
_HAN = re.compile(f"[{HAN}]")
_EXTENSIONS = {"text": ".txt", "markdown": ".md", "html": ".html", "pdf-text": ".txt"}


def catalog_header() -> str:
    """The documentation header of the bundled catalog (everything before its first entry): every new corpus
    gets the same description of the fields and rules."""
    bundled = (Path(__file__).resolve().parents[1] / "corpus" / CATALOG).read_text(encoding="utf-8")
    lines = []
    for line in bundled.splitlines():
        if line.startswith("[["):
            break
        lines.append(line)
    return "\n".join(lines).rstrip() + "\n"


def init_corpus(folder: Path) -> Path:
    """A new corpus folder: catalog.toml with the header and no entries, an empty texts/, and a .gitignore for
    the index that jiaokan builds beside it (instance/)."""
    folder = Path(folder)
    catalog = folder / CATALOG
    if catalog.exists():
        raise CorpusError(f"{catalog}: already exists; this folder is a corpus already")
    if folder.exists() and not folder.is_dir():
        raise CorpusError(f"{folder}: exists and is not a folder")
    try:
        (folder / TEXTS).mkdir(parents=True, exist_ok=True)
        catalog.write_text(catalog_header(), encoding="utf-8")
        gitignore = folder / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# the index jiaokan builds for this corpus\ninstance/\n", encoding="utf-8")
    except OSError as e:
        raise CorpusError(f"{folder}: cannot make the corpus folder: {e.strerror or e}") from None
    return folder


@dataclass
class Added:
    version: str
    statement: str
    new_statement: bool
    path: Path  # the copy in the corpus
    paragraphs: list[Paragraph]
    languages: list[str]


def add_version(
    corpus_dir: Path,
    source_file: Path,
    *,
    statement: str,
    version: str,
    fmt: str,
    title: str | None = None,
    publisher: str | None = None,
    source: str | None = None,
    languages: list[str] | None = None,
) -> Added:
    corpus_dir = Path(corpus_dir)
    source_file = Path(source_file)
    catalog_path = corpus_dir / CATALOG
    catalog = load_catalog(corpus_dir, empty_ok=True)  # the corpus as it is must be sound before anything is added to it
    if not source_file.is_file():
        raise CorpusError(f"{source_file}: {'is a folder, not a file' if source_file.is_dir() else 'file not found'}")
    if fmt not in FORMATS:
        raise CorpusError(f"--format {fmt!r} is not one of {', '.join(FORMATS)}")
    if version in catalog.versions:
        raise CorpusError(f"{catalog_path}: version {version!r} is already in the catalog")
    new_statement = statement not in catalog.statements
    if new_statement and not title:
        raise CorpusError(f"statement {statement!r} is new to {catalog_path}: give its title with --title")

    suffix = source_file.suffix.lower() if re.fullmatch(r"\.[A-Za-z0-9]{1,8}", source_file.suffix) else ""
    relative = f"{TEXTS}/{version}{suffix or _EXTENSIONS[fmt]}"
    target = corpus_dir / relative
    entry = _entries_toml(statement, version, fmt, relative, new_statement, title, publisher, source, languages)
    old_text = catalog_path.read_text(encoding="utf-8-sig")
    new_text = old_text.rstrip("\n") + "\n" + entry

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(target, "xb") as out, open(source_file, "rb") as inp:
            shutil.copyfileobj(inp, out)
    except FileExistsError:
        raise CorpusError(f"{target}: a file of that name is already in the corpus (pick another --version id)") from None
    try:
        if languages is None:
            # Not declared: write what the reader finds, most frequent first.
            found = Counter(p.lang for p in _read_new(new_text, corpus_dir, catalog_path, version))
            languages = [lang for lang, _ in found.most_common()]
            new_text = new_text.replace(_LANGUAGES_PLACEHOLDER, f"languages = {_toml_list(languages)}")
        paragraphs = _read_new(new_text, corpus_dir, catalog_path, version)
        tmp = catalog_path.with_name(f".{CATALOG}.{os.getpid()}.tmp")
        tmp.write_text(new_text, encoding="utf-8")
        os.replace(tmp, catalog_path)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return Added(version, statement, new_statement, target, paragraphs, languages)


def _read_new(text: str, corpus_dir: Path, catalog_path: Path, version_id: str) -> list[Paragraph]:
    """The new version's paragraphs as the catalog text would have them (checking that catalog whole)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:  # what _entries_toml writes always parses; said plainly if it ever does not
        raise CorpusError(f"{catalog_path}: the new entry would not be valid TOML: {e}") from None
    return read_paragraphs(parse_catalog(data, corpus_dir, catalog_path).version(version_id))


_LANGUAGES_PLACEHOLDER = "languages = [] # filled in by jiaokan add"


def _entries_toml(statement, version, fmt, relative, new_statement, title, publisher, source, languages) -> str:
    lines = []
    if new_statement:
        title_field = "title_zh" if _HAN.search(title) else "title_en"
        lines += ["", "[[statement]]", f"id = {toml_string(statement)}", f"{title_field} = {toml_string(title)}"]
    lines += [
        "",
        "[[version]]",
        f"id = {toml_string(version)}",
        f"file = {toml_string(relative)}",
        f"statement = {toml_string(statement)}",
        f"format = {toml_string(fmt)}",
    ]
    if publisher:
        lines.append(f"publisher = {toml_string(publisher)}")
    if source:
        lines.append(f"source = {toml_string(source)}")
    lines.append(f"languages = {_toml_list(languages)}" if languages is not None else _LANGUAGES_PLACEHOLDER)
    return "\n".join(lines) + "\n"


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"
