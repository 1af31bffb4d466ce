"""Dates as crawled: exact instants from feeds and APIs, and dates shown on pages.

``iso_utc`` turns a datetime, an ISO 8601 / RFC 822 string or a human date into ISO UTC.
``shown_date`` reads a date as a page displays it, in the page's language, and says how much
of it is known (``DateBasis``): an instant (the zone is known), a local wall-clock time (the
zone is not: never presented as exact UTC), or a day.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone
from typing import Any

from parsel import Selector
from pydantic import TypeAdapter

from crawlers.markup.text import first
from shrinksearch.records import DateBasis, UtcDatetime

_utc = TypeAdapter(UtcDatetime)

# DateBasis (from the records, which carry it): how much a crawled date says — ``instant``
# (zone known: feeds, APIs, ``datetime`` attributes with an offset, Blogger's
# ``showComment=<epoch ms>``), ``local`` (a wall-clock time shown without its zone, stored
# as if UTC), ``day`` (a date without a time).
BASIS_RANK: dict[str | None, int] = {"instant": 3, "local": 2, "day": 1, None: 0}
"""How much a date of each basis says: of two dates for one record, the higher rank wins."""
__all__ = ["BASIS_RANK", "DateBasis", "declared_language", "epoch_ms_utc", "iso_utc", "page_languages", "shown_date"]


def iso_utc(value: Any) -> str | None:
    """ISO 8601 UTC (``...Z``) for a datetime, an ISO / RFC 822 string or a human date."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, datetime) else _parse_date_text(str(value).strip())
    return _utc.dump_python(_utc.validate_python(parsed), mode="json") if parsed else None


def _parse_date_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    # imported here, as feedparser below: feeds and APIs give ISO dates, and every crawl's
    # process pays for what its modules import (an incremental crawl is mostly start-up)
    import dateparser  # type: ignore[import-untyped]

    return dateparser.parse(
        text.replace(" at ", " "),
        languages=["en"],
        settings={"TIMEZONE": "UTC", "RETURN_AS_TIMEZONE_AWARE": True, "PREFER_DAY_OF_MONTH": "first"},
    )


def epoch_ms_utc(value: str) -> str | None:
    """ISO UTC for Blogger's ``showComment=<epoch milliseconds>``."""
    number = int(value)
    seconds = number / 1000 if number > 10**11 else number
    return iso_utc(datetime.fromtimestamp(seconds, tz=timezone.utc))



_HAS_TIME = re.compile(r"(?<![\d.])\d{1,2}\s*[:h.]\s*\d{2}(?![\d.])|\b\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)", re.IGNORECASE)
_HAS_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_HAS_DAY = re.compile(r"\d")
_TIME_ONLY = re.compile(r"^\s*\d{1,2}\s*[:h.]\s*\d{2}(?:\s*[:.]\s*\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


def declared_language(sel: Selector) -> str | None:
    """The language a page says it is in: ``<html lang>`` (or ``xml:lang``), else
    ``og:locale``, else a ``Content-Language`` meta tag."""
    return (sel.xpath("normalize-space(/html/@lang | /html/@*[local-name()='lang'])").get() or None) or first(
        sel, "meta[property='og:locale']::attr(content)", "meta[http-equiv='content-language' i]::attr(content)")


def page_languages(lang: str | None) -> list[str] | None:
    """dateparser languages for a page's ``<html lang>`` (``es-ES`` → ``["es", "en"]``);
    None lets dateparser detect the language."""
    code = (lang or "").strip().lower().replace("_", "-").split("-")[0]
    if not code or not code.isalpha():
        return None
    return [code] if code == "en" else [code, "en"]


_NUMERIC_DATE = re.compile(r"^(\d{1,2})([./])\s*(\d{1,2})\2\s*(\d{4}|\d{2})(?!\d)")


def _numeric_to_iso(text: str, languages: list[str] | None) -> str:
    """"07.08.09 10:25" → "2009-08-07 10:25": an all-numbers date in the order its page's
    language writes it (day first, except US-style "8/7/2009" on an English page), before
    dateparser, which reads "07.08.09" as a time and prefers month first with "en" listed."""
    match = _NUMERIC_DATE.match(text)
    if not match:
        return text
    first, separator, second, year = int(match[1]), match[2], int(match[3]), match[4]
    month_first = separator == "/" and (languages or ["en"])[0] == "en" and second <= 31 and first <= 12
    day, month = (second, first) if month_first else (first, second)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return text
    full_year = int(year) if len(year) == 4 else 2000 + int(year) if int(year) < 70 else 1900 + int(year)
    return f"{full_year:04d}-{month:02d}-{day:02d}" + text[match.end():]


def shown_date(text: str | None, languages: list[str] | None = None,
               after: str | None = None) -> tuple[str | None, DateBasis | None]:
    """A date as a page shows it ("25 de julio de 2010, 6:24", "10. September 2017 um 18:12"),
    read in the page's ``languages``: ISO UTC and how much of it is known.

    A time without its zone is kept as shown (``local``), never converted as if it were UTC
    somewhere else; a time alone ("21:00") is no date. ``after`` (ISO) completes a date shown
    without its year (a comment's "Jun 20th at 2:41 am" is the first such day after its post)."""
    text = _numeric_to_iso(" ".join((text or "").split()), languages)
    if not text or _TIME_ONLY.match(text) or not _HAS_DAY.search(text):
        return None, None
    try:  # machine-readable values first (``datetime`` attributes, feeds)
        exact = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        exact = None
    if exact is not None:
        basis: DateBasis = "instant" if exact.tzinfo else ("local" if "T" in text or ":" in text else "day")
        return iso_utc(exact), basis
    from dateparser.date import DateDataParser  # type: ignore[import-untyped]  # lazily: see _parse_date_text

    settings: dict[str, Any] = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first"}
    if after and not _HAS_YEAR.search(text):
        settings.update(RELATIVE_BASE=datetime.fromisoformat(after.replace("Z", "+00:00")).replace(tzinfo=None),
                        PREFER_DATES_FROM="future")
    cleaned = re.sub(r"\s+(?:at|um|om|à|a las|alle)\s+", " ", text)
    found = DateDataParser(languages=languages, settings=settings).get_date_data(cleaned).date_obj
    if found is None:
        return None, None
    if found.tzinfo is not None:
        return iso_utc(found), "instant"
    return iso_utc(found.replace(tzinfo=timezone.utc)), ("local" if _HAS_TIME.search(text) else "day")
