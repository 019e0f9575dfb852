"""Growing a corpus as a user does: `jiaokan init`, `jiaokan add`, `jiaokan check`, then index, search and compare
a corpus that lives outside the checkout; and every catalog mistake is one line, exit 2, index untouched."""
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

from source_text import markdown_headings, markdown_text_characters, without_space

JIAOKAN = Path(sys.executable).parent / "jiaokan"
FIXTURES = Path(__file__).parent / "fixtures" / "corpus"
TEXTS = FIXTURES / "texts"


def jiaokan(*args, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    return subprocess.run(
        [str(JIAOKAN), *map(str, args)], cwd=cwd, env=base | (env or {}), capture_output=True, text=True, timeout=300
    )


def one_line_error(run: subprocess.CompletedProcess) -> str:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.stderr


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """A corpus made with init and grown with add (the law in two versions, the notice with a BOM), built."""
    corpus = tmp_path_factory.mktemp("user") / "my-corpus"
    runs = {"init": jiaokan("init", corpus)}
    runs["law-2010"] = jiaokan(
        "add", TEXTS / "library-law-2010.md", "--corpus", corpus, "--statement", "library-law",
        "--title", "示例市公共图书馆条例", "--version", "law-2010", "--format", "markdown", "--publisher", "Test fixture",
    )
    runs["law-2020"] = jiaokan(
        "add", TEXTS / "library-law-2020.md", "--corpus", corpus, "--statement", "library-law",
        "--version", "law-2020", "--format", "markdown", "--languages", "zh",
    )
    runs["notice-2019"] = jiaokan(
        "add", TEXTS / "notice-2019.txt", "--statement", "opening-hours", "--title", "关于延长开放时间的通知",
        "--version", "notice-2019", "--format", "text", env={"JIAOKAN_CORPUS": str(corpus)},
    )
    runs["notice-2021"] = jiaokan(
        "add", TEXTS / "notice-2021.txt", "--statement", "opening-hours", "--version", "notice-2021", "--format", "text",
        "--corpus", corpus,
    )
    runs["index-absent"] = not (corpus / "instance").exists()
    runs["index"] = jiaokan("index", "--corpus", corpus)
    return corpus, runs


def test_init_makes_a_documented_empty_corpus(tmp_path):
    corpus = tmp_path / "new"
    run = jiaokan("init", corpus)
    assert run.returncode == 0, run.stderr
    catalog = (corpus / "catalog.toml").read_text(encoding="utf-8")
    assert tomllib.loads(catalog) == {}
    for rule in ("drop_matching", "stop_at", "sections", "join_breaks", "front", "selector"):
        assert f"#   {rule}" in catalog, rule
    assert (corpus / "texts").is_dir()
    assert "instance/" in (corpus / ".gitignore").read_text()
    again = jiaokan("init", corpus)
    assert "already" in one_line_error(again)
    empty = jiaokan("check", "--corpus", corpus)
    assert "no [[version]] entries" in one_line_error(empty)
    from_env = jiaokan("init", env={"JIAOKAN_CORPUS": str(tmp_path / "from-env")})
    assert from_env.returncode == 0 and (tmp_path / "from-env" / "catalog.toml").is_file()
    assert "jiaokan init DIR" in one_line_error(jiaokan("init"))


def test_add_copies_byte_for_byte_writes_the_entry_and_builds_nothing(grown):
    corpus, runs = grown
    for name in ("init", "law-2010", "law-2020", "notice-2019", "notice-2021"):
        assert runs[name].returncode == 0, (name, runs[name].stderr)
    assert runs["index-absent"]
    for vid, source in (("law-2010", "library-law-2010.md"), ("notice-2019", "notice-2019.txt")):
        copied = next((corpus / "texts").glob(f"{vid}.*"))
        assert copied.read_bytes() == (TEXTS / source).read_bytes()  # the BOM and CRLF too
    data = tomllib.loads((corpus / "catalog.toml").read_text(encoding="utf-8"))
    assert [s["id"] for s in data["statement"]] == ["library-law", "opening-hours"]
    law = next(v for v in data["version"] if v["id"] == "law-2010")
    assert law == {
        "id": "law-2010", "file": "texts/law-2010.md", "statement": "library-law", "format": "markdown",
        "publisher": "Test fixture", "languages": ["zh"],
    }
    assert next(v for v in data["version"] if v["id"] == "notice-2019")["languages"] == ["zh", "en"]  # as found


def test_add_prints_the_first_paragraphs_and_likely_furniture(grown):
    _, runs = grown
    out = runs["law-2010"].stdout
    assert "law-2010-001\theading\tpreamble\tzh\t示例市公共图书馆条例" in out
    assert "law-2010-003\theading\t第一章\tzh\t第一章 总则" in out
    assert "looks like furniture" not in out  # nothing in the law looks like it (a link's target is gone)
    assert "no index changed" in out


def test_add_shows_furniture_it_finds(tmp_path):
    corpus = tmp_path / "c"
    jiaokan("init", corpus)
    page = tmp_path / "page.txt"
    page.write_text(
        "标题\n\n第一段。\n\n本站网址 https://news.example.com/a\n\n第二段。\n\n返回顶部\n\n第三段。\n\n返回顶部\n\n12\n",
        encoding="utf-8",
    )
    run = jiaokan("add", page, "--corpus", corpus, "--statement", "s", "--title", "标题", "--version", "v", "--format", "text")
    assert run.returncode == 0, run.stderr
    hints = run.stdout.split("looks like furniture", 1)[1]
    assert "'返回顶部': a short line that occurs 2 times in the file" in hints
    assert "https://news.example.com/a" in hints and "'12': looks like a page number" in hints


def test_check_counts_paragraphs_headings_and_sections(grown):
    corpus, _ = grown
    run = jiaokan("check", "--corpus", corpus)
    assert run.returncode == 0, run.stderr
    lines = {line.split("\t")[0]: line.split("\t") for line in run.stdout.splitlines() if "\t" in line}
    source = (TEXTS / "library-law-2010.md").read_text(encoding="utf-8")
    body = re.sub(r"\A---\n.*?\n---\n", "", source, flags=re.S)
    # The fixture writes one block per line: every line but comments and images is a paragraph.
    kept = [line for line in body.splitlines() if line.strip() and not line.startswith(("<!--", "!["))]
    headings = [line for line in kept if re.match(r"#{1,6} ", line)]
    sections = {re.match(r"#+ (第.章)", h)[1] for h in headings if re.match(r"## 第.章", h)}
    sections |= {"x" + h for h in headings if h.startswith("### ")}  # each 第X节 is a section of its own chapter
    assert lines["law-2010"][1:5] == [
        "markdown", f"{len(kept)} paragraphs", f"{len(headings)} headings", f"{len(sections)} sections",
    ]
    assert lines["notice-2019"][1] == "text"


def test_the_added_corpus_builds_searches_and_compares(grown):
    corpus, runs = grown
    assert runs["index"].returncode == 0, runs["index"].stderr
    assert (corpus / "instance" / "index").is_symlink()  # the corpus's own index, outside the checkout
    assert "4 versions" in runs["index"].stdout
    found = jiaokan("search", "五十六小时", "--corpus", corpus, "--json", "--no-collapse")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)["hits"]
    assert [h["version"] for h in hits] == ["law-2020"]
    assert hits[0]["section"] == "第二章 / 第二节"
    compared = jiaokan("compare", "law-2010", "law-2020", "--corpus", corpus, "--json")
    assert compared.returncode == 0, compared.stderr
    result = json.loads(compared.stdout)
    changes = {(d["a"], d["b"]) for item in result["differing"] for d in item["differences"]}
    assert ("四十", "五十六") in changes
    assert ("可以", "应当") in changes
    assert any(b and "促进全民阅读" in b for _, b in changes)
    text = jiaokan("compare", "law-2010", "law-2020", "--corpus", corpus)
    assert "law-2010: 四十" in text.stdout and "law-2020: 五十六" in text.stdout


