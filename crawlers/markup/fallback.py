"""Comments in templates no markup parser knows: repeated structure under a comments container.

Real blogs run on hundreds of templates. What their comment sections share is not a class
name but a shape: a container whose id or class names comments (``comments``,
``comment-list``, ``commentlist``, ``responses``, ``kommentare``, ``comentarios``,
``commentaires`` …) holding a run of elements built alike — the same tag and classes —
each with a name, a date and some text. ``fallback_comments`` finds that run:

1. zones: elements whose id/class words name comments, but not a comment form, a "recent
   comments" widget, a comment-count link (``_zone_words``); only the outermost zone counts;
2. blocks: inside a zone, elements grouped by signature (tag + class words, numbers and
   even/odd/depth classes ignored); a group counts when its members hold a name-like
   element (author/name/user classes, ``cite``, ``vcard``, "by …"), a date-like one
   (``time``, ``abbr[title]``, date/meta classes, a date in the page's language) and text;
   the group with most such blocks wins, and a lone block must say it is a comment;
3. replies: a block nested in another block of the group is its reply (``parent_id``).

Related-posts widgets, archive lists and tag clouds have no comments container, or no
names and dates; the comment form holds no such run. It is the last of ``COMMENT_MARKUPS``:
the platforms' own markups go first.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement
from parsel import Selector

from crawlers.markup.comments import comment, dedupe_by_id
from crawlers.markup.dates import DateBasis, declared_language, page_languages, shown_date
from crawlers.markup.text import stable_id

ZONE_PREFIXES = ("comment", "kommentar", "komment", "coment", "koment")
ZONE_WORDS = frozenset({"responses", "replies", "discussion", "discussions", "diskussion", "leserbrief", "leserbriefe",
                        "talkback", "disqus", "reacties", "reactions", "reacciones", "reazioni", "commenti"})
NOT_ZONE_WORDS = frozenset({
    "respond", "form", "forms", "count", "counter", "link", "links", "number", "num", "open", "closed", "close",
    "recent", "recentcomments", "widget", "latest", "popular", "top", "most", "feed", "rss", "policy", "rules",
    "guidelines", "button", "btn", "toggle", "icon", "title", "heading", "header", "nav", "navigation", "pagination",
    "pager", "login", "subscribe", "subscription", "notice", "note", "meta", "date", "time", "author", "avatar",
    "share", "has", "allowed", "status", "total", "teaser", "reply", "new", "add", "write", "post", "submit",
    "textarea", "field", "input", "label", "bubble", "tab", "tabs",
})
NAME_WORDS = frozenset({"author", "name", "fn", "user", "username", "nick", "nickname", "poster", "commenter", "autor",
                        "auteur", "autore", "byline", "member", "who", "vcard", "writer", "profile", "url"})
DATE_WORDS = frozenset({"date", "time", "datetime", "timestamp", "published", "posted", "datum", "fecha", "data",
                        "meta", "metadata", "commentmetadata", "when", "info", "details", "footer", "zeit", "heure",
                        "ago", "stamp", "permalink"})
TEXT_WORDS = frozenset({"content", "text", "body", "message", "entry", "txt", "description", "copy", "comment"})
CHROME_WORDS = frozenset({"reply", "replies", "antworten", "responder", "repondre", "rispondi", "meta", "actions",
                          "action", "avatar", "vote", "votes", "like", "likes", "rating", "share", "flag", "report",
                          "edit", "toolbar", "tools", "buttons", "button", "moderation", "number", "num", "count",
                          "permalink", "gravatar", "photo"})
TEXT_TAGS = frozenset({"div", "p", "section", "blockquote", "span", "dd", "article"})
BLOCK_TAGS = frozenset({"li", "div", "article", "section", "dd", "blockquote", "tr", "aside", "td"})
SKIP_TAGS = frozenset({"script", "style", "noscript", "form", "textarea", "input", "button", "select", "svg", "img",
                       "iframe", "nav"})
_NOISE_CLASS = re.compile(r"^(?:odd|even|alt|first|last|parent|clearfix|clear|group|cf|row|highlander-comment|"
                          r"bypostauthor|byuser|thread-(?:odd|even|alt)|depth-\d+|comment-author-.*|.*\d.*)$")
_WORD_SPLIT = re.compile(r"[-_\s]+|(?<=[a-z])(?=[A-Z])")
_COMMENT_ID = re.compile(r"^(?:li-|div-)?(?:comment|kommentar|c)[-_]?(?=\d)", re.IGNORECASE)
_YEARISH = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|\b\d{1,2}[./]\d{1,2}[./]\d{2}\b")
_ODD_DAY_MONTH = re.compile(r"\b(\d{1,2})\.(\d{1,2}),\s*((?:19|20)\d{2})\b")  # "17.07, 2011"
_DATE_START = re.compile(r"(?<!\w)\d|\b[A-ZÄÖÜÉ][a-zäöüéèû]{2,}\.?\s+\d")
_NAME_THEN_DATE = re.compile(r"\s+(?:am|on|at|le|el|il|op|um|den|,)\s+(?=\d|[A-ZÄÖÜÉ][a-zäöüéèû]{2,}\.?\s+\d)")
_DATE_PIECES = re.compile(r"\s*(?:[|•·—–@]|\s-\s|//)\s*")
_LEAD = (r"(?:(?:posted|written|comment|commented|kommentar|kommentiert|geschrieben|gepostet|verfasst|eingetragen|"
         r"publié|publicado|commentaire|comentario|escrito|écrit|scritto|inviato|submitted|reply|antwort)\s+"
         r"(?:by|von|par|por|de|di|da|door)|by|von|par|por|door)")
BY_LINE = re.compile(r"^" + _LEAD + r"\s*:?\s+(.+)$", re.IGNORECASE)
_BY_ALONE = re.compile(r"^" + _LEAD + r"\s*:?$", re.IGNORECASE)
_SAID = re.compile(r"^(.{1,60}?)\s+(?:said|says|wrote|writes|sagt|sagte|schrieb|schreibt|meint|dijo|escribió|"
                   r"a dit|a écrit|écrit|ha detto|ha scritto|zei|schreef)\b", re.IGNORECASE)
_REPLY_WORDS = re.compile(r"^(?:reply|antworten|antwort|responder|répondre|rispondi|beantworten|quote|zitieren|"
                          r"permalink|link|edit|report|melden|like|share|#|\d+)$", re.IGNORECASE)


def words(value: str | None) -> set[str]:
    """The lower-case words of an id or class attribute (``commentList`` → comment, list)."""
    return {w.lower() for w in _WORD_SPLIT.split(value or "") if w}


def _attr_words(el: HtmlElement) -> set[str]:
    return words(el.get("id")) | words(el.get("class")) | words(el.get("itemprop"))


# --- zones ----------------------------------------------------------------------------------


def _names_comments(el: HtmlElement) -> bool:
    found = words(el.get("id")) | words(el.get("class"))
    if found & NOT_ZONE_WORDS:
        return False
    return bool(found & ZONE_WORDS) or any(w.startswith(ZONE_PREFIXES) for w in found)


def names_comments_outright(el: HtmlElement) -> bool:
    """Whether an id/class says "comment" itself (not only "responses", "discussion" …)."""
    return any(w.startswith(ZONE_PREFIXES) for w in words(el.get("id")) | words(el.get("class")))


def zones(root: HtmlElement) -> list[HtmlElement]:
    """The outermost elements whose id/class names a comment section."""
    found: list[HtmlElement] = []
    for el in root.iter(etree.Element):
        if el.tag in ("html", "body", "main", "head") or el.tag in SKIP_TAGS:
            continue
        if (el.get("id") or el.get("class")) and _names_comments(el):
            if not found or not any(a in found for a in el.iterancestors()):
                found.append(el)
    return found


def _is_inside(el: HtmlElement, ancestor: HtmlElement) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


# --- blocks ----------------------------------------------------------------------------------


def signature(el: HtmlElement) -> tuple[str, frozenset[str]]:
    """Tag and the class names that say what an element is (numbers, even/odd, depth left out)."""
    classes = frozenset(c for c in (el.get("class") or "").split() if not _NOISE_CLASS.match(c.lower()))
    return el.tag, classes


@dataclass
class Block:
    """One comment's element and what was read from it."""

    element: HtmlElement
    name: str | None = None
    name_el: HtmlElement | None = None
    date: tuple[str | None, DateBasis | None] = (None, None)
    date_els: list[HtmlElement] = field(default_factory=list)
    text_el: HtmlElement | None = None
    text: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.name and self.date[0] and self.text)


