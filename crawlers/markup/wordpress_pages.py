"""WordPress pages as themes render them: what a page is, a post's fields, where links lead.

Every theme prints the same core data in its own markup. A single post says so in its body
classes (``single single-post postid-412``), its comment form (``comment_post_ID``) or its
REST link (``/wp/v2/posts/412``); static pages say ``page page-id-N``. A post's fields sit
in ``.entry-title``, ``.byline``/``.entry-author-name`` (Genesis), ``time.published``
(some themes put a display date in ``datetime``: "23. Juni 2016"), ``.entry-content``.
Discovery links are the theme's listing titles (``.entry-title a``, ``rel=bookmark``),
pagination (``/page/N/``, ``?paged=N``, "Older posts", ``a.next.page-numbers``,
``.nav-previous``), post-to-post navigation, and the archive, category and recent-posts
widgets; a static front page links its posts page from the menu ("Blog", "Artikel" …).
"""

from __future__ import annotations

import copy
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from crawlers.markup.dates import DateBasis, declared_language, page_languages, shown_date
from crawlers.markup.text import first
from crawlers.markup.wordpress import read_date, strip_comment_page

_POST_ID = (re.compile(r"\bpostid-(\d+)\b"), re.compile(r"^post-(\d+)$"), re.compile(r"[?&]p=(\d+)(?:&|$)"),
            re.compile(r"/wp/v2/posts/(\d+)"))

TITLE_PLACES = ("h1.entry-title::text", "h1.entry-title a::text", "h1.post-title::text", "h1.post-title a::text",
                ".entry-title::text", ".entry-title a::text", ".post-title::text", ".post-title a::text",
                "h1.title::text", "h2.title a::text", ".postitle::text", ".postitle a::text")
LOOSE_TITLE_PLACES = (".post h2 a::text", ".post h2::text", "h1::text", "h1 a::text")
"""Where a theme without title classes has the title: after ``og:title``, which is surer."""
AUTHOR_PLACES = (".byline .author a::text", ".byline .author::text", ".author.vcard .fn::text", ".author.vcard a::text",
                 ".entry-author-name::text", ".entry-author a::text", ".entry-author-text a::text", ".posted-by a::text",
                 ".post-author a::text", ".post-author-name::text",
                 "a[rel~='author']::text", ".byline a::text", ".entry-meta .author::text", ".author a::text",
                 ".vcard .fn a::text", ".vcard .fn::text")
PUBLISHED_ATTRS = ("time.entry-date.published::attr(datetime)", "time.published::attr(datetime)",
                   "time.entry-time::attr(datetime)", "time.entry-date::attr(datetime)", "abbr.published::attr(title)",
                   "[itemprop='datePublished']::attr(content)", "[itemprop='datePublished']::attr(datetime)",
                   "time[datetime]::attr(datetime)")
PUBLISHED_TEXTS = ("time.published", "[itemprop='datePublished']", "time.entry-date", ".entry-date", ".entry-time",
                   ".published", ".post-date", ".posted-on", ".date", ".postmetadata", ".meta", ".entry-meta")
BODY_PLACES = (".entry-content", ".post-content", ".entry-body", ".post-entry", ".entrytext", ".entry", ".storycontent",
               ".post-body", ".single-content", "[itemprop='articleBody']", ".content")
LABEL_PLACES = (".cat-links a::text", ".tags-links a::text", "a[rel~='tag']::text", ".entry-categories a::text",
                ".entry-tags a::text", ".post-categories a::text")

BOILERPLATE = (
    "script", "style", "noscript", "form", ".sharedaddy", ".jp-relatedposts", "#jp-post-flair", ".wpcnt",
    ".addtoany_share_save_container", ".yarpp-related", ".crp_related", ".related-posts", ".entry-meta",
    ".entry-footer", ".post-navigation", ".navigation", "#comments", ".comments-area", ".wpdiscuz_top_clearing",
    ".share-buttons", ".social-share", ".author-box", ".post-author-box", ".wp-block-comments", ".ads", "h1",
    ".entry-title", ".post-title", ".postitle", ".single-metainfo", "#nav-below", "#nav-above", ".nav-wrapper",
)
"""What themes and plugins put inside a post's content element that is not the post."""

