"""Paragraph records of the real corpus: what a reader quoting them would notice if a rule went wrong."""
from __future__ import annotations

import dataclasses
import re
from collections import Counter
from pathlib import Path

import pytest

from jiaokan.indexer import cleaning, languages
from jiaokan.indexer.catalog import Catalog, load_catalog, read_version_text
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.paragraphs import Draft, corpus_paragraphs, join_broken_paragraphs, read_drafts, read_paragraphs
from jiaokan.indexer.records import Paragraph

CORPUS = Path(__file__).parents[1] / "corpus"
VERSION_IDS = ("un", "xinhua", "chinanews-2", "chinanews-3", "preview-2017")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(CORPUS)


@pytest.fixture(scope="module")
def by_version(catalog: Catalog) -> dict[str, list[Paragraph]]:
    return {vid: read_paragraphs(catalog.version(vid)) for vid in VERSION_IDS}


@pytest.fixture(scope="module")
def everything(catalog: Catalog) -> list[Paragraph]:
    return corpus_paragraphs(catalog)


def the(paragraphs: list[Paragraph], fragment: str) -> Paragraph:
    """The one paragraph containing fragment (fails if none or several)."""
    found = [p for p in paragraphs if fragment in p.text]
    assert len(found) == 1, f"{fragment!r} is in {len(found)} paragraphs: {[p.id for p in found]}"
    return found[0]


def source(catalog: Catalog, version_id: str) -> str:
    return read_version_text(catalog.version(version_id))


# --- counts ----------------------------------------------------------------------------------------------------


EXPECTED_KIND_LANG = {
    # 8 cover-letter records (title, 2 body, 4 signature lines, annex heading) + the 71 of the statement.
    "un": {("heading", "zh"): 6, ("body", "zh"): 67, ("closing", "zh"): 5, ("title", "zh"): 1},
    # headings: 一, two, three, 四; closing: "February 4, 2022 in Beijing".
    "xinhua": {
        ("title", "zh"): 1, ("heading", "zh"): 2, ("heading", "en"): 2,
        ("body", "zh"): 38, ("body", "en"): 27, ("closing", "en"): 1,
    },
    "chinanews-2": {("title", "zh"): 1, ("heading", "zh"): 1, ("body", "zh"): 23},
    "chinanews-3": {("title", "zh"): 1, ("heading", "zh"): 1, ("body", "zh"): 23, ("closing", "zh"): 1},
    "preview-2017": {("title", "zh"): 1, ("body", "zh"): 25},
}


@pytest.mark.parametrize("version_id", VERSION_IDS)
def test_counts_by_kind_and_language(by_version: dict[str, list[Paragraph]], version_id: str) -> None:
    counts = Counter((p.kind, p.lang) for p in by_version[version_id])
    assert dict(counts) == EXPECTED_KIND_LANG[version_id]


def test_un_statement_part_has_71_paragraphs(by_version: dict[str, list[Paragraph]]) -> None:
    statement = [p for p in by_version["un"] if p.section != "cover letter"]
    assert len(statement) == 71
    kinds = Counter(p.kind for p in statement)
    assert kinds == {"title": 1, "heading": 4, "body": 65, "closing": 1}
    assert sum(1 for p in statement if p.section == "preamble" and p.kind == "body") == 4
    assert len([p for p in by_version["un"] if p.section == "cover letter"]) == 8


def test_xinhua_and_un_carry_the_same_71_paragraphs(by_version: dict[str, list[Paragraph]]) -> None:
    un = [p for p in by_version["un"] if p.section != "cover letter"]
    xinhua = by_version["xinhua"]
    assert len(xinhua) == 71
    assert [(p.kind, p.section) for p in xinhua] == [(p.kind, p.section) for p in un]


