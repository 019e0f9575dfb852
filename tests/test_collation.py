"""Collation on the real corpus: passages, wording differences, search by passage, and version comparison."""
import json
import subprocess
import sys
from pathlib import Path

from jiaokan.search import collation
from jiaokan.search.records import to_json
from as_written import search_function as search


def compare(*args, **kwargs) -> dict:
    return to_json(collation.compare(*args, **kwargs))


def get_passage(*args) -> dict:
    return to_json(collation.get_passage(*args))
from jiaokan.search.wording import differences

JIAOKAN = Path(sys.executable).parent / "jiaokan"


def passages_of(index, statement="2022-new-era"):
    return [p for p in index.passages.values() if p["statement"] == statement]


def text(index, pid):
    return index.paragraphs[index.paragraph_index[pid]]["text"]


def test_the_2022_statement_has_71_passages_in_reading_order(corpus_index):
    passages = passages_of(corpus_index)
    assert len(passages) == 71
    assert [p["seq"] for p in passages] == list(range(1, 72))
    kinds = [p["kind"] for p in passages]
    assert kinds.count("title") == 1 and kinds.count("heading") == 4 and kinds.count("closing") == 1
    assert kinds.count("body") == 65


def test_un_and_xinhua_pair_passage_by_passage(corpus_index):
    # Both versions are whole: every passage holds one paragraph of each, in the same order.
    passages = passages_of(corpus_index)
    un = [p["members"]["un"] for p in passages]
    xinhua = [p["members"]["xinhua"] for p in passages]
    statement_un = [p["id"] for p in corpus_index.paragraphs if p["version"] == "un" and p["section"] != "cover letter"]
    statement_xinhua = [p["id"] for p in corpus_index.paragraphs if p["version"] == "xinhua"]
    assert un == statement_un
    assert xinhua == statement_xinhua


def test_all_27_english_body_paragraphs_pair_with_their_chinese(corpus_index):
    english = [p for p in corpus_index.paragraphs if p["version"] == "xinhua" and p["lang"] == "en" and p["kind"] == "body"]
    assert len(english) == 27
    paired = {}
    for p in english:
        passage = corpus_index.passages[p["passage"]]
        paired[p["id"]] = text(corpus_index, passage["members"]["un"])
    # Spot checks a translator would make: the English says what its Chinese passage says.
    by_start = {text(corpus_index, pid): zh for pid, zh in paired.items()}
    assert any(en.startswith("The Russian side reiterated that it abides by the one-China principle") and "台湾" in zh
               for en, zh in by_start.items())
    assert any(en.startswith("Russia supports China in successfully hosting") and "冬奥会" in zh
               for en, zh in by_start.items())
    for pid, zh in paired.items():
        en = text(corpus_index, pid)
        if "BRICS" in en:
            assert "金砖" in zh, (pid, en[:60], zh[:30])
        if "AUKUS" in en or "SCO" in en.split():
            assert "AUKUS" in zh or "上合" in zh or "上海合作组织" in zh, (pid, en[:60], zh[:30])
        if "COVID-19" in en:
            assert "COVID-19" in zh, (pid, en[:60], zh[:30])


def test_part_versions_lack_the_passages_outside_their_part(corpus_index):
    passages = passages_of(corpus_index)
    part2 = [p["seq"] for p in passages if "chinanews-2" in p["members"]]
    part3 = [p["seq"] for p in passages if "chinanews-3" in p["members"]]
    # Each part holds its title (the statement's title with （中） / （下）) and one contiguous run of passages.
    assert part2[0] == 1 and part2[1:] == list(range(23, 47))
    assert part3[0] == 1 and part3[1:] == list(range(47, 72))
    lacking = passages[1]["lacks"]  # the first preamble paragraph: in part 上, which the corpus does not have
    assert set(lacking) == {"chinanews-2", "chinanews-3"}
    assert "not in this part" in lacking["chinanews-2"]


def test_cover_letter_and_single_version_statement_have_no_passage(corpus_index):
    for p in corpus_index.paragraphs:
        if p["section"] == "cover letter" or p["statement"] == "2017-world-situation":
            assert p["passage"] is None, p["id"]
        else:
            assert p["passage"], p["id"]


