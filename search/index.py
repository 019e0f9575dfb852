"""Opening a built index: the paragraph store, its corpus dictionary and the Whoosh index, each loaded when first
needed and then shared. A query whose terms the posting arrays answer never imports or opens Whoosh."""
from __future__ import annotations

import json
import marshal
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

from jiaokan.search.errors import IndexDamaged, IndexNotBuilt
from jiaokan.search.integrity import size_problem
from jiaokan.search.segmenter import Dictionary
from jiaokan.search.store import STORE_FILE, ParagraphStore

META_FILE = "jiaokan.json"
DICTIONARY_FILE = "dictionary.json"
CATALOG_FILE = "catalog.json"
PASSAGES_FILE = "passages.json"
TRANSLATIONS_FILE = "translations.marshal"
OLDER_TRANSLATIONS_FILE = "translations.json"  # the table as an older jiaokan wrote it: its index must be rebuilt
ROOT = Path(__file__).resolve().parents[1]
# In a source checkout the index of the bundled corpus lives in the checkout (instance/index); an installed copy
# cannot write inside site-packages, so it keeps it in the user's data folder.
DEFAULT_INDEX = ROOT / "instance" / "index"


def default_index_path() -> Path:
    """$JIAOKAN_INDEX, else instance/index in a source checkout, else $XDG_DATA_HOME/jiaokan/index (by default
    ~/.local/share/jiaokan/index)."""
    if os.environ.get("JIAOKAN_INDEX"):
        return Path(os.environ["JIAOKAN_INDEX"])
    if (ROOT / "pyproject.toml").exists():
        return DEFAULT_INDEX
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "jiaokan" / "index"


def read_meta(index_path: Path) -> dict | None:
    try:
        return json.loads((Path(index_path) / META_FILE).read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
        return None


def write_translations(path: Path, table: dict[str, dict[str, list[dict]]]) -> None:
    """The translation table ({"en": {key: [entry, ...]}, "zh": ...}, indexer/translations.py) as marshal, each
    key's entries as JSON text: opening it decodes the keys only (a few ms for the bundled corpus's 4,000, where
    json.loads of the whole table took 30 ms of a one-shot lookup), and a key's entries when a query looks it up."""
    encoded = {
        lang: {key: json.dumps(entries, ensure_ascii=False, separators=(",", ":")) for key, entries in keys.items()}
        for lang, keys in table.items()
    }
    Path(path).write_bytes(marshal.dumps(encoded))


class _Entries(Mapping):
    """One language's keys of the translation table; a key's entries decoded from JSON when first looked up."""

    def __init__(self, encoded: dict[str, str]):
        self._encoded = encoded
        self._decoded: dict[str, list[dict]] = {}

    def __getitem__(self, key: str) -> list[dict]:
        entries = self._decoded.get(key)
        if entries is None:
            entries = self._decoded[key] = json.loads(self._encoded[key])
        return entries

    def __iter__(self):
        return iter(self._encoded)

    def __len__(self) -> int:
        return len(self._encoded)


class CorpusIndex:
    """One build of the index. `path` is the link the user named; `build_dir` the folder it pointed to when
    opened, so a rebuild (which moves the link) can be noticed with `is_current()`."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.build_dir = self.path.resolve()
        self.meta = read_meta(self.build_dir)
        if self.meta is None:
            if (self.build_dir / META_FILE).exists():
                raise IndexDamaged(self.path, f"{META_FILE} is unreadable")
            raise IndexNotBuilt(f"no index at {self.path}; build it with: jiaokan index")
        if (not (self.build_dir / STORE_FILE).exists() or (self.build_dir / OLDER_TRANSLATIONS_FILE).exists()
                or ((self.build_dir / "postings-0.idx").exists() and not (self.build_dir / "postings-0.terms").exists())):
            raise IndexNotBuilt(f"the index at {self.path} was built by an older jiaokan; rebuild it with: jiaokan index")
        problem = size_problem(self.build_dir, self.meta)
        if problem:
            raise IndexDamaged(self.path, problem)
        self._searcher = None
        self._ix = None

    @property
    def ix(self):
        """The Whoosh index, opened on first use."""
        if self._ix is None:
            from whoosh import index as whoosh_index

            try:
                self._ix = whoosh_index.open_dir(str(self.build_dir))
            except Exception as e:  # Whoosh's errors for a damaged table of contents or segment list
                raise IndexDamaged(self.path, f"Whoosh cannot open it: {type(e).__name__}: {e}") from e
        return self._ix

    @cached_property
    def dictionary(self) -> Dictionary:
        return Dictionary.load(self.build_dir / DICTIONARY_FILE)

    @cached_property
    def paragraphs(self) -> ParagraphStore:
        """The paragraph records in corpus order (a sequence of dicts, decoded one at a time)."""
        return ParagraphStore(self.build_dir / STORE_FILE)

    @cached_property
    def catalog(self) -> dict:
        """{"statements": [...], "versions": [...]} as `jiaokan versions --json` prints it, from build time."""
        try:
            return json.loads((self.build_dir / CATALOG_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"statements": [], "versions": []}

    @cached_property
    def passages(self) -> dict[str, dict]:
        """Passage id -> {id, statement, seq, kind, section, members {version: paragraph id}, lacks {version: why}}."""
        try:
            data = json.loads((self.build_dir / PASSAGES_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {p["id"]: p for p in data}

    @cached_property
    def translations(self) -> dict:
        """{"en": {english key: [{"zh", "source", "weight"}]}, "zh": {chinese key: [{"en" or "zh", ...}]}}"""
        try:
            encoded = marshal.loads((self.build_dir / TRANSLATIONS_FILE).read_bytes())
        except FileNotFoundError:
            return {"en": {}, "zh": {}}
        return {lang: _Entries(keys) for lang, keys in encoded.items()}

    @cached_property
    def paragraph_index(self) -> dict[str, int]:
        return {pid: i for i, pid in enumerate(self.paragraphs.strings("id"))}

    @cached_property
    def engine(self):
        """Whole-index query evaluation (search/engine.py), set up once per opened index."""
        from jiaokan.search.engine import Engine

        return Engine(self)

    def searcher(self):
        """The searcher of this build, shared. Whoosh file reads are not thread-safe: search/engine.py reads
        postings through a reader of each thread's own, and uses this one only to learn the segments."""
        if self._searcher is None:
            from whoosh import scoring

            self._searcher = self.ix.searcher(weighting=scoring.BM25F())
        return self._searcher

    def warm(self) -> "CorpusIndex":
        """Load everything a search needs now, once, rather than racing to load it in concurrent first requests."""
        self.paragraphs, self.paragraph_index, self.passages, self.catalog, self.dictionary, self.translations
        self.engine.codes, self.engine.groups, self.engine.folded, self.engine.folded_bounds
        # Whoosh is imported and opened on the first rare term otherwise: ~0.15 s that a server's first such query
        # (often an adversarial one) would pay. A one-shot CLI lookup does not warm, and opens it only if needed.
        self.engine.warm_whoosh()
        from jiaokan.search import wording  # noqa: F401  (its pattern, made on import, is compiled with the rest)
        from jiaokan.search.units import LazyPattern

        LazyPattern.compile_all()
        return self

    def is_current(self) -> bool:
        try:
            return self.path.resolve() == self.build_dir
        except OSError:
            return False

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.close()  # the readers its threads opened
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        if self._ix is not None:
            self._ix.close()


def open_index(path: Path | None = None) -> CorpusIndex:
    return CorpusIndex(path or default_index_path())
