"""Our segmenter is jieba's algorithm: same words as jieba on every Chinese run of the corpus, and the small corpus
dictionary saved with the index gives the full dictionary's words for any string of the corpus."""
from __future__ import annotations

import logging
import random
import re

import pytest

from jiaokan.search.folding import HAN
from jiaokan.search.index import DICTIONARY_FILE
from jiaokan.search.segmenter import Dictionary

HAN_RUN = re.compile(f"[{HAN}]+")


@pytest.fixture(scope="module")
def jieba_tokenizer(corpus_dir):
    """jieba itself with the corpus user dictionary, as `jieba.load_userdict` sets it up; a Tokenizer of its own so
    the global jieba instance other code may use is left as it was."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.load_userdict(str(corpus_dir / "userdict.txt"))
    return tokenizer


@pytest.fixture(scope="module")
def han_runs(corpus_index) -> list[str]:
    return sorted({run for p in corpus_index.paragraphs for run in HAN_RUN.findall(p["text"])})


@pytest.fixture(scope="module")
def corpus_dictionary(built_index) -> Dictionary:
    """The dictionary saved in the build, loaded fresh (what a query process loads)."""
    return Dictionary.load(built_index.resolve() / DICTIONARY_FILE)


def test_segmenter_matches_jieba_on_every_han_run_of_the_corpus(full_dictionary, jieba_tokenizer, han_runs):
    assert len(han_runs) > 500
    differ = []
    for run in han_runs:
        ours = full_dictionary.segment(run)
        theirs = jieba_tokenizer.lcut(run, HMM=False)
        if ours != theirs:
            differ.append((run, ours, theirs))
    assert not differ, f"{len(differ)} of {len(han_runs)} runs segmented differently from jieba, e.g. {differ[:3]}"


def test_corpus_dictionary_matches_jieba_on_every_han_run(corpus_dictionary, jieba_tokenizer, han_runs):
    differ = [run for run in han_runs if corpus_dictionary.segment(run) != jieba_tokenizer.lcut(run, HMM=False)]
    assert not differ, f"{len(differ)} of {len(han_runs)} runs differ from jieba with the saved corpus dictionary"


def test_corpus_dictionary_segments_any_corpus_substring_as_the_full_dictionary(
    full_dictionary, corpus_dictionary, han_runs
):
    rng = random.Random(7)
    runs = [r for r in han_runs if len(r) >= 2]
    sample = []
    for _ in range(2000):
        run = rng.choice(runs)
        start = rng.randrange(len(run) - 1)
        end = rng.randrange(start + 2, len(run) + 1)
        sample.append(run[start:end])
    assert len(corpus_dictionary.freq) < len(full_dictionary.freq) / 10, "the corpus dictionary should be small"
    differ = [
        (s, corpus_dictionary.segment(s), full_dictionary.segment(s))
        for s in sample
        if corpus_dictionary.segment(s) != full_dictionary.segment(s)
    ]
    assert not differ, f"{len(differ)} of {len(sample)} substrings segmented differently, e.g. {differ[:3]}"


@pytest.mark.parametrize(
    "text",
    [
        "",  # nothing
        "中",  # one character
        "𠀀𠀁",  # characters in no dictionary (CJK extension B)
        "的的的的的的",
        "中华人民共和国和俄罗斯联邦关于新时代国际关系和全球可持续发展的联合声明",
        "南京市长江大桥",
        "结婚的和尚未结婚的",
    ],
)
def test_segmenter_matches_jieba_on_edge_cases(full_dictionary, jieba_tokenizer, text):
    assert full_dictionary.segment(text) == jieba_tokenizer.lcut(text, HMM=False)


def test_a_run_segmented_again_records_its_keys_in_a_new_recording(full_dictionary):
    """A build records the dictionary keys each block consults; a run segmented before (its words kept) must
    still record them in a new recording, or the saved corpus dictionary would miss keys."""
    run = "全面战略协作伙伴关系"
    full_dictionary.seen = set()
    try:
        first = full_dictionary.segment(run)
        recorded = set(full_dictionary.seen)
        full_dictionary.seen = set()
        assert full_dictionary.segment(run) == first
        assert full_dictionary.seen == recorded and {"战略", "伙伴关系"} <= recorded
        restricted = full_dictionary.restricted_to(recorded)
        assert restricted.segment(run) == first
    finally:
        full_dictionary.seen = None
