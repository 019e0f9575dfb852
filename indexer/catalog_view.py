"""The catalog as plain data for listings (CLI, API, the overview page): versions with their statement and counts."""
from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from jiaokan.indexer.catalog import load_catalog
from jiaokan.indexer.paragraphs import read_paragraphs


def catalog_overview(corpus_dir: Path) -> dict:
    catalog = load_catalog(corpus_dir)
    versions = []
    for v in catalog.versions.values():
        paragraphs = read_paragraphs(v)
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
                "paragraphs": len(paragraphs),
                "paragraphs_by_lang": {
                    lang: sum(1 for p in paragraphs if p.lang == lang) for lang in sorted({p.lang for p in paragraphs})
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
