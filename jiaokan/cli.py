"""The `jiaokan` command: a thin layer over indexer/ and search/.

Errors a user can fix print one line and exit with status 2 (as grep does for trouble); `jiaokan search` exits
1 when nothing matched. Heavy modules are imported inside the commands: a lookup's start-up is its cost.
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

# numpy loads OpenBLAS, whose start-up runs a thread per core; jiaokan does no linear algebra (its arrays are
# element-wise), and a single thread takes 30-70 ms less CPU time off every command, a one-shot lookup's most.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

SUMMARY_VERSIONS = 12  # versions named in the summary line of `jiaokan index`
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None):
        click.echo(f"jiaokan: {self.message}", err=True)


def _index_option(f):
    return click.option(
        "--index",
        "index_path",
        type=click.Path(path_type=Path),
        default=None,
        help="Index folder (default: $JIAOKAN_INDEX, else the corpus's own instance/index; see README).",
    )(f)


def _filter_options(f):
    """The filters search and concordance share."""
    f = click.option("--section", default=None, help="Only this section (一, 二, preamble, cover letter, ...).")(f)
    f = click.option("--lang", default=None, help="Only paragraphs in this language (zh, en, ru, ...).")(f)
    return click.option("--version", "versions", multiple=True, help="Only this version (repeatable).")(f)


def _corpus_option(f):
    return click.option(
        "--corpus",
        "corpus_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Corpus folder with catalog.toml (default: $JIAOKAN_CORPUS or the bundled corpus/).",
    )(f)


def _corpus_dir(corpus_dir: Path | None) -> Path:
    if corpus_dir:
        return corpus_dir
    if os.environ.get("JIAOKAN_CORPUS"):
        return Path(os.environ["JIAOKAN_CORPUS"])
    from jiaokan.indexer.build import DEFAULT_CORPUS

    return DEFAULT_CORPUS


def _index_path(index_path: Path | None, corpus_dir: Path | None = None) -> Path:
    """--index, else $JIAOKAN_INDEX, else a corpus of one's own keeps its index in its own instance/index, else
    the bundled corpus's default (search.index.default_index_path)."""
    from jiaokan.search.index import default_index_path

    if index_path or os.environ.get("JIAOKAN_INDEX"):
        return index_path or default_index_path()
    corpus = corpus_dir or (Path(os.environ["JIAOKAN_CORPUS"]) if os.environ.get("JIAOKAN_CORPUS") else None)
    if corpus is not None and not _is_bundled(corpus):
        return corpus / "instance" / "index"
    return default_index_path()


def _is_bundled(corpus: Path) -> bool:
    from jiaokan.indexer.build import DEFAULT_CORPUS

    try:
        return corpus.resolve() == DEFAULT_CORPUS.resolve()
    except OSError:
        return False


def _damage_explained(index, e: Exception) -> "UserError | None":
    """After an unexpected error reading an index: the one-line damaged-index message if its files say so."""
    from jiaokan.search.errors import IndexDamaged
    from jiaokan.search.integrity import diagnose

    problem = diagnose(index) if index is not None else None
    return UserError(str(IndexDamaged(index.path, problem))) if problem else None


def _check_arguments(argv: list[str]) -> None:
    """Arguments the terminal passed as bytes that are not UTF-8 (Python keeps them as lone surrogates)."""
    for arg in argv:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
            raise UserError(f"argument '{shown}' is not valid UTF-8; jiaokan reads text as UTF-8") from None


def _echo_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=1))


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="jiaokan")
def main():
    """校勘 jiaokan: search and compare the published versions of the China–Russia joint statements."""
    _check_arguments(sys.argv[1:])