def test_body_paragraphs_per_section(by_version: dict[str, list[Paragraph]]) -> None:
    def per_section(version_id: str) -> dict[str, int]:
        return dict(Counter(p.section for p in by_version[version_id] if p.kind == "body"))

    assert per_section("un") == {"cover letter": 2, "preamble": 4, "一": 6, "二": 12, "三": 25, "四": 18}
    assert per_section("xinhua") == {"preamble": 4, "一": 6, "二": 12, "三": 25, "四": 18}
    assert per_section("chinanews-2") == {"二": 3, "三": 20}  # 三 up to the AI paragraph, as in the UN text
    assert per_section("chinanews-3") == {"三": 5, "四": 18}
    assert per_section("preview-2017") == {
        "preamble": 2, "一": 2, "二": 2, "三": 1, "四": 4, "五": 5, "六": 1, "七": 1, "八": 3, "九": 3, "十": 1,
    }


# --- UN document: cover page, cover letter, annex ----------------------------------------------------------------


def test_un_cover_letter_is_kept_in_order(by_version: dict[str, list[Paragraph]]) -> None:
    letter = [(p.kind, p.text) for p in by_version["un"] if p.section == "cover letter"]
    assert letter == [
        ("heading", "2022 年 3 月 10 日中国和俄罗斯联邦常驻联合国代表给秘书长和安全理事会主席的信"),
        ("body", "谨向阁下转递 2022 年 2 月 4 日俄罗斯联邦和中华人民共和国关于新时代国际关系和全球可持续发展的联合声明(见附件)。"),
        ("body", "请将本信及其附件作为大会议程项目 12、15、35、74、85、95、98、100、107、111 和 124 下的文件及安全理事会文件分发为荷。"),
        ("closing", "中华人民共和国常驻代表"),
        ("closing", "张军(签名)"),
        ("closing", "俄罗斯联邦常驻代表"),
        ("closing", "瓦西里·涅边贾(签名)"),
        ("heading", "2022年3月10日中国和俄罗斯联邦常驻联合国代表给秘书长和安全理事会主席的信的附件"),
    ]
    assert [p.id for p in by_version["un"][:8]] == [f"un-{n:03d}" for n in range(1, 9)]


def test_un_cover_letter_hard_line_breaks_are_joined_without_spaces(catalog: Catalog, by_version) -> None:
    raw = source(catalog, "un")
    assert "给秘书长和安全\n理事会主席的信" in raw and "新时代国际\n关系和全球" in raw  # broken in the file
    un = by_version["un"]
    assert un[0].text.endswith("给秘书长和安全理事会主席的信")
    assert "关于新时代国际关系和全球可持续发展的联合声明(见附件)。" in un[1].text


def test_un_statement_title_spans_three_lines_and_stays_apart_from_the_preamble(by_version) -> None:
    un = by_version["un"]
    title = un[8]
    assert (title.id, title.kind, title.section) == ("un-009", "title", "preamble")
    assert title.text == "中华人民共和国和俄罗斯联邦关于新时代国际关系和全球可持续发展的联合声明"
    assert un[9].text.startswith("应中华人民共和国主席习近平邀请，俄罗斯联邦总统弗·弗·普京于2022年2月4日访华。")
    assert un[9].kind == "body"


def test_un_section_one_printed_as_dash_is_recorded_as_yi(by_version) -> None:
    headings = [(p.text, p.section) for p in by_version["un"] if p.kind == "heading" and p.section != "cover letter"]
    assert headings == [("—", "一"), ("二", "二"), ("三", "三"), ("四", "四")]
    assert the(by_version["un"], "双方一致认为，民主是全人类共同价值").section == "一"


def test_un_nato_paragraph_is_one_body_paragraph_of_section_three(by_version) -> None:
    nato = the(by_version["un"], "双方反对北约继续扩张")
    assert (nato.kind, nato.section, nato.lang) == ("body", "三", "zh")
    assert nato.text.startswith("双方认为，个别国家、军事政治联盟或同盟谋求直接或间接的单方面军事优势")
    assert "呼吁北约摒弃冷战时期意识形态" in nato.text
    assert nato.text.endswith("不针对第三国的亚太地区安全体系，维护和平、稳定与繁荣。")


