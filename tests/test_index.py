"""The index on the real corpus: every string in a paragraph is found; phrases work in both languages; a build
happens only when the corpus changed; a build that fails or is killed leaves the previous index serving."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

import pytest

from jiaokan.indexer.build import build_index, write_paragraphs_index
from jiaokan.indexer.catalog import load_catalog
from jiaokan.indexer.paragraphs import corpus_paragraphs
from jiaokan.search.errors import IndexNotBuilt
from jiaokan.search.folding import HAN, fold
from jiaokan.search.index import DICTIONARY_FILE, META_FILE, open_index
from jiaokan.search.searching import select
from jiaokan.search.segmenter import Dictionary

ROOT = Path(__file__).resolve().parents[1]
HAN_RUN = re.compile(f"[{HAN}]+")
_HAN_CHAR = re.compile(f"[{HAN}]")


# --- Recall: every string of a paragraph finds that paragraph --------------------------------------------------------


def found_exactly(index, text: str) -> set[str]:
    """The paragraphs the quoted string finds, through the path search() takes (select: parse, evaluate, filter),
    with nothing but the string itself (no translations)."""
    return set(select(index, f'"{text}"', translate=False).paragraph_ids(index))


class Recall:
    """Runs exact queries through search()'s own path and compares with a plain substring test on the folded
    texts."""

    def __init__(self, corpus_index):
        self.index = corpus_index
        self.folded = [(p["id"], fold(p["text"]).text) for p in corpus_index.paragraphs]

    def found(self, query: str) -> set[str]:
        return found_exactly(self.index, query)

    def containing(self, query: str, word_boundary: bool = False) -> set[str]:
        fq = fold(query).text
        out = set()
        for pid, text in self.folded:
            start = text.find(fq)
            while start >= 0:
                if not word_boundary or _at_word_boundary(text, start, start + len(fq)):
                    out.add(pid)
                    break
                start = text.find(fq, start + 1)
        return out

    def check(self, queries, word_boundary: bool = False) -> tuple[int, list[str]]:
        """(paragraph occurrences checked, misses described)."""
        occurrences = 0
        misses = []
        for query in queries:
            expected = self.containing(query, word_boundary)
            assert expected, f"{query!r} was drawn from the corpus but occurs in no folded paragraph"
            occurrences += len(expected)
            missing = expected - self.found(query)
            if missing:
                misses.append(f"{query!r} not found in {sorted(missing)[:3]}")
        return occurrences, misses


def _word_char(c: str) -> bool:
    """A character that continues a Latin/digit word unit (search/analysis.py's units)."""
    return c.isalnum() and not _HAN_CHAR.match(c)


def _at_word_boundary(text: str, start: int, end: int) -> bool:
    if start > 0:
        before = text[start - 1]
        if _word_char(before) or (before in "'’" and start > 1 and _word_char(text[start - 2])):
            return False
    if end < len(text):
        after = text[end]
        if _word_char(after) or (after in "'’" and end + 1 < len(text) and _word_char(text[end + 1])):
            return False
    return True


@pytest.fixture(scope="module")
def recall(corpus_index) -> Recall:
    return Recall(corpus_index)


@pytest.fixture(scope="module")
def han_runs(corpus_index) -> list[str]:
    return [run for p in corpus_index.paragraphs for run in HAN_RUN.findall(p["text"])]


def test_every_two_character_han_string_is_found(recall, han_runs):
    queries = sorted({run[i : i + 2] for run in han_runs for i in range(len(run) - 1)})
    assert len(queries) > 3000
    occurrences, misses = recall.check(queries)
    assert not misses, (
        f"{len(misses)} of {len(queries)} two-character strings ({occurrences} paragraph occurrences) "
        f"missed paragraphs that contain them: {misses[:5]}"
    )


def test_a_sample_of_3000_longer_han_strings_is_found(recall, han_runs):
    distinct = sorted({run[i : i + n] for run in han_runs for n in range(3, 9) for i in range(len(run) - n + 1)})
    queries = random.Random(2022).sample(distinct, 3000)
    occurrences, misses = recall.check(queries)
    assert not misses, (
        f"{len(misses)} of {len(queries)} strings of 3-8 characters (sampled from {len(distinct)}; "
        f"{occurrences} paragraph occurrences) missed paragraphs that contain them: {misses[:5]}"
    )


def english_pairs(texts) -> list[str]:
    """Every two consecutive Latin words separated by one space, each a whole word of the text."""
    pairs = set()
    for text in texts:
        words = [m for m in re.finditer(r"[A-Za-z]+", text) if _at_word_boundary(text, m.start(), m.end())]
        for a, b in zip(words, words[1:]):
            if text[a.end() : b.start()] == " ":
                pairs.add(text[a.start() : b.end()])
    return sorted(pairs)


def test_every_pair_of_adjacent_english_words_is_found(recall, corpus_index):
    queries = english_pairs(p["text"] for p in corpus_index.paragraphs)
    assert len(queries) > 1000
    assert "human rights" in queries
    assert not [q for q in queries if q.startswith(("s ", "t "))], "a pair began inside a word like China's"
    occurrences, misses = recall.check(queries, word_boundary=True)
    assert not misses, (
        f"{len(misses)} of {len(queries)} English word pairs ({occurrences} paragraph occurrences) "
        f"missed paragraphs that contain them: {misses[:5]}"
    )


# --- Phrases in both languages ----------------------------------------------------------------------------------------


def test_english_phrase_finds_exactly_the_paragraphs_with_the_phrase(recall, corpus_index):
    expected = {p["id"] for p in corpus_index.paragraphs if re.search(r"\bhuman rights\b", p["text"], re.I)}
    assert expected and all(pid.startswith("xinhua-") for pid in expected)
    assert recall.found("human rights") == expected
    assert recall.found("Human Rights") == expected
    # Both words stand in those paragraphs, but never in this order: positions make it a phrase, not two words.
    assert recall.found("rights human") == set()


def test_chinese_phrase_finds_exactly_the_paragraphs_with_the_phrase(recall, corpus_index):
    phrase = "和平利用外层空间"
    expected = {p["id"] for p in corpus_index.paragraphs if phrase in p["text"]}
    assert {pid.rsplit("-", 1)[0] for pid in expected} == {"un", "xinhua", "chinanews-2"}
    assert recall.found(phrase) == expected
    for pid in expected:
        text = corpus_index.paragraphs[corpus_index.paragraph_index[pid]]["text"]
        assert phrase in text
    # The same characters out of order are not the phrase.
    assert "外层空间和平利用" not in "".join(p["text"] for p in corpus_index.paragraphs)
    assert recall.found("外层空间和平利用") == set()


# --- Rare words in the posting arrays or in Whoosh: the same answers ---------------------------------------------------


def test_rare_words_answer_the_same_from_the_posting_arrays_as_from_whoosh(built_index, whoosh_tail_index):
    """A small corpus keeps every word in the posting arrays, so that a one-shot lookup never imports Whoosh; a large
    one keeps its rare words in Whoosh. Every query on a rare word, and on strings and phrases made of them, gets
    the same paragraphs, match kinds, scores and hits from either build; and the small build never opens Whoosh."""
    import numpy as np

    from jiaokan.search.searching import search

    arrays, tail = open_index(built_index), open_index(whoosh_tail_index)
    try:
        rare = sorted(t.decode("utf-8") for t in tail.ix.reader().lexicon("words"))
        assert len(rare) > 1000
        picked = random.Random(12).sample(rare, 150)
        queries = picked + [" ".join(picked[i : i + 2]) for i in range(0, 40, 2)] + [f'"{w}"' for w in picked[:20]]
        queries += ["全球治理体系", "vaccines", "human rights", "新时代 OR 北约", "合作 -北约"]
        found = 0
        for q in queries:
            a, b = select(arrays, q), select(tail, q)
            assert a.paragraph_ids(arrays) == b.paragraph_ids(tail), q
            assert np.array_equal(a.matched.ids, b.matched.ids), q
            assert np.array_equal(a.kinds[a.keep], b.kinds[b.keep]), q
            assert np.array_equal(a.matched.score, b.matched.score), q
            hits_a = [(h.id, h.score) for h in search(arrays, q, per_page=20).hits]
            assert hits_a == [(h.id, h.score) for h in search(tail, q, per_page=20).hits], q
            found += bool(hits_a) and q in picked
        assert found > len(picked) * 0.9, "the rare words drawn find too little to compare"
        assert arrays._ix is None, "a search on the small build opened Whoosh"
        assert tail.engine._readers, "the Whoosh-tail build answered without reading Whoosh"
    finally:
        arrays.close()
        tail.close()


# --- Rebuild only when stale -------------------------------------------------------------------------------------


@pytest.fixture
def corpus_copy(tmp_path, corpus_dir) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(corpus_dir, dest)
    return dest


def _answers(link: Path, phrase: str = "和平利用外层空间") -> set[str]:
    index = open_index(link)
    try:
        return found_exactly(index, phrase)
    finally:
        index.close()


def _builds(link: Path) -> list[str]:
    return sorted(p.name for p in link.parent.iterdir() if p.name.startswith(link.name + ".") or ".link-" in p.name)


def test_rebuild_only_when_stale(tmp_path, corpus_copy):
    link = tmp_path / "idx" / "index"
    first = build_index(link, corpus_copy, progress=None)
    catalog = load_catalog(corpus_copy)
    assert first.built and first.paragraphs == len(corpus_paragraphs(catalog)) and len(first.versions) == len(catalog.versions)
    target = os.readlink(link)

    again = build_index(link, corpus_copy, progress=None)
    assert not again.built, "an up-to-date index was rebuilt"
    assert (again.paragraphs, again.versions) == (first.paragraphs, first.versions)
    assert os.readlink(link) == target

    forced = build_index(link, corpus_copy, force=True, progress=None)
    assert forced.built
    assert os.readlink(link) != target
    assert not build_index(link, corpus_copy, progress=None).built

    # Edit a version's text: the index is stale, and the rebuilt index has the new text.
    path = corpus_copy / "texts" / "2022-chinanews-part3.txt"
    text = path.read_text(encoding="utf-8")
    assert text.count("互联网治理体系") == 1 and "校勘测试" not in text
    path.write_text(text.replace("互联网治理体系", "校勘测试治理体系"), encoding="utf-8")
    assert _answers(link, "校勘测试") == set()
    edited = build_index(link, corpus_copy, progress=None)
    assert edited.built, "a changed corpus file did not make the index stale"
    assert {pid.rsplit("-", 1)[0] for pid in _answers(link, "校勘测试")} == {"chinanews-3"}

    # A change to the user dictionary changes the words: stale too.
    with open(corpus_copy / "userdict.txt", "a", encoding="utf-8") as f:
        f.write("校勘测试 3000\n")
    assert build_index(link, corpus_copy, progress=None).built, "a changed user dictionary did not rebuild"
    assert not build_index(link, corpus_copy, progress=None).built


# --- A build that fails or is killed leaves the previous index serving ----------------------------------------------


def _fail_after(monkeypatch, n: int):
    """Make the writer's analysis raise after n paragraphs: a fault in the middle of writing."""
    import jiaokan.indexer.writer

    real = jiaokan.indexer.writer.analyze
    calls = {"n": 0}

    def failing(text, dictionary, **options):
        calls["n"] += 1
        if calls["n"] > n:
            raise RuntimeError("fault injected midway through the build")
        return real(text, dictionary, **options)

    monkeypatch.setattr(jiaokan.indexer.writer, "analyze", failing)
    return calls


def _assert_serving(link: Path, target: str, paragraphs: int, before: list[str]):
    assert os.readlink(link) == target, "the index link moved"
    index = open_index(link)
    try:
        assert len(index.paragraphs) == paragraphs
    finally:
        index.close()
    assert len(_answers(link)) >= 1, "the previous index does not answer a query"
    assert _builds(link) == before, f"stray build folders: {sorted(set(_builds(link)) - set(before))}"


def test_failed_build_leaves_the_previous_index_serving(tmp_path, corpus_copy, monkeypatch):
    link = tmp_path / "idx" / "index"
    first = build_index(link, corpus_copy, progress=None)
    target, before = os.readlink(link), _builds(link)
    expected_answer = _answers(link)

    calls = _fail_after(monkeypatch, 100)
    with pytest.raises(RuntimeError, match="fault injected"):
        build_index(link, corpus_copy, force=True, progress=None)
    assert calls["n"] == 101, "the fault did not happen midway through the paragraphs"

    _assert_serving(link, target, first.paragraphs, before)
    assert _answers(link) == expected_answer


@pytest.fixture(scope="module")
def small_build(corpus_dir, built_index):
    """What a quick in-process build needs: the real paragraphs and the saved corpus dictionary path."""
    return corpus_paragraphs(load_catalog(corpus_dir)), built_index.resolve() / DICTIONARY_FILE


def _next_second() -> None:
    time.sleep(1.02 - time.time() % 1)


def test_failed_parallel_build_leaves_the_previous_index_serving(tmp_path, small_build, monkeypatch):
    from bench.generate import generate

    paragraphs, dictionary_path = small_build
    link = tmp_path / "idx" / "index"
    write_paragraphs_index(paragraphs, Dictionary.load(dictionary_path), link, fingerprint="old", progress=None)
    target, before = os.readlink(link), _builds(link)
    _next_second()  # see test_failed_rebuild_in_the_same_second_...: not what this test is about

    # Each forked worker inherits the fault and fails after 500 of its paragraphs.
    _fail_after(monkeypatch, 500)
    with pytest.raises(RuntimeError, match="fault injected"):
        write_paragraphs_index(
            generate(3000), Dictionary.load(dictionary_path), link, fingerprint="new", progress=None, workers=2
        )
    _assert_serving(link, target, len(paragraphs), before)


def test_failed_rebuild_in_the_same_second_leaves_the_previous_index_serving(tmp_path, small_build, monkeypatch):
    """Two builds from one process within one second (a server rebuilding, a script, a test): the second must
    still write *beside* the serving index. The clock is held at one second: a build, fsynced and verified before
    its swap, may itself take a second on a busy machine."""
    paragraphs, dictionary_path = small_build
    dictionary = Dictionary.load(dictionary_path)
    few = [p for p in paragraphs if p.version == "chinanews-2"]
    real_strftime = time.strftime
    stamp = real_strftime("%Y%m%d-%H%M%S")
    monkeypatch.setattr(time, "strftime", lambda fmt, *t: stamp if fmt == "%Y%m%d-%H%M%S" else real_strftime(fmt, *t))
    link = tmp_path / "idx" / "index"
    write_paragraphs_index(few, dictionary, link, fingerprint="old", progress=None)
    target, before = os.readlink(link), _builds(link)
    with monkeypatch.context() as m:
        _fail_after(m, 0)
        with pytest.raises(RuntimeError, match="fault injected"):
            write_paragraphs_index(few, dictionary, link, fingerprint="new", progress=None)
    assert link.resolve().is_dir(), (
        "indexer/build.py write_paragraphs_index: the build folder is named index.<second>-<pid>, so a second "
        "build from the same process in the same second writes into the serving folder, and when it fails, "
        f"its clean-up (shutil.rmtree(build_dir)) deletes the serving index: {link} -> {target} is dangling"
    )
    _assert_serving(link, target, len(few), before)


KILL_HELPER = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    from bench.generate import generate
    from jiaokan.indexer.build import write_paragraphs_index
    from jiaokan.search.segmenter import Dictionary

    dictionary = Dictionary.load(Path(sys.argv[2]))
    write_paragraphs_index(generate(20000), dictionary, Path(sys.argv[1]), fingerprint="killed", progress=None)
    """
)


def _duplicated_corpus(corpus_dir: Path, dest: Path, copies: int) -> Path:
    """The real corpus with every version listed `copies` times under new ids: a corpus that takes seconds to build."""
    shutil.copytree(corpus_dir, dest)
    data = tomllib.loads((corpus_dir / "catalog.toml").read_text(encoding="utf-8"))
    lines = [(corpus_dir / "catalog.toml").read_text(encoding="utf-8")]
    for k in range(copies):
        for entry in data["version"]:
            lines.append("\n[[version]]")
            for key, value in entry.items():
                value = f"{value}-copy{k}" if key == "id" else value
                lines.append(f"{key} = {_toml_value(value)}")
    (dest / "catalog.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def _toml_value(value) -> str:
    """JSON writes strings, lists and booleans as TOML reads them; tables (front, heading_aliases) are inline."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("how", ["jiaokan-index", "generated-corpus"])
def test_killed_build_leaves_the_previous_index_serving(tmp_path, corpus_dir, small_build, how):
    paragraphs, dictionary_path = small_build
    link = tmp_path / "idx" / "index"
    write_paragraphs_index(paragraphs, Dictionary.load(dictionary_path), link, fingerprint="old", progress=None)
    target, before = os.readlink(link), _builds(link)
    expected_answer = _answers(link)

    if how == "jiaokan-index":
        big = _duplicated_corpus(corpus_dir, tmp_path / "big-corpus", copies=40)
        command = [str(Path(sys.executable).parent / "jiaokan"), "index", "--force", "--index", str(link)]
        command += ["--corpus", str(big)]
    else:
        helper = tmp_path / "helper.py"
        helper.write_text(KILL_HELPER, encoding="utf-8")
        command = [sys.executable, str(helper), str(link), str(dictionary_path)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIAOKAN_")}
    env["PYTHONPATH"] = str(ROOT)
    with open(tmp_path / "build.log", "wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not set(_builds(link)) - set(before):
                assert proc.poll() is None, f"the build ended early: {(tmp_path / 'build.log').read_text()}"
                assert time.monotonic() < deadline, "the build never started writing"
                time.sleep(0.02)
            time.sleep(1.0)
            assert proc.poll() is None, "the build finished before it could be killed: make the corpus larger"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)  # the command and its worker processes, as a kill -9 of the job
            proc.wait()

    stray = sorted(set(_builds(link)) - set(before))
    assert stray and not (link.parent / stray[0] / META_FILE).exists(), "the kill did not land midway"
    assert os.readlink(link) == target, "the index link moved"
    index = open_index(link)
    try:
        assert len(index.paragraphs) == len(paragraphs)
    finally:
        index.close()
    assert _answers(link) == expected_answer

    # The next build clears what the killed one left behind.
    write_paragraphs_index(paragraphs, Dictionary.load(dictionary_path), link, fingerprint="next", progress=None)
    assert not (set(_builds(link)) & set(stray)), f"the killed build's folder was left on disk: {stray}"


def test_no_index_says_how_to_build_it(tmp_path):
    with pytest.raises(IndexNotBuilt, match="jiaokan index"):
        open_index(tmp_path / "nothing")


def test_an_index_with_the_older_translation_table_says_to_rebuild(tmp_path, built_index):
    """An index written before the translation table moved to translations.marshal is not searched without its
    translations: the command says to rebuild (exit 2)."""
    older = tmp_path / "older"
    shutil.copytree(built_index.resolve(), older)
    table = json.dumps({"en": {}, "zh": {}})
    (older / "translations.marshal").unlink()
    (older / "translations.json").write_text(table, encoding="utf-8")
    with pytest.raises(IndexNotBuilt, match="older jiaokan; rebuild it with: jiaokan index"):
        open_index(older)
    run = subprocess.run([str(Path(sys.executable).parent / "jiaokan"), "search", "北约", "--index", str(older)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "older jiaokan" in run.stderr and "Traceback" not in run.stderr, run.stderr


@pytest.mark.parametrize("apart", [False, True])
def test_a_new_build_is_checked_here_or_in_a_fresh_process(tmp_path, built_index, apart):
    from jiaokan.indexer.build import _verify
    from jiaokan.indexer.errors import CorpusError
    from jiaokan.search.store import STORE_FILE

    build = tmp_path / "index.copy"
    shutil.copytree(built_index.resolve(), build)
    _verify(build, apart=apart)  # an intact build passes
    with open(build / STORE_FILE, "r+b") as f:
        f.truncate(100)
    with pytest.raises(CorpusError, match=r"index\.copy failed its check, the previous index is kept: .*paragraphs\.bin"):
        _verify(build, apart=apart)