@main.command()
@_index_option
@_corpus_option
@click.option("--force", is_flag=True, help="Rebuild even if the index is up to date.")
def index(index_path, corpus_dir, force):
    """Build the index (only if the corpus or the analysis changed)."""
    from jiaokan.indexer.build import build_index
    from jiaokan.indexer.errors import CorpusError

    path = _index_path(index_path, corpus_dir)
    try:
        report = build_index(path, _corpus_dir(corpus_dir), force=force)
    except CorpusError as e:
        raise UserError(str(e)) from None
    except OSError as e:  # a folder the user cannot write to, a full disk
        raise UserError(f"{e.filename or path}: cannot write the index: {e.strerror or e}") from None
    # Each version's paragraph count, while that fits a line (an archive of thousands of documents: `jiaokan
    # versions` lists them).
    shown = list(report.versions.items())
    versions = ", ".join(f"{v} {n}" for v, n in shown[:SUMMARY_VERSIONS])
    if len(shown) > SUMMARY_VERSIONS:
        versions += f", and {len(shown) - SUMMARY_VERSIONS:,} more: jiaokan versions"
    if report.built:
        click.echo(
            f"built {path}: {len(report.versions):,} versions, {report.paragraphs:,} paragraphs "
            f"in {report.seconds:.2f} s ({versions})"
        )
    else:
        click.echo(f"{path} is up to date: {len(report.versions):,} versions, {report.paragraphs:,} paragraphs ({versions})")


@main.command()
@_corpus_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def versions(corpus_dir, as_json):
    """The catalog: every version, what it covers, and its paragraph count."""
    from jiaokan.indexer.catalog_view import catalog_overview
    from jiaokan.indexer.errors import CorpusError

    try:
        overview = catalog_overview(_corpus_dir(corpus_dir))
    except CorpusError as e:
        raise UserError(str(e)) from None
    if as_json:
        _echo_json(overview)
        return
    for v in overview["versions"]:
        click.echo(f"{v['id']}\t{v['paragraphs']} paragraphs\t{v['coverage']}\t{v['path']}")
        statement = v["statement"]
        click.echo(f"\t{statement['title_zh'] or statement['title_en']} ({statement['date'] or statement['id']})")
        click.echo(f"\t{v['publisher']}: {v['covers']}")


@main.command()
@_index_option
@_corpus_option
@click.option("--version", "version_id", default=None, help="Only this version's paragraphs.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def paragraphs(index_path, corpus_dir, version_id, as_json):
    """The indexed paragraphs, in corpus order, with all their fields."""
    from jiaokan.search.errors import SearchError
    from jiaokan.search.index import open_index

    index = None
    try:
        index = open_index(_index_path(index_path, corpus_dir))
        records = list(index.paragraphs)
    except SearchError as e:
        raise UserError(str(e)) from None
    except Exception as e:
        raise _damage_explained(index, e) or e
    if version_id is not None:
        known = dict.fromkeys(p["version"] for p in records)
        if version_id not in known:
            raise UserError(f"unknown version id {version_id!r} (known: {', '.join(known)})")
        records = [p for p in records if p["version"] == version_id]
    if as_json:
        _echo_json(records)
        return
    for p in records:
        click.echo(f"{p['id']}\t{p['section']}\t{p['kind']}\t{p['lang']}\t{p['text']}")


@main.command()
@_index_option
@_corpus_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving the one socket and the one index (the way to use more than one core).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256), help="Threads per process.")
@click.option("--connection-limit", default=1000, show_default=True, type=click.IntRange(1, 100000),
              help="Open connections per process before new ones wait (idle and half-sent ones count).")
@click.option("--channel-timeout", default=30, show_default=True, type=click.IntRange(1, 3600),
              help="Seconds before an idle or stalled connection is closed.")
