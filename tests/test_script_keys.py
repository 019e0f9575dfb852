"""Folding skips OpenCC for a text that t2s would not change (search/script_keys.py): the skip must never change
what folding makes of a text, or a query would stop meeting the index."""
from __future__ import annotations

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiaokan.search import folding, script_keys
from jiaokan.search.folding import fold

T2S = opencc.OpenCC("t2s")


@pytest.fixture(scope="module")
def changes() -> script_keys.Changes:
    """Made afresh from the installed OpenCC's dictionaries, whatever the shipped data says."""
    share = script_keys.opencc_share()
    assert share is not None
    return script_keys.changes_from_dictionaries(share)


def test_the_shipped_data_is_what_the_installed_dictionaries_give_or_is_not_used(changes):
    shipped = script_keys.t2s_changes()
    if script_keys.checksums(script_keys.opencc_share()) == _shipped_checksums():
        assert shipped is not None
        assert shipped.converting == changes.converting
        assert shipped.phrases_by_char == changes.phrases_by_char
    else:  # another OpenCC release: folding asks OpenCC about every text
        assert shipped is None


def _shipped_checksums():
    import json

    return json.loads(script_keys.KEYS_FILE.read_text(encoding="utf-8"))["made_from"]


def test_every_character_t2s_keeps_is_read_as_kept_and_every_one_it_converts_as_changing(changes):
    # Every code point of the Han blocks and the compatibility ideographs, one at a time.
    for block in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2A6DF)):
        for code in range(block[0], block[1] + 1):
            ch = chr(code)
            if not changes.may_change(ch):
                assert T2S.convert(ch) == ch, ch
    assert changes.may_change("約") and changes.may_change("乾")


def test_phrases_that_change_a_character_which_alone_stays_are_noticed(changes):
    assert changes.phrases_by_char  # 深沈 -> 深沉: 沈 alone stays 沈
    for ch, phrases in changes.phrases_by_char.items():
        assert T2S.convert(ch) == ch and not changes.may_change(ch)  # alone it stays, and is read as staying
        for phrase in phrases:
            text = f"他说{phrase}。"
            assert T2S.convert(text) != text
            assert changes.may_change(text), phrase


@st.composite
def texts(draw, changes):
    """Mainland text with now and then a character or phrase that t2s changes, or a staying character alone."""
    staying = sorted(changes.phrases_by_char)
    pieces = st.one_of(
        st.sampled_from(list("中华人民共和国双方认为北约继续扩张沈坏覆藉哩 ，。NATO 2022")),
        st.sampled_from(staying),
        st.sampled_from(sorted(changes.converting)),
        st.sampled_from([p for ps in changes.phrases_by_char.values() for p in ps]),
        st.text(min_size=1, max_size=3),
    )
    return "".join(draw(st.lists(pieces, max_size=12)))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_a_text_read_as_unchanged_is_unchanged_by_t2s(changes, data):
    text = data.draw(texts(changes)).replace("\x00", "")  # OpenCC stops at a NUL (search/folding.py)
    if not changes.may_change(text):
        assert T2S.convert(text) == text


def test_folding_the_corpus_gives_the_same_text_and_offsets_with_the_skip_or_without(corpus_dir, monkeypatch):
    """(A process checks only its first _CHECK_CHARS characters, then calls OpenCC for every text: here all are.)"""
    texts_ = [line for path in sorted((corpus_dir / "texts").iterdir())
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts_ += ["北約與歐盟", "深沈的回覆", "憑藉", "NATO 北约", "第三章  奖  励"]
    monkeypatch.setattr(folding, "_checked", 0)
    monkeypatch.setattr(folding, "_CHECK_CHARS", 10**9)  # every text checked, however many came before
    skipped = []
    real_converter = folding._converter
    monkeypatch.setattr(folding, "_converter", lambda config: skipped.append(config) or real_converter(config))
    with_skip = [fold(t) for t in texts_]
    assert len(skipped) < len(texts_) / 2  # most of the corpus never went to OpenCC
    monkeypatch.setattr(folding, "t2s_changes", lambda: None)
    without = [fold(t) for t in texts_]
    assert with_skip == without
    assert fold("深沈的回覆").text == "深沉的回复"
