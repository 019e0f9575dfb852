"""Whether OpenCC's Traditional -> Simplified conversion (t2s) would change a text, known without loading OpenCC.

t2s cuts a text into the longest keys of its dictionaries and writes each key's first value, so the text changes
only where it holds a key whose value differs from it: a character that converts (乾 -> 干, 約 -> 约), or a phrase
that does. Most such phrases hold a character that converts (憑藉 -> 凭借); the rest (深沈 -> 深沉, 回覆 -> 回复)
exist to change a character that alone stays as it is (沈, 覆). Most queries and mainland paragraphs hold neither,
and loading OpenCC (the library and its four dictionaries) is a tenth of a one-shot lookup's time, so folding asks
OpenCC only about a text that could change.

What can change is data made from OpenCC's own dictionaries (`python -m jiaokan.search.script_keys` rewrites
t2s_keys.json with the opencc_dict tool the package ships). It is used only while the installed dictionaries are
the ones it was made from (their CRC-32s match); with any other OpenCC every text goes to OpenCC, as before.
"""
from __future__ import annotations

import importlib.util
import json
import sys
import zlib
from functools import lru_cache
from pathlib import Path

KEYS_FILE = Path(__file__).with_name("t2s_keys.json")
# The t2s configuration and every dictionary it names (its normalization and its conversion chain).
T2S_FILES = ("t2s.json", "CJK_Compatibility_Ideographs.ocd2", "TSPhrases.ocd2", "TSCharactersExt.ocd2",
             "TSCharacters.ocd2")
PHRASES = "TSPhrases.ocd2"


class Changes:
    __slots__ = ("converting", "phrases_by_char")  # a plain class: a dataclass costs a one-shot lookup 0.3 ms

    def __init__(self, converting: frozenset[str], phrases_by_char: dict[str, tuple[str, ...]]):
        self.converting = converting  # characters that t2s writes otherwise
        self.phrases_by_char = phrases_by_char  # a character that stays alone -> the converting phrases holding it

    def may_change(self, text: str) -> bool:
        """False only when t2s would return `text` unchanged."""
        if not self.converting.isdisjoint(text):
            return True
        staying = self.phrases_by_char.keys() & set(text) if len(text) > 1 else ()
        return any(phrase in text for ch in staying for phrase in self.phrases_by_char[ch])


def opencc_share() -> Path | None:
    """OpenCC's dictionary folder, found without importing the package."""
    spec = importlib.util.find_spec("opencc")
    if spec is None or spec.origin is None:
        return None
    share = Path(spec.origin).parent / "clib" / "share" / "opencc"
    return share if share.is_dir() else None


def checksums(share: Path) -> dict[str, int] | None:
    sums = {}
    for name in T2S_FILES:
        try:
            sums[name] = zlib.crc32((share / name).read_bytes())
        except OSError:
            return None
    return sums


@lru_cache(maxsize=1)
def t2s_changes() -> Changes | None:
    """What t2s can change, or None when the shipped data was not made from the installed OpenCC's dictionaries."""
    share = opencc_share()
    if share is None:
        return None
    try:
        data = json.loads(KEYS_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("made_from") != checksums(share):
        return None
    return Changes(frozenset(data["converting"]), {ch: tuple(p) for ch, p in data["phrases_by_char"].items()})


def read_dictionary(tool: Path, path: Path, tmp: Path) -> dict[str, str]:
    """key -> the value t2s writes (the first of its candidates), read with OpenCC's opencc_dict tool."""
    import subprocess  # only when the data is made: a lookup should not pay for this import

    out = tmp / (path.name + ".txt")
    subprocess.run([str(tool), "-i", str(path), "-o", str(out), "-f", "ocd2", "-t", "text"], check=True,
                   capture_output=True)
    entries = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        key, values = line.split("\t", 1)
        entries[key] = values.split(" ")[0]
    return entries


def changes_from_dictionaries(share: Path) -> Changes:
    import tempfile

    tool = share.parent.parent / "bin" / "opencc_dict"
    with tempfile.TemporaryDirectory() as tmp:
        dictionaries = {name: read_dictionary(tool, share / name, Path(tmp)) for name in T2S_FILES[1:]}
    phrases = dictionaries.pop(PHRASES)
    single: dict[str, set[str]] = {}  # the character dictionaries disagree on a few: either value may be written
    for entries in dictionaries.values():
        for key, value in entries.items():
            single.setdefault(key, set()).add(value)
    converting = frozenset(key for key, values in single.items() if values != {key})
    by_char: dict[str, list[str]] = {}
    for key, value in sorted(phrases.items()):
        if value != key and converting.isdisjoint(key):
            # A phrase can match only where all of it is; one of its characters is enough to look for it by.
            staying = [ch for ch in key if ch in single] or list(key)
            by_char.setdefault(staying[0], []).append(key)
    return Changes(converting, {ch: tuple(p) for ch, p in by_char.items()})


def write_changes() -> int:
    share = opencc_share()
    if share is None:
        print("OpenCC is not installed", file=sys.stderr)
        return 1
    changes = changes_from_dictionaries(share)
    data = {"made_from": checksums(share), "converting": "".join(sorted(changes.converting)),
            "phrases_by_char": {ch: list(p) for ch, p in sorted(changes.phrases_by_char.items())}}
    KEYS_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    t2s_changes.cache_clear()
    print(f"wrote {len(changes.converting)} converting characters and "
          f"{sum(map(len, changes.phrases_by_char.values()))} phrases to {KEYS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(write_changes())