def serve(index_path, corpus_dir, host, port, workers, threads, connection_limit, channel_timeout):
    """Serve the search (HTML and JSON) with waitress, building the index first if it is missing or stale.

    A rebuild with `jiaokan index` while it runs is picked up by the next request, without a restart; a new build
    that fails to open is logged and the one being served stays."""
    import logging

    from jiaokan.indexer.build import build_index
    from jiaokan.indexer.build_lock import BuildRunning
    from jiaokan.indexer.errors import CorpusError
    from jiaokan.search.errors import SearchError
    from jiaokan.search.index import read_meta
    from jiaokan.web.serving import Limits, allow_descriptors, listen, run_server, run_workers

    path = _index_path(index_path, corpus_dir)
    try:
        try:
            report = build_index(path, _corpus_dir(corpus_dir))
        except BuildRunning as e:
            if read_meta(path) is None:
                click.echo(f"jiaokan: {e}; waiting for it", err=True)
                report = build_index(path, _corpus_dir(corpus_dir), wait=True)
            else:  # serve what is there; the running build is picked up when it swaps in
                click.echo(f"jiaokan: {e}; serving the current index meanwhile", err=True)
                report = None
    except CorpusError as e:
        raise UserError(str(e)) from None
    except OSError as e:
        raise UserError(f"{e.filename or path}: cannot write the index: {e.strerror or e}") from None
    if report is not None and report.built:
        click.echo(f"built {path}: {report.paragraphs} paragraphs in {report.seconds:.2f} s")

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s: %(message)s")
    # "Task queue depth is 1" on every request that waits for a thread: normal under load, not worth a line each.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    def make_app():
        from jiaokan.web import create_app

        app = create_app({"INDEX_DIR": str(path)})
        app.extensions["jiaokan_index"].warm()
        return app

    # Open the index once here, so that a damaged or missing one is a message and exit 2 before anything listens.
    try:
        from jiaokan.web.holder import IndexHolder

        holder = IndexHolder(path)
        holder.warm()
        holder.close()
    except SearchError as e:
        raise UserError(str(e)) from None
    limits = Limits(threads=threads, connection_limit=connection_limit, channel_timeout=channel_timeout)
    try:
        sock = listen(host, port)
    except OSError as e:
        raise UserError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
    allow_descriptors(limits)
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    click.echo(
        f"jiaokan: serving {path} on http://{shown}:{port}/ ({workers} process{'es' if workers > 1 else ''} of "
        f"{threads} threads; Ctrl-C stops)"
    )
    try:
        if workers == 1:
            try:
                run_server(make_app, sock, limits)
            except SearchError as e:
                raise UserError(str(e)) from None
        else:
            run_workers(make_app, sock, limits, workers)
    finally:
        sock.close()