_SKIP_PATHS = re.compile(r"/(?:wp-admin|wp-login\.php|wp-json|xmlrpc\.php|wp-content|wp-includes|feed|trackback|"
                         r"embed|amp)(?:/|$|\?)|/(?:comments/)?feed/?$|[?&](?:feed|replytocom|share|like_comment|"
                         r"_wpnonce|s|preview|ical|print|format)=", re.IGNORECASE)
_MEDIA = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|bmp|ico|pdf|docx?|xlsx?|pptx?|odt|zip|gz|rar|mp3|m4a|ogg|wav|"
                    r"mp4|m4v|mov|avi|webm|css|js|xml|json|txt)$", re.IGNORECASE)
_PAGINATION = re.compile(r"/page/\d+/?$|[?&]paged=\d+")
_BLOG_INDEX_WORDS = frozenset({
    "blog", "the blog", "weblog", "journal", "posts", "all posts", "articles", "artikel", "beiträge", "beitraege",
    "news", "archive", "archives", "archiv", "le blog", "el blog", "il blog", "notícias", "noticias", "actualités",
    "stories", "writing", "musings", "my blog", "latest posts", "recent posts",
})


def languages_of(sel: Selector) -> tuple[str | None, list[str] | None]:
    """The page's language tag (``<html lang>``, else ``og:locale``, else
    ``Content-Language``) and the dateparser languages for it."""
    lang = declared_language(sel)
    return lang, page_languages(lang)


def post_id(sel: Selector) -> str | None:
    """The WordPress post id a single post's page states (body class, ``article#post-N``,
    shortlink, REST link, comment form)."""
    candidates = [sel.css("body::attr(class)").get() or "",
                  *sel.css("article[id^='post-']::attr(id), div[id^='post-']::attr(id)").getall()[:1],
                  sel.css("link[rel='shortlink']::attr(href)").get() or "",
                  sel.css("link[rel='alternate'][type='application/json']::attr(href)").get() or ""]
    for value in candidates:
        for pattern in _POST_ID:
            found = pattern.search(value)
            if found:
                return found[1]
    return sel.css("input[name='comment_post_ID']::attr(value)").get()


def page_kind(sel: Selector) -> str:
    """``post`` (a single post), ``page`` (a static page) or ``listing`` (home, archives, search)."""
    body = set((sel.css("body::attr(class)").get() or "").split())
    json_link = sel.css("link[rel='alternate'][type='application/json']::attr(href)").get() or ""
    if "single-post" in body or "/wp/v2/posts/" in json_link or ("single" in body and "attachment" not in body):
        return "post"
    if body & {"page", "page-template-default"} or "/wp/v2/pages/" in json_link or any(c.startswith("page-id-") for c in body):
        return "page"
    if body & {"home", "blog", "archive", "category", "tag", "author", "date", "search", "paged", "search-results"}:
        return "listing"
    # old themes without body classes: a comment form or thread is a single post's; one
    # entry without a permalink to itself is too
    if sel.css("input[name='comment_post_ID'], form#commentform, ol.commentlist, ol.comment-list"):
        return "post"
    entries = sel.css("article.post, article[id^='post-'], div.post, div.hentry, div[id^='post-']")
    if len(entries) == 1 and not entries.css("a[rel='bookmark']"):
        return "post"
    return "listing"


def post_fields(sel: Selector, url: str, languages: list[str] | None, lang: str | None) -> dict[str, Any]:
    """A post's fields from its page (``published_basis`` says how exact the date is)."""
    scope = _article(sel)
    published, basis = _published(scope, sel, languages, lang)
    updated = first(scope, "time.updated::attr(datetime)") or first(sel, "meta[property='article:modified_time']::attr(content)")
    return {
        "url": url,
        "platform_id": post_id(sel),
        "title": first(scope, *TITLE_PLACES) or first(sel, "meta[property='og:title']::attr(content)")
        or first(scope, *LOOSE_TITLE_PLACES) or "",
        "author": _author(scope, sel),
        "author_url": first(scope, ".byline .author a::attr(href)", ".author.vcard a::attr(href)", "a[rel~='author']::attr(href)"),
        "published": published,
        "published_basis": basis,
        "updated": shown_date(updated, languages)[0] if updated else None,
        "labels": list(dict.fromkeys(" ".join(t.split()) for t in scope.css(", ".join(LABEL_PLACES)).getall() if t.strip())),
        "html": _body(scope),
    }


def post_author(sel: Selector) -> str | None:
    """The byline of a post's page (what ``post_fields`` says of its author, alone)."""
    return _author(_article(sel), sel)