def _own(el: HtmlElement, nested: set[HtmlElement]) -> Iterator[HtmlElement]:
    """Descendants of a block, not those of the blocks nested in it (its replies), nor forms."""
    stack = list(reversed(el))
    while stack:
        child = stack.pop()
        if not isinstance(child.tag, str) or child in nested or child.tag in SKIP_TAGS:
            continue
        yield child
        stack.extend(reversed(child))


def _text_of(el: HtmlElement) -> str:
    return " ".join(" ".join(t for t in el.itertext() if t).split())


def _direct_text(el: HtmlElement) -> str:
    """An element's own words, not its children's: its text and its children's tails."""
    return " ".join(" ".join([el.text or "", *(c.tail or "" for c in el)]).split())


def _text_without(el: HtmlElement, left_out: set[HtmlElement]) -> str:
    """The words of ``el`` outside the elements ``left_out`` (and outside forms, scripts)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child not in left_out and child.tag not in SKIP_TAGS:
            parts.append(_text_without(child, left_out))
        parts.append(child.tail or "")
    return " ".join(" ".join(parts).split())


def _is_name_element(el: HtmlElement) -> bool:
    return el.tag == "cite" or bool(_attr_words(el) & NAME_WORDS) or "author" in (el.get("rel") or "")


def _find_name(els: list[HtmlElement]) -> tuple[str | None, HtmlElement | None]:
    for el in els:
        if _is_name_element(el):
            inner = next((e for e in el.iter(etree.Element) if e is not el
                          and ("fn" in words(e.get("class")) or e.get("itemprop") == "name")), None)
            name = clean_name(_text_of(inner if inner is not None else el))
            if name:
                return name, el
    for el in els:  # "Posted by <a>Ann</a>", "by Ann", "Ann says:"
        direct = " ".join((el.text or "").split())
        if _BY_ALONE.match(direct):
            named = next((c for c in el.iterchildren(etree.Element)), None)
            name = clean_name(_text_of(named)) if named is not None else None
        else:
            match = BY_LINE.match(direct) or _SAID.match(_text_of(el))
            name = clean_name(match[1]) if match else None
        if name:
            return name, el
    return None, None


def clean_name(text: str) -> str | None:
    match = BY_LINE.match(text)
    text = match[1].strip() if match else text
    text = _DATE_PIECES.split(text)[0]  # "Ann — 17.07.2011 @ 13:04"
    text = _NAME_THEN_DATE.split(text)[0]  # "berg2012 am 21. Jan. 2015"
    text = _SAID.sub(r"\1", text).strip(" :,-–—|")
    if not text or len(text) > 60 or len(text.split()) > 6 or _YEARISH.search(text) or _REPLY_WORDS.match(text):
        return None
    return text


def _is_date_element(el: HtmlElement) -> bool:
    return el.tag in ("time", "abbr") or bool(_attr_words(el) & DATE_WORDS)


def _find_date(els: list[HtmlElement], languages: list[str] | None
               ) -> tuple[tuple[str | None, DateBasis | None], list[HtmlElement]]:
    for el in els:  # machine-readable first
        value = el.get("datetime") if el.tag == "time" else el.get("title") if el.tag == "abbr" else None
        if value:
            found = _shown(value, languages)
            if found[0]:
                return found, [el]
    for el in sorted(els, key=lambda e: not _is_date_element(e)):  # stable: date elements first
        found = date_in_text(_text_of(el) if _is_date_element(el) else _direct_text(el), languages)
        if found[0]:
            return found, [el]
    return (None, None), []


def date_in_text(text: str, languages: list[str] | None) -> tuple[str | None, DateBasis | None]:
    """A date shown in a short text ("Posted by Ann | 3 March 2009 at 10:15") in the page's language.
    Only dates with a year: a relative "3 days ago" would change from one crawl to the next."""
    if not text or len(text) > 160 or not _YEARISH.search(text):
        return None, None
    text = _ODD_DAY_MONTH.sub(r"\1.\2.\3", text).replace("@", " ")
    candidates = [text]
    start = _DATE_START.search(text)  # "Ann says: 12. März 2009 um 18:00": from the first number or month on
    if start and start.start() > 0:
        candidates.append(text[start.start():])
    candidates += [p for p in _DATE_PIECES.split(text) if _YEARISH.search(p)]
    for candidate in candidates:
        found = _shown(candidate.strip(" ,:;()[]"), languages)
        if found[0]:
            return found
    return None, None


@functools.lru_cache(maxsize=4096)
def _shown_in(text: str, languages: tuple[str, ...] | None) -> tuple[str | None, DateBasis | None]:
    return shown_date(text, list(languages) if languages else None)


def _shown(text: str, languages: list[str] | None) -> tuple[str | None, DateBasis | None]:
    """``shown_date``, remembered: a template repeats its date strings, and a page its attempts."""
    return _shown_in(text, tuple(languages) if languages else None)


def _find_text(block: HtmlElement, own: list[HtmlElement], left_out: set[HtmlElement]
               ) -> tuple[HtmlElement | None, str]:
    """The element holding the comment's words: a content/text/body element that holds
    neither the name nor the date, else the block's words outside name, date and replies."""
    best: tuple[int, HtmlElement | None] = (0, None)
    for el in own:
        found = _attr_words(el)
        if el.tag not in TEXT_TAGS or not found & TEXT_WORDS or found & (NAME_WORDS | DATE_WORDS | CHROME_WORDS):
            continue
        if any(s is el or _is_inside(s, el) for s in left_out):
            continue
        length = len(_text_of(el))
        if length > best[0]:
            best = (length, el)
    chrome = {e for e in own if _attr_words(e) & CHROME_WORDS}
    leftover = _text_without(block, left_out | chrome)
    if best[1] is not None and best[0] * 3 >= len(leftover):  # not a "1" numbering the comment
        return best[1], _text_of(best[1])
    return None, leftover


