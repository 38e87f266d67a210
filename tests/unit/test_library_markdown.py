"""Article bodies are rendered from Markdown and sanitised: nothing in them can run."""

from __future__ import annotations

import re

from app.library.content import load_files
from app.library.markdown import reading_minutes, render_markdown, word_count
from app.models import CARE_CERTIFICATE_STANDARDS


def test_script_tags_and_their_contents_are_removed():
    html = render_markdown("Hello\n\n<script>alert('hi')</script>\n\nAfter <script>x()</script>")
    assert "<script" not in html and "alert" not in html and "x()" not in html
    assert "Hello" in html and "After" in html


def test_javascript_links_are_removed_from_markdown_and_html():
    html = render_markdown(
        '[click](javascript:alert(1)) and <a href="javascript:alert(2)">me</a> '
        'and <a href="JaVaScRiPt:alert(3)">too</a>'
    )
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert not [href for href in hrefs if "javascript" in href.lower()]
    assert '<a rel="noopener noreferrer">me</a>' in html  # the link is left harmless
    assert "too" in html


def test_event_handler_attributes_and_styles_are_removed():
    html = render_markdown(
        '<p onclick="steal()" style="color:red">Hi</p> <img src="x" onerror="steal()"> '
        '<a href="https://example.org" onmouseover="steal()">safe link</a>'
    )
    assert "steal" not in html and "onclick" not in html and "style=" not in html
    assert "<img" not in html
    assert '<a href="https://example.org" rel="noopener noreferrer">safe link</a>' in html


def test_ordinary_markdown_keeps_its_shape():
    html = render_markdown("## Steps\n\n1. **Stop**\n2. Tell someone\n\n[Ring](tel:111)")
    assert "<h2>Steps</h2>" in html and "<strong>Stop</strong>" in html
    assert "<ol>" in html and 'href="tel:111"' in html


def test_reading_time_is_at_least_a_minute_and_grows_with_length():
    assert reading_minutes("A few words.") == 1
    assert reading_minutes("word " * 450) == 3


def test_every_library_article_is_short_and_the_pathway_covers_all_16_standards():
    files = load_files()
    assert len(files) >= 20
    for content in files:
        assert word_count(content.draft.body) < 600, content.path.name
        assert content.draft.summary and content.draft.title
    pathway = sorted((c for c in files if c.induction), key=lambda c: c.induction)
    covered = {n for c in pathway for n in c.draft.standards}
    assert covered == set(CARE_CERTIFICATE_STANDARDS)
    assert [c.induction for c in pathway] == list(range(1, len(pathway) + 1))


def _grade(text: str) -> float:
    """A rough Flesch-Kincaid grade (reading age is about the grade plus 5)."""
    text = re.sub(r"[#*|>-]", " ", text)
    sentences = [s for s in re.split(r"[.!?:\n]+", text) if re.search(r"\w", s)]
    words = re.findall(r"[A-Za-z']+", text)

    def syllables(word: str) -> int:
        count = len(re.findall(r"[aeiouy]+", word.lower()))
        return max(1, count - 1 if word.lower().endswith("e") and count > 1 else count)

    per_sentence = len(words) / len(sentences)
    per_word = sum(syllables(w) for w in words) / len(words)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59


def test_library_articles_are_written_in_plain_english():
    for content in load_files():
        assert _grade(content.draft.body) <= 8, content.path.name
