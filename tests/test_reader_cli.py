"""`jiaokan concordance` (issue 10), as a whole process."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

JIAOKAN = Path(sys.executable).parent / "jiaokan"


def run(*args: str, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("JIAOKAN_INDEX", "JIAOKAN_CORPUS", "NO_COLOR")}
    env.update(env_extra or {})
    return subprocess.run([str(JIAOKAN), *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)


def test_concordance_prints_one_line_per_occurrence(built_index):
    done = run("concordance", "--index", str(built_index), "北约")
    assert done.returncode == 0, done.stderr
    lines = [l for l in done.stdout.splitlines() if "【北约】" in l]
    assert len(lines) == 6
    # The matches stand in one column of the terminal (Chinese characters are two columns wide).
    import unicodedata

    def columns(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    assert len({columns(l[: l.index("【")]) for l in lines}) == 1
    assert "6 occurrences in 3 paragraphs" in done.stdout


def test_concordance_json_csv_and_jsonl_agree_with_the_api(built_index, client):
    api = client.get("/api/concordance", query_string={"q": "发展", "per_page": 1000}).get_json()
    done = run("concordance", "--index", str(built_index), "发展", "--all", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == set(api) and data["lines"] == api["lines"] and data["total"] == api["total"]
    done = run("concordance", "--index", str(built_index), "发展", "--all", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == api["total"] and [r["paragraph"] for r in rows] == [l["paragraph"] for l in api["lines"]]
    done = run("concordance", "--index", str(built_index), "发展", "--all", "--format", "jsonl")
    assert [json.loads(x) for x in done.stdout.splitlines()] == api["lines"]
    assert run("concordance", "--index", str(built_index), "发展", "--sort", "sideways").returncode == 2


def test_concordance_colour_follows_the_option_and_no_color(built_index):
    always = run("concordance", "--index", str(built_index), "北约", "--color", "always")
    assert "\x1b[1;31m北约\x1b[0m" in always.stdout and "【" not in always.stdout
    assert "\x1b[" not in run("concordance", "--index", str(built_index), "北约", "--color", "never").stdout
    assert "\x1b[" not in run("concordance", "--index", str(built_index), "北约", env_extra={"NO_COLOR": "1"}).stdout
