"""The analysis pipeline on real text: folding, units and adjacency, English terms, Chinese words.

What a reader notices: two spellings they see as the same text match each other; a highlight lands on the
characters of the stored text; a Simplified word is never swapped for another word.
"""
from __future__ import annotations

import re

import pytest

from jiaokan.search.analysis import analyze
from jiaokan.search.folding import HAN, fold, regional_reading
from jiaokan.search.searching import select

HAN_RUN = re.compile(f"[{HAN}]+")


# --- Folding ------------------------------------------------------------------------------------------------------

# Pairs a reader sees as the same text: both sides fold to the same string.
SAME = [
    ("ＡＵＫＵＳ", "AUKUS"),  # full-width Latin
    ("ＡＵＫＵＳ", "aukus"),
    ("Human Rights", "human rights"),  # case
    ("ｖａｃｃｉｎｅｓ", "Vaccines"),
    ("（北约）", "(北约)"),  # full-width punctuation
    ("双方认为：", "双方认为:"),
    ("；", ";"),
    ("！？", "!?"),
    ("２０３０年", "2030年"),  # full-width digits
    ("2030 年", "2030年"),  # PDF spaces between Han characters and digits
    ("2022 年 3 月 10 日", "2022年3月10日"),
    ("第 3 次", "第3次"),
    ("２０３０ 年", "2030年"),
    ("北約", "北约"),  # Traditional script
    ("雙方", "双方"),
    ("上海合作組織", "上海合作组织"),
    ("網際網路", "网际网路"),  # script only: Taiwan vocabulary is a query alternative, see below
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_spellings_a_reader_sees_as_equal_fold_together(a, b):
    assert fold(a).text == fold(b).text, f"{a!r} folds to {fold(a).text!r}, {b!r} to {fold(b).text!r}"


# Differences a reader does see: folding must keep them apart.
DIFFERENT = [
    ("G 20", "G20"),  # only spaces between a Han character and a digit go
    ("human rights", "humanrights"),
    ("核心", "内核"),
    ("建立", "创建"),
    ("文件", "文档"),
    ("智慧", "智能"),
]


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_different_text_stays_different(a, b):
    assert fold(a).text != fold(b).text


@pytest.mark.parametrize("word", ["核心", "建立", "文件", "智慧", "形势", "执行", "设定", "人工智慧", "信息", "软件"])
def test_simplified_text_is_left_alone(word):
    # The Taiwan phrase table applied to Simplified text would turn 核心 into 内核, 建立 into 创建, 文件 into 文档.
    assert fold(word).text == word
    assert fold(f"双方维护{word}。").text == f"双方维护{word}。"


def test_no_han_character_of_the_corpus_is_changed_by_folding(corpus_index):
    changed = []
    for p in corpus_index.paragraphs:
        before = HAN_RUN.findall(p["text"])
        after = HAN_RUN.findall(fold(p["text"]).text)
        if before != after:
            changed.append(p["id"])
    assert not changed, f"folding altered the Chinese of paragraphs {changed[:10]}"


REGIONAL = [
    # a query in Taiwan vocabulary, the mainland reading search also tries
    ("人工智慧", "人工智能"),
    ("發展人工智慧", "发展人工智能"),
    ("網際網路", "互联网"),
    ("資訊安全", "信息安全"),
]


@pytest.mark.parametrize(("query", "mainland"), REGIONAL)
def test_taiwan_vocabulary_is_offered_as_an_alternative_reading(query, mainland):
    # Folding changes the script, never the vocabulary; the mainland reading is an extra alternative for the query.
    assert fold(query).text != mainland
    reading = regional_reading(query)
    assert reading is not None and fold(reading).text == mainland


def test_corpus_phrases_typed_in_traditional_script_fold_to_the_corpus_text(corpus_index):
    """A reader who types a phrase of the corpus in Traditional script must find it. (OpenCC's Taiwan phrase table,
    tw2sp, fails this: it rewrites words Taiwan writes as the mainland does: 核心 -> 内核, 建立 -> 创建,
    文件 -> 文档, 形勢 -> 角势, 執行 -> 运行, 設定 -> 设置.)"""
    import opencc

    s2t = opencc.OpenCC("s2t")
    t2s = opencc.OpenCC("t2s")
    runs = sorted({r for p in corpus_index.paragraphs for r in HAN_RUN.findall(p["text"])})
    checked = 0
    wrong = []
    for run in runs:
        traditional = s2t.convert(run)
        if t2s.convert(traditional) != run:
            continue  # the Traditional form is ambiguous back to Simplified: not a folding question
        checked += 1
        folded = fold(traditional).text
        if folded != run:
            wrong.append(f"{traditional} -> {folded} (corpus: {run})")
    assert checked > 500
    assert not wrong, (
        f"search/folding.py fold(): {len(wrong)} of {checked} corpus phrases typed in Traditional script fold to "
        f"different Simplified words, so searching for them finds nothing; e.g. " + "; ".join(wrong[:4])
    )


# --- Offsets: the stored text is never altered; folded positions map back to it -----------------------------------

SPANS = [
    # text, folded start, folded end, the original characters they cover
    ("2022 年 3 月", 4, 5, "年"),
    ("2022 年 3 月", 4, 7, "年 3 月"),
    ("2022 年 3 月", 0, 7, "2022 年 3 月"),
    ("2022 年 3 月", 5, 6, "3"),
    ("联合国ＡＵＫＵＳ问题", 3, 8, "ＡＵＫＵＳ"),
    ("北約東擴", 0, 2, "北約"),
    ("網際網路治理", 0, 4, "網際網路"),
    ("網際網路治理", 4, 6, "治理"),
    ("ﬁnal ２０３０ 年", 0, 2, "ﬁ"),  # a ligature folds to two characters, both mapping to it
    ("ﬁnal ２０３０ 年", 6, 11, "２０３０ 年"),
]


@pytest.mark.parametrize(("text", "start", "end", "original"), SPANS)
def test_folded_spans_map_back_to_the_original(text, start, end, original):
    f = fold(text)
    a, b = f.span(start, end)
    assert text[a:b] == original, f"folded {f.text[start:end]!r} maps to {text[a:b]!r}"


def test_every_folded_character_of_the_corpus_maps_back_to_its_source(corpus_index):
    bad = []
    for p in corpus_index.paragraphs:
        text = p["text"]
        f = fold(text)
        assert len(f.starts) == len(f.ends) == len(f.text)
        for i, ch in enumerate(f.text):
            source = text[f.starts[i] : f.ends[i]]
            if fold(source).text != ch:
                bad.append((p["id"], i, ch, source))
    assert not bad, f"folded characters mapped to the wrong source: {bad[:5]}"


def test_analysis_spans_cover_the_original_characters(corpus_index):
    a = analyze("2022 年 3 月 10 日", corpus_index.dictionary)
    assert a.units == ["2022", "年", "3", "月", "10", "日"]
    assert "2022 年 3 月 10 日"[slice(*a.span(1, 3))] == "年 3 月"
    assert "2022 年 3 月 10 日"[slice(*a.span(0, 5))] == "2022 年 3 月 10 日"


# --- Units and adjacency -----------------------------------------------------------------------------------------

UNITS = [
    # text, units, adjacent (units i and i+1 touch)
    ("人类命运共同体", list("人类命运共同体"), [True] * 6),
    ("2030 年前", ["2030", "年", "前"], [True, True]),
    ("human rights", ["human", "rights"], [True]),
    ("Human  Rights", ["human", "rights"], [True]),
    ("human, rights", ["human", "rights"], [False]),
    ("COVID-19 vaccines", ["covid", "19", "vaccines"], [False, True]),
    ("People's Republic", ["people's", "republic"], [True]),
    ("countries' interests", ["countries", "interests"], [False]),
    ("反对ＡＵＫＵＳ", ["反", "对", "aukus"], [True, True]),
    ("北约，东扩", ["北", "约", "东", "扩"], [True, False, True]),
    ("“和平”", ["和", "平"], [True]),
    ("", [], []),
    ("，。！", [], []),
]


@pytest.mark.parametrize(("text", "units", "adjacent"), UNITS)
def test_units_and_adjacency(corpus_index, text, units, adjacent):
    a = analyze(text, corpus_index.dictionary)
    assert a.units == units
    assert a.adjacent == adjacent


# --- English terms -----------------------------------------------------------------------------------------------

STEMS = [
    ("vaccines", "vaccine"),
    ("Vaccines", "vaccine"),
    ("countries", "country"),
    ("rights", "right"),
    ("sanctions", "sanction"),
    ("China's", "China"),
    ("developing", "development"),
]


@pytest.mark.parametrize(("a", "b"), STEMS)
def test_english_words_meet_at_their_stem(corpus_index, a, b):
    assert analyze(a, corpus_index.dictionary).words == analyze(b, corpus_index.dictionary).words


def test_stemming_does_not_touch_the_exact_units(corpus_index):
    # Exact matching keeps the word as written: "vaccine" is not an exact substring of the corpus's "vaccines".
    assert analyze("vaccines", corpus_index.dictionary).units == ["vaccines"]


def test_vaccine_finds_the_paragraph_that_says_vaccines(corpus_index):
    expected = {p["id"] for p in corpus_index.paragraphs if re.search(r"\bvaccines\b", p["text"], re.I)}
    assert expected
    hits = _ids(corpus_index, "vaccine")
    assert hits == expected


# --- Chinese words -----------------------------------------------------------------------------------------------

WORDS = [
    ("人类命运共同体", ["人类命运共同体"]),
    ("构建人类命运共同体", ["构建", "人类命运共同体"]),
    ("上合组织成员国", ["上合组织", "成员国"]),
    ("金砖国家", ["金砖国家"]),
    ("印太战略", ["印太战略"]),
    ("和平利用外层空间", ["和平利用", "外层空间"]),
    ("2030 年前", ["2030", "年", "前"]),
]


@pytest.mark.parametrize(("text", "words"), WORDS)
def test_words_use_the_corpus_user_dictionary(corpus_index, text, words):
    assert analyze(text, corpus_index.dictionary).words == words


def test_every_user_dictionary_term_is_one_word(full_dictionary, corpus_dir):
    from jiaokan.search.segmenter import read_user_dict

    split = [w for w, _ in read_user_dict(corpus_dir / "userdict.txt") if full_dictionary.segment(w) != [w]]
    assert not split, f"user dictionary terms cut apart: {split}"


# --- Folding through the index: a reader's spelling finds the corpus's ----------------------------------------------

FOUND = [
    ("ＡＵＫＵＳ", "AUKUS"),
    ("aukus", "AUKUS"),
    ("北約", "北约"),
    ("2022年2月4日", "2022 年 2 月 4 日"),
]


@pytest.mark.parametrize(("query", "stored"), FOUND)
def test_query_spelling_finds_the_stored_spelling(corpus_index, query, stored):
    expected = {p["id"] for p in corpus_index.paragraphs if stored in p["text"]}
    assert expected, f"{stored!r} should occur in the corpus"
    assert _ids(corpus_index, f'"{query}"') >= expected


def _ids(corpus_index, query: str) -> set[str]:
    """The paragraphs `query` matches, through search()'s own path, without translations."""
    return set(select(corpus_index, query, translate=False).paragraph_ids(corpus_index))


# --- The build's reading is the query's reading -----------------------------------------------------------------

# Text of every shape the build meets: spaced PDF Chinese, Traditional script, ligatures and circled numbers that
# change length under NFKC, possessives, Cyrillic, supplementary-plane Han, mixed scripts touching.
BUILD_TEXTS = [
    "第三章  奖  励 2030 年",
    "北約 網際網路 ＡＵＫＵＳ",
    "ﬁne ① é e\u0301 中文",
    "ASEAN's 东盟's 合作 don't o'neill's 中's",
    "Ёлка ёж войны и мира",
    "𠀀𠀁 中𠀂 x2 G20峰会 covid-19疫情",
    "a  b\tc  d 中 1 000 人",
]


def test_the_build_counts_the_same_terms_as_a_full_analysis(corpus_index, full_dictionary):
    """The index build analyses without offsets (it only counts terms): same folded text, units, words and gram
    counts as the analysis a query and a highlight use, on tricky text and on every paragraph of the corpus."""
    texts = BUILD_TEXTS + [p["text"] for p in corpus_index.paragraphs]
    for text in texts:
        full, lean = analyze(text, full_dictionary), analyze(text, full_dictionary, offsets=False)
        assert lean.folded.text == full.folded.text, text
        assert (lean.units, lean.adjacent, lean.words, lean.word_units) == (
            full.units, full.adjacent, full.words, full.word_units), text
        assert lean.gram_counts() == full.gram_counts(), text


def test_gram_counts_hold_every_unit_and_touching_pair():
    """Every unit, every pair of touching units (Han and Latin touch only with no gap; two Latin words across a
    space), and a possessive's base alone and as the end of its pair."""
    assert analyze("国China's中 g20 x", None).gram_counts() == {
        "国": 1, "china's": 1, "中": 1, "g20": 1, "x": 1,
        "国china's": 1, "china's中": 1, "g20 x": 1,
        "china": 1, "国china": 1,
    }
    assert analyze("中国人中国", None).gram_counts() == {"中": 2, "国": 2, "人": 1, "中国": 2, "国人": 1, "人中": 1}