def read_block(el: HtmlElement, nested: set[HtmlElement], languages: list[str] | None) -> Block:
    """Name, date and text of one block (its nested replies left out)."""
    own = list(_own(el, nested))
    block = Block(el)
    block.name, block.name_el = _find_name(own)
    block.date, block.date_els = _find_date(own, languages)
    left_out = {e for e in [block.name_el, *block.date_els] if e is not None} | (nested - {el})
    block.text_el, block.text = _find_text(el, own, left_out)
    return block


def _likely(el: HtmlElement, nested: set[HtmlElement]) -> bool:
    """A cheap look (no date parsing) at whether a block may hold a name and a date."""
    own = list(_own(el, nested))
    has_name = any(_is_name_element(e) or BY_LINE.match(" ".join((e.text or "").split())) or _BY_ALONE.match(
        " ".join((e.text or "").split())) or _SAID.match(_text_of(e)[:80]) for e in own)
    has_date = any(_is_date_element(e) for e in own) or any(_YEARISH.search(_direct_text(e)) for e in own)
    return has_name and has_date


def _group(zone: HtmlElement) -> dict[tuple[str, frozenset[str]], list[HtmlElement]]:
    groups: dict[tuple[str, frozenset[str]], list[HtmlElement]] = {}
    for el in zone.iter(etree.Element):
        if el is zone or not isinstance(el.tag, str) or el.tag not in BLOCK_TAGS:
            continue
        if any(a.tag in SKIP_TAGS for a in el.iterancestors()):
            continue
        groups.setdefault(signature(el), []).append(el)
    return groups