def _author(scope: Any, sel: Selector) -> str | None:
    return first(scope, *AUTHOR_PLACES) or first(sel, "meta[name='author']::attr(content)")


def _body(scope: Any) -> str:
    """The post's text: the most specific content element that holds most of the text (a
    theme's short ``.entry`` teaser above the real ``.entrytext`` is passed over)."""
    candidates = []
    for query in BODY_PLACES:
        for match in scope.css(query)[:3]:
            html = clean_body(match)
            candidates.append((html, len(" ".join(re.sub(r"<[^>]+>", " ", html).split()))))
    if not candidates:
        return ""
    longest = max(length for _, length in candidates)
    return next(html for html, length in candidates if length >= longest / 2)


def _article(sel: Selector) -> Any:
    """The element holding the post: the one its id names, else the first entry with a title."""
    number = post_id(sel)
    if number:
        own = sel.css(f"article#post-{number}, div#post-{number}, [id='post-{number}']")
        if own:
            return own[0]
    found = sel.css("article.post, article[id^='post-'], article.hentry, div.hentry, div[id^='post-'], div.post, article")
    titled = [f for f in found if f.css("h1, .entry-title")]
    return (titled or found or [sel])[0]


def _published(scope: Any, sel: Selector, languages: list[str] | None,
               lang: str | None) -> tuple[str | None, DateBasis | None]:
    for value in [first(scope, *PUBLISHED_ATTRS), first(sel, "meta[property='article:published_time']::attr(content)")]:
        if value and re.match(r"^\d{4}-\d{2}-\d{2}", value.strip()):  # not "23. Juni 2016"
            when, basis = shown_date(value, languages)
            if when:
                return when, basis
    for query in PUBLISHED_TEXTS:
        for match in scope.css(query)[:2]:
            text = " ".join(match.xpath("string(.)").get("").split())
            when, basis = read_date(text, languages, lang=lang) if _YEAR.search(text) else (None, None)
            if when:
                return when, basis
    return _date_in_header(scope, languages, lang)


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")


def _date_in_header(scope: Any, languages: list[str] | None, lang: str | None) -> tuple[str | None, DateBasis | None]:
    """Old themes print the date as bare text by the title ("26 Mai, 2008 | ThE_PaiN |"):
    the first text with a year, before the post's paragraphs."""
    for text in scope.xpath(".//text()[normalize-space()][not(ancestor::p or ancestor::li or ancestor::script "
                            "or ancestor::style or ancestor::a or ancestor::*[contains(@class, 'updated') "
                            "or contains(@class, 'modified')])]")[:40]:
        value = text.get()
        if _YEAR.search(value):
            for part in value.split("|"):
                when, basis = read_date(part, languages, lang=lang)
                if when:
                    return when, basis
    return None, None


def clean_body(element: Any) -> str:
    """The inner HTML of a post's content element without sharing buttons, related posts,
    meta lines and comment sections that themes and plugins put inside it."""
    clone = copy.deepcopy(element.root)
    for query in BOILERPLATE:
        for match in Selector(root=clone).css(query):
            if match.root is not clone and match.root.getparent() is not None:
                match.root.getparent().remove(match.root)
    parts = [etree.tostring(child, encoding="unicode", method="html", with_tail=True) for child in clone]
    return ((clone.text or "") + "".join(parts)).strip()


# --- links --------------------------------------------------------------------------------


POST_LINKS = ("article .entry-title a", ".entry-title a", ".entry-title-link", "h1 a[rel~='bookmark']",
              "h2 a[rel~='bookmark']", "h3 a[rel~='bookmark']", ".post-title a", "h2.title a", ".post h2 a",
              "a.more-link", "a.read-more", ".read-more a", ".widget_recent_entries a", ".wp-block-latest-posts a",
              ".widget_recent_comments a", ".wp-block-latest-comments a")
PAGINATION_LINKS = ("a.next", "a.prev", "a.page-numbers", ".nav-previous a", ".nav-next a", ".pagination a",
                    ".page-nav a", ".wp-pagenavi a", ".navigation a", "a[rel~='next']", "a[rel~='prev']",
                    ".older-posts a", ".newer-posts a", ".older a", ".newer a", ".alignleft a", ".alignright a",
                    ".post-navigation a", ".previous a", ".next a", ".prev-post a", ".next-post a", ".previous-post a",
                    ".archive-pagination a", ".blog-pager a")
