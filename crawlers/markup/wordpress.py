"""WordPress comment threads as themes print them (``wp_list_comments`` and its look-alikes).

Real themes print a comment thread in many ways: core's HTML5 style (``article.comment-body``
with ``footer.comment-meta``, ``time[datetime]``), the older style (``div.comment-author
vcard`` with ``cite.fn`` … "says:" and ``div.comment-meta`` holding the date as a link text),
Twenty Twelve (``li#li-comment-N`` > ``article#comment-N``), Genesis
(``span.comment-author-name``, ``time.comment-time``), Avada (``div.the-comment``, the date as
bare text), Divi (``span.comment_date``), Astra (``.ast-comment-*``), wordpress.com themes
(``cite.comment-author``, "Jun 20th at 2:41 am" without a year), the wpDiscuz plugin
(``div.wc-comment#wc-comm-<id>_<parent>``). Replies nest in ``ol.children``/``ul.children``,
sometimes placed after the parent's ``</li>`` (malformed HTML the parser does not nest).

So ``wordpress_comments`` finds the comment items by what every variant shares (``li.comment``,
``#comment-<id>``, ``#li-comment-<id>``), then reads each field from a list of places, the
most specific first. Threading comes from core's ``depth-N`` classes when every item has one
(they survive malformed nesting), else from the nesting itself. Pingbacks and trackbacks are
not comments by people and are left out. ``declared_comments`` reads a "12 comments" /
"12 Kommentare" header; ``comment_page_links`` finds the other pages of a paginated thread.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import DateBasis, shown_date

_CLASS = "contains(concat(' ', normalize-space(@class), ' '), ' {} ')"
_ITEM_XPATH = (
    "//li[({c}) or starts-with(@id, 'comment-') or starts-with(@id, 'li-comment-')]"
    " | //div[({c}) and starts-with(@id, 'comment-')]"  # wp_list_comments(style=div): Twenty Twenty
    " | //div[starts-with(@id, 'wc-comm-')]"
).format(c=_CLASS.format("comment"))
_NOT_PEOPLE = ("pingback", "trackback")
_ID_PATTERNS = (re.compile(r"^(?:li-|div-|article-)?comment-(\d+)$"), re.compile(r"^wc-comm-(\d+)_(\d+)$"))
_DEPTH = re.compile(r"\bdepth-(\d+)\b")

AUTHOR_PLACES = (
    ".comment-author .fn", ".comment-author-name", ".wc-comment-author", ".fn", "cite.comment-author",
    ".comment__author-name", ".comment-author-link", "[class*='author-name']", "[class*='author_name']",
    "[class*='item-author']", ".comment-author strong", ".comment-author cite", ".comment_author", ".comment-author",
    ".commenter", ".comment-header h3", ".comment-header h4", ".author", "a.url", "cite", "[class*='author']",
)
"""Where themes put the commenter's name, most specific first."""

DATE_PLACES = (
    ".comment-metadata", ".commentmetadata", ".comment-time", ".comment-date", ".comment_date", ".wc-comment-date",
    ".ast-comment-time", ".comment-meta", ".comment_meta", "time", ".date", ".comment-info", "[class*='date']",
    "[class*='time']", ".comment-author", ".comment_author", "cite",
)
"""Where themes print the comment's date as text (when no ``time[datetime]`` says it exactly)."""

CONTENT_PLACES = (
    ".comment-content", ".comment-text", ".comment_text", ".contenttext", ".wc-comment-text", ".ast-comment-content",
    ".comment-entry", ".comment-body-content", ".comment_box", "[class*='comment-text']", "[class*='item-text']",
    "[class*='comment__content']", "[class*='comment-content']",
)
"""Where themes put the comment's text."""

