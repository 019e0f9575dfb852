"""`jiaokan concordance` and the reader's options of `jiaokan search` (issue 10), as whole processes."""
from __future__ import annotations

import csv
import io
import json
import os
import re
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


# --- jiaokan search: the API's shape, exports, colour, terminal text from spans, a leading -word -----------------


def test_search_json_is_the_api_answer(built_index, client):
    for params, args in [({"q": "合作"}, ["合作"]), ({"q": "北约", "collapse": "0", "sort": "doc"},
                                                    ["北约", "--no-collapse", "--sort", "doc"]),
                         ({"q": "developmnet"}, ["developmnet"]), ({"q": "北约 AND"}, ["北约 AND"])]:
        api = client.get("/api/search", query_string=params).get_json()
        done = run("search", "--index", str(built_index), "--json", *args)
        data = json.loads(done.stdout)
        api.pop("took_ms"), data.pop("took_ms")
        assert data == api, params
        assert done.returncode == (0 if api["total"] else 1)


def test_search_all_and_exports_hold_every_hit(built_index, client):
    hits = []
    first = client.get("/api/search", query_string={"q": "合作", "per_page": 100}).get_json()
    for page in range(1, first["pages"] + 1):
        hits += client.get("/api/search", query_string={"q": "合作", "per_page": 100, "page": page}).get_json()["hits"]
    assert len(hits) > 10
    done = run("search", "--index", str(built_index), "合作", "--all", "--json")
    assert [h["id"] for h in json.loads(done.stdout)["hits"]] == [h["id"] for h in hits]
    done = run("search", "--index", str(built_index), "合作", "--all", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    api_csv = list(csv.DictReader(io.StringIO(client.get("/api/search", query_string={"q": "合作", "format": "csv"})
                                             .get_data().decode("utf-8"))))
    assert rows == api_csv and [r["id"] for r in rows] == [h["id"] for h in hits]
    done = run("search", "--index", str(built_index), "合作", "--all", "--format", "jsonl")
    assert [json.loads(x)["id"] for x in done.stdout.splitlines()] == [h["id"] for h in hits]


def test_search_colour_follows_the_option_and_no_color(built_index):
    always = run("search", "--index", str(built_index), "北约", "--color", "always")
    assert "\x1b[1;31m北约\x1b[0m" in always.stdout and "【" not in always.stdout
    never = run("search", "--index", str(built_index), "北约", "--color", "never")
    assert "\x1b[" not in never.stdout and "【北约】" in never.stdout
    # Not a terminal here; NO_COLOR leaves auto off all the same, and --color always still wins.
    assert "\x1b[" not in run("search", "--index", str(built_index), "北约", env_extra={"NO_COLOR": "1"}).stdout
    forced = run("search", "--index", str(built_index), "北约", "--color", "always", env_extra={"NO_COLOR": "1"})
    assert "\x1b[1;31m" in forced.stdout


def test_terminal_text_is_rendered_from_spans(built_index, client):
    api = client.get("/api/search", query_string={"q": "发展", "collapse": "0", "per_page": 100}).get_json()
    done = run("search", "--index", str(built_index), "发展", "--no-collapse", "--limit", "100")
    assert "<mark>" not in done.stdout and "&amp;" not in done.stdout and "&#" not in done.stdout
    cut = [h for h in api["hits"] if h["snippet_more"]]
    assert cut
    for h in cut:
        assert f"(+{h['snippet_more']} more in {h['id']})" in done.stdout
    blocks = {b.splitlines()[0].split()[0]: b.splitlines() for b in done.stdout.split("\n\n") if b.strip()}
    for h in api["hits"]:
        text, expected, previous = h["text"], [], 0
        for a, b in h["snippet_ranges"]:
            piece, pos = [], a
            for s, e in h["highlights"]:
                s, e = max(s, a), min(e, b)
                if s < e:
                    piece += [text[pos:s], "【", text[s:e], "】"]
                    pos = e
            piece.append(text[pos:b])
            expected.append(("…" if a > previous else "") + "".join(piece).strip())
            previous = b
        line = "  " + "".join(expected) + ("…" if previous < len(text) else "")
        assert blocks[h["id"]][1].startswith(line), h["id"]
    t = api["totals"]
    assert f"{t['occurrences']} occurrences in {t['paragraphs']} paragraphs of {t['passages']} passages" in done.stdout
    one = run("search", "--index", str(built_index), "北约").stdout  # one passage holds every 北约
    assert re.search(r"^\d+ occurrences in \d+ paragraphs of 1 passage$", one, re.M), one


def test_a_leading_minus_word_is_the_query(built_index):
    plain = run("search", "--index", str(built_index), "--json", "--", "-北约", "合作")
    assert plain.returncode == 0, plain.stderr
    loose = run("search", "--index", str(built_index), "--json", "-北约", "合作")
    assert loose.returncode == 0, loose.stderr
    a, b = json.loads(plain.stdout), json.loads(loose.stdout)
    a.pop("took_ms"), b.pop("took_ms")
    assert a == b and a["total"] > 0
    assert a["understood"]["clauses"][0] == {**a["understood"]["clauses"][0], "text": "北约", "negated": True}
    assert all("北约" not in h["text"] for h in a["hits"])
    assert "--" in run("search", "--help").stdout


def test_search_as_typed_and_bad_options(built_index):
    repaired = json.loads(run("search", "--index", str(built_index), "--json", "北约 AND").stdout)
    typed = run("search", "--index", str(built_index), "--json", "--as-typed", "北约 AND")
    assert repaired["understood"]["repairs"] and json.loads(typed.stdout)["understood"]["repairs"] == []
    assert run("search", "--index", str(built_index), "北约", "--sort", "sideways").returncode == 2
    assert run("search", "--index", str(built_index), "北约", "--format", "xml").returncode == 2