def test_un_closing_date_line(by_version) -> None:
    last = by_version["un"][-1]
    assert (last.id, last.kind, last.text, last.section) == ("un-079", "closing", "二〇二二年二月四日于北京", "四")
    assert by_version["un"][-2].text.endswith("强化东盟作为构建区域架构关键组成部分的角色。")


# --- clutter -----------------------------------------------------------------------------------------------------

# Lines that are furniture where they stand alone; some of these words also occur inside real sentences
# ("联合国大会第七十六届会议通过"), so these are checked as whole paragraphs.
CLUTTER_LINES = (
    "大会", "安全理事会", "第七十六届会议", "第七十七年", "Distr.: General", "11 March 2022", "Chinese",
    "Original: English", "请回收", "议程项目 12、15、35、74、85、", "95、98、100、107、111 和 124", "促进和保护人权",
    "中新网", "（完）",
)
# Strings that appear in no paragraph at all.
CLUTTER_STRINGS = (
    # the cover page's agenda-item titles (the cover letter itself names the agenda items, so not those numbers)
    "体育运动促进发展与和平", "奥林匹克理想", "首脑会议成果的统筹协调执行", "预防武装冲突", "国内和国际的法治",
    "从国际安全角度看信息和电信领域的发展", "防止外层空间的军备竞赛", "全面彻底裁军", "毒素武器和销毁此种武器的公约",
    "消除国际恐怖主义的措施", "加强联合国系统",
    "Distr.", "Original:", "22-03670", "160322", "请回收", "仅以中文、俄文和英文分发",
    "[原件：中文和俄文]", "原件：", "新华社北京2月4日电", "新华社", "中新网", "（完）", "这是时隔两年多的老友重聚", "老友重聚",
    "（全文）", "2017-07-05", "06:56", "预览已结束", "yunbaogao", "https://", "**", "#",
)


def test_no_clutter_line_is_a_paragraph(everything: list[Paragraph]) -> None:
    texts = {p.text for p in everything}
    assert [line for line in CLUTTER_LINES if line in texts] == []


@pytest.mark.parametrize("clutter", CLUTTER_STRINGS)
def test_no_paragraph_contains_clutter(everything: list[Paragraph], clutter: str) -> None:
    assert [p.id for p in everything if clutter in p.text] == []


def test_clutter_strings_really_are_in_the_sources(catalog: Catalog) -> None:
    # Guards the clutter tests against testing for strings that were never there.
    raw = "".join(source(catalog, vid) for vid in VERSION_IDS)
    assert [c for c in CLUTTER_STRINGS + CLUTTER_LINES if c not in raw] == []


def test_un_cover_page_is_dropped(by_version) -> None:
    first = by_version["un"][0]
    assert first.text.startswith("2022 年 3 月 10 日中国和俄罗斯联邦常驻联合国代表")
    assert not any(p.text.startswith(("议程项目", "大会", "安全理事会")) for p in by_version["un"])


# --- page breaks -------------------------------------------------------------------------------------------------

# (version, id, the text across the join, the start of the piece the page break had cut off)
PAGE_BREAK_JOINS = (
    ("un", "un-039", "反对将反恐问题政治化、工具化和推行“双重标准”", "工具化和推行"),
    ("un", "un-047", "国际法及管控外空活动方面的核心地位", "的核心地位"),
    ("chinanews-2", "chinanews-2-013", "共同维护条约权威性、有效性和普遍性。", "维护条约权威性"),
    ("chinanews-2", "chinanews-2-018", "双方强调和平利用外空的重要性，坚定支持", "重要性，坚定支持"),
    ("chinanews-2", "chinanews-2-021", "具有法律约束力的议定书，并通过定期协商", "书，并通过定期协商"),
    ("chinanews-3", "chinanews-3-004", "中俄已共同提交公约草案作为相关谈判基础。", "础。"),
    ("chinanews-3", "chinanews-3-009", "所作努力。", "努力。"),
    ("chinanews-3", "chinanews-3-015", "产业链供应链长期稳定运转作出贡献", "长期稳定运转"),
    ("chinanews-3", "chinanews-3-021", "的合作，开展先进、资源节约、节能、绿色技术应用。", "先进、资源节约"),
    ("preview-2017", "preview-2017-018", "发挥关键作用，推动在联合国框架下制定", "用，推动在联合国框架下"),
)


