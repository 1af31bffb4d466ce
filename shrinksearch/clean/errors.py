"""Why a crawled record cannot become a document.

``RejectedRecord`` is raised by cleaning for records nothing useful can be made of; the flow
catches it and writes the record with ``reason`` to the rejects file, then moves on.
It is not a user error (``shrinksearch.exceptions``): it describes bad input data.
"""

from __future__ import annotations


class RejectedRecord(ValueError):
    """A record set aside; ``reason`` is a short, stable, human-readable explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
