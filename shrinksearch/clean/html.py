"""HTML bodies to text that keeps paragraph breaks, and HTML sanitising for display.

Blocks (``<p>``, ``<li>``, ``<blockquote>``, headings, a ``<br><br>`` run) become paragraphs
separated by one blank line; a single ``<br>`` becomes a line break. For comments, block
quotes can be kept as ``> ``-prefixed lines so ``quotes.split_quoted`` sees one convention
for quoted text whatever the markup was.
"""

from __future__ import annotations

import copy

import ftfy
import html_text
import lxml.html
import nh3

from shrinksearch.clean.text import repair_text

# Private-use characters stand in for structure while html_text flattens the tree;
# they cannot occur in cleaned text (repair_text would not keep them either).
_PARA_MARK = "\ue000"
_QUOTE_MARK = "\ue001"
_DOUBLE_NEWLINE_TAGS = html_text.DOUBLE_NEWLINE_TAGS | {"li", "dd", "div", "article", "section"}
_NEWLINE_TAGS = html_text.NEWLINE_TAGS - _DOUBLE_NEWLINE_TAGS


def _flatten(tree: lxml.html.HtmlElement) -> str:
    return html_text.extract_text(
        tree, newline_tags=_NEWLINE_TAGS, double_newline_tags=_DOUBLE_NEWLINE_TAGS
    )


def _mark_double_breaks(root: lxml.html.HtmlElement) -> None:
    """A <br> followed (modulo whitespace) by another <br> ends a paragraph."""
    for br in root.iter("br"):
        following = br.getnext()
        if following is not None and following.tag == "br" and not (br.tail or "").strip():
            br.tail = _PARA_MARK


def _pull_blockquotes(root: lxml.html.HtmlElement) -> list[str]:
    """Replace each outermost <blockquote> by a placeholder paragraph; return their texts."""
    quotes: list[str] = []
    outermost = [bq for bq in root.iter("blockquote") if not any(a.tag == "blockquote" for a in bq.iterancestors())]
    for blockquote in outermost:
        quotes.append(_flatten(copy.deepcopy(blockquote)))
        placeholder = lxml.html.Element("p")
        placeholder.text = f"{_QUOTE_MARK}{len(quotes) - 1}{_QUOTE_MARK}"
        placeholder.tail = blockquote.tail
        blockquote.getparent().replace(blockquote, placeholder)
    return quotes


def _as_quote_lines(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "\n".join("> " + line for line in lines)


def html_to_text(html: str, *, mark_quotes: bool = False) -> str:
    """Readable text of an HTML fragment or page, paragraphs separated by a blank line.

    With ``mark_quotes`` every line of a ``<blockquote>`` is prefixed with ``"> "``.
    """
    if not html.strip():
        return ""
    root = html_text.parse_html(html)
    _mark_double_breaks(root)
    quotes = _pull_blockquotes(root) if mark_quotes else []
    text = _flatten(root).replace(_PARA_MARK, "\n\n")
    for number, quote in enumerate(quotes):
        text = text.replace(f"{_QUOTE_MARK}{number}{_QUOTE_MARK}", "\n\n" + _as_quote_lines(quote) + "\n\n")
    return repair_text(text)


def sanitize_html(html: str) -> str:
    """HTML safe to show in the web page: mojibake repaired; scripts, styles, event handlers
    and unsafe URLs removed (nh3's allow-list)."""
    repaired = ftfy.fix_text(html, unescape_html=False, normalization="NFC")
    return nh3.clean(repaired, link_rel="noopener noreferrer nofollow").strip()
