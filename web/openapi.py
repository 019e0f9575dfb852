"""OpenAPI 3 description of the JSON API, with the limits search/ enforces."""
from __future__ import annotations

import dataclasses
import types
import typing

from jiaokan.search import results
from jiaokan.search.searching import LANGS, MAX_PER_PAGE, MAX_QUERY_CHARS
from jiaokan.web.params import DEFAULT_PER_PAGE


def dataclass_schema(cls) -> dict:
    """The schema of a result type (search/results.py), read from its field types: what to_json makes of it."""
    hints = typing.get_type_hints(cls)
    properties, required = {}, []
    for f in dataclasses.fields(cls):
        properties[f.name] = _type_schema(hints[f.name])
        if not f.metadata.get("omit_if_none"):
            required.append(f.name)
    return {"type": "object", "required": required, "properties": properties}


def _type_schema(t) -> dict:
    args = typing.get_args(t)
    origin = typing.get_origin(t)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return {**_type_schema(inner[0]), "nullable": True}
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0])}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1])}
    if dataclasses.is_dataclass(t):
        return {"$ref": f"#/components/schemas/{t.__name__}"}
    simple = {str: "string", int: "integer", float: "number", bool: "boolean", dict: "object"}
    return {"type": simple[t]}


# Result types described from their definitions (the others below are written out, with their descriptions).
_GENERATED = (results.AlsoIn, results.OtherVersion, results.ClauseReading, results.Filters, results.ByMatch,
              results.ConcordanceLine, results.Aligned, results.Totals, results.Suggestion, results.RepairMade)
