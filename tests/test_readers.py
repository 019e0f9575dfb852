"""The generic readers on a fixture corpus written for the tests (tests/fixtures/corpus): one document per format,
two dated versions of a Markdown law, a plain text saved with a BOM and CRLF line ends, and a Russian text.

Counts come from the fixture sources and the catalog, so adding a fixture does not break unrelated tests."""
from __future__ import annotations

import dataclasses
import re
import tomllib
from pathlib import Path

import pytest

from jiaokan.indexer.catalog import load_catalog
from jiaokan.indexer.languages import detect_lang
from jiaokan.indexer.paragraphs import read_paragraphs
from jiaokan.indexer.records import Paragraph
from source_text import markdown_headings, markdown_text_characters, without_space

FIXTURES = Path(__file__).parent / "fixtures" / "corpus"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(FIXTURES)


@pytest.fixture(scope="module")
def paragraphs(catalog) -> dict[str, list[Paragraph]]:
    return {vid: read_paragraphs(v) for vid, v in catalog.versions.items()}


def raw(catalog, version_id: str) -> str:
    return catalog.version(version_id).path.read_bytes().decode("utf-8-sig")


def versions_of_format(fmt: str) -> list[str]:
    entries = tomllib.loads((FIXTURES / "catalog.toml").read_text(encoding="utf-8"))["version"]
    return [e["id"] for e in entries if e["format"] == fmt]


def test_every_catalog_version_is_read_with_one_reader_per_format(catalog, paragraphs):
    entries = tomllib.loads((FIXTURES / "catalog.toml").read_text(encoding="utf-8"))["version"]
    assert list(paragraphs) == [e["id"] for e in entries]
    assert {v.format for v in catalog.versions.values()} == {"text", "markdown", "html", "pdf-text"}
    for vid, ps in paragraphs.items():
        assert ps, vid
        assert [p.id for p in ps] == [f"{vid}-{n:03d}" for n in range(1, len(ps) + 1)]
        assert all(p.text == p.text.strip() and "\n" not in p.text and "\r" not in p.text for p in ps)


# --- markdown --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("version_id", versions_of_format("markdown"))
def test_markdown_keeps_every_character_of_the_text_in_order_and_nothing_else(catalog, paragraphs, version_id):
    joined = without_space("".join(p.text for p in paragraphs[version_id]))
    assert joined == markdown_text_characters(raw(catalog, version_id))


@pytest.mark.parametrize("version_id", versions_of_format("markdown"))
def test_every_markdown_heading_is_a_heading_paragraph(catalog, paragraphs, version_id):
    headings = markdown_headings(raw(catalog, version_id))
    assert len(headings) >= 6
    assert [p.text for p in paragraphs[version_id] if p.kind == "heading"] == headings


def test_markdown_markup_comments_front_matter_and_images_are_dropped(paragraphs):
    texts = [p.text for vid in versions_of_format("markdown") for p in paragraphs[vid]]
    for mark in ("#", "**", "*", "](", "![", "<!--", "-->", "---", "title:", "https://"):
        assert [t for t in texts if mark in t] == [], mark
    for dropped in ("编者注", "written for jiaokan", "amended", "市图书馆外景", "images/library.png"):
        assert not any(dropped in t for t in texts), dropped
    assert "第一条 为了保障公民阅读的权利，发挥公共图书馆的作用，制定本条例。" in texts  # **阅读** kept as its word
    assert "第六条 公共图书馆可以通过示例市图书馆网站提供服务。" in texts  # the link's text, not its target


def test_markdown_law_title_chapters_and_sections(paragraphs):
    law = paragraphs["law-2010"]
    assert (law[0].kind, law[0].text, law[0].section) == ("heading", "示例市公共图书馆条例", "preamble")
    by_text = {p.text: p for p in law}
    chapter = by_text["第二章 设立与管理"]
    assert (chapter.kind, chapter.section) == ("heading", "第二章")
    part = by_text["第一节 设立"]
    assert (part.kind, part.section) == ("heading", "第二章 / 第一节")
    article = by_text["第三条 市人民政府应当设立市公共图书馆，区人民政府可以设立区公共图书馆。"]
    assert (article.kind, article.section) == ("body", "第二章 / 第一节")
    assert article.headings == ["示例市公共图书馆条例", "第二章 设立与管理", "第一节 设立"]
    assert by_text["第五条 公共图书馆应当向社会公告服务时间，每周开放时间不少于四十小时。"].section == "第二章 / 第二节"
    last = law[-1]
    assert (last.section, last.headings) == ("第三章", ["示例市公共图书馆条例", "第三章 附则"])
    assert by_text["（2010年5月1日示例市人民代表大会常务委员会通过）"].section == "preamble"