@pytest.mark.parametrize(("version_id", "pid", "across", "cut_piece"), PAGE_BREAK_JOINS)
def test_page_break_split_is_joined(by_version, version_id: str, pid: str, across: str, cut_piece: str) -> None:
    joined = the(by_version[version_id], across)
    assert (joined.id, joined.kind) == (pid, "body")
    assert not any(p.text.startswith(cut_piece) for p in by_version[version_id])


def test_the_joined_protocol_paragraph(by_version) -> None:
    p = the(by_version["chinanews-2"], "具有法律约束力的议定书，并通过定期协商")
    assert p.section == "三"
    assert p.text == (
        "双方重申《公约》应得到完全遵守和进一步加强，包括《公约》制度化，加强《公约》机制，达成包含有效核查机制、"
        "具有法律约束力的议定书，并通过定期协商与合作解决与公约执行相关的任何问题。"
    )


def test_the_rule_found_every_break(everything: list[Paragraph]) -> None:
    # After joining, every body paragraph ends a sentence, except the 2017 preview's cut-off last paragraph.
    open_ended = [p.id for p in everything if p.kind == "body" and not cleaning.ends_sentence(p.text)]
    assert open_ended == ["preview-2017-026"]


def test_joining_leaves_titles_headings_and_closing_dates_alone(by_version) -> None:
    for paragraphs in by_version.values():
        for p in paragraphs:
            if p.kind != "body":
                assert "\n" not in p.text and len(p.text) < 80, p.id
    titles = [p.text for ps in by_version.values() for p in ps if p.kind == "title"]
    assert all(t.endswith(("联合声明", "（中）", "（下）")) for t in titles)
    closing = by_version["chinanews-3"][-1]
    assert (closing.kind, closing.text) == ("closing", "二〇二二年二月四日于北京")


def test_join_rule_does_not_join_title_or_closing_date() -> None:
    title = Draft("中华人民共和国和俄罗斯联邦关于新时代国际关系和全球可持续发展的联合声明", "title", "preamble")
    first = Draft("应中华人民共和国主席习近平邀请，俄罗斯联邦总统弗·弗·普京于2022年2月4日访华。", "body", "preamble")
    open_body = Draft("双方将继续在中俄印机制框架内开展合作，加强在东亚峰会", "body", "四")
    closing = Draft("二〇二二年二月四日于北京", "closing", "四")
    heading = Draft("四", "heading", "四")
    drafts = [title, first, open_body, closing]
    assert [d.text for d in join_broken_paragraphs(drafts)] == [d.text for d in drafts]
    assert len(join_broken_paragraphs([Draft("…反对将反恐问题政治化、", "body", "三"), heading])) == 2
    # and across a section boundary nothing joins either
    assert len(join_broken_paragraphs([Draft("…所作", "body", "三"), Draft("努力。", "body", "四")])) == 2


def test_join_rule_joins_body_into_body() -> None:
    joined = join_broken_paragraphs([Draft("…具有法律约束力的议定", "body", "三"), Draft("书，并通过定期协商。", "body", "三")])
    assert [d.text for d in joined] == ["…具有法律约束力的议定书，并通过定期协商。"]


# --- Xinhua wire ---------------------------------------------------------------------------------------------------


def test_xinhua_has_27_english_body_paragraphs(by_version) -> None:
    english = [p for p in by_version["xinhua"] if p.kind == "body" and p.lang == "en"]
    assert len(english) == 27
    assert all(re.match(r"[A-Z]", p.text) for p in english)


