"""The one analysis pipeline: paragraphs when indexing and queries when searching both go through `analyze()`.

    text --fold--> folded text --units--> Han characters and Latin/digit words
                                  |--> grams: every unit and every pair of touching units
                                  '--> words: jieba-algorithm words of each Han run, stemmed English and Russian
                                           words (any other letters: the lower-case word itself)

`grams` makes every string findable: a paragraph holding a Han string of n characters holds its n-1 character pairs,
whatever jieba does with the paragraph's context (search/matching.py confirms them in order); one character is its
unigram. English word
pairs are grams too, so an exact English phrase is one term. `words` carries the meaning-bearing units for ranking
(BM25F) and stemmed English ("vaccines" finds "vaccine"). Postings hold term frequencies only.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from jiaokan.search.folding import Folded, fold
from jiaokan.search.segmenter import Dictionary
from jiaokan.search.units import HAN_RANGES, clitic_base
from jiaokan.search.units import UNIT_RUN_RE as _UNIT_RUN


@dataclass(slots=True)
class Analysis:
    folded: Folded
    units: list[str]  # Han characters and lower-case Latin/digit words, in order
    unit_starts: list[int]  # offsets into folded.text
    unit_ends: list[int]
    han: list[bool]  # units[i] is a Han character
    adjacent: list[bool]  # adjacent[i]: units i and i+1 touch (no gap, or only spaces between two Latin words)
    words: list[str]  # words-field terms, in order (position = index)
    word_units: list[tuple[int, int]]  # words[j] spans units [a, b)
    han_runs: list[str]  # the runs of Han characters, in order (each a run of touching units)
    latin_units: list[int]  # positions of the units that are Latin or digit words

    def gram(self, i: int) -> str:
        """The pair term of units i and i+1."""
        a, b = self.units[i], self.units[i + 1]
        return a + b if (self.han[i] or self.han[i + 1]) else a + " " + b

    def span(self, first_unit: int, last_unit: int) -> tuple[int, int]:
        """Offsets in the original text of units first_unit..last_unit inclusive."""
        return self.folded.span(self.unit_starts[first_unit], self.unit_ends[last_unit])

    def gram_counts(self) -> dict[str, int]:
        """grams-field terms and how often each occurs: every unit, and every pair of touching units. A Latin word
        with a possessive or contraction (asean's) also counts as its base (asean), alone and as the end of the pair
        it ends, so a string typed without the ending finds it (search/units.py CLITICS).

        The Han part (each Han character, each pair inside a Han run) is han_gram_postings's rule, which an index
        build applies to a whole block of paragraphs at once; the rest is latin_gram_counts."""
        counts = self.latin_gram_counts()
        for run in self.han_runs:
            counts.update(run)
            if len(run) > 1:
                counts.update(map(str.__add__, run[:-1], run[1:]))
        return counts

    def latin_gram_counts(self) -> Counter:
        """The grams terms that hold a Latin or digit word: the word, its base without a clitic, and the pairs it
        is part of. Counted unit by unit: only the units around a Latin word need Python."""
        units, adjacent, han = self.units, self.adjacent, self.han
        pairs: list[str] = [units[p] for p in self.latin_units]
        last = len(units) - 1
        for p in self.latin_units:
            u = units[p]
            if p < last and adjacent[p]:  # the pair it starts
                v = units[p + 1]
                pairs.append(u + v if han[p + 1] else u + " " + v)
            if p and adjacent[p - 1] and han[p - 1]:  # the pair a Han character starts with it
                pairs.append(units[p - 1] + u)
            base = clitic_base(u)
            if base:
                pairs.append(base)
                if p and adjacent[p - 1]:
                    pairs.append((units[p - 1] + base) if han[p - 1] else (units[p - 1] + " " + base))
        return Counter(pairs)

    def word_counts(self) -> Counter:
        return Counter(self.words)


def analyze(text: str, dictionary: Dictionary | None, folded: Folded | None = None, *,
            offsets: bool = True) -> Analysis:
    """Analyse `text`. With dictionary None, Han runs are not segmented (their `words` are left out): enough for
    locating matches, which only needs units and English words. `folded`: fold(text), when already at hand. With
    `offsets` off (an index build, which only counts terms) no offsets are kept: `span()` and the unit offsets are
    not available, everything else is the same."""
    folded = folded if folded is not None else fold(text, offsets=offsets)
    ftext = folded.text
    units: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    han: list[bool] = []
    adjacent: list[bool] = []  # filled for every unit but the last
    words: list[str] = []
    word_units: list[tuple[int, int]] = []
    han_runs: list[str] = []
    latin_units: list[int] = []
    segment = dictionary.segment if dictionary is not None else None
    last_end = -1
    last_han = False
    for m in _UNIT_RUN.finditer(ftext):
        start, end = m.span()
        run = m.group(1)
        if units:
            # Touching: no gap, or only white space between two Latin words. A Han run is all the Han characters
            # in a row, so two runs never touch.
            adjacent.append(start == last_end or (not last_han and run is None and ftext[last_end:start].isspace()))
        first = len(units)
        if run is not None:  # a run of Han characters, each one a unit, each touching the next
            k = len(run)
            units.extend(run)
            if offsets:
                starts.extend(range(start, end))
                ends.extend(range(start + 1, end + 1))
            han.extend([True] * k)
            adjacent.extend([True] * (k - 1))
            han_runs.append(run)
            if segment is not None:
                for w in segment(run):
                    words.append(w)
                    k = first + len(w)
                    word_units.append((first, k))
                    first = k
            last_han = True
        else:
            word = m.group()
            units.append(word)
            if offsets:
                starts.append(start)
                ends.append(end)
            han.append(False)
            latin_units.append(first)
            words.append(english_term(word))
            word_units.append((first, first + 1))
            last_han = False
        last_end = end
    return Analysis(folded, units, starts, ends, han, adjacent, words, word_units, han_runs, latin_units)


# A pair of Han characters in at least this many paragraphs of a block (65,536 paragraphs, search/postings.py) has
# every three characters it starts indexed in that block too (han_gram_postings): a string of common pairs is then
# found, and counted, without reading the text. Common pairs stand in most paragraphs, and are where counts alone
# prove least (联合国 beside 联合声明 and 国际); the rule costs a block of 65,536 word-list paragraphs 5 % more
# postings and 30k terms. A query knows which pairs of a block are complete from their counts there and the
# block's threshold, which its header records (search/postings.py; an index without one has no pieces).
TRIGRAM_MIN_DF = 4096
# A block whose pieces are few goes lower, halving the threshold down to TRIGRAM_MIN_DF >> TRIGRAM_HALVINGS while
# its pieces stay within one term per TRIGRAM_TEXTS_PER_TERM texts and TRIGRAM_MAX_SHARE of its Han postings: a
# corpus of few words (a ministry's statements, which repeat their set phrases: 上海合作组织 in 4 % of paragraphs,
# its pairs below 4,096) has its phrases decided from postings too, where a corpus of many words (whose pieces at
# 2,048 would be 72k terms a block, and the 100k word list over its size budget) stays at TRIGRAM_MIN_DF.
TRIGRAM_HALVINGS = 3
TRIGRAM_TEXTS_PER_TERM = 4
TRIGRAM_MAX_SHARE = 0.5


def trigram_thresholds() -> tuple[int, ...]:
    """The thresholds a block may take, highest first."""
    return tuple(dict.fromkeys(max(1, TRIGRAM_MIN_DF >> k) for k in range(TRIGRAM_HALVINGS + 1)))


def han_gram_postings(texts: list[str], trigram_min_df: int | tuple[int, ...] | None = None):
    """The Han part of gram_counts for many folded texts at once: every Han character, and every pair of Han
    characters side by side (a Han run is every Han character in a row, so the pairs inside runs are exactly the
    neighbours that are both Han). Returns (terms, counts, docnums, tfs, lengths): terms in a fixed order
    (characters, then pairs, each by code point); counts[i], how many texts hold terms[i]; docnums and tfs
    (numpy), those texts' positions in `texts` and the term's occurrences in each, term after term and in text
    order within a term; lengths[j] (numpy), how many Han grams texts[j] holds; threshold, below.

    Why numpy: an index build counts every character of the corpus, and counting them paragraph by paragraph in
    Python (a Counter per paragraph, a dict lookup per term) was a third of a build's CPU. Here each gram is one
    64-bit key (its code points above, the text's position in the low 16 bits), and one sort of a block's keys
    groups them by term and text, with each run's length the frequency.

    With `trigram_min_df`, also every three Han characters side by side whose first two are a pair in at least that
    many of the texts, after the pairs (not counted in lengths: they do not score, search/engine.py). Given several
    thresholds (highest first), the lowest whose pieces are within the budget (TRIGRAM_TEXTS_PER_TERM,
    TRIGRAM_MAX_SHARE), and at least the highest; `threshold` is the one taken (None without)."""
    import numpy as np

    n = len(texts)
    if n > 1 << 16:
        raise ValueError("han_gram_postings numbers at most 65536 texts")
    cp = np.frombuffer("\n".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    han = np.zeros(len(cp), dtype=bool)
    for first, last in HAN_RANGES:
        han |= (cp - np.uint32(first)) <= np.uint32(last - first)  # below `first` wraps round to a large number
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=n) + 1  # each text and the newline after it
    doc = np.repeat(np.arange(n, dtype=np.uint16), sizes)[: len(cp)]
    singles = np.flatnonzero(han)
    pairs = np.flatnonzero(han[:-1] & han[1:])  # a pair starts at each of these
    low, wide = np.uint64(16), np.uint64(21)  # code points take 21 bits; a pair's first one is stored plus one
    keys = [np.concatenate([
        (cp[singles].astype(np.uint64) << low) | doc[singles],
        ((((cp[pairs].astype(np.uint64) + np.uint64(1)) << wide) | cp[pairs + 1]) << low) | doc[pairs],
    ])]
    lengths = np.bincount(doc[singles], minlength=n) + np.bincount(doc[pairs], minlength=n)
    del singles
    if trigram_min_df is None:  # not kept through the sort, a build worker's high-water mark
        del cp, han, doc, pairs
    grams, counts, docnums, tfs = _grouped(np, keys, low)
    k = int(np.searchsorted(grams, np.uint64(1) << wide))  # the characters' keys are below every pair's
    terms = list(grams[:k].astype(np.uint32).tobytes().decode("utf-32-le"))
    terms.extend(_pair_texts(np, grams[k:], wide))
    threshold = None
    if trigram_min_df is not None:
        ladder = (trigram_min_df,) if isinstance(trigram_min_df, int) else tuple(trigram_min_df)
        pair_df = counts[k:]
        held = pair_df >= ladder[-1]
        common = grams[k:][held]  # pair keys (without the text), sorted
        if len(common):
            t_terms, t_counts, t_docnums, t_tfs, t_pair = _trigram_postings(np, cp, han, doc, pairs, common, low,
                                                                            wide)
            piece_df = pair_df[held][t_pair]  # each piece's pair's count
            threshold = _trigram_threshold(np, ladder, piece_df, t_counts, n, len(docnums))
            keep = piece_df >= threshold
            if not keep.all():
                t_terms = [t for t, kept in zip(t_terms, keep.tolist()) if kept]
                spread = np.repeat(keep, t_counts)
                t_counts, t_docnums, t_tfs = t_counts[keep], t_docnums[spread], t_tfs[spread]
            terms.extend(t_terms)
            counts = np.concatenate([counts, t_counts])
            docnums = np.concatenate([docnums, t_docnums])
            tfs = np.concatenate([tfs, t_tfs])
        else:
            threshold = ladder[-1]  # no pair reaches even the lowest: every pair above it is complete
    return terms, counts, docnums, tfs, lengths, threshold


def _trigram_threshold(np, ladder, piece_df, piece_counts, texts: int, han_postings: int) -> int:
    """The lowest threshold of the ladder (highest first) whose pieces (each one's pair count, its posting count)
    keep within the budget, the highest in any case."""
    taken = ladder[0]
    for t in ladder[1:]:
        kept = piece_df >= t
        if (int(np.count_nonzero(kept)) * TRIGRAM_TEXTS_PER_TERM > texts
                or int(piece_counts[kept].sum()) > TRIGRAM_MAX_SHARE * han_postings):
            break
        taken = t
    return taken


def _trigram_postings(np, cp, han, doc, pairs, common, low, wide):
    """Postings of the three-character strings that start with one of the `common` pairs (their gram keys above
    the text bits), found where a pair starts (`pairs`) and a Han character follows it, and each one's pair (its
    number in `common`)."""
    starts = pairs[pairs + 2 < len(cp)]
    starts = starts[han[starts + 2]]
    pair_keys = ((cp[starts].astype(np.uint64) + np.uint64(1)) << wide) | cp[starts + 1]
    at = np.minimum(np.searchsorted(common, pair_keys), len(common) - 1)
    kept = common[at] == pair_keys
    starts, at = starts[kept], at[kept].astype(np.uint64)
    # The common pair's number, the third character, the text: 64 bits while the common pairs are fewer than 2**27.
    grams, counts, docnums, tfs = _grouped(np, [(((at << wide) | cp[starts + 2]) << low) | doc[starts]], low)
    pair_text = _pair_texts(np, common, wide)
    third = (grams & np.uint64((1 << 21) - 1)).astype(np.uint32).tobytes().decode("utf-32-le")
    pair = (grams >> wide).astype(np.int64)
    terms = list(map(str.__add__, [pair_text[i] for i in pair.tolist()], third))
    return terms, counts, docnums, tfs, pair


def _grouped(np, holder: list, low):
    """Gram keys with the text's number in the low bits, grouped: the distinct grams (sorted), how many texts hold
    each, and those texts and the gram's frequency in each (uint16, saturated), gram after gram. The keys come in
    a one-item list, taken out of it here, so that no one else holds them: the sorted keys (a block's whole
    corpus, 120 MB for 65,536 word-list paragraphs) are let go as soon as they are deduplicated."""
    keys = holder.pop()
    keys.sort()
    new = np.ones(len(keys), dtype=bool)
    new[1:] = keys[1:] != keys[:-1]
    at = np.flatnonzero(new)  # first occurrence of each (gram, text)
    tfs = np.diff(np.append(at, len(keys)))
    keys = keys[at]
    docnums = (keys & np.uint64(0xFFFF)).astype(np.uint16)
    grams = keys >> low
    new = np.ones(len(grams), dtype=bool)
    new[1:] = grams[1:] != grams[:-1]
    at = np.flatnonzero(new)  # first posting of each gram
    counts = np.diff(np.append(at, len(grams)))
    return grams[at], counts, docnums, np.minimum(tfs, 65535).astype(np.uint16)


def _pair_texts(np, pair_keys, wide) -> list[str]:
    """The two characters of each pair key (its first code point stored plus one, above the second)."""
    two = np.empty((len(pair_keys), 2), dtype=np.uint32)
    two[:, 0] = (pair_keys >> wide) - np.uint64(1)
    two[:, 1] = pair_keys & np.uint64((1 << 21) - 1)
    text = two.tobytes().decode("utf-32-le")
    return list(map(str.__add__, text[0::2], text[1::2]))


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_russian_lock = threading.Lock()


@lru_cache(maxsize=1)
def _russian_stemmer():
    import snowballstemmer  # the Snowball project's own stemmers

    return snowballstemmer.stemmer("russian")


@lru_cache(maxsize=100_000)
def english_term(word: str) -> str:
    """Words-field form of a Latin, Cyrillic or digit word: an English word loses its possessive and is
    Porter-stemmed, a Russian word is Snowball-stemmed (войны, войне -> войн)."""
    from whoosh.lang.porter import stem

    if _CYRILLIC.search(word):
        with _russian_lock:  # a Snowball stemmer object keeps its state while it works
            return _russian_stemmer().stemWord(word)
    word = clitic_base(word) or word
    return stem(word) if not word.isdigit() else word
