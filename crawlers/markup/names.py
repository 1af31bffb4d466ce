"""Author names as crawled: one normal form for "nobody in particular", the shown name kept.

Blogger, WordPress and their themes print a nameless comment in the blog's language
("Anónimo", "Anonyme", "Anonym", "Unknown", "Anonymous said…"). The records carry
``author`` in the project's normal form ("Anonymous" for all of those) and ``author_shown``,
the name as the page printed it, when the two differ.
"""

from __future__ import annotations

from shrinksearch.clean.authors import display_name, shown_name


def author_fields(shown: str | None) -> dict[str, str | None]:
    """``author`` and ``author_shown`` for a name as a page or feed shows it (None: no name)."""
    tidy = shown_name(shown)  # "Anónimo dijo..." is the name "Anónimo", introduced
    if not tidy:
        return {"author": None, "author_shown": None}
    normal = display_name(tidy)
    return {"author": normal, "author_shown": tidy if tidy != normal else None}