def test_the_version_saved_with_a_bom_compares_with_its_other_version(grown):
    corpus, _ = grown
    compared = jiaokan("compare", "notice-2019", "notice-2021", "--corpus", corpus, "--json")
    assert compared.returncode == 0, compared.stderr
    result = json.loads(compared.stdout)
    changes = {(d["a"], d["b"]) for item in result["differing"] for d in item["differences"]}
    assert ("九", "十") in changes and ("nine", "ten") in changes
    assert result["same"] >= 3 and not result["only_in_a"] and not result["only_in_b"]  # the title aligned too


def test_added_versions_keep_every_character_in_order_no_markup_and_every_heading(grown):
    """The issue's "done when", as a user meets it: versions added with `jiaokan add`, read back from the built
    index with `jiaokan paragraphs --json`."""
    corpus, _ = grown
    run = jiaokan("paragraphs", "--json", "--corpus", corpus)
    assert run.returncode == 0, run.stderr
    records = json.loads(run.stdout)
    catalog = tomllib.loads((corpus / "catalog.toml").read_text(encoding="utf-8"))
    for entry in catalog["version"]:
        source = (corpus / entry["file"]).read_bytes().decode("utf-8-sig")
        mine = [r for r in records if r["version"] == entry["id"]]
        joined = without_space("".join(r["text"] for r in mine))
        if entry["format"] == "markdown":
            assert joined == markdown_text_characters(source), entry["id"]
            assert [r["text"] for r in mine if r["kind"] == "heading"] == markdown_headings(source)
            assert not [r["id"] for r in mine if re.search(r"[#*`]|\]\(|<!--|-->", r["text"])]
        else:
            assert joined == without_space(source), entry["id"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--version", "x/../y", "--format", "text"], r"'x/\.\./y' is not safe in a URL"),
        (["--version", "law-2010", "--format", "text"], "already in the catalog"),
        (["--version", "new", "--format", "scan"], "--format 'scan' is not one of"),
        (["--version", "new", "--format", "text", "--statement", "other"], "give its title with --title"),
        (["--version", "new", "--format", "text", "--languages", "ru"], "field 'languages'"),
    ],
)
def test_a_bad_add_changes_nothing(tmp_path, grown, args, says):
    corpus = tmp_path / "corpus"
    shutil.copytree(grown[0], corpus, symlinks=True)
    before = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file() and "instance" not in p.parts}
    options = dict(zip(args[::2], args[1::2]))
    options.setdefault("--statement", "library-law")
    flat = [x for kv in options.items() for x in kv]
    run = jiaokan("add", TEXTS / "notice-2021.txt", "--corpus", corpus, *flat)
    assert re.search(says, one_line_error(run)), run.stderr
    after = {p: p.read_bytes() for p in corpus.rglob("*") if p.is_file() and "instance" not in p.parts}
    assert after == before


