"""Who is quoted: links from a strong "who" document to the earlier documents it quotes.

Blog conversations run across documents: a post answers a comment ("an anonymous commenter
talked about … 'No, I understand you've got a life'"), a comment quotes another. The
person quoted is part of that discussion even when their own words never name its
concepts: the seed post calls the anonymous commenter's experience transference; her
comment only says her therapist asks whether she feels abandoned during vacations.

``extract_quotes`` finds quoted passages (inline quotation marks in the text, and a
comment's separated ``quoted_text``); ``quote_bodies`` looks each up as a phrase in earlier
documents; people.py gives the quoted person a share of the quoting document's scores.
"""

from __future__ import annotations

import re

from shrinksearch.search.results import Hit

MIN_WORDS = 4  # "I was the thing that could be moved" yes; "fine" or "have fun" no
MAX_WORDS = 30
MAX_QUOTES_PER_DOC = 5

_INLINE = re.compile(r'["“]([^"“”]{10,400})["”]')
_WORD = re.compile(r"[\w']+")


def extract_quotes(text: str, quoted_text: str = "") -> list[str]:
    """Quoted passages worth looking up, longest first (at most MAX_QUOTES_PER_DOC)."""
    found = [m.group(1) for m in _INLINE.finditer(text or "")]
    found += [p for p in re.split(r"\n\s*\n", quoted_text or "") if p.strip()]
    passages = [_clip(p) for p in found]
    usable = [p for p in dict.fromkeys(passages) if len(p.split()) >= MIN_WORDS]
    return sorted(usable, key=lambda p: -len(p.split()))[:MAX_QUOTES_PER_DOC]


def _clip(passage: str) -> str:
    # Words only (a phrase query ignores punctuation anyway), at most MAX_WORDS of them.
    return " ".join(_WORD.findall(passage)[:MAX_WORDS])


def quote_body(source: Hit, passage: str, filters: list[dict], excludes: list[str], highlight: dict) -> dict:
    """The earlier documents (other than ``source``) containing ``passage``, best first."""
    earlier = [{"range": {"published": {"lte": source.published}}}] if source.published else []
    return {
        "size": 3,
        "query": {
            "bool": {
                "must": [{"match_phrase": {"text": {"query": passage, "slop": 2}}}],
                "must_not": [{"ids": {"values": [source.id]}}],
                "filter": filters + earlier,
            }
        },
        "_source": {"excludes": excludes},
        "highlight": highlight,  # the quoted words, marked
        "track_total_hits": False,
    }