@main.command()
@_index_option
@_corpus_option
@click.argument("a")
@click.argument("b")
@click.option("--statement", default=None, help="Statement id (needed only if the versions carry several).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def compare(index_path, corpus_dir, a, b, statement, as_json):
    """Every passage whose wording differs between versions A and B, and the passages one of them lacks."""
    from jiaokan.search.collation import compare as run_compare
    from jiaokan.search.records import to_json
    from jiaokan.search.errors import SearchError
    from jiaokan.search.index import open_index

    index = None
    try:
        index = open_index(_index_path(index_path, corpus_dir))
        result = to_json(run_compare(index, a, b, statement))
    except SearchError as e:
        raise UserError(str(e)) from None
    except Exception as e:
        raise _damage_explained(index, e) or e
    if as_json:
        _echo_json(result)
        return
    click.echo(
        f"{a} and {b} ({result['statement']}): {len(result['differing'])} passages differ in wording, "
        f"{result['same']} read the same, {len(result['different_languages'])} are in different languages; "
        f"only in {a}: {len(result['only_in_a'])}, only in {b}: {len(result['only_in_b'])}"
    )
    for item in result["differing"]:
        click.echo(f"\n{item['passage']}  {item['a']['id']} / {item['b']['id']}")
        for d in item["differences"]:
            click.echo(f"  {a}: {d['a'] or '∅'}")
            click.echo(f"  {b}: {d['b'] or '∅'}")


# --- growing a corpus: init, add, check (none of them touches an index) ---------------------------------------


@main.command()
@click.argument("folder", type=click.Path(path_type=Path), required=False)
def init(folder):
    """Make a new corpus folder (FOLDER, else $JIAOKAN_CORPUS): a catalog with its documented header and no
    entries, and texts/."""
    from jiaokan.indexer.corpus_files import init_corpus
    from jiaokan.indexer.errors import CorpusError

    folder = folder or (Path(os.environ["JIAOKAN_CORPUS"]) if os.environ.get("JIAOKAN_CORPUS") else None)
    if folder is None:
        raise UserError("name the new corpus folder: jiaokan init DIR (or set JIAOKAN_CORPUS)")
    try:
        init_corpus(folder)
    except CorpusError as e:
        raise UserError(str(e)) from None
    click.echo(f"made corpus {folder}: add a version with: jiaokan add FILE --corpus {folder} --statement ID --version ID --format FMT")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--statement", required=True, help="Statement id (a new one needs --title).")
@click.option("--title", default=None, help="The statement's title, when the statement is new.")
@click.option("--version", "version_id", required=True, help="Id of the new version (letters, digits, - _ .).")
@click.option("--format", "fmt", required=True, help="text | markdown | html | pdf-text")
@click.option("--publisher", default=None, help="Who published this text.")
@click.option("--source", default=None, help="Where it came from.")
@click.option("--languages", default=None, help="Languages of its paragraphs, e.g. zh,en (default: what is found).")
@_corpus_option
def add(file, statement, title, version_id, fmt, publisher, source, languages, corpus_dir):
    """Copy FILE into the corpus byte for byte and write its catalog entry; show its first paragraphs as they will
    be indexed and what looks like furniture. Builds no index (run `jiaokan index` next)."""
    from jiaokan.indexer.checking import furniture_candidates
    from jiaokan.indexer.catalog import read_version_text
    from jiaokan.indexer.corpus_files import add_version
    from jiaokan.indexer.errors import CorpusError

    corpus = _corpus_dir(corpus_dir)
    langs = [lang.strip() for lang in languages.split(",") if lang.strip()] if languages is not None else None
    try:
        added = add_version(
            corpus, file, statement=statement, version=version_id, fmt=fmt, title=title,
            publisher=publisher, source=source, languages=langs,
        )
    except CorpusError as e:
        raise UserError(str(e)) from None
    paragraphs = added.paragraphs
    headings = sum(1 for p in paragraphs if p.kind == "heading")
    click.echo(
        f"added version {added.version} of {'new ' if added.new_statement else ''}statement {added.statement}: "
        f"{added.path} ({len(paragraphs)} paragraphs, {headings} headings, languages {', '.join(added.languages)})"
    )
    click.echo("first paragraphs as they will be indexed:")
    for p in paragraphs[:8]:
        text = p.text if len(p.text) <= 70 else p.text[:69] + "…"
        click.echo(f"  {p.id}\t{p.kind}\t{p.section}\t{p.lang}\t{text}")
    from jiaokan.indexer.catalog import load_catalog

    version = load_catalog(corpus).version(added.version)
    candidates = furniture_candidates(read_version_text(version), paragraphs)
    if candidates:
        click.echo("looks like furniture (if so, add a drop or drop_matching rule to its entry in catalog.toml):")
        for line in candidates[:15]:
            click.echo(f"  {line}")
    click.echo(f"no index changed; build with: jiaokan index --corpus {corpus}")


@main.command()
@_corpus_option
def check(corpus_dir):
    """Read every version without building: paragraph, heading and section counts, and warnings. Exit 2 on an
    error in the catalog or in any version."""
    from jiaokan.indexer.checking import check_corpus
    from jiaokan.indexer.errors import CorpusError

    try:
        reports, warnings = check_corpus(_corpus_dir(corpus_dir))
    except CorpusError as e:
        raise UserError(str(e)) from None
    errors = []
    for r in reports:
        if r.error:
            errors.append(r.error)
            click.echo(f"{r.id}\terror: {r.error}")
            continue
        langs = ", ".join(f"{lang} {n}" for lang, n in r.languages.items())
        click.echo(f"{r.id}\t{r.format}\t{r.paragraphs} paragraphs\t{r.headings} headings\t{r.sections} sections\t{langs}")
        for w in r.warnings:
            click.echo(f"  warning: {w}")
    for w in warnings:
        click.echo(f"warning: {w}")
    if errors:
        more = f" (and {len(errors) - 1} more, listed above)" if len(errors) > 1 else ""
        raise UserError(errors[0] + more)


# --- the concordance (issue 10) -------------------------------------------------------------------------------


def _color_option(f):
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour the matches: auto = on a terminal unless NO_COLOR is set.",
    )(f)