def test_add_of_a_missing_file_or_a_folder_is_one_line(grown):
    corpus, _ = grown
    for file, says in ((TEXTS / "no-such.txt", "file not found"), (TEXTS, "is a folder")):
        run = jiaokan("add", file, "--corpus", corpus, "--statement", "library-law", "--version", "v", "--format", "text")
        assert says in one_line_error(run)


# --- catalog errors: one line naming the file and the field, exit 2, the index untouched ------------------------


def _replace(old: str, new: str):
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


CATALOG_MISTAKES = {
    "id-not-a-string": (_replace('id = "law-2010"', "id = 7"), r"version #1: field 'id' must be a string, not an integer"),
    "languages-a-string": (_replace('languages = ["zh"]', 'languages = "zh"'), r"'law-2010': field 'languages' must be a list"),
    "publisher-a-table": (_replace('publisher = "Test fixture"', "publisher = {a = 1}"), r"'law-2010': field 'publisher' must be a string, not a table"),
    "duplicate-statement": (_replace('id = "reading-week"\ntitle_zh', 'id = "library-law"\ntitle_zh'), r"statement 'library-law': id 'library-law' is used by an earlier"),
    "unsafe-id": (_replace('id = "law-2020"', 'id = "x/../y"'), r"version 'x/\.\./y': field 'id': 'x/\.\./y' is not safe in a URL"),
    "file-is-a-folder": (_replace('file = "texts/library-law-2010.md"', 'file = "texts"'), r"'law-2010': field 'file': 'texts' is a folder"),
    "unknown-field": (_replace('format = "markdown"', 'format = "markdown"\nformt = "x"'), r"'law-2010': unknown field 'formt'"),
    "bad-pattern": (_replace('drop_matching = [\'^发布时间：\']', "drop_matching = ['(unclosed']"), r"'reading-week': field 'drop_matching': '\(unclosed' is not a valid regular expression"),
    "bad-selector": (_replace('format = "html"', 'format = "html"\nselector = "article >> p"'), r"'reading-week': field 'selector'"),
    "unknown-section-rule": (_replace('format = "pdf-text"', 'format = "pdf-text"\nsections = ["roman"]'), r"'annual-report': field 'sections': 'roman'"),
    "not-toml": (_replace("[[statement]]", "[[statement]"), r"catalog\.toml: not valid TOML"),
}