_NOT_CONTENT = (
    "comment-author", "comment-meta", "commentmetadata", "comment-metadata", "reply", "comment-reply", "comment-footer",
    "comment-likes", "sharedaddy", "comment-header", "wc-comment-footer", "comment-awaiting-moderation", "says",
    "comment-avatar", "avatar", "vcard", "comment_postinfo", "comment-reply-link", "comment-edit-link",
)
"""Classes of what sits beside the text in a comment block (names, dates, reply links, likes)."""

_LEADING_WORDS = re.compile(r"^(?:am|on|le|el|il|op|em|den|posted on|veröffentlicht am|publié le|\||-|–)\s+",
                            re.IGNORECASE)
_SLASHED_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTH_FIRST_REGIONS = ("us", "ph", "ca", "fm", "mh", "pw", "gu", "pr", "as", "um", "vi")


def wordpress_comments(sel: Selector, languages: list[str] | None = None, after: str | None = None,
                       lang: str | None = None) -> list[dict[str, Any]]:
    """The comments of a WordPress page in document order (``comment(...)`` dicts).

    ``languages`` are the page's dateparser languages, ``lang`` its ``<html lang>`` (for the
    order of "04/05/2020"), ``after`` the post's date (completes dates shown without a year)."""
    items = comment_items(sel)
    if not items:
        return []
    roots = {id(item.root) for item in items}
    parents = _parents(items, roots)
    out = []
    for item in items:
        own = _Own(item, roots)
        cid, (author, author_url) = _comment_id(item, own), _author(own)
        if cid is None and author is None:  # a "comment" button in share tools, not a comment
            continue
        when, basis = _date(own, languages, after, lang)
        out.append(comment(cid, parents[id(item.root)], author, author_url, when, _content(item, own, roots), basis))
    return dedupe_by_id(out)


def comment_items(sel: Selector) -> list[Selector]:
    """The comment items of a page: people's comments only, outermost elements, document order."""
    found = [item for item in sel.xpath(_ITEM_XPATH) if not _is_ping(item) and _in_thread(item)]
    keep = {id(item.root) for item in found}
    # Twenty Twelve's ``li#li-comment-N`` holds ``article#comment-N``: one comment, not two
    return [item for item in found if not any(id(a) in keep for a in item.root.iterancestors())
            or _is_reply_container(item)]


def _is_reply_container(item: Selector) -> bool:
    """An item nested in another one through a replies list (``ol.children``) is a reply."""
    for ancestor in item.root.iterancestors():
        classes = (ancestor.get("class") or "").split()
        if "children" in classes or "wc-reply" in classes or (ancestor.get("id") or "").startswith("wc-comm-"):
            return True
        if ancestor.tag == "li" and ("comment" in classes or (ancestor.get("id") or "").startswith(("comment-", "li-comment-"))):
            return False
    return False


def _is_ping(item: Selector) -> bool:
    classes = (item.attrib.get("class") or "").split()
    if any(kind in classes for kind in _NOT_PEOPLE):
        return True
    if item.xpath("ancestor::*[@id='trackbacks' or @id='pings' or contains(@class, 'pinglist')]"):
        return True
    text = " ".join(item.xpath("string(.)").get("").split())
    return text.lower().startswith(("pingback", "trackback")) and not item.css(".comment-author, .fn")


_MAIN_IDS = frozenset({"content", "main", "primary", "maincontent", "main-content", "container"})
_MAIN_CLASSES = frozenset({"content-area", "site-main", "widecolumn", "main-content", "site-content", "entry-content"})


def _in_thread(item: Selector) -> bool:
    """Not a sidebar or footer widget that lists recent comments. Walking up, the page's
    main column is met before any widget (malformed pages nest the main column in one)."""
    for ancestor in item.root.iterancestors():
        if ancestor.tag in ("body", "html"):
            break
        classes = (ancestor.get("class") or "").split()
        if ancestor.tag in ("main", "article") or ancestor.get("id") in _MAIN_IDS or _MAIN_CLASSES & set(classes):
            return True
        if any(c == "widget" or c.startswith(("widget_", "widget-area")) for c in classes) or (
                ancestor.tag == "aside" and re.search(r"sidebar|secondary|widget", f"{ancestor.get('id')} {classes}")):
            return False
    return True


