"""Officer-written Markdown, safe for residents: cleaned on the way in, sanitised on the way out.

On the way in `clean_source` removes anything that looks like an HTML tag but keeps
Markdown's own characters (`>` quotes, `&`, `<` in "a < b") readable in the stored text.
On the way out `render_markdown` turns Markdown into HTML and runs it through nh3 with a
small allow-list, so a bypass of the input cleaning still cannot inject script.
"""

from __future__ import annotations

import html
import re
import threading
from functools import lru_cache

import markdown
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
    "code",
    "pre",
    "h3",
    "h4",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
LINK_REL = "nofollow noopener"

_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^<>\s]+)>")
_BLOCK_END = re.compile(r"</(?:p|h\d|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)
_ITEM_END = re.compile(r"</li>\s*", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li>", re.IGNORECASE)
_ANCHOR = re.compile(r'<a [^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)
_MANY_NEWLINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+\n")


def strip_tags(text: str) -> str:
    """Remove HTML tags (and script/style content), leaving the text readable, not entity-escaped.

    Repeats until stable so an escaped tag ("&lt;b&gt;") cannot turn into a real one later.
    """
    value = text or ""
    for _ in range(5):
        cleaned = html.unescape(nh3.clean(value, tags=set()))
        if cleaned == value:
            break
        value = cleaned
    return value


def normalise_newlines(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF; stored text and every check use LF only."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def has_tags(text: str) -> bool:
    """True if the text contains an HTML tag (or an escaped one that would become a tag).

    Compared with the text's own entities decoded and its newlines normalised, so that the
    CRLF a browser sends, "&amp;" or "&nbsp;" are never mistaken for markup: only tags are.
    """
    value = html.unescape(normalise_newlines(text))
    return strip_tags(value) != value


def has_markdown_tags(text: str) -> bool:
    """has_tags for Markdown source: `<https://...>` and `<mailto:...>` are Markdown links, not tags."""
    return has_tags(_AUTOLINK.sub("", text or ""))


def clean_source(text: str) -> str:
    """Markdown source as stored: normalised newlines, no HTML tags, `<https://...>` links kept."""
    value = normalise_newlines(text)
    value = _AUTOLINK.sub(lambda m: f"[{m.group(1)}]({m.group(1)})", value)
    return strip_tags(value).strip()


_local = threading.local()


def _markdown() -> markdown.Markdown:
    """One converter per thread: building one loads its extensions, which costs milliseconds."""
    if not hasattr(_local, "md"):
        # Headings start at <h3>: the page already has its <h1> and section <h2>s.
        _local.md = markdown.Markdown(
            extensions=["sane_lists", "toc"], extension_configs={"toc": {"baselevel": 3}}, output_format="html"
        )
    return _local.md


@lru_cache(maxsize=4096)
def _to_html(text: str) -> str:
    """Pure in its input, so feeds and lists that show the same description reuse the result."""
    raw = _markdown().reset().convert(text or "")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
    )


def render_markdown(text: str) -> Markup:
    """Markdown to sanitised HTML, safe to put straight into a template."""
    return Markup(_to_html(text))  # noqa: S704 - sanitised by nh3 just above


def plain_text(text: str) -> str:
    """Markdown as readable plain text (for iCal descriptions and email): links become "text (url)"."""
    value = _to_html(text)

    def anchor(match: re.Match) -> str:
        href, label = html.unescape(match.group(1)), match.group(2)
        label_text = html.unescape(nh3.clean(label, tags=set()))
        return label if not href or label_text == href else f"{label} ({href})"

    value = _ANCHOR.sub(anchor, value)
    value = _LIST_ITEM.sub("- ", value)
    value = _ITEM_END.sub("\n", value)
    value = _BLOCK_END.sub("\n", value)
    value = html.unescape(nh3.clean(value, tags=set()))
    value = _TRAILING_SPACE.sub("\n", value)
    return _MANY_NEWLINES.sub("\n\n", value).strip()