def _export_options(f):
    f = click.option("--all", "everything", is_flag=True, help="Every result, not one page (with --format or --json).")(f)
    return click.option(
        "--format", "export", type=click.Choice(["csv", "jsonl"]), default=None,
        help="Write results as CSV (header row) or JSON Lines instead of text; with --all every result.",
    )(f)


def _colour(mode: str) -> bool:
    """--color, with NO_COLOR (https://no-color.org) honoured when the choice is left to us."""
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _marks(colour: bool) -> tuple[str, str]:
    return ("\x1b[1;31m", "\x1b[0m") if colour else ("【", "】")


def _marked_text(text: str, start: int, end: int, spans: list, marks: tuple[str, str]) -> str:
    """text[start:end] with every span inside it between the marks."""
    out, pos = [], start
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s >= e:
            continue
        out += [text[pos:s], marks[0], text[s:e], marks[1]]
        pos = e
    out.append(text[pos:end])
    return "".join(out)


def _write_rows(fmt: str, rows, fields: list[str]) -> None:
    from jiaokan.web.export import csv_lines, jsonl_lines

    out = sys.stdout
    for chunk in (csv_lines(rows, fields) if fmt == "csv" else jsonl_lines(rows)):
        out.write(chunk)
    out.flush()


SEARCH_HELP = """Search the index. Exit status: 0 with hits, 1 with none, 2 for a bad query or a missing index.

A query that starts with a minus (a word to leave out) may go after --, as in `jiaokan search -- -合作 北约`; a
leading -word that is not one of the options below is read as the query too. The words of QUERY are joined with
spaces, so it may be quoted as one argument or not."""


@main.command(help=SEARCH_HELP, context_settings={"ignore_unknown_options": True})
@_index_option
@_corpus_option
@click.argument("query", nargs=-1, required=True)
@_filter_options
@click.option("--limit", default=10, show_default=True, type=int, help="Hits per page (at most 100).")
@click.option("--page", default=1, show_default=True, type=int, help="Page of hits.")
@click.option("--sort", type=click.Choice(["relevance", "doc"]), default="relevance", show_default=True,
              help="Best first, or document order (versions as catalogued, then paragraph order).")
@click.option("--no-collapse", is_flag=True, help="One result per paragraph, not per passage.")
@click.option("--no-translate", is_flag=True, help="Do not also search the terms' equivalents in the other language.")
@click.option("--exact", is_flag=True, help="Only paragraphs holding the query as typed (no words apart, no translations).")
@click.option("--as-typed", is_flag=True, help="Read the query exactly as typed: no dropping a dangling AND/OR/NOT, "
              "no closing an unclosed quote.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer /api/search gives, as JSON (with --all: every hit).")
