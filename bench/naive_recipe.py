"""The naive recipe issue 3 compares against: Whoosh with jieba's ChineseAnalyzer on one TEXT field.

    .venv/bin/python bench/naive_recipe.py build [--index DIR] [--force]   # index the bundled corpus's paragraphs
    .venv/bin/python bench/naive_recipe.py lookup QUERY [--index DIR]      # one lookup, a whole process

This is what one writes first: every paragraph's text in one stored TEXT field analysed by
`jieba.analyse.ChineseAnalyzer` (jieba's search-mode tokens, lower case, English stop words and Porter stemming),
written with Whoosh's default writer; a lookup opens the index, parses the query with Whoosh's `QueryParser` and
prints the top 10 with Whoosh's highlights. `lookup` builds the index first if it is missing (untimed by the
benchmark: bench/query_bench.py builds it before measuring). The paragraphs are the ones `jiaokan index` indexes
(indexer.paragraphs.corpus_paragraphs on corpus/), so both lookups search the same text.

bench/query_bench.py also imports `build_naive_index` and `NaiveSearcher` to time the same recipe on the generated
10k/100k corpora in-process.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INDEX = ROOT / "bench" / "out" / "naive-index"


def _schema():
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields

    return fields.Schema(
        id=fields.ID(stored=True),
        text=fields.TEXT(stored=True, analyzer=ChineseAnalyzer()),
    )


def build_naive_index(paragraphs, folder: Path, *, force: bool = False) -> float:
    """Index (id, text) pairs or Paragraph records into `folder` with the default writer; returns seconds (0 when
    the index was already there)."""
    from whoosh import index as whoosh_index

    folder = Path(folder)
    if folder.exists() and whoosh_index.exists_in(str(folder)) and not force:
        return 0.0
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    ix = whoosh_index.create_in(str(folder), _schema())
    writer = ix.writer()
    for p in paragraphs:
        pid, text = (p.id, p.text) if hasattr(p, "text") else (p["id"], p["text"])
        writer.add_document(id=pid, text=text)
    writer.commit()
    return time.perf_counter() - started


def corpus_paragraphs():
    from jiaokan.indexer.build import DEFAULT_CORPUS
    from jiaokan.indexer.catalog import load_catalog
    from jiaokan.indexer.paragraphs import corpus_paragraphs as read_all

    return read_all(load_catalog(DEFAULT_CORPUS))


class NaiveSearcher:
    """Open once, then search: QueryParser on the text field, top 10, Whoosh highlights for each hit."""

    def __init__(self, folder: Path):
        from whoosh import index as whoosh_index
        from whoosh.qparser import QueryParser

        self.ix = whoosh_index.open_dir(str(folder))
        self.searcher = self.ix.searcher()
        self.parser = QueryParser("text", self.ix.schema)

    def search(self, query: str, limit: int = 10) -> list[dict]:
        q = self.parser.parse(query)
        results = self.searcher.search(q, limit=limit)
        return [{"id": hit["id"], "score": hit.score, "highlights": hit.highlights("text")} for hit in results]

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="index the bundled corpus's paragraphs")
    build.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    build.add_argument("--force", action="store_true")
    lookup = sub.add_parser("lookup", help="one lookup: open, parse, search, print the top 10 with highlights")
    lookup.add_argument("query")
    lookup.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    if args.command == "build":
        seconds = build_naive_index(corpus_paragraphs(), args.index, force=args.force)
        print(f"{args.index}: " + (f"built in {seconds:.2f} s" if seconds else "already built"))
        return 0

    from whoosh import index as whoosh_index

    if not whoosh_index.exists_in(str(args.index)):
        build_naive_index(corpus_paragraphs(), args.index)
    searcher = NaiveSearcher(args.index)
    hits = searcher.search(args.query)
    for hit in hits:
        print(f"{hit['id']}  (score {hit['score']:.4f})")
        print(f"  {hit['highlights']}")
        print()
    print(f"{len(hits)} hits shown")
    searcher.close()
    return 0 if hits else 1


if __name__ == "__main__":
    sys.exit(main())