def test_markdown_list_items_are_paragraphs_and_ordered_ones_keep_their_number(paragraphs):
    texts = [p.text for p in paragraphs["law-2010"]]
    assert ["1. 有章程；", "2. 有固定的馆址；"] == texts[texts.index("1. 有章程；") : texts.index("1. 有章程；") + 2]
    assert {"借阅图书；", "查询目录；", "参加讲座。"} <= set(texts)  # bullets gone, one paragraph each


def test_markdown_constructs_a_saved_text_may_carry(catalog, tmp_path):
    source = (
        "标题\n===\n\nfirst line<br>second line\n\n中文<br/>文字，<span class=\"x\">内联</span>标记\n\n> 引用段落。\n\n"
        "| 甲 | 乙 |\n|---|---|\n| 一 | 二 |\n\n`代码` 与 \\*星号\\* 和 <https://example.org>\n\n**第一条**　内容。\n"
    )
    path = tmp_path / "extra.md"
    path.write_text(source, encoding="utf-8")
    version = dataclasses.replace(catalog.version("law-2010"), path=path, languages=())
    assert [(p.kind, p.text) for p in read_paragraphs(version)] == [
        ("heading", "标题"),  # a setext heading
        ("body", "first line second line"),  # <br> is a line break: a space between Latin words,
        ("body", "中文文字，内联标记"),  # none between Chinese ones; inline HTML keeps its text
        ("body", "引用段落。"),
        ("body", "甲 乙"),  # each table row a paragraph
        ("body", "一 二"),
        ("body", "代码 与 *星号* 和 https://example.org"),  # code and escapes as their text, an autolink as its URL
        ("body", "第一条\u3000内容。"),
    ]


# --- text ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version_id", versions_of_format("text"))
def test_text_keeps_every_character_in_order(catalog, paragraphs, version_id):
    assert without_space("".join(p.text for p in paragraphs[version_id])) == without_space(raw(catalog, version_id))


def test_a_bom_and_crlf_line_ends_read_as_plain_lf_text(catalog, paragraphs):
    with_bom = catalog.version("notice-2019").path.read_bytes()
    assert with_bom.startswith(b"\xef\xbb\xbf") and b"\r\n" in with_bom  # the fixture is what it claims
    first = paragraphs["notice-2019"][0]
    assert (first.kind, first.text) == ("title", "关于延长开放时间的通知")
    shape = [(p.kind, p.section, p.lang) for p in paragraphs["notice-2019"]]
    assert shape == [(p.kind, p.section, p.lang) for p in paragraphs["notice-2021"]]


def test_hard_line_breaks_join_without_a_space_in_chinese_and_with_one_in_latin(paragraphs):
    texts = [p.text for p in paragraphs["notice-2019"]]
    assert "自2019年9月1日起，本馆阅览室的开放时间延长至每晚九时，周末照常开放。" in texts
    assert "The reading rooms will stay open until nine in the evening, weekends included." in texts
    assert paragraphs["notice-2019"][-1].kind == "closing"


def test_one_paragraph_per_line_with_cr_line_ends_and_chapters_in_plain_text(catalog, paragraphs):
    source = catalog.version("rules-2018").path.read_bytes()
    assert b"\r" in source and b"\n" not in source
    rules = paragraphs["rules-2018"]
    lines = [line for line in raw(catalog, "rules-2018").split("\r") if line.strip()]
    assert [p.text for p in rules] == lines  # each line a paragraph, none glued to the next
    assert [(p.text, p.section) for p in rules if p.kind == "heading"] == [
        ("第一章　总则", "第一章"), ("第二章　阅览", "第二章"), ("第一节　入馆", "第二章 / 第一节"), ("第二节　借阅", "第二章 / 第二节"),
    ]
    article = next(p for p in rules if p.text.startswith("第五条"))
    assert (article.section, article.headings) == ("第二章 / 第二节", ["第二章　阅览", "第二节　借阅"])


def test_cyrillic_text_is_labelled_russian(paragraphs):
    assert {p.lang for p in paragraphs["notice-2021-ru"]} == {"ru"}


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Россия и Китай", "ru"),
        ("The two sides", "en"),
        ("双方认为", "zh"),
        ("図書館は午後十時まで開いています", "ja"),
        ("도서관", "ko"),
        ("Η βιβλιοθήκη", "el"),
        ("المكتبة مفتوحة", "und-Arab"),
        ("הספרייה", "und-Hebr"),
    ],
)
def test_each_script_gets_its_label(text, lang):
    assert detect_lang(text) == lang


# --- html ------------------------------------------------------------------------------------------------------


