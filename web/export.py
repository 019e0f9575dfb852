"""Exports of everything a query matches, streamed: CSV (a header row, UTF-8) or JSON Lines (one object a line).

Rows arrive from an iterator and leave as they are written, so an export of every hit never holds the whole file.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from flask import Response, stream_with_context

MIMETYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}

# A search export's columns (a JSON Lines export has every field of each hit, and its rank).
SEARCH_EXPORT_FIELDS = [
    "rank", "id", "version", "section", "lang", "kind", "passage", "score", "match", "via", "highlights", "text",
]


def search_rows(pages: Iterable[list[dict]]) -> Iterator[dict]:
    """Every hit of pages of search answers (JSON data), in order, each with its rank: the rows of a search export,
    the same from the API and the CLI."""
    rank = 0
    for hits in pages:
        for hit in hits:
            rank += 1
            yield {"rank": rank, **hit}


def csv_lines(rows: Iterable[dict], fields: list[str]) -> Iterator[str]:
    """The header row, then one row per dict; lists are joined with "; ", None is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(fields)
    yield _take(buffer)
    for row in rows:
        writer.writerow([_cell(row.get(f)) for f in fields])
        yield _take(buffer)


def jsonl_lines(rows: Iterable[dict]) -> Iterator[str]:
    for row in rows:
        yield json.dumps(row, ensure_ascii=False) + "\n"


def export_response(fmt: str, rows: Iterable[dict], fields: list[str], filename: str) -> Response:
    body = csv_lines(rows, fields) if fmt == "csv" else jsonl_lines(rows)
    response = Response(stream_with_context(body), content_type=f"{MIMETYPES[fmt]}; charset=utf-8")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _take(buffer: io.StringIO) -> str:
    value = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) if not isinstance(v, (list, tuple)) else "-".join(map(str, v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
