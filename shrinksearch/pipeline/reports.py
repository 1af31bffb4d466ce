"""What each stage reports: counts, and the reasons records were set aside."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from .jsonl import write_line

REJECT_SAMPLE_CHARS = 2000
"""How much of a rejected record is kept in the rejects file (enough to see what it was)."""


@dataclass
class StageReport:
    stage: str
    read: int = 0
    written: int = 0
    rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    repairs: Counter[str] = field(default_factory=Counter)  # kept records with a field left out, why
    kinds: Counter[str] = field(default_factory=Counter)
    output: Path | None = None
    forgotten: int = 0  # left out because `shrinksearch forget` forgot them (never in rejects: no content kept)

    def as_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "read": self.read,
            "written": self.written,
            "rejected": self.rejected,
            "reasons": dict(self.reasons),
            "repairs": dict(self.repairs),
            "kinds": dict(self.kinds),
            "forgotten": self.forgotten,
            "output": str(self.output) if self.output else None,
        }


class RejectsLog:
    """Appends set-aside records, each with its stage, origin and reason, to one JSONL file."""

    def __init__(self, fh: IO[str], report: StageReport, source: Path) -> None:
        self._fh, self._report, self._source = fh, report, source

    def reject_undecodable(self, line_number: int, raw: bytes, err: UnicodeDecodeError) -> None:
        """Set aside a line that is not UTF-8 (``jsonl.iter_lines``'s ``on_undecodable``)."""
        self._report.read += 1
        reason = f"invalid record: not UTF-8 (byte 0x{raw[err.start]:02x} at {err.start})"
        self.reject(line_number, raw.decode("utf-8", errors="replace"), reason)

    def reject(self, line_number: int, raw: str, reason: str) -> None:
        self._report.rejected += 1
        self._report.reasons[reason.split(":", 1)[0]] += 1
        write_line(
            self._fh,
            {
                "stage": self._report.stage,
                "source": str(self._source),
                "line": line_number,
                "reason": reason,
                "record": raw[:REJECT_SAMPLE_CHARS],
            },
        )