class _Own:
    """CSS matches inside one comment item but not inside the replies nested in it."""

    def __init__(self, item: Selector, roots: set[int]) -> None:
        self.item = item
        self.roots = roots

    def css(self, query: str) -> list[Selector]:
        return [m for m in self.item.css(query) if self.owns(m.root)]

    def owns(self, element: Any) -> bool:
        for ancestor in element.iterancestors():
            if ancestor is self.item.root:
                return True
            if id(ancestor) in self.roots or "children" in (ancestor.get("class") or "").split():
                return False
        return False

    def first(self, *queries: str) -> Selector | None:
        for query in queries:
            for match in self.css(query):
                if " ".join(match.xpath("string(.)").get("").split()):
                    return match
        return None


# --- ids and threads ----------------------------------------------------------------------


def _comment_id(item: Selector, own: _Own) -> str | None:
    for value in [item.attrib.get("id")] + [m.attrib.get("id") for m in own.css("[id]")]:
        for pattern in _ID_PATTERNS:
            found = pattern.match(value or "")
            if found:
                return found[1]
    reply = own.css("[data-commentid]")
    if reply:
        return reply[0].attrib["data-commentid"]
    for href in [m.attrib.get("href", "") for m in own.css("a[href*='#comment-']")]:
        found = re.search(r"#comment-(\d+)$", href)
        if found:
            return found[1]
    return None


def _parents(items: list[Selector], roots: set[int]) -> dict[int, str | None]:
    """Each item's parent comment id: wpDiscuz ids name it; core's ``depth-N`` classes
    survive malformed nesting; else the nesting of the items."""
    ids = {id(item.root): _comment_id(item, _Own(item, roots)) for item in items}
    depths = [_DEPTH.search(item.attrib.get("class") or "") for item in items]
    parents: dict[int, str | None] = {}
    if all(depths):
        last_at: dict[int, str | None] = {}
        for item, depth in zip(items, depths):
            assert depth is not None
            level = int(depth[1])
            parents[id(item.root)] = last_at.get(level - 1) if level > 1 else None
            last_at[level] = ids[id(item.root)]
        return parents
    for item in items:
        wpdiscuz = _ID_PATTERNS[1].match(item.attrib.get("id") or "")
        if wpdiscuz:
            parents[id(item.root)] = wpdiscuz[2] if wpdiscuz[2] != "0" else None
            continue
        outer = next((a for a in item.root.iterancestors() if id(a) in roots), None)
        parents[id(item.root)] = ids.get(id(outer)) if outer is not None else item.attrib.get("data-parent-id")
    return parents


# --- author -------------------------------------------------------------------------------


def _author(own: _Own) -> tuple[str | None, str | None]:
    place = own.first(*AUTHOR_PLACES)
    if place is None:
        return None, None
    link = next((a for a in place.css("a[href]") if not a.attrib["href"].strip().startswith("#")
                 and "#comment" not in a.attrib["href"] and "replytocom" not in a.attrib["href"]
                 and " ".join(a.xpath("string(.)").get("").split())), None)
    name = _name_text(link if link is not None else place)
    return name, link.attrib["href"].strip() if link is not None else None


_NOT_NAME = (".says", "time", ".comment-date", ".date", "a.comment-reply-link", ".reply", ".screen-reader-text",
             "script", "style", "a[href^='#']", "a[href*='#comment-']", ".comment-metadata", ".comment__links",
             "[class*='badge']", "[class*='comment_author']", ".ast-highlight-text")
"""Inside an author element but not the name: "says:", dates, reply links, "Author" badges."""


