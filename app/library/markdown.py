"""Article bodies: Markdown rendered by markdown-it-py, then sanitised by nh3 with an allowlist.

Authors are trusted staff, but an article reaches every phone in the organisation, so nothing
in its HTML may run: no scripts, no event handlers, no `javascript:` links, no styles.
"""

from __future__ import annotations

import math
import re

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "pre",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}
WORDS_PER_MINUTE = 200

_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")


def render_markdown(text: str) -> str:
    """Markdown to safe HTML."""
    return sanitise(_markdown.render(text or ""))


def sanitise(html: str) -> str:
    """Keep only the allowlisted tags, attributes and link schemes."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def reading_minutes(*texts: str) -> int:
    """Minutes to read, at an easy pace; never less than one."""
    words = sum(len(re.findall(r"\w+", text or "")) for text in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def word_count(text: str) -> int:
    return len(re.findall(r"[\w'’-]+", text or ""))
