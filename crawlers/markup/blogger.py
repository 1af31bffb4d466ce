"""Blogger's comment markups on post pages, in every template family real blogs use.

- **threaded** (Layouts templates since 2012, Contempo and the other current themes):
  ``div.comment-thread > ol > li.comment#c<id>``, replies in ``ol#c<id>-ra`` (each wrapped
  in a ``div``), ``cite.user``, ``p.comment-content``, ``span.datetime > a`` whose href
  carries ``showComment=<epoch ms>`` — also when wget rewrote the ``?`` (``%3F``) or made a
  file name of it. Blogger threads one level deep.
- **Layouts** (2007–2012): ``dl#comments-block`` with ``dt.comment-author#c<id>`` ("Name
  said..."), ``dd.comment-body``, ``dd.comment-footer > span.comment-timestamp > a``.
- **Classic** templates (before 2007, still served by old blogs): ``dt.comment-poster``
  with ``span.anon-comment-author`` for the nameless, ``dd.comment-body``,
  ``dd.comment-timestamp > a[href="#c<id>"]``; and templates their owners wrote themselves,
  where only Blogger's ``<a name="c<id>">`` anchor before each comment is certain.

Dates: ``showComment=<epoch ms>`` is the exact instant; otherwise the shown text is read in
the page's language (``<html lang>``, else the locale Blogger writes into the page's
scripts) and kept as a local time. Comments whose text Blogger removed
(``span.deleted-comment``: "This comment has been removed by the author.") are left out:
the notice is not the commenter's words.
"""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector, SelectorList

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import DateBasis, epoch_ms_utc, page_languages, shown_date
from crawlers.markup.text import first, inner_html
from shrinksearch.clean.authors import shown_name

_SHOW_COMMENT = re.compile(r"showComment=(\d{10,13})")
_COMMENT_ID = re.compile(r"^c(\d+)$")
_LOCALE = re.compile(r"""['"]locale(?:UnderscoreDelimited)?['"]\s*:\s*['"]([A-Za-z]{2,3})(?:[-_][A-Za-z]+)?['"]""")
_HAS_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_OUTER_COMMENT = "ancestor::li[" + _HAS_CLASS.format("comment") + "][1]/@id"
_NOT_AVATAR = "not(ancestor::*[contains(@class, 'avatar-image-container') or (self::span and contains(@class, 'comment-icon'))])"


def blogger_languages(sel: Selector) -> list[str] | None:
    """dateparser languages of a Blogger page: ``<html lang>``, else the ``'locale'`` Blogger
    writes into its widget scripts (most templates leave ``lang`` out); None: detect."""
    lang = sel.xpath("/html/@lang").get()
    if not lang:
        for script in sel.xpath("//script[contains(., 'locale')]/text()").getall():
            found = _LOCALE.search(script)
            if found:
                lang = found[1]
                break
    return page_languages(lang)


def comment_date(href: str | None, text: str | None, languages: list[str] | None) -> tuple[str | None, DateBasis | None]:
    """A comment's date from its permalink (``showComment=<ms>``: exact) or its shown text."""
    shown = _SHOW_COMMENT.search(href or "")
    if shown:
        return epoch_ms_utc(shown[1]), "instant"
    return shown_date(text, languages)


def _removed(body: SelectorList[Selector] | Selector) -> bool:
    return bool(body.css("span.deleted-comment"))


# --- threaded -----------------------------------------------------------------------------


def blogger_threaded_comments(sel: Selector) -> list[dict[str, Any]]:
    """The threaded layout (also Contempo's when its comments are in the page)."""
    languages = blogger_languages(sel)
    out = []
    for li in sel.xpath("//li[" + _HAS_CLASS.format("comment") + "][starts-with(@id, 'c')]"):
        match = _COMMENT_ID.match(li.attrib.get("id", ""))
        block = li.xpath("./div[contains(@class, 'comment-block')]")
        if not match or not (block or li.xpath("ancestor::*[contains(@class, 'comment-thread')]")):
            continue  # WordPress and others use li.comment too, with other ids and no Blogger block
        block = block or SelectorList([li])
        body = block.css(".comment-content")
        if _removed(body):
            continue
        parent = li.xpath(_OUTER_COMMENT).get()
        stamp = block.css(".datetime a, .comment-timestamp a")
        when, basis = comment_date(stamp.attrib.get("href") if stamp else None,
                                   first(block, ".datetime a::text", ".datetime::text"), languages)
        out.append(comment(
            match[1], parent[1:] if parent and _COMMENT_ID.match(parent) else None,
            first(block, "cite.user a::text", "cite.user::text", ".comment-header .user::text"),
            block.css("cite.user a::attr(href)").get(), when, inner_html(body[0]) if body else "", basis,
        ))
    return dedupe_by_id(out)


# --- Layouts and Classic: dl#comments-block -------------------------------------------------


