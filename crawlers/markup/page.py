"""What a page of an arbitrary blog is and says: post or listing, its own title and date,
the blog root it advertises, and the links that lead to more posts.

The generic spider meets templates of every age: HTML5 themes with ``<article>`` and Open
Graph, and static pages of 2004 with a ``div.entry`` and a "Posted by … at 10:15 PM" line.
These are pure functions over a parsel ``Selector`` (the spider passes ``response.selector``)
so they can be tested on recorded pages.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawlers.markup.dates import DateBasis, declared_language, page_languages, shown_date
from crawlers.markup.fallback import BY_LINE, clean_name, date_in_text
from crawlers.markup.text import first

# --- post or listing ---------------------------------------------------------------------

_POST_BLOCKS = ("article:not(.comment):not([class*=comment])", ".hentry", ".h-entry", "[itemtype*='BlogPosting']",
                "div.post", "div.entry", "div.blogpost", "div.blog-post")
_READ_MORE = re.compile(r"^\s*(?:read more|continue reading|more|weiterlesen|mehr|lire la suite|leer más|"
                        r"seguir leyendo|continua a leggere|lees meer|\(more\.{0,3}\))", re.IGNORECASE)
_TITLE_CLASSES = ("[class*='entry-title']", "[class*='post-title']", "[itemprop~='headline']", ".h-entry .p-name", ".entry-header",
                  ".posttitle", ".storytitle", ".post-headline", ".article-title")


def _outermost(sel: Selector, css: str) -> list[Selector]:
    """Matches of ``css`` not nested in another match (a post block inside a post block is one)."""
    found = sel.css(css)
    roots = {id(m.root) for m in found}
    return [m for m in found if not any(id(a) in roots for a in m.root.iterancestors())]


def post_blocks(sel: Selector) -> int:
    """How many post-shaped blocks a page shows in its main flow (a listing shows several;
    related-posts boxes and sidebars do not count)."""
    return max((len([b for b in _outermost(sel, css) if _in_main_flow(b)]) for css in _POST_BLOCKS), default=0)


_ASIDE = re.compile(r"related|widget|sidebar|recommend|popular|more-|teaser-list|menu|footer|header|nav|trending|also|promo")
_ASIDE_TAGS = ("aside", "nav", "footer", "header")


def _in_main_flow(link: Selector) -> bool:
    """Whether a heading link lies outside sidebars, menus, footers and related-posts boxes."""
    for ancestor in link.root.iterancestors():
        if ancestor.tag in _ASIDE_TAGS:
            return False
        if _ASIDE.search(f"{ancestor.get('id') or ''} {ancestor.get('class') or ''}".lower()):
            return False
    return True


_LISTING_PATH = re.compile(r"/(?:tags?|category|categories|label|labels|archives?|author|authors|search|topics?)(?:/|$)"
                           r"|/page/\d+/?$|[?&](?:paged|page|pg|s|q|tag|cat)=", re.IGNORECASE)


def plainly_a_listing(sel: Selector, url: str) -> bool:
    """A page a sitemap lists that is plainly no post: a tag, category, archive, author or
    search page by its URL, or three or more posts in its main flow. (The finer signals of
    ``is_listing`` are for link walking: on real article pages reached from a sitemap they
    cost more posts than they keep listings out.)"""
    return bool(_LISTING_PATH.search(url)) or (not says_it_is_an_article(sel) and post_blocks(sel) >= 3)


def says_it_is_an_article(sel: Selector) -> bool:
    """Open Graph ``og:type=article``, or schema.org naming the page an Article/BlogPosting."""
    if sel.css("meta[property='og:type'][content='article']"):
        return True
    scripts = " ".join(sel.xpath('//script[@type="application/ld+json"]/text()').getall())
    return bool(re.search(r'"@type"\s*:\s*\[?\s*"(?:\w*Article|BlogPosting|\w*Posting)"', scripts)) \
        or len(sel.css("[itemscope][itemtype*='BlogPosting'], [itemscope][itemtype*='Article']")) == 1


def is_listing(sel: Selector, url: str) -> bool:
    """Whether a page lists posts (home, archive, tag, search, a page of "Older entries")
    rather than being one: several post blocks, several "read more" links, several
    headings linking to other pages of the site (related-posts boxes and sidebars aside), a
    lone teaser — unless the page says it is an article (Open Graph, schema.org)."""
    if _PAGINATION_URL.search(url):
        return True
    if says_it_is_an_article(sel):
        return False
    if post_blocks(sel) >= 2:
        return True
    more = [urljoin(url, a.attrib.get("href", "")).split("#")[0] for a in sel.css("a[href]")
            if _READ_MORE.match(" ".join(" ".join(a.css("::text").getall()).split()))]
    if len(more) >= 2:
        return True
    here = url.split("#")[0]
    links = [a for a in sel.css("h1 a[href], h2 a[href], h3 a[href], h4 a[href]") if _in_main_flow(a)]
    targets = {urljoin(url, a.attrib["href"]).split("#")[0] for a in links}
    if any(m != here and m in targets for m in more):  # a lone teaser: its title and "read more" lead to the post
        return True
    host = urlsplit(url).netloc
    return len({t for t in targets if urlsplit(t).netloc == host and t != here}) >= 3


def looks_like_post(sel: Selector, url: str, text_length: int, dated: bool) -> bool:
    """Whether a page met by link walking is a post: not a listing, and marked as an article
    (Open Graph, ``<article>``, ``h-entry``, schema.org) or — pre-HTML5 templates — one main
    text of some length under a title, with a date."""
    if is_listing(sel, url):
        return False
    marked = sel.css("meta[property='og:type'][content='article'], article, .hentry, .h-entry, "
                     "[itemtype*='BlogPosting'], [itemtype*='Article']")
    if marked and text_length >= 80:
        return True
    titled = bool(sel.css(", ".join(_TITLE_CLASSES) + ", h1, h2, h3, h4"))
    return titled and dated and text_length >= 40


# --- the post's own title -----------------------------------------------------------------

_TITLE_SEPARATORS = re.compile(r"\s+(?:[|\-–—»«·•~]|::)\s+")


def _name_parts(blog_names: list[str]) -> set[str]:
    """Each blog name, and each part of it between title separators, as compared (casefolded)."""
    return {" ".join(part.split()).casefold() for n in blog_names if n for part in [n, *_TITLE_SEPARATORS.split(n)]}


def strip_blog_name(title: str | None, blog_names: list[str]) -> str | None:
    """"A post | Blog name", "Blog name - A post", "A post « Blog name" → "A post": the parts
    of a ``<title>`` that are the blog's name (or a part of it) go."""
    if not title:
        return None
    names = _name_parts(blog_names)
    title = " ".join(title.split())
    kept = [p for p in _TITLE_SEPARATORS.split(title) if p.casefold() not in names]
    if not kept:
        return None
    if len(kept) == len(_TITLE_SEPARATORS.split(title)):
        return title
    return kept[0] if len(kept) == 1 else " - ".join(kept)


