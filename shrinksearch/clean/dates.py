"""Dates to timezone-aware UTC, whatever form a platform gave them in.

Raw records already carry ISO 8601 datetimes (the contract); this also takes the free-form
strings some blog templates show ("March 1, 2008 at 2:05 PM", "3/1/08 2:05 PM") for
crawlers that have nothing better. A date without a zone is taken as UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import dateparser  # type: ignore[import-untyped]  # no stubs published

_PARSER_SETTINGS = {
    "TIMEZONE": "UTC",
    "TO_TIMEZONE": "UTC",
    "RETURN_AS_TIMEZONE_AWARE": True,
    "PREFER_DATES_FROM": "past",
    # Without this, a string with no day or no year gets today's, which is never right here.
    "REQUIRE_PARTS": ["day", "month", "year"],
    # Relative dates ("yesterday") depend on the clock: not reproducible, so not parsed.
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
}


EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
"""No blog post or comment is older: an earlier date is a placeholder (0001-01-01) or a typo."""
CLOCK_SKEW = timedelta(days=1)
"""How far after the crawl a date may be (time zones, clocks) before it is impossible."""


def plausible(value: datetime | None, crawled: datetime) -> datetime | None:
    """``value`` if a post or comment crawled at ``crawled`` can bear it, else None.

    Dates such as 0001-01-01 or 9999-12-31 parse, but would put the document at the top of
    every date sort and stretch timelines over millennia."""
    if value is None or EARLIEST <= value <= crawled + CLOCK_SKEW:
        return value
    return None


def to_utc(value: datetime | str | None) -> datetime | None:
    """An aware UTC datetime, or None for None, "" and text that is not a full date."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return _aware_utc(value)
    if not value.strip():
        return None
    parsed = dateparser.parse(value.strip(), languages=None, settings=_PARSER_SETTINGS)
    return _aware_utc(parsed) if parsed else None


def _aware_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)
