"""Shared fixtures: the real corpus, built once per test session into a temporary folder.

Session-scoped fixtures are read-only by convention: a test that changes a corpus or an index copies it into its
own tmp_path first.
"""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The bundled corpus (catalog.toml, texts/, userdict.txt). Do not modify it."""
    return CORPUS


@pytest.fixture(scope="session")
def built_index(tmp_path_factory, corpus_dir) -> Path:
    """The index link of the real corpus, built once per session (a symlink to its build folder)."""
    from jiaokan.indexer.build import build_index

    link = tmp_path_factory.mktemp("index") / "index"
    report = build_index(link, corpus_dir, progress=None)
    assert report.built and report.paragraphs > 0
    return link


@pytest.fixture(scope="session")
def whoosh_tail_index(tmp_path_factory, corpus_dir) -> Path:
    """The real corpus built with its rare words in the Whoosh segment, as a large corpus's blocks keep them (the
    default build of this small corpus keeps every word in the posting arrays, indexer/writer.py)."""
    from jiaokan.indexer import writer
    from jiaokan.indexer.build import build_index

    link = tmp_path_factory.mktemp("tail-index") / "index"
    saved, writer.WHOOSH_TAIL_MIN = writer.WHOOSH_TAIL_MIN, 0
    try:
        build_index(link, corpus_dir, progress=None)
    finally:
        writer.WHOOSH_TAIL_MIN = saved
    assert (link / "postings-0.rare").stat().st_size > 0, "no word went to the Whoosh segment"
    return link


@pytest.fixture(scope="session")
def corpus_index(built_index):
    """The opened real-corpus index (search.index.CorpusIndex); its searcher is shared."""
    from jiaokan.search.index import open_index

    index = open_index(built_index)
    yield index
    index.close()


@pytest.fixture(scope="session")
def full_dictionary(corpus_dir):
    """jieba's whole dictionary plus the corpus user dictionary, as the index build loads it (about 1 s)."""
    from jiaokan.search.segmenter import Dictionary

    return Dictionary.jieba_default(corpus_dir / "userdict.txt")


@pytest.fixture(scope="module")
def app(built_index):
    """The Flask app on the real-corpus index (one per test module, as requests may open it anew)."""
    from jiaokan.web import create_app

    return create_app({"TESTING": True, "INDEX_DIR": str(built_index)})


@pytest.fixture
def client(app):
    return app.test_client()