def _name_text(place: Selector) -> str | None:
    """The name in an author element, without "says:", the date or reply links beside it."""
    clone = copy.deepcopy(place.root)
    for query in _NOT_NAME:
        for element in Selector(root=clone).css(query):
            if element.root is not clone and element.root.getparent() is not None:
                element.root.getparent().remove(element.root)  # tails too: they hold "said, on …"
    text = " ".join(" ".join(clone.itertext()).split())
    text = re.sub(r"(?:^|\s)(?:says|sagt|schreibt|meint|dit|dice|disse|zegt|écrit|kirjoitti|skriver|scrive|said)\b.*$", "",
                  text, flags=re.IGNORECASE)
    text = re.sub(r"\s+[—–|-]+\s*\d.*$", "", text)  # "Comment by Daniel — 17.07, 2011 @"
    text = re.sub(r"^(?:(?:comment|kommentar|commentaire|comentario|commento)\s+)?(?:von|by|par|por|da|de|door)\s+",
                  "", text, flags=re.IGNORECASE)
    text = re.sub(r"^[|:–—,]+\s+|\s+[|:–—,]+$|:$", "", text.strip())  # separators, not "-thh" or "omg -_-"
    return text.strip() or None


# --- date ---------------------------------------------------------------------------------


def _date(own: _Own, languages: list[str] | None, after: str | None,
          lang: str | None) -> tuple[str | None, DateBasis | None]:
    for stamp in own.css("time[datetime]"):
        value = stamp.attrib["datetime"].strip()
        when, basis = shown_date(value, languages, after)
        if when and "-" in value[:8]:  # machine-readable, not "23. Juni 2016"
            if basis == "day":  # datetime="2020-07-29" shown as "29.07.2020 // 12:56": the text says more
                shown, shown_basis = read_date(stamp.xpath("string(.)").get(""), languages, after, lang)
                if shown and shown_basis == "local" and shown[:10] == when[:10]:
                    return shown, shown_basis
            return when, basis
    for place in DATE_PLACES:
        for match in own.css(place):
            for part in " ".join(match.xpath("string(.)").get("").split()).split("|"):  # "29.07.2006 | Antworten"
                when, basis = read_date(part, languages, after, lang)
                if when:
                    return when, basis
    content = own.first(*CONTENT_PLACES)
    skip = id(content.root) if content is not None else None
    for element in own.item.root.iter():  # Avada, and others: the date as bare text beside the name
        if not isinstance(element.tag, str) or not own.owns(element) or _under(element, skip):
            continue
        for text in (element.text, element.tail):
            if text and re.search(r"\d{4}|\d{1,2}:\d{2}", text):
                when, basis = read_date(text, languages, after, lang)
                if when:
                    return when, basis
    return None, None


def _under(element: Any, ancestor_id: int | None) -> bool:
    return ancestor_id is not None and any(id(a) == ancestor_id for a in [element, *element.iterancestors()])


def read_date(text: str, languages: list[str] | None, after: str | None = None,
              lang: str | None = None) -> tuple[str | None, DateBasis | None]:
    """A date as a theme prints it ("am 9. Juni 2017 um 13:22", "14/04/2020 at 3:00 pm" on an
    en-GB page): leading prepositions dropped, day-first slashed dates put in ISO order."""
    text = " ".join((text or "").split())
    if len(text) > 80:
        return None, None
    text = text.replace("@", " ").replace("\u00b7", " ")
    text = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", r"\1", text)  # "Juni 19th, 2018" (Avada's English format, German month)
    text = re.sub(r"\b(\d{1,2})\.\s?(\d{1,2})\.?,?\s+((?:19|20)\d{2})\b", r"\1.\2.\3", text)  # "17.07, 2011", "18. 05. 2014"
    region = (lang or "").lower().replace("_", "-").partition("-")[2]
    if region not in _MONTH_FIRST_REGIONS and not (not region and (lang or "en").lower().startswith("en")):
        text = _SLASHED_DATE.sub(lambda m: f"{m[3]}-{int(m[2]):02d}-{int(m[1]):02d}", text)
    words = text.split()
    # "Isa 5. Januar 2016 um 20:20", "stephangoeldi said, on August 3, 2019 at 3:12 pm": the
    # date is a tail of the text; try the tails from the longest, a few words at most
    for start in range(min(len(words), 8)):
        tail = " ".join(words[start:])
        if not re.search(r"\d", tail):
            break
        if start and not re.search(r"\d{4}|\d{1,2}:\d{2}", tail):
            continue
        cleaned = _LEADING_WORDS.sub("", _LEADING_WORDS.sub("", tail)).strip(" |-–,")
        when, basis = shown_date(cleaned, languages, after)
        if when:
            return when, basis
    return None, None


