"""Plain-text repair: mojibake, control characters, whitespace, binary-garbage detection."""

from __future__ import annotations

import re
import unicodedata

import ftfy

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*(?:\n\s*)*")

# Share of suspicious characters above which a text is taken for bytes decoded as text.
BINARY_RATIO = 0.10


def repair_text(text: str) -> str:
    """Fix mojibake and odd characters (ftfy), then normalise whitespace.

    Paragraphs stay separated by exactly one blank line; lines inside a paragraph keep
    their single newlines (a quote marker or a signature may depend on them).
    """
    fixed = ftfy.fix_text(text, normalization="NFC")
    fixed = _CONTROL.sub(" ", fixed.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in fixed.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _suspicious(char: str) -> bool:
    # NUL and other C0/C1 controls, U+FFFD from failed decoding, and private-use or
    # unassigned code points: ordinary prose has almost none of them.
    if char in "\n\r\t":
        return False
    return char == "\ufffd" or unicodedata.category(char) in {"Cc", "Co", "Cn", "Cs"}


def looks_binary(text: str, sample: int = 20_000) -> bool:
    """True when the text looks like binary data served as text (checks a bounded sample)."""
    head = text[:sample]
    if not head:
        return False
    if "\x00" in head:
        return True
    return suspicious_count(head) / len(head) > BINARY_RATIO


_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def suspicious_count(text: str) -> int:
    """How many characters of ``text`` are ``_suspicious``. Regexes find the candidates (ASCII
    controls; anything non-ASCII, checked one by one): a Python loop over every character
    was a fifth of the cleaning stage's time."""
    return len(_ASCII_CONTROL.findall(text)) + sum(1 for char in _NON_ASCII.findall(text) if _suspicious(char))
