"""Rows → CSV or JSON Lines text, in chunks ready to stream to a file or an HTTP response.

CSV follows RFC 4180 (every cell quoted as needed, CRLF line ends), UTF-8, with a byte
order mark only when asked (``excel``: Excel reads BOM-less UTF-8 as the local code page;
pandas, R and every other tool want no BOM). Cells are crawled, untrusted text: one starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a formula by a
spreadsheet, so it gets a leading apostrophe (OWASP's advice for CSV injection). Lists become
``a; b``, mappings ``key=value; …``. JSON Lines keeps the values as they are (one object per
line, lists and mappings intact): nothing there is ever evaluated.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_CHARS = 64 * 1024  # what a chunk holds before it is handed on: few writes, little memory


def protect_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading apostrophe if it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Any) -> str | int | float:
    """One value as a CSV cell: numbers as numbers, everything else as protected text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Mapping):
        value = "; ".join(f"{key}={item}" for key, item in value.items())
    elif isinstance(value, (list, tuple)):
        value = "; ".join(str(item) for item in value)
    return protect_cell(str(value))


def encode(fmt: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]], excel: bool = False) -> Iterator[str]:
    """``rows`` (mappings with these ``columns``) as CSV or JSON Lines text, chunk by chunk."""
    if fmt == "csv":
        return _csv_chunks(columns, rows, excel)
    if fmt == "jsonl":
        return _jsonl_chunks(columns, rows)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def _csv_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], excel: bool) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if excel:
        buffer.write(BOM)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(row.get(column)) for column in columns])
        if buffer.tell() >= CHUNK_CHARS:
            yield _drain(buffer)
    yield _drain(buffer)


def _jsonl_chunks(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    buffer = io.StringIO()
    for row in rows:
        buffer.write(json.dumps({column: row.get(column) for column in columns}, ensure_ascii=False))
        buffer.write("\n")
        if buffer.tell() >= CHUNK_CHARS:
            yield _drain(buffer)
    tail = _drain(buffer)
    if tail:
        yield tail


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
