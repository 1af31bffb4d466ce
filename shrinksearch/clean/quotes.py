"""Separate what a commenter quotes from their own words, and drop signatures.

Quoted text is recognised by three conventions: ``> ``-prefixed lines (e-mail style, and
what ``html.html_to_text`` makes of ``<blockquote>``), a prelude line such as
``"Sarebear wrote:"``, ``"On 3 May, Dinah said:"``, ``"Quote:"`` or ``"Quoting Roy:"`` (the
rest of its paragraph, or the next paragraph when the prelude ends one, is quoted), and
text after ``"Quote:"`` on the same line. Signatures are trailing lines: an RFC 3676
``"-- "`` delimiter and what follows it (a few lines at most), ``"Sent from my iPhone"``-style
mail footers, and a short ``"~Name"`` / ``"-- Name"`` sign-off.
"""

from __future__ import annotations

import re

_PRELUDE = re.compile(
    r"^(?:(?:on|at)\b.{0,80}?,\s*)?[^\n:]{1,60}?\s(?:wrote|said|writes|says)\s*:\s*$"
    r"|^(?:quote|quoting\b[^:\n]{0,60})\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_QUOTE_LINE = re.compile(r"^\s*(?:>\s?)+")
_SIG_DELIMITER = re.compile(r"^(?:--|—|–)\s*$")
_SIGN_OFF = re.compile(r"^(?:~|--|—|–)\s*[\w.' -]{1,40}$", re.UNICODE)
_MAIL_FOOTER = re.compile(
    r"^(?:sent from my \S.{0,40}|sent (?:from|with|via) (?:yahoo|aol|outlook|gmail|mail|proton|samsung|blackberry)\b.{0,40}"
    r"|get outlook for \w+)$",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 6
_MAX_SIGN_OFF_WORDS = 4


def _paragraphs(text: str) -> list[list[str]]:
    return [block.split("\n") for block in text.split("\n\n") if block.strip()]


def _split_paragraph(lines: list[str], quoting: bool) -> tuple[list[str], list[str], bool]:
    """Own lines, quoted lines, and whether the paragraph ends in a prelude (quote follows)."""
    own: list[str] = []
    quoted: list[str] = []
    pending = False
    for line in lines:
        prelude = _PRELUDE.match(line.strip()) if len(line) <= 160 else None
        if _QUOTE_LINE.match(line):
            quoted.append(_QUOTE_LINE.sub("", line))
            pending = False
        elif prelude:
            quoted.append(line)
            quoting = pending = not (prelude.group("rest") or "").strip()
        elif quoting:
            quoted.append(line)
            pending = False
        else:
            own.append(line)
    return own, quoted, pending


def split_quoted(text: str) -> tuple[str, str]:
    """(own words, quoted text) of a comment's text; paragraphs keep their blank lines."""
    own: list[str] = []
    quoted: list[str] = []
    pending = False
    for lines in _paragraphs(text):
        mine, theirs, pending = _split_paragraph(lines, quoting=pending)
        if mine:
            own.append("\n".join(mine))
        if theirs:
            quoted.append("\n".join(theirs).strip())
    return "\n\n".join(own).strip(), "\n\n".join(q for q in quoted if q).strip()


def _trailing_signature_start(lines: list[str]) -> int | None:
    """Index of the first line of a trailing signature block, or None."""
    for back in range(1, min(len(lines), _MAX_SIGNATURE_LINES + 1) + 1):
        if _SIG_DELIMITER.match(lines[-back].strip()):
            return len(lines) - back
    last = lines[-1].strip()
    if _MAIL_FOOTER.match(last):
        return len(lines) - 1
    if _SIGN_OFF.match(last) and len(last.split()) <= _MAX_SIGN_OFF_WORDS:
        return len(lines) - 1
    return None


def strip_signature(text: str) -> str:
    """Text without its trailing signature lines (repeated: a sign-off above a mail footer)."""
    lines = text.rstrip().split("\n")
    while lines:
        start = _trailing_signature_start(lines)
        if start is None:
            break
        lines = lines[:start]
        while lines and not lines[-1].strip():
            lines.pop()
    return "\n".join(lines).strip()
