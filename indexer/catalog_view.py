"""The catalog as plain data for listings (CLI, API, the overview page): versions with their statement and counts."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from jiaokan.indexer.catalog import load_catalog
from jiaokan.indexer.paragraphs import read_paragraphs


def catalog_overview(corpus_dir: Path, paragraphs: list | None = None) -> dict:
    """`paragraphs`, all of the corpus's as the build has read them, saves reading every file a second time."""
    catalog = load_catalog(corpus_dir)
    by_version: dict[str, list] = {}
    for p in paragraphs or ():
        by_version.setdefault(p.version, []).append(p)
    versions = []
    for v in catalog.versions.values():
        paragraphs_of = by_version.get(v.id, []) if paragraphs is not None else read_paragraphs(v)
        versions.append(
            {
                "id": v.id,
                "statement": asdict(catalog.statements[v.statement]),
                "publisher": v.publisher,
                "source": v.source,
                "languages": list(v.languages),
                "coverage": v.coverage,
                "covers": v.covers,
                "notes": v.notes,
                "format": v.format,
                "path": _display_path(v.path),
                "paragraphs": len(paragraphs_of),
                "paragraphs_by_lang": {
                    lang: sum(1 for p in paragraphs_of if p.lang == lang)
                    for lang in sorted({p.lang for p in paragraphs_of})
                },
            }
        )
    return {"statements": [asdict(s) for s in catalog.statements.values()], "versions": versions}


def _display_path(path: Path) -> str:
    """Relative to the working directory when the file lies below it (as `corpus/texts/…`), else absolute."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