def _repeated(members: list[HtmlElement]) -> bool:
    """Whether a group is a run (two siblings alike), or one element that says it is a comment."""
    parents = [m.getparent() for m in members]
    if len(set(map(id, parents))) < len(parents):
        return True
    return any(_names_comments(m) or _COMMENT_ID.match(m.get("id") or "") for m in members)


def comment_blocks(zone: HtmlElement, languages: list[str] | None) -> list[Block]:
    """The comment blocks of a zone: the group of alike elements with most complete comments.

    Groups are ranked by a cheap look first; only the most promising are read in full."""
    ranked = []
    for members in _group(zone).values():
        if not _repeated(members):
            continue
        nested = set(members)
        likely = sum(_likely(m, nested) for m in members)
        if likely * 2 < len(members) or likely == 0:
            continue
        with_ids = sum(bool(_COMMENT_ID.match(m.get("id") or "")) for m in members)
        depth = -min(len(list(m.iterancestors())) for m in members)
        ranked.append(((likely, with_ids, depth), members))
    best: tuple[tuple[int, int, int], list[Block]] = ((0, 0, 0), [])
    for (_, with_ids, depth), members in sorted(ranked, key=lambda r: r[0], reverse=True)[:3]:
        nested = set(members)
        blocks = [read_block(m, nested, languages) for m in members]
        complete = sum(b.complete for b in blocks)
        if complete and complete * 2 >= len(blocks) and (complete, with_ids, depth) > best[0]:
            best = ((complete, with_ids, depth), blocks)
    return [b for b in best[1] if b.text and (b.name or b.date[0])]


