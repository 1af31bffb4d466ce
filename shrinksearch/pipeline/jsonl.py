"""Reading and writing JSON Lines files, atomically and line by line."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


Undecodable = Callable[[int, bytes, UnicodeDecodeError], None]
"""Told of a line that is not UTF-8: its number, its bytes and the decoding error."""


def iter_lines(path: Path, on_undecodable: Undecodable | None = None) -> Iterator[tuple[int, str]]:
    """(line number, text) for every non-blank line.

    A line that is not UTF-8 goes to ``on_undecodable`` and is skipped when one is given;
    otherwise its undecodable bytes are replaced (U+FFFD), not fatal."""
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                if on_undecodable is not None:
                    on_undecodable(number, raw, err)
                    continue
                line = raw.decode("utf-8", errors="replace")
            yield number, line


@contextmanager
def atomic_writer(path: Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and rename it into place only on success,
    so a killed run never leaves a half-written file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_line(fh: IO[str], record: dict[str, Any]) -> None:
    fh.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
