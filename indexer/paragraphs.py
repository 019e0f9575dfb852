"""Cut each published version into the paragraphs a reader sees, as Paragraph records.

The version's format picks a generic reader (indexer/readers.py), which cuts the text into blocks and drops what
the catalog names as furniture; indexer/structure.py labels titles, headings, sections and closing lines and
joins paragraphs a page break split; here each paragraph gets its id, sequence number and language.
"""
from __future__ import annotations

from jiaokan.indexer.catalog import Catalog, Version, read_version_text
from jiaokan.indexer.errors import CorpusError
from jiaokan.indexer.languages import detect_lang, fill_letterless
from jiaokan.indexer.readers import read_blocks
from jiaokan.indexer.records import Paragraph
from jiaokan.indexer.structure import PREAMBLE, Draft, join_broken_paragraphs, structure

__all__ = ["PREAMBLE", "Draft", "corpus_paragraphs", "join_broken_paragraphs", "read_drafts", "read_paragraphs"]


def read_drafts(text: str, version: Version) -> list[Draft]:
    """The labelled paragraphs of a version's text, before ids and languages."""
    try:
        return structure(read_blocks(text, version), version)
    except CorpusError as e:
        message = str(e)
        raise CorpusError(message if message.startswith(str(version.path)) else f"{version.path}: {message}") from None


def read_paragraphs(version: Version) -> list[Paragraph]:
    """The paragraphs of one version, in reading order, furniture removed and page breaks joined back."""
    drafts = read_drafts(read_version_text(version), version)
    if not drafts:
        raise CorpusError(f"{version.path}: no paragraphs found in version {version.id!r}")
    langs = fill_letterless([detect_lang(d.text) for d in drafts], version.languages)
    _check_languages(version, drafts, langs)
    return [
        Paragraph(
            id=f"{version.id}-{seq:03d}",
            version=version.id,
            statement=version.statement,
            seq=seq,
            section=draft.section,
            kind=draft.kind,
            lang=lang,
            text=draft.text,
            headings=draft.headings,
        )
        for seq, (draft, lang) in enumerate(zip(drafts, langs), start=1)
    ]


def _check_languages(version: Version, drafts: list[Draft], langs: list[str]) -> None:
    """Every language the reader finds must be declared (when the entry declares any): Russian text in a version
    said to be Chinese is a catalog error, not a silent mislabel."""
    if not version.languages:
        return
    undeclared = [(i, lang) for i, lang in enumerate(langs) if lang not in version.languages]
    if undeclared:
        found = sorted({lang for _, lang in undeclared})
        first = undeclared[0][0]
        where = version.catalog_path or version.path
        raise CorpusError(
            f"{where}: version {version.id!r}: field 'languages' is {list(version.languages)} but "
            f"{len(undeclared)} paragraph(s) read as {', '.join(found)} (the first: {version.id}-{first + 1:03d} "
            f"{drafts[first].text[:30]!r}); add the language or a drop rule"
        )


def corpus_paragraphs(catalog: Catalog) -> list[Paragraph]:
    """All paragraphs of all versions, in catalog order."""
    return [p for version in catalog.versions.values() for p in read_paragraphs(version)]
