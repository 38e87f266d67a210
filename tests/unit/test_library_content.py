"""Article files: YAML front matter read by python-frontmatter, and a clear message naming the
file when an editor gets it wrong."""

from __future__ import annotations

import pytest

from app.library.content import ContentError, parse
from app.models import Topic

GOOD = """---
title: "After a fall: what to do"
slug: after-a-fall
summary: "The checks in the hours after a fall."
topics: [escalation, health]
standards: [12, 13]
induction: 4
---
## When you find someone on the floor
"""


def test_an_article_file_gives_its_title_lists_and_place_in_the_induction(tmp_path):
    path = tmp_path / "after-a-fall.md"
    path.write_text(GOOD, encoding="utf-8")
    content = parse(path)
    assert content.draft.title == "After a fall: what to do"
    assert content.draft.topics == [Topic.ESCALATION, Topic.HEALTH]
    assert content.draft.standards == [12, 13]
    assert content.induction == 4
    assert content.draft.body == "## When you find someone on the floor"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ('title: "After a fall: what to do"', "title: After a fall: what to do"),
            "not valid YAML",
        ),
        (('summary: "The checks in the hours after a fall."\n', ""), "needs summary"),
        (("standards: [12, 13]", "standards: [twelve]"), "twelve"),
        (("topics: [escalation, health]", "topics: [gardening]"), "gardening"),
    ],
)
def test_a_mistake_in_the_front_matter_names_the_file(tmp_path, change, message):
    path = tmp_path / "after-a-fall.md"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ContentError, match=message) as caught:
        parse(path)
    assert "after-a-fall.md" in str(caught.value)