def test_xinhua_english_sentence_lines_are_one_paragraph(catalog: Catalog, by_version) -> None:
    english = [p for p in by_version["xinhua"] if p.kind == "body" and p.lang == "en"]
    lines = [line for line in source(catalog, "xinhua").splitlines() if line.strip()]
    starts = [line.strip() for line in lines if line.startswith("  ") and re.match(r"[A-Z]", line.strip())]
    continuations = [line for line in lines[2:-1] if not line.startswith("  ")]  # title and closing aside
    assert (len(starts), len(continuations)) == (27, 25)
    # each English paragraph begins with an indented line and takes in the unindented sentence lines below it
    assert [p.text.startswith(start) for p, start in zip(english, starts)] == [True] * 27
    pieces = {p.id: 1 + sum(line in p.text for line in continuations) for p in english}
    assert sum(pieces.values()) == 27 + 25
    multi_line = [p for p in english if pieces[p.id] > 1]
    assert len(multi_line) == 14
    assert all(len(re.findall(r"[.!?](?:\s|$)", p.text)) >= pieces[p.id] > 1 for p in multi_line)
    # the other 13 are one indented line each in the source (11 of them a single sentence)
    assert all(p.text in starts for p in english if pieces[p.id] == 1)


def test_xinhua_sentence_lines_are_joined_with_one_space(by_version) -> None:
    p = the(by_version["xinhua"], "reflecting the needs and interests of their citizens.")
    assert "of their citizens. China and Russia have ensured" in p.text
    assert "with the law. The people of the two countries" in p.text
    assert "  " not in p.text and "\n" not in p.text
    assert (p.id, p.section) == ("xinhua-009", "一")


def test_xinhua_headings_keep_their_words_and_record_the_numeral(by_version) -> None:
    headings = [(p.text, p.section, p.lang) for p in by_version["xinhua"] if p.kind == "heading"]
    assert headings == [("一", "一", "zh"), ("two", "二", "en"), ("three", "三", "en"), ("四", "四", "zh")]


def test_xinhua_title_dateline_and_closing(by_version) -> None:
    xinhua = by_version["xinhua"]
    assert (xinhua[0].kind, xinhua[0].text) == ("title", "中华人民共和国和俄罗斯联邦关于新时代国际关系和全球可持续发展的联合声明")
    assert xinhua[1].text.startswith("应中华人民共和国主席习近平邀请")
    last = xinhua[-1]
    assert (last.id, last.kind, last.lang, last.text) == ("xinhua-071", "closing", "en", "February 4, 2022 in Beijing")
    assert "Beijing" not in xinhua[-2].text and xinhua[-2].text.endswith("component of the regional architecture .")


# --- news site -----------------------------------------------------------------------------------------------------


def test_news_site_parts_open_inside_the_section_they_continue(by_version) -> None:
    part2, part3 = by_version["chinanews-2"], by_version["chinanews-3"]
    assert (part2[0].kind, part2[0].text) == ("title", "中华人民共和国和俄罗斯联邦关于新时代国际关系和全球可持续发展的联合声明（中）")
    assert part2[1].text.startswith("双方强调，新冠病毒溯源是科学问题") and part2[1].section == "二"
    assert part3[1].text.startswith("双方重申将深化国际信息安全领域协作") and part3[1].section == "三"
    assert part2[-1].text == "双方高度重视人工智能治理问题。双方愿就人工智能问题加强交流与对话。"


# --- 2017 preview -------------------------------------------------------------------------------------------------


def test_preview_title_loses_its_markup(by_version) -> None:
    first = by_version["preview-2017"][0]
    assert (first.kind, first.text) == ("title", "中华人民共和国和俄罗斯联邦关于当前世界形势和重大国际问题的联合声明")


def test_preview_last_paragraph_is_cut_off_and_filed_under_ten(by_version) -> None:
    last = by_version["preview-2017"][-1]
    assert last.id == "preview-2017-026"
    assert last.text == "1. 双方欢迎金砖国家合作机制不断发展，在国际政治和经济事务中的影响力持续提升。双方"
    assert (last.kind, last.section) == ("body", "十")
    assert last.text.endswith("双方")


