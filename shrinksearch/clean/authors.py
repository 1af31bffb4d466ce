"""Author names: one display form and one key per person, and the author's role.

The key folds what differs between one person's spellings of a name — case, accents,
punctuation, spaces — so "Dr. Kat", "Dr Kat" and "dr kat" join under ``drkat``. Every
way of being nobody in particular ("Anonymous", "anon", "Unknown", empty) becomes the
display name "Anonymous" with key ``anonymous``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

ANONYMOUS = "Anonymous"
ANONYMOUS_KEY = "anonymous"

# Keys (already folded: accents stripped) that mean "no name given", as Blogger, WordPress
# and their themes print them in the languages blogs are written in.
_ANONYMOUS_KEYS = frozenset(
    {"", "anonymous", "anon", "anonymouse", "unknown", "none", "null", "guest", "anonimo", "anonyme", "anonym",
     "anoniem", "anonimowy", "anonymni", "anonimo", "anonymt", "anonyymi", "anonimas", "unbekannt",
     "desconocido", "desconhecido", "inconnu", "sconosciuto", "onbekend", "nieznany", "gast", "invitado",
     "invite", "ospite", "convidado"}
)
# Blogger's classic markup puts "Sarebear said..." in the author element, in the blog's
# language ("Anónimo dijo...", "Anonym hat gesagt…", "Anonyme a dit…", "Anonimo ha detto...").
_SAID_SUFFIX = re.compile(
    r"\s+(?:said|says|wrote|dijo|escribió|hat gesagt|sagte|schrieb|a dit|a écrit|ha detto|ha scritto|disse|"
    r"escreveu|zei|schreef|napisał|napisała|skrev|kirjoitti)\s*(?:\.{2,}|…|:)?\s*$",
    re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


def author_key(name: str | None) -> str:
    """The key joining one person's spellings: accents stripped, case folded, letters and digits only."""
    display = display_name(name)
    if display == ANONYMOUS:
        return ANONYMOUS_KEY
    return _fold(display) or ANONYMOUS_KEY


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_ALNUM.sub("", without_marks)


def strip_said(name: str | None) -> str:
    """A name without the localized "said..." Blogger's classic markups print after it."""
    return _SAID_SUFFIX.sub("", _SPACES.sub(" ", name or "").strip())


def display_name(name: str | None) -> str:
    """The name as shown: whitespace tidied, a trailing "said..." removed, "Anonymous" for none."""
    tidy = strip_said(name)
    if _fold(tidy) in _ANONYMOUS_KEYS:
        return ANONYMOUS
    return tidy


def author_role(key: str, post_author_key: str | None, *, is_post: bool) -> Literal["blogger", "commenter"]:
    """Posts are by bloggers; a comment is too when its author is the post's (named) author."""
    if is_post:
        return "blogger"
    if key != ANONYMOUS_KEY and key == post_author_key:
        return "blogger"
    return "commenter"