# --- text ---------------------------------------------------------------------------------


def _content(item: Selector, own: _Own, roots: set[int]) -> str:
    place = own.first(*CONTENT_PLACES)
    if place is None:
        body = own.first(".comment-body")
        if body is not None and not body.css(".comment-author, .fn, .comment-meta, .commentmetadata"):
            place = body
    if place is not None:
        mixed = bool(place.css(".comment-author, .fn, time, .comment-meta"))  # Golfpost: name and date inside
        return _serialise_children(place.root, roots, skip_meta=mixed)
    return _paragraphs(own)


_BLOCKS = ("p", "blockquote", "ul", "ol", "pre", "dl", "table", "h4", "h5", "h6")


def _paragraphs(own: _Own) -> str:
    """The older style and its kin: the text as bare paragraphs beside the name and date
    blocks. The element holding most of the comment's own paragraphs holds its text."""
    holders: dict[int, Any] = {}
    counts: dict[int, int] = {}
    for p in own.css("p"):
        parent = p.root.getparent()
        holders[id(parent)] = parent
        counts[id(parent)] = counts.get(id(parent), 0) + 1
    if not counts:
        return ""
    holder = holders[max(counts, key=lambda k: (counts[k], -list(holders).index(k)))]
    parts = []
    for child in holder:
        if child.tag not in _BLOCKS or set((child.get("class") or "").split()) & set(_NOT_CONTENT):
            continue
        clone = copy.deepcopy(child)
        for noise in Selector(root=clone).css("cite, .reply, a.comment-reply-link, .comment-likes"):
            if noise.root is not clone:
                _drop(noise.root)
        if (" ".join(clone.itertext()).strip() or clone.tag != "p") and not (child.get("id") or "").startswith("comment-like-"):
            clone.tail = None
            parts.append(etree.tostring(clone, encoding="unicode", method="html"))
    return "\n".join(parts)


def _serialise_children(element: Any, roots: set[int], skip_meta: bool = False) -> str:
    """Inner HTML of ``element`` without replies, like buttons, reply links (and, for a whole
    comment block, without its name and date parts)."""
    clone = copy.deepcopy(element)
    for child in list(clone.iter()):
        if child is clone or not isinstance(child.tag, str):
            continue
        classes = set((child.get("class") or "").split())
        is_reply_list = child.tag in ("ol", "ul") and "children" in classes
        is_item = child.tag == "li" and ("comment" in classes or (child.get("id") or "").startswith(("comment-", "li-comment-")))
        noise = any("reply" in c or "edit-link" in c for c in classes) or classes & {
            "comment-likes", "sharedaddy", "wc-comment-footer", "jp-relatedposts"} or (child.get("id") or "").startswith("comment-like-")
        meta = skip_meta and (classes & set(_NOT_CONTENT) or child.tag in ("footer", "header", "img", "cite", "time",
                                                                             "script", "style"))
        if (is_reply_list or is_item or noise or meta) and child.getparent() is not None:
            _drop(child)
    parts = [etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in clone if isinstance(c.tag, str)]
    lead = clone.text or ""
    return (lead + "".join(parts)).strip()


def _drop(element: Any) -> None:
    """Remove an element but keep the text that follows it."""
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


# --- counts and pages ---------------------------------------------------------------------


