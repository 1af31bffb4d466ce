"""Platform auto-detection from a blog's home page.

Blogger pages carry ``<meta name="generator" content="Blogger">`` (and Blogger feed links);
WordPress pages link their REST API root with ``<link rel="https://api.w.org/">`` (and most
carry a ``WordPress x.y`` generator); anything else is crawled by the generic spider.
"""

from __future__ import annotations

from parsel import Selector

PLATFORMS = ("blogger", "wordpress", "generic")


def detect_platform(html: str) -> str:
    """``"blogger"``, ``"wordpress"`` or ``"generic"`` for a home page's HTML."""
    sel = Selector(text=html or "<html></html>")
    generator = " ".join(sel.css('meta[name="generator" i]::attr(content)').getall()).lower()
    if "blogger" in generator or sel.css('link[href*="/feeds/posts/default"]'):
        return "blogger"
    if sel.xpath('//link[@rel="https://api.w.org/"]') or generator.startswith("wordpress"):
        return "wordpress"
    return "generic"