@pytest.fixture(scope="module")
def fixture_index(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("fixture") / "corpus"
    shutil.copytree(FIXTURES, corpus)
    link = corpus.parent / "index"
    run = jiaokan("index", "--corpus", corpus, "--index", link)
    assert run.returncode == 0, run.stderr
    return corpus, link


def _state(link: Path):
    return os.readlink(link), sorted(p.name for p in link.parent.iterdir())


@pytest.mark.parametrize("mistake", CATALOG_MISTAKES)
def test_catalog_mistakes_are_one_line_exit_2_and_leave_the_index(tmp_path, fixture_index, mistake):
    edit, says = CATALOG_MISTAKES[mistake]
    _, link = fixture_index
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    catalog = corpus / "catalog.toml"
    catalog.write_text(edit(catalog.read_text(encoding="utf-8")), encoding="utf-8")
    before = _state(link)
    for command in (["index", "--index", link], ["check"], ["versions"]):
        message = one_line_error(jiaokan(*command, "--corpus", corpus))
        assert "catalog.toml" in message and re.search(says, message), message
    assert _state(link) == before


def test_a_user_dictionary_line_jieba_would_reject_is_one_line(tmp_path, fixture_index):
    _, link = fixture_index
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    (corpus / "userdict.txt").write_text("公共图书馆 3000\n示例市 many\n", encoding="utf-8")
    before = _state(link)
    message = one_line_error(jiaokan("index", "--index", link, "--corpus", corpus))
    assert re.search(r"userdict\.txt: line 2: '示例市 many' is not 'word frequency \[tag\]'", message)
    assert _state(link) == before


def test_undeclared_language_is_an_error_naming_the_field(tmp_path, fixture_index):
    corpus = tmp_path / "corpus"
    shutil.copytree(FIXTURES, corpus)
    catalog = corpus / "catalog.toml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace('languages = ["ru"]', 'languages = ["zh"]'), encoding="utf-8")
    message = one_line_error(jiaokan("check", "--corpus", corpus))
    assert re.search(r"catalog\.toml: version 'notice-2021-ru': field 'languages' is \['zh'\] but 4 paragraph\(s\) read as ru", message)


# --- Russian -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["библиотеки", "Библиотека", "БИБЛИОТЕКУ", '"читальные залы"', "часов работы", "выходные"],
)
def test_russian_words_are_found_by_word_and_phrase_case_folded_and_stemmed(fixture_index, query):
    corpus, link = fixture_index
    run = jiaokan("search", query, "--index", link, "--json", "--no-collapse", "--lang", "ru")
    assert run.returncode == 0, (query, run.stderr)
    hits = json.loads(run.stdout)["hits"]
    assert hits and {h["version"] for h in hits} == {"notice-2021-ru"} and {h["lang"] for h in hits} == {"ru"}
    assert "<mark>" in hits[0]["snippet"]