def test_preview_numbered_points_set_sections(by_version) -> None:
    preview = by_version["preview-2017"]
    starts = [(p.section, p.text[:2]) for p in preview if re.match(r"[一二三四五六七八九]、", p.text)]
    assert starts == [(n, n + "、") for n in "一二三四五六七八九"]
    assert the(preview, "双方声明如下：").section == "preamble"
    assert the(preview, "尽管当前国际形势中不稳定、不确定因素有所增加").section == "一"
    assert the(preview, "当前，上海合作组织正进入新发展阶段").section == "九"


# --- sections of specific paragraphs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version_id", "fragment", "section"),
    [
        ("un", "中华人民共和国和俄罗斯联邦(以下简称“双方”)，声明如下：", "preamble"),
        ("un", "双方同意进一步深化北极可持续发展务实合作。", "二"),
        ("un", "俄方重申恪守一个中国原则", "三"),
        ("un", "双方高度重视人工智能治理问题", "三"),
        ("un", "俄方积极评价中方关于构建人类命运共同体的理念", "四"),
        ("xinhua", "双方同意进一步深化北极可持续发展务实合作。", "二"),
        ("xinhua", "Russia supports China in successfully hosting", "二"),
        ("xinhua", "The Russian side reiterated that it abides by the one-China principle", "三"),
        ("xinhua", "The two sides support the G20", "四"),
        ("chinanews-2", "俄方支持中方成功举办北京2022年冬奥会和冬残奥会。", "二"),
        ("chinanews-2", "俄方重申恪守一个中国原则", "三"),
        ("chinanews-3", "双方将以《中华人民共和国政府和俄罗斯联邦政府关于在保障国际信息安全领域合作协定》", "三"),
        ("chinanews-3", "双方将继续在中俄印机制框架内开展合作", "四"),
        ("preview-2017", "双方决心深化合作打击利用信息通信技术从事恐怖主义", "四"),
        ("preview-2017", "双方认为，区域贸易协定应是多边贸易体制的有益补充", "八"),
    ],
)
def test_section_of(by_version, version_id: str, fragment: str, section: str) -> None:
    assert the(by_version[version_id], fragment).section == section


def test_section_numerals_are_headings_not_body(everything: list[Paragraph]) -> None:
    numeral_lines = {"—", "一", "二", "三", "四", "two", "three"}
    assert [p.id for p in everything if p.text in numeral_lines and p.kind != "heading"] == []


# --- the source's own wording ------------------------------------------------------------------------------------


def test_text_keeps_source_punctuation_and_spacing(by_version) -> None:
    assert the(by_version["xinhua"], "应中华人民共和国主席习近平邀请,俄罗斯联邦总统弗·弗·普京").lang == "zh"
    assert the(by_version["xinhua"], "(以下简称“双方”),声明如下:").kind == "body"
    assert the(by_version["un"], "俄方支持中方成功举办北京 2022 年冬奥会和冬残奥会。").kind == "body"
    assert the(by_version["un"], "中俄元首肯定双方为应对 COVID-19 疫情全球大流行").lang == "zh"
    assert the(by_version["un"], "“三边安全伙伴关系”(AUKUS)")
    assert the(by_version["chinanews-2"], "“三边安全伙伴关系”（AUKUS）")
    assert the(by_version["chinanews-2"], "北京2022年冬奥会")
    # source typos are quoted as published, not corrected
    assert the(by_version["chinanews-2"], "双方将就就此保持沟通")
    assert the(by_version["xinhua"], "continuously improve port freight forwarding. customs clearance efficiency.")


def test_paragraph_text_is_trimmed_and_on_one_line(everything: list[Paragraph]) -> None:
    assert all(p.text == p.text.strip() and p.text and "\n" not in p.text for p in everything)


# --- ids and records ---------------------------------------------------------------------------------------------