def own_title(sel: Selector, blog_names: list[str]) -> str | None:
    """The post's own title: its title element (``.entry-title``, ``h3.entry-header`` …),
    else ``og:title``, else an ``h1`` that is not the blog's name, else ``<title>`` without
    the " | Blog name" part."""
    names = _name_parts(blog_names)

    def usable(text: str | None) -> str | None:
        text = " ".join((text or "").split())
        return text if text and text.casefold() not in names and len(text) <= 300 else None

    for css in _TITLE_CLASSES:
        for node in sel.css(css):
            text = usable(" ".join(node.css("::text, *::text").getall()))
            if text:
                return text
    og = usable(strip_blog_name(first(sel, "meta[property='og:title']::attr(content)"), blog_names))
    if og:
        return og
    for node in sel.css("h1"):
        text = usable(" ".join(node.css("::text, *::text").getall()))
        if text:
            return text
    title = strip_blog_name(first(sel, "title::text"), blog_names)
    parts = _TITLE_SEPARATORS.split(title or "")
    headings = {" ".join(" ".join(h.css("::text, *::text").getall()).split()) for h in sel.css("h2, h3")}
    return next((part for part in parts if part in headings), title)  # "Post - Blog - Site" with an h2 "Post"


def site_names(sel: Selector) -> list[str]:
    """Names the site gives itself (``og:site_name``, the header's title link or heading)."""
    return [n for n in (
        first(sel, "meta[property='og:site_name']::attr(content)"),
        first(sel, "#blog-title ::text", "#site-title ::text", ".site-title ::text", "#header h1 ::text", "#banner h1 ::text",
              ".blog-title ::text", "header h1 a::text", "a[rel~='home']::text"),
        first(sel, "meta[name='application-name']::attr(content)"),
    ) if n]


# --- the post's date, as the page shows it ---------------------------------------------------

_DATE_CSS = ("abbr.published::attr(title)", "time.published::attr(datetime)", "time.entry-date::attr(datetime)",
             ".entry-date ::text", ".post-date ::text", ".date-header ::text", ".published ::text", ".posted ::text",
             ".post-meta time::text", ".date ::text", ".entry-footer ::text", ".post-footer ::text", ".postmetadata ::text",
             ".byline ::text", ".meta ::text", ".entry-meta ::text", ".post-info ::text", "[class$='-meta'] ::text",
             "time::text")


def page_language(sel: Selector) -> list[str] | None:
    return page_languages(declared_language(sel))


def shown_post_date(sel: Selector) -> tuple[str | None, DateBasis | None]:
    """The post's date as its page shows it ("Posted on 12. März 2009"), in the page's language."""

    languages = page_language(sel)
    for css in _DATE_CSS:
        for value in sel.css(css).getall()[:3]:
            value = " ".join(value.split())
            found = shown_date(value, languages) if "::attr" in css else date_in_text(value, languages)
            if found[0]:
                return found
    return None, None


