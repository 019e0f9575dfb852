"""`jiaokan search` as a user runs it: a whole process, with grep's exit codes (issue 3, scripted lookups)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

JIAOKAN = Path(sys.executable).parent / "jiaokan"


def run(*args: str, index: Path | None = None, collapse: bool = False) -> subprocess.CompletedProcess:
    """`jiaokan search ARGS` as issue 3 defines it: --no-collapse (one result per paragraph; issue 5 made the
    command collapse a passage carried by several versions into one result) and --no-translate (a query matches
    what is written; issue 6 added matches through translations). collapse=True: the command's defaults."""
    cmd = [str(JIAOKAN), "search"] + ([] if collapse else ["--no-collapse", "--no-translate"])
    if index is not None:
        cmd += ["--index", str(index)]  # options first: after "--" everything is the query
    cmd += args
    env = {k: v for k, v in os.environ.items() if k not in ("JIAOKAN_INDEX", "JIAOKAN_CORPUS")}
    # Not a terminal: stdout is a pipe, so matches come between 【 】.
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env, timeout=60)


def blocks(stdout: str) -> list[list[str]]:
    """The hit blocks of the human output (blank-line separated), without the closing summary line."""
    parts = [b.splitlines() for b in stdout.strip().split("\n\n")]
    return [b for b in parts if b and not re.match(r"^\d+ matching paragraphs", b[0])]


def test_human_output_one_block_per_hit(built_index):
    done = run("北约", index=built_index)
    assert done.returncode == 0, done.stderr
    hits = blocks(done.stdout)
    assert len(hits) == 3, done.stdout
    expected = [("un-040", "un"), ("xinhua-032", "xinhua"), ("chinanews-2-011", "chinanews-2")]
    for block, (pid, version) in zip(hits, expected):
        header = block[0]
        assert header.startswith(pid), header
        assert version in header.split() and "三" in header, f"version and section in the block header: {header}"
        body = "\n".join(block[1:])
        assert "【北约】" in body, body
        assert "<mark>" not in body and "\x1b[" not in body, body
    assert "3 matching paragraphs" in done.stdout


def test_default_collapsed_output_keeps_the_block_format(built_index):
    done = run("北约", index=built_index, collapse=True)
    assert done.returncode == 0, done.stderr
    hits = blocks(done.stdout)
    assert hits, done.stdout
    header = hits[0][0]
    assert header.startswith("un-040") and "un" in header.split() and "三" in header, header
    assert "【北约】" in hits[0][1], hits[0]


def test_human_output_unescapes_the_snippet(built_index):
    done = run("reiterated support", index=built_index)
    assert done.returncode == 0, done.stderr
    assert "each other's" in done.stdout and "&#x27;" not in done.stdout and "&amp;" not in done.stdout
    assert "【reiterated】" in done.stdout


def test_json_output(built_index):
    done = run("北约", "--json", index=built_index)
    assert done.returncode == 0, done.stderr
    assert "北约" in done.stdout and "\\u5317" not in done.stdout, "Chinese must be printed unescaped"
    data = json.loads(done.stdout)
    assert isinstance(data, dict)
    assert {"query", "total", "hits", "facets", "took_ms"} <= set(data)
    assert data["query"] == "北约" and data["total"] == 3
    assert [h["id"] for h in data["hits"]] == ["un-040", "xinhua-032", "chinanews-2-011"]
    for hit in data["hits"]:
        assert {"id", "version", "statement", "seq", "section", "kind", "lang", "text", "score", "highlights",
                "snippet"} <= set(hit)
        assert [hit["text"][s:e] for s, e in hit["highlights"]] == ["北约", "北约"]
    assert data["facets"]["version"]["un"] == 1
    assert {k: v for k, v in data["facets"]["lang"].items() if v} == {"zh": 3}


def test_json_with_filters_limit_and_page(built_index):
    everything = json.loads(run("核", "--json", "--limit", "100", index=built_index).stdout)
    first = json.loads(run("核", "--json", "--limit", "5", index=built_index).stdout)
    second = json.loads(run("核", "--json", "--limit", "5", "--page", "2", index=built_index).stdout)
    all_ids = [h["id"] for h in everything["hits"]]
    assert [h["id"] for h in first["hits"]] == all_ids[:5]
    assert [h["id"] for h in second["hits"]] == all_ids[5:10]
    assert first["total"] == second["total"] == everything["total"]

    un = json.loads(run("核", "--json", "--version", "un", index=built_index).stdout)
    assert un["total"] == everything["facets"]["version"]["un"]
    assert all(h["version"] == "un" for h in un["hits"])
    both = json.loads(run("北约", "--json", "--version", "un", "--version", "xinhua", index=built_index).stdout)
    assert [h["id"] for h in both["hits"]] == ["un-040", "xinhua-032"]

    english = json.loads(run("sides", "--json", "--lang", "en", index=built_index).stdout)
    assert english["total"] > 0 and all(h["lang"] == "en" for h in english["hits"])
    assert run("北约", "--lang", "en", index=built_index).returncode == 1

    section = json.loads(run("人工智能", "--json", "--section", "三", "--limit", "100", index=built_index).stdout)
    assert section["total"] > 0 and all(h["section"] == "三" for h in section["hits"])


def test_exit_codes(built_index):
    assert run("北约", index=built_index).returncode == 0
    none = run("zzzqqqxxy", index=built_index)
    assert none.returncode == 1, none.stderr
    assert "Traceback" not in none.stderr
    assert none.stdout.strip() == "" or "0 matching" in none.stdout + none.stderr
    none_json = run("zzzqqqxxy", "--json", index=built_index)
    assert none_json.returncode == 1
    assert json.loads(none_json.stdout)["total"] == 0


@pytest.mark.parametrize("query", ["foo:bar", "，。！", "北约 version:nosuch"])
def test_bad_query_exits_2_with_one_line(built_index, query):
    done = run(query, index=built_index)
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert done.stdout.strip() == ""


def test_bad_paging_exits_2(built_index):
    for args in (["--page", "99"], ["--limit", "101"], ["--limit", "0"]):
        done = run("北约", *args, index=built_index)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_missing_index_says_how_to_build_it(tmp_path):
    done = run("北约", index=tmp_path / "no-index-here")
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr
    assert "jiaokan index" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_negation_only_query_no_traceback(built_index):
    done = run("--", "-北约", index=built_index)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 2), (done.returncode, done.stderr)


def test_traditional_and_full_width_queries(built_index):
    done = run("北約", index=built_index)
    assert done.returncode == 0 and done.stdout.count("【北约】") == 6, done.stdout
    done = run("ＡＵＫＵＳ", index=built_index)
    assert done.returncode == 0 and "【AUKUS】" in done.stdout, done.stdout
    done = run("2030年", "--version", "un", index=built_index)
    assert done.returncode == 0 and "【2030 年】" in done.stdout, done.stdout
