"""拼版 on the changed 版面 alone: the HTML of a few 版面 cut from the book's, and the fallback for
templates that do not set each 版面 as a section of the body."""

from __future__ import annotations

import datetime as dt

import lxml.html

from exporter.book import lay_out
from exporter.writers import WriteOptions
from exporter.writers.makeup import Placement, chapters, only_chapters
from exporter.writers.pdf import build_html
from tests.conftest import EXAMPLES
from tests.pdftools import issues_of


def _html() -> tuple[str, list[str]]:
    book = lay_out(list(issues_of([EXAMPLES]))[:1])
    html = build_html(book, WriteOptions(), {}, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    return html, [page.anchor for page in book.pages]


def test_the_keys_of_moved_pictures_name_their_pages() -> None:
    keys = {"i1p2a3b0": Placement(after=2), "i1p12a1b4": Placement(height=100.0), "i2p1a10b0": Placement(after=1)}
    assert chapters(keys) == {"i1p2", "i1p12", "i2p1"}


def test_only_the_named_pages_are_kept_in_order_without_cover_or_contents() -> None:
    html, anchors = _html()
    assert len(anchors) >= 3
    wanted = {anchors[-1], anchors[1]}
    part = only_chapters(html, wanted)
    assert part is not None
    body = lxml.html.document_fromstring(part).find("body")
    assert body is not None
    assert [c.get("id") for c in body] == [anchors[1], anchors[-1]]
    assert 'class="cover"' not in part and "contents" not in (body.get("class") or "")
    assert body.get("class") == lxml.html.document_fromstring(html).find("body").get("class")  # Same CSS context.


def test_templates_without_page_sections_fall_back_to_the_whole_book() -> None:
    html, anchors = _html()
    assert only_chapters(html.replace('<section class="page', '<div class="page'), {anchors[0]}) is None
    assert only_chapters(html, {"no-such-page"}) is None