def test_html_reads_the_article_and_drops_scripts_navigation_and_footers(paragraphs):
    page = paragraphs["reading-week"]
    texts = [p.text for p in page]
    for dropped in ("示例市图书馆首页", "新闻动态", "读书周统计脚本", "广告位", "不要发布", "往年读书周回顾", "版权所有",
                    "活动海报", "海报说明文字", "发布时间", "font-family"):
        assert not any(dropped in t for t in texts), dropped
    assert [(p.kind, p.text, p.section) for p in page if p.kind == "heading"] == [
        ("heading", "读书周活动安排", "preamble"), ("heading", "一、活动时间", "一"), ("heading", "二、活动内容", "二"),
    ]
    assert "读书周自2022年4月23日开始，为期七天。" in texts  # a line break inside <p> joined back
    assert "作家讲座三场；" in texts and "旧书交换集市。" in texts  # each <li> a paragraph, <strong> as its text
    assert "详情请见活动专页，或致电本馆咨询台。Reading Week starts on 23 April 2022." in texts  # <br>


def test_an_articles_own_header_is_kept_and_a_pages_header_dropped(catalog, tmp_path):
    version = catalog.version("reading-week")
    page = "<html><body><header>站名</header><article><header><h1>标题</h1></header><p>正文。</p></article></body></html>"
    no_article = "<html><body><header>站名</header><main><h1>标题</h1><p>正文。</p></main><footer>版权</footer></body></html>"
    for html, expected in ((page, ["标题", "正文。"]), (no_article, ["标题", "正文。"])):
        path = tmp_path / "page.html"
        path.write_text(html, encoding="utf-8")
        assert [p.text for p in read_paragraphs(dataclasses.replace(version, path=path, rules=dataclasses.replace(version.rules, drop_matching=())))] == expected


def test_html_selector_from_the_catalog(catalog):
    version = catalog.version("reading-week")
    only_items = dataclasses.replace(version, rules=dataclasses.replace(version.rules, selector="article li"))
    assert [p.text for p in read_paragraphs(only_items)] == ["作家讲座三场；", "少儿绘本共读；", "旧书交换集市。"]


# --- pdf-text --------------------------------------------------------------------------------------------------


def test_pdf_text_drops_running_headers_and_page_numbers_and_joins_the_page_break(catalog, paragraphs):
    report = paragraphs["annual-report"]
    texts = [p.text for p in report]
    source = raw(catalog, "annual-report")
    assert source.count("示例市图书馆年度报告") == 3 and "\f" in source
    assert not any("年度报告" in t and "2021" not in t for t in texts)
    assert not any(re.fullmatch(r"\d+", t) for t in texts)
    assert "全年新增馆藏图书五万册，其中少儿图书一万二千册，电子图书二万种。" in texts
    assert [(p.text, p.section) for p in report if p.kind == "heading"] == [
        ("一、基本情况", "一"), ("二、主要工作", "二"), ("三、下一年计划", "三"),
    ]
    assert (report[0].kind, report[-1].kind) == ("title", "closing")
    # everything else of the source is there, in order
    furniture = {"示例市图书馆年度报告", "1", "2", "3"}
    kept = "".join(line for line in source.replace("\f", "\n").split("\n") if line.strip() not in furniture)
    assert without_space("".join(texts)) == without_space(kept)


# --- no input produces a traceback -------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jiaokan.indexer.errors import CorpusError  # noqa: E402

_PIECES = st.sampled_from([
    "\n", "\n\n", "\r\n", "\r", "\f", "\ufeff", "  ", "#", "## 第二章 法律", "### 第一节", "- ", "1. ", "**", "*", "`", "```",
    "<!--", "-->", "<p>", "</p>", "<article>", "<br>", "<script>", "[a](b)", "![x](y)", "---", "一", "二、", "第三章",
    "—", "two", "双方", "。", "Россия", "2022年2月4日于北京", "12", "&amp;", "<", ">", "|a|b|\n|-|-|",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=30), fmt=st.sampled_from(["text", "markdown", "html", "pdf-text"]))
def test_any_text_in_any_format_reads_or_is_a_corpus_error(catalog, tmp_path, pieces, fmt):
    path = tmp_path / "any.txt"
    path.write_bytes("".join(pieces).encode("utf-8"))
    base = catalog.version("notice-2019")
    version = dataclasses.replace(base, format=fmt, path=path, languages=(), rules=load_rules(fmt))
    try:
        result = read_paragraphs(version)
    except CorpusError as e:
        assert "\n" not in str(e)
        return
    assert all(p.text and "\n" not in p.text for p in result)


def load_rules(fmt: str):
    """The default rules of a format, as a catalog entry without rules gets them."""
    from jiaokan.indexer.catalog import parse_catalog

    data = {"statement": [{"id": "s", "title_zh": "t"}], "version": [{"id": "v", "file": "x", "statement": "s", "format": fmt}]}
    return parse_catalog(data, FIXTURES, FIXTURES / "catalog.toml").version("v").rules