def test_a_russian_phrase_in_the_wrong_order_is_not_found(fixture_index):
    _, link = fixture_index
    run = jiaokan("search", '"залы читальные"', "--index", link, "--json")
    assert run.returncode == 1, run.stdout


def test_the_web_shows_a_paragraphs_heading_path_and_language(fixture_index):
    from jiaokan.web import create_app

    _, link = fixture_index
    client = create_app({"TESTING": True, "INDEX_DIR": str(link)}).test_client()
    page = client.get("/paragraph/law-2020-015").get_data(as_text=True)
    assert "示例市公共图书馆条例 › 第二章 设立与管理 › 第二节 管理" in page
    russian = client.get("/paragraph/notice-2021-ru-002").get_data(as_text=True)
    assert '<p class="text current" lang="ru">' in russian
    found = client.get("/api/search?q=%D0%B1%D0%B8%D0%B1%D0%BB%D0%B8%D0%BE%D1%82%D0%B5%D0%BA%D0%B0&lang=ru").get_json()
    assert found["total"] >= 1 and found["hits"][0]["lang"] == "ru"
    assert client.get("/api/paragraphs/law-2020-015").get_json()["paragraph"]["headings"][-1] == "第二节 管理"


def test_an_index_path_that_cannot_be_written_is_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    message = one_line_error(jiaokan("index", "--corpus", FIXTURES, "--index", blocker / "index"))
    assert "cannot write the index" in message


def test_a_text_that_is_not_utf8_says_how_to_convert_it(tmp_path):
    corpus = tmp_path / "c"
    jiaokan("init", corpus)
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("关于延长开放时间的通知\n\n特此通知。\n".encode("gb18030"))
    run = jiaokan("add", gbk, "--corpus", corpus, "--statement", "s", "--title", "通知", "--version", "v", "--format", "text")
    assert "not valid UTF-8" in one_line_error(run) and "iconv -f GB18030" in run.stderr
    assert not list((corpus / "texts").iterdir())  # nothing left behind


def test_the_build_summary_of_an_archive_stays_one_short_line(tmp_path):
    """A corpus of many documents: `jiaokan index` names the first versions and says how many more there are,
    instead of a line as long as the catalog."""
    corpus = tmp_path / "archive"
    (corpus / "texts").mkdir(parents=True)
    entries = []
    for k in range(1, 31):
        name = f"notice-{k:02d}"
        (corpus / "texts" / f"{name}.txt").write_text(f"第{k}号通知\n\n本馆自即日起延长开放时间，第{k}条规定照常执行。\n",
                                                      encoding="utf-8")
        entries.append(f'[[statement]]\nid = "s{k:02d}"\ntitle_zh = "通知{k}"\ndate = "2020-01-01"\n')
        entries.append(f'[[version]]\nid = "{name}"\nfile = "texts/{name}.txt"\nstatement = "s{k:02d}"\nformat = "text"\n'
                       f'languages = ["zh"]\n')
    (corpus / "catalog.toml").write_text("\n".join(entries), encoding="utf-8")
    run = jiaokan("index", "--corpus", corpus)
    assert run.returncode == 0, run.stderr
    line = run.stdout.strip().splitlines()[-1]
    assert "30 versions, 60 paragraphs" in line
    assert "notice-01 2" in line and "notice-12 2" in line and "notice-13" not in line
    assert line.endswith("and 18 more: jiaokan versions)")
