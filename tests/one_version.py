"""A fixture corpus of one generated text in one version, built into an index (for tests on many paragraphs)."""
from __future__ import annotations

from pathlib import Path


def one_version_index(root: Path, name: str, texts: list[str], lang: str, title: str):
    """Write `texts` as the paragraphs of version `name`-a of statement `name` in `lang`, build the index under
    `root`, and return it opened (the caller closes it)."""
    from jiaokan.indexer.build import build_index
    from jiaokan.search.index import open_index

    corpus = root / "corpus"
    (corpus / "texts").mkdir(parents=True)
    (corpus / "texts" / f"{name}.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    (corpus / "catalog.toml").write_text(
        f'[[statement]]\nid = "{name}"\ntitle_{lang} = "{title}"\n\n'
        f'[[version]]\nid = "{name}-a"\nfile = "texts/{name}.txt"\nstatement = "{name}"\nformat = "text"\n'
        f'publisher = "Test fixture"\nlanguages = ["{lang}"]\ncoverage = "whole"\ncovers = "Generated."\n',
        encoding="utf-8",
    )
    build_index(root / "index", corpus, progress=None)
    return open_index(root / "index")