# --- comments ---------------------------------------------------------------------------------


def _block_id(el: HtmlElement) -> str | None:
    for candidate in [el, *el.iterchildren(etree.Element)]:
        ident = candidate.get("id") or ""
        if _COMMENT_ID.match(ident):
            return _COMMENT_ID.sub("", ident)
    anchor = el.find(".//a[@name]")
    if anchor is not None and _COMMENT_ID.match(anchor.get("name") or ""):
        return _COMMENT_ID.sub("", anchor.get("name") or "")
    ident = el.get("id")
    return ident if ident and re.search(r"\d", ident) else None


def _shown_html(block: Block, nested: set[HtmlElement]) -> str:
    """The comment's words as HTML: its text element, else the block without its name,
    date, replies and chrome (reply links, avatars, votes)."""
    source = block.text_el if block.text_el is not None else block.element
    drop = [e for e in source.iter(etree.Element) if e is not source and (
        e in nested or e.tag in SKIP_TAGS or e is block.name_el or e in block.date_els
        or (_attr_words(e) & CHROME_WORDS and not _attr_words(e) & TEXT_WORDS))]
    if block.text_el is None:  # headings and the like around the text: keep paragraphs only
        drop += [e for e in source.iterchildren(etree.Element) if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "footer", "header")]
    for el in drop:
        el.set("data-shrinksearch-drop", "1")
    try:
        clone = copy.deepcopy(source)
    finally:
        for el in drop:
            del el.attrib["data-shrinksearch-drop"]
    for el in clone.xpath(".//*[@data-shrinksearch-drop]"):
        _remove_keeping_tail(el)
    inner = (clone.text or "") + "".join(etree.tostring(child, encoding="unicode", method="html") for child in clone)
    return inner.strip()


def _remove_keeping_tail(el: HtmlElement) -> None:
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(el)


def _languages(declared: list[str] | None, zone: HtmlElement) -> list[str] | None:
    """The languages to read dates in: the ones the page declares, else the comments' own
    (dateparser guessing among all its languages is slow and guesses wrong on short dates)."""
    if declared:
        return declared
    from shrinksearch.clean.lang import detect_language  # langdetect: only for a page that does not say

    return page_languages(detect_language(_text_of(zone)[:3000]))


def fallback_comments(sel: Selector) -> list[dict[str, Any]]:
    """Comments found by their repeated structure under a comments container (document order)."""
    root = sel.root
    if not isinstance(root, HtmlElement) and not hasattr(root, "iter"):
        return []
    declared = page_languages(declared_language(sel))
    for zone in zones(root):
        blocks = comment_blocks(zone, _languages(declared, zone))
        if blocks:
            return dedupe_by_id(list(_comments(blocks)))
    return []


def _comments(blocks: Iterable[Block]) -> Iterator[dict[str, Any]]:
    blocks = list(blocks)
    elements = {b.element for b in blocks}
    ids: dict[HtmlElement, str] = {}
    for block in blocks:
        html = _shown_html(block, elements)
        ident = _block_id(block.element) or stable_id(block.name, block.date[0], block.text)
        ids[block.element] = ident
        parent = next((ids.get(a) for a in block.element.iterancestors() if a in elements), None)
        link = block.name_el.find(".//a[@href]") if block.name_el is not None else None
        yield comment(ident, parent, block.name, link.get("href") if link is not None else None,
                      block.date[0], html, block.date[1])