ARCHIVE_LINKS = (".widget_archive a", ".widget_categories a", ".wp-block-archives a", ".wp-block-categories a",
                 ".widget_archive option::attr(value)", ".widget_categories option::attr(value)")


def discovery_links(sel: Selector, page_url: str, kind: str) -> dict[str, list[str]]:
    """Links worth following from a page, by what they lead to: ``posts`` (post pages),
    ``pages`` (the next/previous listing page or post), ``archives`` (archive and category
    listings from widgets; only from non-post pages) and ``index`` (a static front page's
    posts page, from the menu)."""
    def urls(queries: tuple[str, ...]) -> list[str]:
        found = []
        for query in queries:
            values = sel.css(query).getall() if "::attr" in query else sel.css(query + "::attr(href)").getall()
            found += [urljoin(page_url, v.strip()) for v in values if v and v.strip()]
        return found

    pages = urls(PAGINATION_LINKS) + urls(("link[rel='next']", "link[rel='prev']"))
    pages += [u for u in urls(("a",)) if _PAGINATION.search(u.split("#")[0])]
    out = {"posts": urls(POST_LINKS), "pages": pages, "archives": [], "index": []}
    if kind != "post":
        out["archives"] = urls(ARCHIVE_LINKS)
        out["index"] = blog_index_links(sel, page_url)
    return {name: list(dict.fromkeys(u for u in (followable(x) for x in found) if u)) for name, found in out.items()}


def blog_index_links(sel: Selector, page_url: str) -> list[str]:
    """Menu links that look like the blog's posts page ("Blog", "Artikel", ``/blog/``)."""
    out = []
    for link in sel.css("nav a[href], .menu a[href], #menu a[href], .nav a[href], header a[href], .main-navigation a[href]"):
        text = " ".join(link.xpath("string(.)").get("").split()).casefold()
        last = urlsplit(urljoin(page_url, link.attrib["href"])).path.rstrip("/").rpartition("/")[2].casefold()
        if text in _BLOG_INDEX_WORDS or last in _BLOG_INDEX_WORDS:
            out.append(urljoin(page_url, link.attrib["href"]))
    return out


def followable(url: str | None) -> str | None:
    """A discovered link as a page to fetch (fragment, comment page and ``replytocom`` taken
    off), or None for what is never a post or listing: media, feeds, admin, search."""
    if not url or not url.startswith(("http://", "https://")):
        return None
    url = strip_comment_page(url)
    path = urlsplit(url).path
    if _SKIP_PATHS.search(url) or _MEDIA.search(path):
        return None
    return url


def advertised(sel: Selector, page_url: str) -> dict[str, Any]:
    """What a page announces in its ``<head>``: the REST API root, the posts feed, the
    comments feed, this post's comment feed, the canonical URL and the site name."""
    # a saved copy links a feed as its file, ``feed/index.html``: the feed is ``feed/``
    feeds = [(link.attrib.get("title") or "", re.sub(r"/index\.html?$", "/", urljoin(page_url, link.attrib["href"].strip())))
             for link in sel.css("link[rel='alternate'][href]")
             if "rss" in (link.attrib.get("type") or "") or "atom" in (link.attrib.get("type") or "")]
    comment_feeds = [u for _, u in feeds if re.search(r"/comments/feed/?$|[?&]feed=comments-", u)]
    post_feeds = [u for _, u in feeds if u not in comment_feeds and re.search(r"/feed/?$|[?&]feed=rss2?$", u)
                  and not re.search(r"/feed/(?:mp3|m4a|podcast|atom)/?$", u)]
    api = sel.xpath("//link[@rel='https://api.w.org/']/@href").get()
    return {
        "api": urljoin(page_url, api.strip()) if api else None,
        "posts_feed": min(post_feeds, key=len) if post_feeds else None,
        "comments_feed": comment_feeds[0] if comment_feeds else None,
        "post_comments_feed": max(post_feeds, key=len) if len(post_feeds) > 1 else None,
        "canonical": first(sel, "link[rel='canonical']::attr(href)", "meta[property='og:url']::attr(content)"),
        "site_name": first(sel, "meta[property='og:site_name']::attr(content)", ".site-title a::text", ".site-title::text",
                           "#site-title a::text", "#blog-title a::text", "title::text"),
    }
