"""Blogger pages: a post's own fields, the comment count a page declares, where the blog's
root is, and the links that lead to every post — across Classic, Layouts and current themes.

Pure functions over a parsel ``Selector`` (and the page's URL where links are resolved).
A Blogger post page shows one post inside the blog's chrome (header with the blog's name,
sidebar widgets, date header, footer with byline and labels); ``page_post`` takes the post's
own title, author, date, labels, body and id and leaves the chrome out.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawlers.markup.dates import DateBasis, shown_date
from crawlers.markup.text import first, inner_html

POST_PATH = re.compile(r"^\d{4}/\d{2}/(?!index\.html?$)[^/?#%]+\.html?$")
"""A post's path below the blog's root: ``2010/07/slug.html`` (Classic, Layouts and today)."""
ARCHIVE_PATH = re.compile(r"^(?:\d{4}/(?:\d{2}/(?:\d{2}/)?)?(?:index\.html?)?|(?:[^/]+/)?\d{4}_\d{2}_\d{2}_archive\.html?)$")
"""Archive listings: ``2010/``, ``2010/07/``, wget's ``2010/07/index.html``, Classic's
```2010_07_01_archive.html`` (also in an archive folder of its own)."""
SEARCH_PATH = re.compile(r"^search(?:\?|%3F|-|@|\uf03f)[^/]*(?:updated-max|max-results|start)", re.IGNORECASE)
""""Older Posts" pages (``search?updated-max=…``; wget: ``search-updated-max=….html``)."""
_ROOT_MARKER = re.compile(r"^(?P<root>.*/)(?:feeds/|\d{4}/\d{2}/[^/]+\.html?$|\d{4}(?:/\d{2})?/?(?:index\.html?)?$|"
                          r"(?:[^/]+/)?\d{4}_\d{2}_\d{2}_archive\.html?$|search(?:/|\?|$)|p/[^/]+\.html?$|(?:atom|rss)\.xml$)")
_POST_ID_LINK = re.compile(r"(?:[?&]postID=|/feeds/)(\d{6,})")
_NUMBER = re.compile(r"(?<![\d.,])(\d{1,6})(?![\d.,]\d)")
_NO_COMMENTS = re.compile(
    r"^\s*(?:no comments?|nessun commento|keine kommentare|no hay comentarios|sin comentarios|aucun commentaire|"
    r"pas de commentaire|geen (?:opmerkingen|reacties)|sem comentários|nenhum comentário|brak komentarzy|"
    r"inga kommentarer|ingen kommentarer|ei kommentteja|nici un comentariu|комментариев нет|"
    r"нет комментариев)\b", re.IGNORECASE)
_BYLINE = re.compile(
    r"(?:posted|publicado|pubblicato|eingestellt|gepostet|veröffentlicht|posté|publié|geplaatst|postado|opublikowane|"
    r"postat|lähettänyt|skrevet|upplagd)\s+(?:by|por|da|von|par|door|przez|av|af|kirjoittanut)?\s*(?P<name>.+?)"
    r"(?:\s+(?:at|a las|à|alle|um|om|às|o|kl\.|klo)\s+.*)?$", re.IGNORECASE)

_POST_NODE = ("div.post-outer", "article.post", "div.post.hentry", "div.post", "div.hentry", "article")
_TITLE = ("h3.post-title a::text", "h3.post-title::text", "h1.post-title a::text", "h1.post-title::text",
          "h2.post-title a::text", "h2.post-title::text", ".post-title a::text", ".post-title::text",
          ".entry-title a::text", ".entry-title::text")
_AUTHOR = (".post-author .fn [itemprop='name']", ".post-author .fn a", ".post-author .fn", ".post-author a",
           "[itemprop='author'] [itemprop='name']", ".author-name a", "a[rel='author']")
_EXACT_DATE = ("abbr.published::attr(title)", "abbr[itemprop='datePublished']::attr(title)",
               "time.published::attr(datetime)", "[itemprop='datePublished']::attr(content)",
               "[itemprop='datePublished']::attr(datetime)", ".post-timestamp time::attr(datetime)",
               "time[datetime]::attr(datetime)")
_TIME_SHOWN = (".post-timestamp a::text", "a.timestamp-link::text", "a.timestamp-link *::text",
               "a[title='permanent link']::text", ".post-footer a[href$='.html']::text")
_HEADER_NAME = (".Header h1", "#header h1", "h1.title", "h1.blog-title", "#blog-title")
_BODY = (".post-body", ".entry-content", ".post-entry", ".blog-content", ".post-content")
_LOWER = "translate(@class, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
# Templates their owners wrote (Classic allowed any markup): a class that merely names the part
_BODY_LIKE = f"//*[contains({_LOWER}, 'body')][not(contains({_LOWER}, 'comment'))][not(self::body)]"
_TITLE_LIKE = f".//*[self::h1 or self::h2 or self::h3 or self::h4][contains({_LOWER}, 'title')]"
_BYLINE_LIKE = f".//*[contains({_LOWER}, 'byline') or contains({_LOWER}, 'footer')][not(contains({_LOWER}, 'comment'))]"


def post_node(sel: Selector) -> Selector:
    """The element holding the one post of a post page: Blogger's own classes, else the
    nearest "post"/"entry" element around the first element whose class names a body."""
    for css in _POST_NODE:
        found = sel.css(css)
        if found and found[0].css(",".join(_BODY)):
            return found[0]
    body = sel.xpath(_BODY_LIKE)
    if body:
        holder = body[0].xpath(f"ancestor::*[contains({_LOWER}, 'post') or contains({_LOWER}, 'entry')][1]")
        return holder[0] if holder else body[0].xpath("..")[0]
    return sel


def _body(sel: Selector, node: Selector) -> Selector | None:
    found = node.css(",".join(_BODY)) or node.xpath("." + _BODY_LIKE) or sel.css(",".join(_BODY))
    return found[0] if found else None


def _title(sel: Selector, node: Selector) -> str:
    shown = first(node, *_TITLE)
    if not shown:
        heading = node.xpath(_TITLE_LIKE)
        shown = " ".join(" ".join(heading[0].xpath(".//text()").getall()).split()) if heading else None
    return shown or _title_from_head(sel)


def page_post(sel: Selector, languages: list[str] | None) -> dict[str, Any]:
    """A post's own fields from its page: title, author, date, labels, body, platform id."""
    node = post_node(sel)
    published, basis = post_date(sel, node, languages)
    body = _body(sel, node)
    return {
        "platform_id": post_id(sel, node),
        "title": _title(sel, node),
        "author": _first_text(node, *_AUTHOR) or _byline_author(node),
        "author_url": first(node, ".post-author a::attr(href)", "a[rel='author']::attr(href)", ".author-name a::attr(href)"),
        "published": published,
        "published_basis": basis,
        "updated": first(node, "abbr.updated::attr(title)", "time.updated::attr(datetime)"),
        "labels": [" ".join(t.split()) for t in node.css(".post-labels a::text, .blogger-labels a::text, a[rel='tag']::text").getall()
                   if t.strip()],
        "html": inner_html(body),
    }


def _first_text(node: Selector, *queries: str) -> str | None:
    """The text of the first element (its descendants' text too) that has some."""
    for query in queries:
        for found in node.css(query):
            text = _text(found)
            if text:
                return text
    return None


def _title_from_head(sel: Selector) -> str:
    """``og:title``, else the page's ``<title>`` without Blogger's "Blog name: " prefix; ""
    when they only name the blog (Blogger titles an untitled post's page with the blog's name)."""
    site = _site_name(sel)
    for title in (first(sel, "meta[property='og:title']::attr(content)"), first(sel, "title::text")):
        if not title:
            continue
        if site and title.startswith(site + ": "):
            return title[len(site) + 2:]
        if title != site:
            return title.split(": ", 1)[-1] if ": " in title and not site else title
    return ""


def _site_name(sel: Selector) -> str | None:
    return first(sel, "meta[property='og:site_name']::attr(content)") or _first_text(sel, *_HEADER_NAME)


def blog_name(sel: Selector, post_title: str | None = None) -> str | None:
    """The blog's name as its page shows it: ``og:site_name``, the page title around the
    post's title (Blogger writes "Blog name: Post title"), the header's heading."""
    named = first(sel, "meta[property='og:site_name']::attr(content)")
    if named:
        return named
    head = first(sel, "title::text") or ""
    if not post_title:
        return head or None
    for separator in (": ", " | ", " - ", " – ", " · "):
        if head.endswith(separator + post_title):
            return head[: -len(separator + post_title)]
        if head.startswith(post_title + separator):
            return head[len(post_title + separator):]
    return _first_text(sel, *_HEADER_NAME)


def _byline_author(node: Selector) -> str | None:
    """Classic templates' "posted by Name at 3:15 PM" footer, in the blog's language."""
    for text in (node.css(".post-footer em, .post-footer, .post-footer-line, .byline") or node.xpath(_BYLINE_LIKE)
                 ).xpath("normalize-space()").getall():
        found = _BYLINE.search(text)
        if found and found["name"].strip():
            return found["name"].strip()
    return None


def post_date(sel: Selector, node: Selector, languages: list[str] | None) -> tuple[str | None, DateBasis | None]:
    """The post's date: an exact ``title``/``datetime`` value, else the date header
    ("domingo, 25 de julio de 2010") with the time the footer shows ("6:24"), else a date
    the theme prints in the post's header (``.post-timestamp``, a ``rel=bookmark`` link)."""
    exact = first(node, *_EXACT_DATE) or first(sel, "meta[property='article:published_time']::attr(content)")
    if exact:
        found = shown_date(exact, languages)
        if found[0]:
            return found
    header = (node.xpath("preceding::*[contains(@class, 'date-header')][1]") or node.css(".date-header")
              or node.xpath(f"preceding::*[contains({_LOWER}, 'date')][1]"))
    day = _text(header[0]) if header else ""
    clock = first(node, *_TIME_SHOWN) or ""
    found = shown_date(f"{day} {clock}".strip(), languages) if day else (None, None)
    if found[0]:
        return found
    for shown in node.css(".post-timestamp, a[rel='bookmark'], .published, time"):
        found = shown_date(_text(shown), languages)
        if found[0]:
            return found
    return None, None


def _text(node: Selector) -> str:
    return " ".join(" ".join(node.xpath(".//text()").getall()).split())


def post_id(sel: Selector, node: Selector) -> str | None:
    """Blogger's postId: ``meta[itemprop=postId]``, the post's ``<a name>``, its body's id,
    or the ids in its comment-form and comment-feed links."""
    found = first(node, "meta[itemprop='postId']::attr(content)") or first(sel, "meta[itemprop='postId']::attr(content)")
    if found and found.isdigit():
        return found
    for name in node.xpath(".//a[@name][not(@href)]/@name").getall():
        if name.isdigit() and len(name) >= 6:
            return name
    body_id = node.css(".post-body::attr(id)").re_first(r"post-body-(\d+)")
    if body_id:
        return body_id
    for href in sel.css("a[href*='postID=']::attr(href), link[href*='/comments/default']::attr(href), "
                        "a[href*='/comments/default']::attr(href), .loadmore::attr(data-post-id)").getall():
        match = _POST_ID_LINK.search(href) or re.fullmatch(r"(\d{6,})", href)
        if match:
            return match[1]
    return None


def declared_comments(sel: Selector) -> int | None:
    """How many comments the page says the post has: Contempo's ``data-num-comments``, the
    "3 comentarios:" header, or the post's comment link; "No comments:" in the page's
    language is 0; None when the page does not say."""
    attribute = first(sel, "[data-num-comments]::attr(data-num-comments)")
    if attribute and attribute.isdigit():
        return int(attribute)
    sections = sel.xpath("//*[@id='comments' or " + _has("comments") + "]") or sel.xpath(
        "//*[contains(translate(@id, 'COMENTS', 'coments'), 'comments')]")  # a template's own "blogComments"
    headers = sections.xpath(".//*[self::h2 or self::h3 or self::h4][not(@id='comment-post-message')]"
                             "[not(ancestor::*[contains(@class, 'comment-form')])][not(ancestor::*[@id='backlinks-container'])]")
    texts = [" ".join(" ".join(h.xpath(".//text()").getall()).split()) for h in headers[:1]]
    texts += [t for t in sel.css(".post-comment-link a.comment-link, a.comment-link").xpath("normalize-space()").getall()]
    for text in texts:
        if _NO_COMMENTS.search(text):
            return 0
        number = _NUMBER.search(text)
        if number:
            return int(number[1])
    return None


def _has(css_class: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {css_class} ')"


def is_post_page(sel: Selector, path: str) -> bool:
    """Whether a page shows one post with its comments (not a listing)."""
    if POST_PATH.match(path):
        return True
    bodies = sel.css(".post-body, .entry-content")
    return len(bodies) == 1 and bool(sel.css("#comments, .comments, #comment-form, a[name='comment-form']"))


# --- where the blog is ------------------------------------------------------------------


def advertised_root(sel: Selector, page_url: str) -> tuple[str | None, set[str]]:
    """The blog's root on the host the page was fetched from, and the roots the page names
    as the blog's original home (a copy's pages and feeds keep naming the original host).

    From the page's feed links (Blogger serves them at the root), else from its
    ``rel=canonical`` aligned with the URL it was fetched from, else from its own path."""
    here = urlsplit(page_url)
    origins: set[str] = set()
    root = None
    for href in sel.css("link[rel='alternate'][href*='feeds/']::attr(href), link[rel='canonical']::attr(href), "
                        "link[rel='alternate'][href$='atom.xml']::attr(href), "
                        "link[rel='alternate'][href$='rss.xml']::attr(href)").getall():
        parts = urlsplit(urljoin(page_url, href.strip()))
        their_root = root_path(parts.path)
        if parts.netloc.lower() == here.netloc.lower():
            root = root or (their_root and f"{here.scheme}://{here.netloc}{their_root}")
            continue
        if their_root is not None and "blogger.com" not in parts.netloc:
            origins.add(f"{parts.scheme}://{parts.netloc}{their_root}")
        aligned = _aligned_root(here.path, parts.path, their_root)
        root = root or (aligned and f"{here.scheme}://{here.netloc}{aligned}")
    mine = root_path(here.path)
    return root or (mine and f"{here.scheme}://{here.netloc}{mine}"), origins


def root_path(path: str) -> str | None:
    """The blog's root path for one of its paths (a post, an archive, a feed, the home)."""
    found = _ROOT_MARKER.match(path)
    if found:
        return found["root"]
    if path.endswith("/"):
        return path
    if re.search(r"/index\.html?$", path):
        return path.rsplit("/", 1)[0] + "/"
    return None


def _aligned_root(served_path: str, original_path: str, original_root: str | None) -> str | None:
    """The served prefix matching the original's root: ``/copy/2010/07/a.html`` served for
    ``/2010/07/a.html`` → ``/copy/``."""
    if original_root is None or "/feeds/" in original_path or original_path.endswith((".xml", "/default")):
        return None
    relative = original_path[len(original_root):]
    if not relative:
        return served_path if served_path.endswith("/") else served_path.rsplit("/", 1)[0] + "/"
    if served_path.endswith("/" + relative):
        return served_path[: len(served_path) - len(relative)]
    return None


# --- links to posts and listings -----------------------------------------------------------


def page_links(sel: Selector, page_url: str) -> list[str]:
    """Every link of a page resolved against it (anchors, and the archive widget's
    drop-down ``option`` values)."""
    hrefs = sel.css("a::attr(href)").getall() + sel.css("select option::attr(value)").getall()
    return [urljoin(page_url, h.strip()) for h in hrefs if h and h.strip() and not h.strip().startswith(("#", "javascript:", "mailto:"))]


def classify(relative: str) -> str | None:
    """``"post"``, ``"listing"`` or None for a path (and query) below the blog's root."""
    path = relative.split("#", 1)[0]
    bare = path.split("?", 1)[0]
    if POST_PATH.match(bare) and "showComment" not in bare:  # not wget's file of a permalink
        return "post"
    if bare in ("", "index.html") or ARCHIVE_PATH.match(bare) or SEARCH_PATH.match(path):
        return "listing"
    return None


def comment_feed_link(sel: Selector) -> str | None:
    """The post's own comment feed, as its page links it."""
    return first(sel, "link[rel='alternate'][href*='/comments/default']::attr(href)",
                 "a.feed-link[href*='/comments/default']::attr(href)")