# --- where the blog is, and what leads to more posts -------------------------------------------

_FEED_SUFFIX = re.compile(r"(?:feeds/posts/(?:default|summary).*|feed/?(?:atom/?|rss2?/?)?|rss\.xml|atom\.xml|feed\.xml|"
                          r"index\.xml|index\.rdf|rss/?|atom/?)$")


def advertised_roots(sel: Selector, url: str) -> list[str]:
    """Blog roots a page names, most telling first: where its posts feed lives, its
    ``rel=home`` link, its breadcrumb's first link, its ``og:url`` when that is a parent."""
    found: list[str] = []
    for href in sel.css("link[rel~='alternate'][type*='rss']::attr(href), link[rel~='alternate'][type*='atom']::attr(href)").getall():
        feed = urljoin(url, href.strip())
        if "comments" in feed.lower():
            continue
        parts = urlsplit(feed)
        path = _FEED_SUFFIX.sub("", parts.path)
        if path != parts.path:
            found.append(f"{parts.scheme}://{parts.netloc}{path}")
    for css in ("link[rel~='home']::attr(href)", "a[rel~='home']::attr(href)", ".breadcrumb a::attr(href)",
                ".breadcrumbs a::attr(href)", "[itemtype*='BreadcrumbList'] a::attr(href)",
                "nav[aria-label*='readcrumb'] a::attr(href)", "meta[property='og:url']::attr(content)"):
        link = sel.css(css).get()
        if link and link.strip():
            found.append(urljoin(url, link.strip()))
    return list(dict.fromkeys(found))


_PAGINATION_TEXT = re.compile(
    r"older (?:posts|entries|articles)|next (?:page|posts|entries)|previous (?:posts|entries)|earlier (?:posts|entries)|"
    r"ältere (?:beiträge|einträge|artikel|posts)|nächste seite|weitere (?:beiträge|artikel)|"
    r"entradas (?:anteriores|antiguas|más antiguas)|página siguiente|siguiente página|"
    r"articles? (?:précédents|plus anciens)|billets? (?:précédents|plus anciens)|page suivante|"
    r"articoli (?:precedenti|meno recenti)|pagina successiva|oudere (?:berichten|posts)|volgende pagina",
    re.IGNORECASE)
_PAGINATION_URL = re.compile(r"/page/\d+/?$|[?&](?:paged|page|pg)=\d+|[?&]updated-max=")


def pagination_links(sel: Selector, url: str) -> set[str]:
    """Links to the next pages of a listing: ``rel=next``, "Older entries" in the page's
    language, ``/page/N/``, ``?paged=N``, ``?page=N``, Blogger's ``updated-max``."""
    found = {urljoin(url, h) for h in sel.css("a[rel~='next']::attr(href), link[rel~='next']::attr(href)").getall()}
    for link in sel.css("a[href]"):
        text = " ".join(" ".join(link.css("::text, *::text").getall()).split())
        href = urljoin(url, link.attrib["href"])
        if _PAGINATION_TEXT.search(text) or _PAGINATION_URL.search(href):
            found.add(href)
    return found


_COUNT_HEADER = re.compile(
    r"^\W*(\d+|one|no|ein|eine|kein|keine|un|une|uno|una|aucun)\s+(?:comments?|kommentare?|comentarios?|commentaires?|"
    r"commenti|commento|reacties|reactie|reacciones|risposte|responses?|replies|reply|thoughts?|antworten|réponses?|"
    r"respuestas?)\b", re.IGNORECASE)
_WORD_NUMBERS = {"one": 1, "ein": 1, "eine": 1, "un": 1, "une": 1, "uno": 1, "una": 1,
                 "no": 0, "kein": 0, "keine": 0, "aucun": 0}


def declared_comments(sel: Selector) -> int | None:
    """The comment count a page's comments heading states ("12 comments", "One thought on …",
    "3 Kommentare"), or None."""
    for text in sel.css("h1, h2, h3, h4, h5, .comments-title, .comment-count, #comments-title").xpath("string()").getall():
        match = _COUNT_HEADER.match(" ".join(text.split()))
        if match:
            word = match[1].lower()
            return int(word) if word.isdigit() else _WORD_NUMBERS[word]
    return None


def byline_author(sel: Selector) -> str | None:
    """The author a post's byline names in words ("geschrieben von Anna Roth am 21. Jan. 2015",
    "Posted by Ann at 10:15 PM"), as old templates write it without any markup."""
    for text in sel.css(".meta, .byline, .info, .postmeta, .post-meta, .entry-meta, .post-info, .metadata, "
                        ".entry-footer, .post-footer, .posted").xpath("string()").getall()[:4]:
        match = BY_LINE.match(" ".join(text.split()))
        name = clean_name(match[1]) if match else None
        if name:
            return name
    return None