@_export_options
@_color_option
def search(index_path, corpus_dir, query, versions, lang, section, limit, page, sort, no_collapse, no_translate, exact,
           as_typed, as_json, export, everything, color):
    from jiaokan.search.errors import SearchError
    from jiaokan.search.index import open_index
    from jiaokan.search.records import to_json
    from jiaokan.search.searching import MAX_PER_PAGE
    from jiaokan.search.searching import search as run_search

    params = dict(versions=list(versions), lang=lang, section=section, collapse=not no_collapse,
                  translate=not no_translate, match="exact" if exact else "all", sort=sort, repair=not as_typed)
    query = " ".join(query)
    index = None
    try:
        index = open_index(_index_path(index_path, corpus_dir))
        if everything:
            # Every hit, a page of the API's size at a time, as /api/search?format=... streams them.
            result = to_json(run_search(index, query, page=1, per_page=MAX_PER_PAGE, **params))
            hits = list(result["hits"])
            for n in range(2, result["pages"] + 1):
                hits += to_json(run_search(index, query, page=n, per_page=MAX_PER_PAGE, **params))["hits"]
            result = {**result, "hits": hits, "page": 1, "per_page": max(1, result["total"]), "pages": 1}
        else:
            result = to_json(run_search(index, query, page=page, per_page=limit, **params))
    except SearchError as e:
        raise UserError(str(e)) from None
    except Exception as e:
        raise _damage_explained(index, e) or e
    if export:
        from jiaokan.web.export import SEARCH_EXPORT_FIELDS, search_rows

        _write_rows(export, search_rows([result["hits"]]), SEARCH_EXPORT_FIELDS)
    elif as_json:
        _echo_json(result)
    else:
        _print_hits(result, _marks(_colour(color)))
    sys.exit(0 if result["total"] else 1)


CONCORDANCE_HELP = """Every occurrence of QUERY, one line each, the matches in one column (KWIC), with version,
paragraph and section. The query language and filters are search's. Exit status as for search."""


@main.command(help=CONCORDANCE_HELP, context_settings={"ignore_unknown_options": True})
@_index_option
@_corpus_option
@click.argument("query", nargs=-1, required=True)
@_filter_options
@click.option("--sort", type=click.Choice(["doc", "left", "right"]), default="doc", show_default=True,
              help="Document order, or by the words before / after the match.")
@click.option("--limit", default=50, show_default=True, type=int, help="Lines per page (at most 1000).")
@click.option("--page", default=1, show_default=True, type=int, help="Page of lines.")
@click.option("--width", default=24, show_default=True, type=click.IntRange(4, 200),
              help="Terminal columns of context each side.")
@click.option("--no-translate", is_flag=True, help="Do not also list the equivalents in the other language.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer /api/concordance gives, as JSON.")
@_export_options
@_color_option
def concordance(index_path, corpus_dir, query, versions, lang, section, sort, limit, page, width, no_translate, as_json,
                export, everything, color):
    from jiaokan.search.concordance import concordance as run_concordance
    from jiaokan.search.concordance import line_json
    from jiaokan.search.errors import SearchError
    from jiaokan.search.index import open_index

    try:
        result = run_concordance(
            open_index(_index_path(index_path, corpus_dir)), " ".join(query), versions=list(versions), lang=lang,
            section=section, translate=not no_translate, sort=sort,
        )
        if everything:
            answer = {**result.page(1, 1), "lines": [line_json(line) for line in result.lines],
                      "per_page": max(1, result.total), "pages": 1}
        else:
            answer = result.page(page, limit)
    except SearchError as e:
        raise UserError(str(e)) from None
    if export:
        from jiaokan.web.views import CONCORDANCE_FIELDS

        _write_rows(export, iter(answer["lines"]), CONCORDANCE_FIELDS)
    elif as_json:
        _echo_json(answer)
    else:
        _print_concordance(answer, result.took_ms, width, _marks(_colour(color)))
    sys.exit(0 if result.total else 1)