def test_ids_are_unique_sequential_and_stable(catalog: Catalog, everything: list[Paragraph]) -> None:
    assert len({p.id for p in everything}) == len(everything)
    for vid in VERSION_IDS:
        mine = [p for p in everything if p.version == vid]
        assert [p.seq for p in mine] == list(range(1, len(mine) + 1))
        assert all(p.id == f"{vid}-{p.seq:03d}" for p in mine)
        assert all(p.statement == catalog.version(vid).statement and p.passage is None for p in mine)
    again = corpus_paragraphs(catalog)
    assert [(p.id, p.text) for p in again] == [(p.id, p.text) for p in everything]


def test_corpus_paragraphs_follow_catalog_order(catalog: Catalog, everything: list[Paragraph]) -> None:
    order = list(dict.fromkeys(p.version for p in everything))
    assert order == list(catalog.versions)
    assert sum(1 for p in everything if p.version in VERSION_IDS) == 79 + 71 + 25 + 26 + 26


# --- helpers and errors --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [("two", "en"), ("February 4, 2022 in Beijing", "en"), ("敦促 AUKUS 成员国严格履行", "zh")],
)
def test_detect_lang(text: str, lang: str) -> None:
    assert languages.detect_lang(text) == lang


def test_a_paragraph_without_letters_takes_its_versions_language(by_version) -> None:
    assert languages.detect_lang("—") == languages.NO_LETTERS
    dash = [p for p in by_version["un"] if p.text == "—"]
    assert [(p.kind, p.lang) for p in dash] == [("heading", "zh")]


def test_join_pieces_spacing() -> None:
    assert cleaning.join_pieces("关于新时代国际", "关系和全球") == "关于新时代国际关系和全球"
    assert cleaning.join_pieces("of their citizens.", "China and Russia") == "of their citizens. China and Russia"
    assert cleaning.join_pieces("政治化、", "工具化") == "政治化、工具化"


def test_unknown_format_is_a_corpus_error(catalog: Catalog) -> None:
    bogus = dataclasses.replace(catalog.version("un"), format="scan")
    with pytest.raises(CorpusError, match="format 'scan'"):
        read_paragraphs(bogus)


def test_un_reader_without_a_cover_letter_is_a_corpus_error(catalog: Catalog) -> None:
    with pytest.raises(CorpusError, match="start_at"):
        read_drafts("联合声明\n\n二〇二二年二月四日于北京\n", catalog.version("un"))
    with pytest.raises(CorpusError, match="cover letter"):
        read_drafts("给秘书长的信\n\n联合声明\n\n二〇二二年二月四日于北京\n", catalog.version("un"))


def _many_documents(catalog: Catalog, copies: int) -> Catalog:
    """The bundled versions listed `copies` times under new ids: a corpus of many documents."""
    versions = {
        f"{v.id}-c{k}": dataclasses.replace(v, id=f"{v.id}-c{k}") for k in range(copies) for v in catalog.versions.values()
    }
    return dataclasses.replace(catalog, versions=versions)


def test_a_corpus_read_in_parallel_gives_the_serial_paragraphs_in_order(catalog: Catalog) -> None:
    many = _many_documents(catalog, 6)
    serial = corpus_paragraphs(many, workers=1)
    called = []
    parallel = corpus_paragraphs(many, workers=2, threshold=0, meanwhile=lambda: called.append(True))
    assert called == [True]
    assert parallel == serial  # every field of every paragraph, in corpus order
    assert len(serial) == 6 * len(corpus_paragraphs(catalog))


def test_a_corpus_read_in_parallel_reports_the_first_bad_document(catalog: Catalog, tmp_path: Path) -> None:
    many = _many_documents(catalog, 4)
    ids = list(many.versions)
    for vid, name in ((ids[7], "missing-a.txt"), (ids[15], "missing-b.txt")):
        many.versions[vid] = dataclasses.replace(many.versions[vid], path=tmp_path / name)
    with pytest.raises(CorpusError) as serial:
        corpus_paragraphs(many, workers=1)
    with pytest.raises(CorpusError) as parallel:
        corpus_paragraphs(many, workers=2, threshold=0)
    assert str(parallel.value) == str(serial.value) and "missing-a.txt" in str(parallel.value)
