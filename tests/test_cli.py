"""The `jiaokan` command as a user runs it: a subprocess of the installed script, with --index in a temporary folder."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JIAOKAN = Path(sys.executable).parent / "jiaokan"
# The bundled catalog's versions and their paragraph count: counts come from the catalog, so adding a version to
# corpus/ does not break these tests.
VERSION_IDS = [v["id"] for v in tomllib.loads((ROOT / "corpus" / "catalog.toml").read_text(encoding="utf-8"))["version"]]


def _paragraph_count() -> int:
    from jiaokan.indexer.catalog import load_catalog
    from jiaokan.indexer.paragraphs import corpus_paragraphs

    return len(corpus_paragraphs(load_catalog(ROOT / "corpus")))


FIELDS = {"id", "version", "statement", "seq", "section", "kind", "lang", "text", "passage", "headings"}


def jiaokan(*args, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    return subprocess.run(
        [str(JIAOKAN), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory, corpus_dir):
    """An index built by `jiaokan index`: (link, the completed first run)."""
    link = tmp_path_factory.mktemp("cli") / "index"
    first = jiaokan("index", "--index", link, "--corpus", corpus_dir)
    return link, first


def test_index_reports_versions_paragraphs_and_time(cli_index):
    link, first = cli_index
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    line = first.stdout.strip()
    assert len(line.splitlines()) == 1
    m = re.search(r"(\d+) versions, (\d+) paragraphs in (\d+\.\d+) s", line)
    assert m, line
    assert (int(m[1]), int(m[2])) == (len(VERSION_IDS), _paragraph_count())
    assert 0 < float(m[3]) < 120
    for version in VERSION_IDS:
        assert version in line
    assert os.path.islink(link)


def test_second_index_run_says_up_to_date(cli_index, corpus_dir):
    link, _ = cli_index
    target = os.readlink(link)
    again = jiaokan("index", "--index", link, "--corpus", corpus_dir)
    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert f"{len(VERSION_IDS)} versions, {_paragraph_count()} paragraphs" in again.stdout
    assert os.readlink(link) == target


def test_versions_json_lists_the_catalog_with_counts_and_paths(corpus_dir, corpus_index):
    run = jiaokan("versions", "--json", "--corpus", corpus_dir)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    versions = data["versions"]
    assert [v["id"] for v in versions] == VERSION_IDS
    indexed = {}
    for p in corpus_index.paragraphs:
        indexed[p["version"]] = indexed.get(p["version"], 0) + 1
    for v in versions:
        assert v["paragraphs"] == indexed[v["id"]]
        path = ROOT / v["path"]  # relative to the working directory, or absolute
        assert path.is_file() and path.parent == corpus_dir / "texts", v["path"]
        assert v["statement"]["title_zh"] and v["coverage"] in ("whole", "part", "truncated")


def test_paragraphs_json_is_one_array_with_every_field_and_chinese_unescaped(built_index, corpus_index):
    run = jiaokan("paragraphs", "--version", "chinanews-2", "--json", "--index", built_index)
    assert run.returncode == 0, run.stderr
    assert "北约" in run.stdout and "\\u5317" not in run.stdout
    records = json.loads(run.stdout)
    assert isinstance(records, list)
    expected = [p for p in corpus_index.paragraphs if p["version"] == "chinanews-2"]
    assert records == expected and len(records) == 25
    for r in records:
        assert FIELDS <= set(r), f"missing fields: {FIELDS - set(r)}"
    assert [r["seq"] for r in records] == list(range(1, 26))


def test_paragraphs_without_an_index_says_how_to_build_one(tmp_path):
    run = jiaokan("paragraphs", "--index", tmp_path / "nothing")
    _assert_one_line_error(run)
    assert "jiaokan index" in run.stderr


# --- Bad input: one line, exit code 2, no traceback, index unchanged ------------------------------------------------


def _missing_file(corpus: Path) -> str:
    (corpus / "texts" / "2022-chinanews-part3.txt").unlink()
    return "2022-chinanews-part3.txt"


def _not_utf8(corpus: Path) -> str:
    path = corpus / "texts" / "2022-xinhua.txt"
    raw = path.read_bytes()
    at = raw.index("双方".encode())
    path.write_bytes(raw[:at] + b"\xff" + raw[at:])
    line = raw.count(b"\n", 0, at) + 1
    return rf"2022-xinhua\.txt.*byte {at}\b.*line {line}\b"


def _missing_field(corpus: Path) -> str:
    path = corpus / "catalog.toml"
    text = path.read_text(encoding="utf-8")
    entry = text.index('id = "chinanews-3"')
    line = text.index("format = ", entry)
    path.write_text(text[:line] + text[text.index("\n", line) + 1 :], encoding="utf-8")
    return r"chinanews-3.*format"


BREAKERS = {"missing-file": _missing_file, "not-utf8": _not_utf8, "missing-field": _missing_field}


def _assert_one_line_error(run: subprocess.CompletedProcess):
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert run.stdout == ""


def _index_state(link: Path):
    return os.readlink(link), sorted(p.name for p in link.parent.iterdir())


@pytest.mark.parametrize("breaker", BREAKERS)
@pytest.mark.parametrize("command", ["index", "versions"])
def test_bad_corpus_is_one_line_exit_2_and_leaves_the_index(tmp_path, cli_index, corpus_dir, breaker, command):
    link, _ = cli_index
    corpus = tmp_path / "corpus"
    shutil.copytree(corpus_dir, corpus)
    where = BREAKERS[breaker](corpus)
    before = _index_state(link)

    args = ["index", "--index", link] if command == "index" else ["versions"]
    run = jiaokan(*args, "--corpus", corpus)
    _assert_one_line_error(run)
    assert re.search(where, run.stderr), run.stderr
    assert _index_state(link) == before


def test_unknown_version_id_is_one_line_exit_2(cli_index):
    link, _ = cli_index
    before = _index_state(link)
    run = jiaokan("paragraphs", "--version", "no-such-version", "--json", "--index", link)
    _assert_one_line_error(run)
    assert "no-such-version" in run.stderr and "chinanews-2" in run.stderr  # names it, and what is known
    assert _index_state(link) == before


def test_missing_corpus_folder_is_one_line_exit_2(tmp_path, cli_index):
    link, _ = cli_index
    before = _index_state(link)
    run = jiaokan("index", "--index", link, "--corpus", tmp_path / "no-corpus")
    _assert_one_line_error(run)
    assert "catalog.toml" in run.stderr
    assert _index_state(link) == before
