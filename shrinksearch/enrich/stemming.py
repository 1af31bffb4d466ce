"""Words and their stems, with positions, so matches can be quoted from the original text.

English Snowball (Porter2) through PyStemmer: "vacations", "vacationing" and "vacation" share
the stem ``vacat``; "rescheduled" and "reschedule" share ``reschedul``. Snowball also joins
some derived words ("transference" and "transfer"), which is why single-term matches are
weak evidence in tagging and need corroboration (see ``tagging``).
"""

from __future__ import annotations

import re
import threading
from typing import NamedTuple

import Stemmer

# Letters and digits; an apostrophe splits ("don't" -> "don", "t"), as in the seed text.
_WORD = re.compile(r"[^\W_]+")
# PyStemmer objects are not thread-safe and Prefect runs tasks in threads: one per thread.
_local = threading.local()


class Token(NamedTuple):
    start: int
    end: int
    stem: str


def _stemmer() -> Stemmer.Stemmer:
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = Stemmer.Stemmer("english")
    return stemmer


def words(text: str) -> list[str]:
    """The lowercased words of a text, in order."""
    return [match.group().casefold() for match in _WORD.finditer(text)]


def stem(word: str) -> str:
    """The Snowball stem of one lowercased word."""
    return str(_stemmer().stemWord(word.casefold()))


def stems(text: str) -> tuple[str, ...]:
    """Stems of every word of a text: how terms and phrases are compared."""
    return tuple(_stemmer().stemWords(words(text)))


def tokenize(text: str) -> list[Token]:
    """Every word of ``text`` with its character span and stem."""
    found = list(_WORD.finditer(text))
    stemmed = _stemmer().stemWords([match.group().casefold() for match in found])
    return [Token(match.start(), match.end(), str(s)) for match, s in zip(found, stemmed)]