def test_wording_differences_ignore_width_and_spacing(corpus_index):
    # The UN text and Xinhua's read the same here but for full-width vs half-width punctuation and "2022 年".
    nato = corpus_index.passages[corpus_index.paragraphs[corpus_index.paragraph_index["un-040"]]["passage"]]
    assert differences(text(corpus_index, nato["members"]["un"]), text(corpus_index, nato["members"]["xinhua"])) == ()
    winter_un = next(p for p in corpus_index.paragraphs if p["version"] == "un" and "冬奥会" in p["text"])
    winter = corpus_index.passages[winter_un["passage"]]
    un_text, cn_text = text(corpus_index, winter["members"]["un"]), text(corpus_index, winter["members"]["chinanews-2"])
    assert "2022 年" in un_text and "2022年" in cn_text
    assert differences(un_text, cn_text) == ()


def test_real_wording_differences_are_found(corpus_index):
    found = {}
    for a, b in [("un", "xinhua"), ("un", "chinanews-2"), ("un", "chinanews-3")]:
        for item in compare(corpus_index, a, b)["differing"]:
            for d in item["differences"]:
                found.setdefault((d["a"], d["b"]), item["passage"])
    pairs = set(found)
    assert ("COVID-19 疫情", "新冠肺炎疫情") in pairs or any(
        "COVID-19" in a and "新冠肺炎" in b for a, b in pairs
    ), sorted(pairs)[:20]
    assert any("联合国大会第七十六届会议" in a and "第76届联大" in b for a, b in pairs), sorted(pairs)
    assert any(b == "担当" for a, b in pairs)  # 坚持责任担当道义 in part 下
    assert any(a == "履" and b == "遵" for a, b in pairs)  # 履约 / 遵约 in Xinhua
    assert any(b == "就" and a == "" for a, b in pairs)  # 就就 in part 中
    # And nothing that is only width or spacing.
    for a, b in pairs:
        assert a.replace(" ", "") != b.replace(" ", ""), (a, b)


def test_search_returns_one_result_per_passage(corpus_index):
    result = search(corpus_index, "北约")
    assert result["total"] == 1 and result["counts"] == "passages" and result["total_paragraphs"] == 3
    hit = result["hits"][0]
    assert hit["version"] == "un"
    assert [o["version"] for o in hit["also_in"]] == ["xinhua", "chinanews-2"]
    for other in hit["also_in"]:
        assert other["note"] == "same wording"
        covered = {text(corpus_index, other["id"])[s:e] for s, e in other["highlights"]}
        assert covered == {"北约"}
    assert "chinanews-3" in hit["lacking"]
    flat = search(corpus_index, "北约", collapse=False)
    assert flat["total"] == 3 and flat["counts"] == "paragraphs"


def test_search_shows_the_un_wording_beside_the_media_wording(corpus_index):
    # With translation on, the UN paragraph matches through the variant and is "also in" with its wording marked;
    # without, it does not match and its wording at the matched place is shown.
    hit = search(corpus_index, "第76届联大")["hits"][0]
    assert hit["version"] in ("xinhua", "chinanews-2")
    un = [o for o in hit["also_in"] if o["version"] == "un"]
    assert un and {text(corpus_index, "un-053")[s:e] for s, e in un[0]["highlights"]} == {"联合国大会第七十六届会议"}
    hit = search(corpus_index, "第76届联大", translate=False)["hits"][0]
    un = [o for o in hit["other_versions"] if o["version"] == "un"]
    assert un and any("联合国大会第七十六届会议" in w for w in un[0]["wording"]), hit["other_versions"]


def test_passage_view_marks_differences_against_the_reference(corpus_index):
    pid = corpus_index.paragraphs[corpus_index.paragraph_index["un-053"]]["passage"]
    view = get_passage(corpus_index, pid)
    assert view["reference"] == "un-053"
    by_version = {v["version"]: v for v in view["versions"]}
    assert by_version["xinhua"]["note"] != "same wording"
    assert "<mark>第76届联大</mark>" in by_version["xinhua"]["marked"]
    assert set(view["lacking"]) == {"chinanews-3"}


def test_compare_command_lists_differences_as_json():
    out = subprocess.run([str(JIAOKAN), "compare", "un", "chinanews-3", "--json"], capture_output=True, text=True)
    # The default index may not exist in a fresh clone: then the command says how to build it.
    if out.returncode == 2:
        assert "jiaokan index" in out.stderr
        return
    data = json.loads(out.stdout)
    assert data["statement"] == "2022-new-era"
    assert len(data["only_in_a"]) == 45 and data["only_in_b"] == []
    assert "第78届联大" in out.stdout  # Chinese unescaped