def _columns(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _fit(text: str, width: int, from_end: bool) -> str:
    """`text` cut to `width` terminal columns (Chinese characters take two), keeping its end or its start, padded."""
    text = " ".join(text.split())
    chars = list(reversed(text)) if from_end else list(text)
    kept, used = [], 0
    for c in chars:
        w = _columns(c)
        if used + w > width:
            break
        kept.append(c)
        used += w
    piece = "".join(reversed(kept)) if from_end else "".join(kept)
    pad = " " * (width - used)
    return pad + piece if from_end else piece + pad


def _print_concordance(answer: dict, took_ms: float, width: int, marks: tuple[str, str]) -> None:
    where = max((len(f"{line['paragraph']} {line['section']}") for line in answer["lines"]), default=0)
    for line in answer["lines"]:
        label = f"{line['paragraph']} {line['section']}".ljust(where)
        via = f"  (via {line['via']})" if line["via"] else ""
        click.echo(
            f"{label}  {_fit(line['left'], width, True)} {marks[0]}{line['match']}{marks[1]} "
            f"{_fit(line['right'], width, False).rstrip()}{via}",
            color=marks[0].startswith("\x1b"),
        )
    shown = len(answer["lines"])
    first = (answer["page"] - 1) * answer["per_page"] + 1 if shown else 0
    counts = ", ".join(f"{v} {n}" for v, n in answer["by_version"].items() if n)
    click.echo(
        f"{answer['total']} occurrences in {answer['paragraphs']} paragraphs ({counts}); lines "
        f"{first}–{first + shown - 1 if shown else 0}, page {answer['page']} of {answer['pages']} ({took_ms} ms)",
        err=not shown,
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _snippet_text(text: str, ranges: list, spans: list, marks: tuple[str, str]) -> str:
    """A snippet for the terminal, rendered from its ranges and spans as web/ renders them as HTML."""
    parts, previous = [], 0
    for a, b in ranges or [[0, len(text)]]:
        parts.append(("…" if a > previous else "") + _marked_text(text, a, b, spans, marks).strip())
        previous = b
    return "".join(parts) + ("…" if ranges and previous < len(text) else "")


def _print_hits(result: dict, marks: tuple[str, str]) -> None:
    colour = marks[0].startswith("\x1b")  # click.echo strips colour from a pipe unless told it was asked for
    previous = None
    for hit in result["hits"]:
        if previous == "exact" and hit["match"] != "exact" and result["sort"] != "doc":
            click.echo("---- not the exact wording below ----\n")
        previous = hit["match"]
        via = f"  via {', '.join(hit['via'])}" if hit.get("via") else ""
        click.echo(
            f"{hit['id']}  [{hit['match']}]  {hit['version']} · {hit['section']} · {hit['lang']}  (score {hit['score']}){via}"
        )
        more = hit.get("snippet_more") or 0
        tail = f"  (+{more} more in {hit['id']})" if more else ""
        click.echo("  " + _snippet_text(hit["text"], hit["snippet_ranges"], hit["highlights"], marks) + tail,
                   color=colour)
        aligned = hit.get("aligned")
        if aligned:
            click.echo(f"  {aligned['lang']} {aligned['id']}: "
                       + _snippet_text(aligned["text"], aligned["snippet_ranges"], aligned["highlights"], marks),
                       color=colour)
        for other in hit.get("also_in", []):
            click.echo(f"  also in {other['version']} ({other['id']}) [{other['match']}]: {other['note']}")
        for other in hit.get("other_versions", []):
            said = " / ".join(w for w in other.get("wording", []) if w) or other["note"]
            click.echo(f"  {other['version']} ({other['id']}) says: {said}")
        click.echo()
    shown = len(result["hits"])
    first = (result["page"] - 1) * result["per_page"] + 1 if shown else 0
    click.echo(
        f"{result['total']} matching {result.get('counts', 'paragraphs')}; showing {first}–{first + shown - 1 if shown else 0}, "
        f"page {result['page']} of {result['pages']} ({result['took_ms']} ms)",
        err=not shown,
    )
    t, n = result["totals"], result["by_match"]
    if shown:
        click.echo(f"{_count(t['occurrences'], 'occurrence')} in {_count(t['paragraphs'], 'paragraph')} of "
                   f"{_count(t['passages'], 'passage')}")
        click.echo(f"paragraphs: {n['exact']} exact, {n['words']} by words apart, {n['translation']} through a translation")
    for r in result["understood"].get("repairs", []):
        click.echo(f"read as: {r['action']} {r['token']} ({r['why']}); --as-typed searches it as typed", err=True)
    for s in result.get("suggestions") or []:
        click.echo(f"try: {s['query']}  ({s['total']} paragraphs; {s['why']})", err=True)