def blogger_classic_comments(sel: Selector) -> list[dict[str, Any]]:
    """Layouts' and Classic's ``dl#comments-block``, else a Classic template of the blog
    owner's making, found by Blogger's ``<a name="c<id>">`` anchors. No threading."""
    languages = blogger_languages(sel)
    return dedupe_by_id(_dl_comments(sel, languages) or _anchored_comments(sel, languages))


def _dl_comments(sel: Selector, languages: list[str] | None) -> list[dict[str, Any]]:
    terms = sel.xpath("//dl[@id='comments-block' or " + _HAS_CLASS.format("comments-block") + "]/dt"
                      "[contains(@class, 'comment-author') or contains(@class, 'comment-poster') or starts-with(@id, 'c')]")
    said = _said_suffix(terms)
    out = []
    for dt in terms:
        cid = _COMMENT_ID.match(dt.attrib.get("id") or dt.xpath(".//a[starts-with(@name, 'c')]/@name").get() or "")
        body = _definitions(dt, "comment-body")
        if _removed(body):
            continue
        stamp = (_definitions(dt, "comment-footer") or _definitions(dt, "comment-timestamp")).css("a[href]")
        stamp = SelectorList([s for s in stamp if "delete" not in (s.attrib.get("href") or "")])
        when, basis = comment_date(stamp[0].attrib.get("href") if stamp else None,
                                   " ".join(stamp[0].xpath(".//text()").getall()) if stamp else None, languages)
        name, url = _author(dt, said)
        out.append(comment(cid[1] if cid else None, None, name, url, when, inner_html(body[0]) if body else "", basis))
    return out


def _definitions(dt: Selector, css_class: str) -> SelectorList[Selector]:
    """The ``dd.<css_class>`` belonging to ``dt`` (before the next ``dt``)."""
    for sibling in dt.xpath("following-sibling::*[self::dd or self::dt]"):
        if sibling.root.tag == "dt":
            break
        if css_class in (sibling.attrib.get("class") or "").split():
            return SelectorList([sibling])
    return SelectorList([])


def _author(node: Selector, said: str | None, bare_text: bool = True) -> tuple[str | None, str | None]:
    """A commenter's name and link: the profile link, ``span.anon-comment-author``, or (when
    ``bare_text``) the "Name said..." text with the localized "said" taken off."""
    for link in node.xpath(".//a[@href][" + _NOT_AVATAR + "]"):
        text = " ".join(" ".join(link.xpath(".//text()").getall()).split())
        if text and not (link.attrib.get("href") or "").startswith("#"):
            return text, link.attrib["href"]
    anonymous = first(node, ".anon-comment-author::text")
    if anonymous or not bare_text:
        return anonymous, None
    text = " ".join(" ".join(node.xpath(".//text()[" + _NOT_AVATAR + "]").getall()).split())
    if said and text.endswith(said):
        text = text[: -len(said)]
    return shown_name(text) or None, None


def _said_suffix(terms: SelectorList[Selector]) -> str | None:
    """The page's own "said..." string, read after a linked name ("dijo...", "ha detto...")."""
    for dt in terms:
        after = dt.xpath(".//a[@href][" + _NOT_AVATAR + "][normalize-space()][1]/following-sibling::text()").getall()
        text = " ".join(" ".join(after).split())
        if text:
            return text
    return None


# --- Classic templates of the owner's making: anchors ------------------------------------


def _anchored_comments(sel: Selector, languages: list[str] | None) -> list[dict[str, Any]]:
    """``<a name="c<id>"></a>`` then the comment's block: its byline (a name, a permalink
    ``#<id>``/``#c<id>`` holding the date) and a body whose class names a body."""
    out = []
    for anchor in sel.xpath("//a[starts-with(@name, 'c')][not(@href)][not(ancestor::dl)]"):
        cid = _COMMENT_ID.match(anchor.attrib.get("name", ""))
        block = anchor.xpath("following-sibling::*[1]")
        if not cid or not block:
            continue
        body = block.xpath(".//*[contains(translate(@class, 'BODY', 'body'), 'body')]") or block
        if _removed(body):
            continue
        stamp = block.xpath(f".//a[@href='#{cid[1]}' or @href='#c{cid[1]}' or contains(@href, 'showComment=')]")
        when, basis = comment_date(stamp.attrib.get("href") if stamp else None,
                                   " ".join(stamp[0].xpath(".//text()").getall()) if stamp else None, languages)
        byline = block.xpath(".//*[contains(translate(@class, 'BYLINEPOSTER', 'bylineposter'), 'byline') or "
                             "contains(translate(@class, 'BYLINEPOSTER', 'bylineposter'), 'poster')]") or block
        name, url = _author(byline[0], None, bare_text=False)
        out.append(comment(cid[1], None, name, url, when, inner_html(body[0]), basis))
    return out
