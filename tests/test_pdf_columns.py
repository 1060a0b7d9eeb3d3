"""--columns 2 with very long articles: WeasyPrint's columns are "simple", so prove that nothing
is lost, repeated or reordered across column and page breaks; markup-like text prints literally."""

from __future__ import annotations

import pytest

from exporter.model import Paragraph
from tests.pdftools import (
    HOSTILE_TEXTS,
    PdfShelf,
    Placement,
    expected_outline,
    module_shelf,
    squash,
    stranded,
)


@pytest.fixture(scope="module")
def pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    return module_shelf(request, tmp_path_factory)


@pytest.fixture(scope="module")
def long(pdfs: PdfShelf) -> Placement:
    (placement,) = pdfs.placed("long-2col")
    return placement


def test_the_long_issue_is_long(long: Placement) -> None:
    paragraphs = [b for v in long.book.articles for b in v.article.blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) > 100
    first = long.pages[0]
    assert len(first.articles) == 3
    assert long.articles[-1].page - first.page >= 10, "the long articles should span many pages"


def test_every_paragraph_once_and_in_order(long: Placement) -> None:
    doc = long.doc
    body = doc.flat[doc.starts[long.pages[0].page] :]  # After the contents page.
    cursor = 0
    for view in long.book.articles:
        for text in view.article.texts():
            needle = squash(text)
            found = body.find(needle, cursor)
            assert found >= 0, f"missing or out of order: {text[:60]!r}"
            if len(needle) > 12:  # Short texts (本报讯) repeat legitimately.
                assert body.count(needle) == 1, f"printed {body.count(needle)} times: {text[:60]!r}"
            cursor = found + len(needle)


def test_both_columns_are_used_and_no_line_crosses_the_gutter(long: Placement) -> None:
    """Every page of the long articles has text in both columns; only the full-width headers
    (版面 heading, kicker, title, subtitle, byline) and the source line cross the page's middle."""
    doc = long.doc
    headers = "".join(
        squash(t)
        for v in long.book.articles
        for t in (v.article.kicker, v.article.title, v.article.subtitle, v.article.byline, v.article.source)
        if t
    ) + "".join(squash(p.title) for p in long.book.pages)
    for page in doc.pages[long.pages[0].page : long.articles[-2].page + 1]:
        left, _, right, _ = page.trim
        middle = (left + right) / 2
        words = page.body_words
        assert any(w.x1 <= middle for w in words) and any(w.x0 >= middle for w in words), (
            f"page {page.index + 1}: one column only"
        )
        crossing = [w.text for w in words if w.x0 < middle < w.x1]
        assert [t for t in crossing if squash(t) not in headers] == [], f"page {page.index + 1}"


def test_outline_and_pages_in_two_columns(long: Placement) -> None:
    actual = [(level, squash(title), page) for level, title, page in long.doc.facts.outline]
    assert actual == expected_outline(long.pages)


def test_no_heading_is_stranded_in_two_columns(long: Placement) -> None:
    assert stranded(long) == []


def test_photos_stay_with_their_captions_in_two_columns(long: Placement) -> None:
    with_image = [(f, page) for a in long.articles for f, page in a.figures if f.image]
    assert len(with_image) == 3
    assert [page for _, page in with_image] == long.doc.image_pages


def test_markup_like_text_prints_literally(long: Placement) -> None:
    hostile = long.articles[-1]
    assert hostile.article.title.startswith("标题里的")
    region = long.doc.flat[hostile.pos : hostile.end]
    for text in HOSTILE_TEXTS:
        assert squash(text) in region, text
    assert "49" not in region, "{{ 7*7 }} was evaluated"
    assert squash("<b>不是粗体</b>") in region
    assert squash("<!-- 注释 -->") in region and "]]>" in region
    assert "&lt;b&gt;" in region, "entities in the source are printed as written"
    assert [t for t, pos in hostile.texts if pos < 0] == []