_COUNT_HEADERS = (
    "#comments-title", ".comments-title", ".comment-title", "h1#comments", "h2#comments", "h3#comments", ".commentsheader", ".comments-header h2", ".comments-header h3",
    "#comments > h2", "#comments > h3", "#comments h2", "#comments h3", ".comments-area > h2", ".comments-area > h3",
    ".wpd-thread-info", ".wpdiscuz-comment-count .wpd-cc-value", "#comments .section-title",
)
_COMMENT_WORDS = re.compile(
    r"comment|kommentar|antwort|response|repl|gedanke|thought|réaction|reacti|commentaire|comentario|respuesta|"
    r"risposta|commento|reactie|reaktion|svar|kommentti|odpowied|resposta|coment|meinung|\(\d+\)", re.IGNORECASE)
_ONE = re.compile(r"^\s*(?:one|ein|eine|einen|un|une|una|uno|een|um|uma|jeden|jedna|en|ett)\b", re.IGNORECASE)


def declared_comments(sel: Selector, shown: int = 0) -> int | None:
    """The comment count a theme's thread header states ("12 Kommentare zu …", "One thought
    on …", "Kommentare (34)"). Core's count includes pingbacks, so the pingbacks the page
    lists are taken off — unless the header cannot have counted them (Divi counts comments
    only): ``shown`` is the number of comments the page shows."""
    for query in _COUNT_HEADERS:
        for header in sel.css(query):
            text = " ".join(header.xpath("string(.)").get("").split())
            count = _count_in(text, header)
            if count is not None:
                pings = len([li for li in sel.xpath(_ITEM_XPATH) if _is_ping(li)])
                return count - pings if count >= shown + pings else count
    return None


def _count_in(text: str, header: Selector) -> int | None:
    """The count in a header: a number at its start ("36 Comments", "142 Antworten zu …") or in
    parentheses ("Kommentare (34)"), or "One"/"Ein" ("Ein Gedanke zu …"); not a number in
    the post title the header quotes."""
    if not text or len(text) > 300:
        return None
    if "wpd-cc-value" in (header.attrib.get("class") or "") and text.isdigit():
        return int(text)
    if not _COMMENT_WORDS.search(text):
        return None
    number = re.match(r"^\D{0,12}?(\d{1,6})(?![\d.:/])", text) or re.search(r"\((\d{1,6})\)", text)
    if number:
        return int(number[1])
    return 1 if _ONE.search(text) else None


_COMMENT_PAGE = re.compile(r"/comment-page-(\d+)/?(?=$|[?#])|[?&]cpage=(\d+)")


def comment_page_links(sel: Selector, page_url: str, local: Callable[[str], str | None] | None = None) -> list[str]:
    """Links to other pages of this post's comment thread (``…/comment-page-2/``, ``?cpage=2``);
    ``local`` maps a link onto where the page was fetched (a copy of the blog)."""
    base = strip_comment_page(page_url)
    out = []
    for href in sel.css("a[href*='comment-page-'], a[href*='cpage=']").xpath("@href").getall():
        absolute = urljoin(page_url, href.strip())
        absolute = (local(absolute) if local else absolute) or absolute
        if _COMMENT_PAGE.search(absolute) and strip_comment_page(absolute) == base:
            out.append(absolute.split("#")[0])
    return list(dict.fromkeys(out))


def strip_comment_page(url: str) -> str:
    """A post's URL without a comment-page part, fragment or ``replytocom``:
    ``…/post/comment-page-2/`` → ``…/post/``, ``…/post.html/comment-page-2`` → ``…/post.html``."""
    url = url.split("#")[0]
    url = re.sub(r"/comment-page-\d+/?(?=$|\?)", lambda m: "" if re.search(r"\.\w+$", url[:m.start()]) else "/", url)
    url = re.sub(r"([?&])(?:cpage|replytocom)=\d+&?", r"\1", url).rstrip("?&")
    return url