_MATCH = {"type": "string", "enum": ["exact", "words", "translation"],
          "description": "How it matched: exact (every clause as typed, after folding), words (some only by its words: "
                         "apart, another form, not together as typed), translation (some only through an equivalent, "
                         "see via)"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


_NULLABLE_STRING = {"type": "string", "nullable": True}

_PARAGRAPH_PROPERTIES = {
    "id": {"type": "string", "example": "un-040"},
    "version": {"type": "string", "example": "un"},
    "statement": {"type": "string", "example": "2022-new-era"},
    "seq": {"type": "integer", "minimum": 1},
    "section": {"type": "string", "example": "三"},
    "kind": {"type": "string", "example": "body"},
    "lang": {"type": "string", "enum": list(LANGS)},
    "passage": _NULLABLE_STRING,
    "text": {"type": "string"},
    "headings": {"type": "array", "items": {"type": "string"}, "description": "the heading path, outermost first"},
}

_SPANS = {
    "type": "array",
    "description": "[start, end) code-point offsets into `text` of every match",
    "items": {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 2, "maxItems": 2},
}

_QUERY_PARAMETER = {
    "name": "q",
    "in": "query",
    "description": (
        "The query: words (all must match), Chinese strings, \"quoted phrases\", OR, -word / NOT, parentheses, "
        "and the filters version:ID, lang:zh|en, section:S."
    ),
    "schema": {"type": "string", "maxLength": MAX_QUERY_CHARS},
}


FLAG = {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"], "default": "1"}
FORMAT_PARAMETER = {
    "name": "format", "in": "query",
    "description": "json (default): a page; csv (header row, UTF-8) or jsonl: everything that matches, streamed as a "
                   "download, no per_page cap.",
    "schema": {"type": "string", "enum": ["json", "csv", "jsonl"], "default": "json"},
}


def openapi_spec(languages: list[str] | None = None) -> dict:
    """The API description; `languages` are the index's paragraph languages (default zh, en)."""
    languages = list(languages or LANGS)
    paragraph_properties = _PARAGRAPH_PROPERTIES | {"lang": {"type": "string", "enum": languages}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "jiaokan 校勘",
            "version": "1",
            "description": (
                "Bilingual full-text search over the published versions of the China–Russia joint statements. "
                "Every HTML page has a JSON twin here. Errors are {\"error\": {\"code\", \"message\"}}."
            ),
        },
        "servers": [{"url": "/"}],
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Search the paragraphs of every version",
                    "parameters": [
                        {**_QUERY_PARAMETER, "description": _QUERY_PARAMETER["description"]
                         + " Empty only when a filter parameter is given."},
                        {
                            "name": "version",
                            "in": "query",
                            "description": "Only these versions (repeatable); ids from /api/versions.",
                            "schema": {"type": "array", "items": {"type": "string"}},
                            "style": "form",
                            "explode": True,
                        },
                        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": languages}},
                        {"name": "section", "in": "query", "schema": {"type": "string"},
                         "description": "Only this section (一, 二, preamble, cover letter, ...)."},
                        {"name": "page", "in": "query", "description": "Page of hits; at most the last page.",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 999999999, "default": 1}},
                        {"name": "per_page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                                    "default": DEFAULT_PER_PAGE}},
                        {"name": "collapse", "in": "query",
                         "description": "1 (default): a passage several versions carry is one result, its other "
                                        "versions listed in also_in / other_versions / lacking; 0: one result per "
                                        "paragraph. Also accepts true/false, yes/no, on/off.",
                         "schema": {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"],
                                    "default": "1"}},
                        {"name": "translate", "in": "query",
                         "description": "1 (default): query terms also match through their equivalents in the other "
                                        "language and their wording variants between versions (glossary, pairs "
                                        "learned from aligned passages, a general dictionary), ranked below direct "
                                        "matches; understood.expansions lists the equivalents used and each hit's "
                                        "via those it was found through. 0: the query as written only. Also accepts "
                                        "true/false, yes/no, on/off; when repeated, the first value counts.",
                         "schema": {"type": "string", "enum": ["1", "0", "true", "false", "yes", "no", "on", "off"],
                                    "default": "1"}},
                        {"name": "match", "in": "query",
                         "description": "all (default): every match, exact ones first, each hit saying how it "
                                        "matched; exact: only paragraphs holding every clause as typed (no words "
                                        "apart, no other forms, no translations), facets counting those only. "
                                        "A \"quoted\" string is always exact.",
                         "schema": {"type": "string", "enum": ["all", "exact"], "default": "all"}},
                        {"name": "sort", "in": "query",
                         "description": "relevance (default): best first, exact matches above the rest; doc: document "
                                        "order (versions as catalogued, each in paragraph order).",
                         "schema": {"type": "string", "enum": ["relevance", "doc"], "default": "relevance"}},
                        {"name": "repair", "in": "query",
                         "description": "1 (default): a dangling AND/OR/NOT/- is dropped, an unclosed quote closed, an "
                                        "unmatched parenthesis dropped, each listed in understood.repairs; 0: the "
                                        "query exactly as typed (a dangling operator is a word).",
                         "schema": FLAG},
                        {"name": "aligned", "in": "query",
                         "description": "1 (default): each hit carries `aligned`, its passage's paragraph in the other "
                                        "language with the query's terms and their translations marked; 0: not.",
                         "schema": FLAG},
                        FORMAT_PARAMETER,
                    ],
                    "responses": {
                        "200": _ok("The page of hits, with facets and how the query was read", "SearchResult"),
                        "400": _error("A bad parameter: query too long or meaningless, per_page or page out of "
                                      "range or not a number, unknown version or language"),
                        "503": _error("The index is not built"),
                    },
                }
            },
            "/api/paragraphs/{id}": {
                "get": {
                    "operationId": "paragraph",
                    "summary": "One paragraph whole, with its neighbours and its version's catalog entry",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                         "example": "un-040"},
                        {**_QUERY_PARAMETER, "description": "Mark this query's matches in the paragraph."},
                    ],
                    "responses": {
                        "200": _ok("The paragraph", "ParagraphPage"),
                        "400": _error("The query is too long"),
                        "404": _error("No paragraph with this id"),
                        "503": _error("The index is not built"),
                    },
                }
            },
            "/api/passages/{id}": {
                "get": {
                    "operationId": "passage",
                    "summary": "One passage in every version side by side, with each version's wording differences "
                               "from the reference version and the versions that lack it",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                         "example": "2022-new-era-p045",
                         "description": "A passage id: the `passage` field of a paragraph or a hit"},
                    ],
                    "responses": {
                        "200": _ok("The passage", "PassagePage"),
                        "404": _error("No passage with this id"),
                        "503": _error("The index is not built"),
                    },
                }
            },
            "/api/concordance": {
                "get": {
                    "operationId": "concordance",
                    "summary": "Every occurrence of the query (KWIC), one line each: left context, match, right "
                               "context; start/end are code-point offsets into the paragraph's text",
                    "parameters": [
                        _QUERY_PARAMETER,
                        {"name": "version", "in": "query", "schema": {"type": "array", "items": {"type": "string"}},
                         "style": "form", "explode": True},
                        {"name": "lang", "in": "query", "schema": {"type": "string", "enum": languages}},
                        {"name": "section", "in": "query", "schema": {"type": "string"}},
                        {"name": "translate", "in": "query", "schema": FLAG},
                        {"name": "sort", "in": "query", "description": "doc (document order), left or right (by "
                         "the text before / after the match)",
                         "schema": {"type": "string", "enum": ["doc", "left", "right"], "default": "doc"}},
                        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                        {"name": "per_page", "in": "query",
                         "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50}},
                        FORMAT_PARAMETER,
                    ],
                    "responses": {
                        "200": _ok("A page of lines; with format=csv or jsonl every line, streamed", "Concordance"),
                        "400": _error("A bad parameter: meaningless query, unknown sort or format, page out of range"),
                        "503": _error("The index is not built"),
                    },
                }
            },
            "/api/compare": {
                "get": {
                    "operationId": "compare",
                    "summary": "Two versions of a statement passage by passage: every passage whose wording differs, "
                               "with the differences, and the passages only one of them has",
                    "parameters": [
                        {"name": "a", "in": "query", "required": True, "schema": {"type": "string"},
                         "example": "un", "description": "A version id from /api/versions"},
                        {"name": "b", "in": "query", "required": True, "schema": {"type": "string"},
                         "example": "chinanews-3", "description": "Another version id of the same statement"},
                        {"name": "statement", "in": "query", "schema": {"type": "string"},
                         "example": "2022-new-era",
                         "description": "The statement to compare; by default the one both versions carry"},
                    ],
                    "responses": {
                        "200": _ok("The comparison", "Comparison"),
                        "400": _error("a or b missing, an unknown version, or versions that cannot be compared "
                                      "(different statements, no passage in common)"),
                        "503": _error("The index is not built"),
                    },
                }
            },
            "/api/versions": {
                "get": {
                    "operationId": "versions",
                    "summary": "The catalog: statements, and every version with what it covers and paragraph counts",
                    "responses": {"200": _ok("The catalog", "Catalog"), "503": _error("The index is not built")},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3 document",
                                          "content": {"application/json": {"schema": {"type": "object"}}}}},
                }
            },
        },
        "components": {
            "schemas": {
                **{cls.__name__: dataclass_schema(cls) for cls in _GENERATED},
                "Concordance": {
                    "type": "object",
                    "required": ["query", "total", "paragraphs", "by_version", "lines", "page", "per_page", "pages"],
                    "properties": {
                        "query": {"type": "string"},
                        "total": {"type": "integer", "description": "Occurrences"},
                        "paragraphs": {"type": "integer", "description": "Paragraphs holding one"},
                        "by_version": {"type": "object", "additionalProperties": {"type": "integer"},
                                       "description": "Occurrences per version (those with some)"},
                        "lines": {"type": "array", "items": {"$ref": "#/components/schemas/ConcordanceLine"}},
                        "page": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "pages": {"type": "integer"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string", "example": "bad_query"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Paragraph": {"type": "object", "properties": paragraph_properties},
                "Expansion": {
                    "type": "object",
                    "description": "A query term's equivalent that was searched too",
                    "properties": {
                        "query": {"type": "string", "example": "NATO", "description": "The term as in the query"},
                        "via": {"type": "string", "example": "北约", "description": "The equivalent searched"},
                        "lang": {"type": "string", "enum": list(LANGS), "description": "The equivalent's language"},
                        "source": {"type": "string", "enum": ["glossary", "variant", "learned", "dictionary"],
                                   "description": "Where the equivalent comes from: the corpus glossary (most "
                                                  "trusted), a wording variant between versions, a pair learned "
                                                  "from aligned passages, a general dictionary (least)"},
                    },
                },
                "Hit": {
                    "type": "object",
                    "properties": {
                        **paragraph_properties,
                        "score": {"type": "number"},
                        "highlights": _SPANS,
                        "snippet": {"type": "string",
                                    "description": "HTML: escaped text with <mark> around matches, … where cut"},
                        "snippet_ranges": {**_SPANS, "description": "[start, end) of the text the snippet shows "
                                                                     "(whole sentences)"},
                        "snippet_more": {"type": "integer", "minimum": 0,
                                         "description": "How many highlights fall outside the snippet"},
                        "aligned": {"allOf": [{"$ref": "#/components/schemas/Aligned"}],
                                    "description": "With aligned: the passage's paragraph in the other language"},
                        "via": {"type": "array", "items": {"type": "string"}, "example": ["北约"],
                                "description": "With translate: the equivalents of query terms this hit was found "
                                               "through; empty for a hit that holds the query's own words"},
                        "also_in": {"type": "array", "items": {"$ref": "#/components/schemas/AlsoIn"},
                                    "description": "With collapse: the passage's other versions that match too"},
                        "other_versions": {"type": "array", "items": {"$ref": "#/components/schemas/OtherVersion"},
                                           "description": "With collapse: what the passage's non-matching versions "
                                                          "say where this one matched"},
                        "lacking": {"type": "object", "additionalProperties": {"type": "string"},
                                    "description": "With collapse: versions without this passage, and why"},
                        "match": _MATCH,
                    },
                },
                "SearchResult": {
                    "type": "object",
                    "required": ["query", "understood", "sort", "totals", "total", "page", "per_page", "pages", "hits",
                                 "facets", "took_ms"],
                    "properties": {
                        "query": {"type": "string"},
                        "understood": {
                            "type": "object",
                            "description": "The clauses and filters the query was read as, and the expansions used",
                            "properties": {
                                "clauses": {"type": "array", "items": {"$ref": "#/components/schemas/ClauseReading"}},
                                "expansions": {"type": "array", "items": {"$ref": "#/components/schemas/Expansion"},
                                               "description": "Empty without translate"},
                                "filters": {"$ref": "#/components/schemas/Filters"},
                                "repairs": {"type": "array", "items": {"$ref": "#/components/schemas/RepairMade"},
                                            "description": "What was mended in what was typed (empty with repair=0)"},
                            },
                        },
                        "sort": {"type": "string", "enum": ["relevance", "doc"]},
                        "totals": {"allOf": [{"$ref": "#/components/schemas/Totals"}],
                                   "description": "Occurrences (as /api/concordance lists them), paragraphs and "
                                                  "passages that match, each counted as what it is"},
                        "total": {"type": "integer", "minimum": 0, "description": "Results: passages or paragraphs"},
                        "counts": {"type": "string", "enum": ["passages", "paragraphs"]},
                        "total_paragraphs": {"type": "integer", "minimum": 0},
                        "by_match": {"allOf": [{"$ref": "#/components/schemas/ByMatch"}],
                                     "description": "Matching paragraphs by how they match (they add up to "
                                                    "total_paragraphs)"},
                        "match": {"type": "string", "enum": ["all", "exact"], "description": "The match asked for"},
                        "page": {"type": "integer", "minimum": 1},
                        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
                        "pages": {"type": "integer", "minimum": 1},
                        "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                        "facets": {
                            "type": "object",
                            "properties": {
                                "version": {"type": "object", "additionalProperties": {"type": "integer"},
                                            "description": "Matching paragraphs per version, in corpus order; a version "
                                                           "with none is left out"},
                                "lang": {"type": "object", "additionalProperties": {"type": "integer"},
                                         "description": "Matching paragraphs per language (those with some)"},
                                "version_occurrences": {"type": "object", "additionalProperties": {"type": "integer"},
                                                        "description": "Occurrences per version (those with some)"},
                            },
                        },
                        "took_ms": {"type": "number"},
                        "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"},
                                        "description": "Only when nothing matched: queries that find something"},
                    },
                },
                "ParagraphPage": {
                    "type": "object",
                    "properties": {
                        "paragraph": {
                            "allOf": [
                                {"$ref": "#/components/schemas/Paragraph"},
                                {"type": "object", "properties": {
                                    "highlights": _SPANS,
                                    "marked": {"type": "string", "description": "HTML: the escaped text, matches in <mark>"},
                                }},
                            ]
                        },
                        "before": {"type": "array", "items": {"$ref": "#/components/schemas/Paragraph"}},
                        "after": {"type": "array", "items": {"$ref": "#/components/schemas/Paragraph"}},
                        "version": {"type": "object", "nullable": True, "description": "The version's catalog entry"},
                        "query": _NULLABLE_STRING,
                    },
                },
                "Difference": {
                    "type": "object",
                    "description": "One place where the wording differs: a's wording, b's wording, and their spans",
                    "properties": {
                        "a": {"type": "string", "example": "联合国大会第七十六届会议"},
                        "b": {"type": "string", "example": "第76届联大"},
                        "a_span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                        "b_span": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                    },
                },
                "Passage": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "example": "2022-new-era-p045"},
                        "statement": {"type": "string", "example": "2022-new-era"},
                        "seq": {"type": "integer", "minimum": 1},
                        "kind": {"type": "string"},
                        "section": {"type": "string"},
                        "members": {"type": "object", "additionalProperties": {"type": "string"},
                                    "description": "version id → paragraph id"},
                        "lacks": {"type": "object", "additionalProperties": {"type": "string"},
                                  "description": "version id → why it lacks the passage"},
                    },
                },
                "PassagePage": {
                    "type": "object",
                    "properties": {
                        "passage": {"$ref": "#/components/schemas/Passage"},
                        "statement": {"type": "object", "nullable": True},
                        "reference": {"type": "string", "description": "The paragraph the others are measured against"},
                        "versions": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "version": {"type": "string"},
                                    "paragraph": {"$ref": "#/components/schemas/Paragraph"},
                                    "note": {"type": "string"},
                                    "differences": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Difference"},
                                                    "description": "From the reference (absent for a translation)"},
                                    "marked": {"type": "string", "nullable": True,
                                               "description": "HTML: the escaped text with <mark> around this "
                                                              "version's differing wording"},
                                },
                            },
                        },
                        "lacking": {"type": "object", "additionalProperties": {"type": "string"}},
                        "previous": _NULLABLE_STRING,
                        "next": _NULLABLE_STRING,
                    },
                },
                "Comparison": {
                    "type": "object",
                    "properties": {
                        "statement": {"type": "string"},
                        "a": {"type": "string"},
                        "b": {"type": "string"},
                        "same": {"type": "integer", "minimum": 0, "description": "Passages worded the same"},
                        "differing": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "passage": {"type": "string"},
                                    "a": {"$ref": "#/components/schemas/Paragraph"},
                                    "b": {"$ref": "#/components/schemas/Paragraph"},
                                    "differences": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/Difference"}},
                                },
                            },
                        },
                        "only_in_a": {"type": "array", "items": {"type": "object", "properties": {
                            "passage": {"type": "string"}, "paragraph": {"type": "string"},
                            "why_missing": _NULLABLE_STRING}}},
                        "only_in_b": {"type": "array", "items": {"type": "object", "properties": {
                            "passage": {"type": "string"}, "paragraph": {"type": "string"},
                            "why_missing": _NULLABLE_STRING}}},
                        "different_languages": {
                            "type": "array",
                            "items": {"type": "object", "additionalProperties": {"type": "string"}},
                            "description": "Passages one version has in Chinese, the other in English: "
                                           "{passage, <a>: paragraph id, <b>: paragraph id}",
                        },
                    },
                },
                "Catalog": {
                    "type": "object",
                    "properties": {
                        "statements": {"type": "array", "items": {"type": "object"}},
                        "versions": {"type": "array", "items": {"type": "object"}},
                    },
                },
            }
        },
    }
