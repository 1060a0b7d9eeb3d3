"""A reader taps an article on the page picture: Debian's Chromium opens the EPUB's picture document
(unzipped), a click inside each region must load that article, and its back link the picture again."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from exporter.book import lay_out
from exporter.model import Issue
from exporter.writers.epub import write_epub
from tests.conftest import CHROMIUM
from tests.conftest import CHROMIUM_ARGS as ARGS
from tests.facsimiles import make_issue

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Issue]:
    issue = make_issue(tmp_path_factory.mktemp("click-src"), pages=1, articles=5, pdfs=False)
    epub = tmp_path_factory.mktemp("click") / "book.epub"
    write_epub(lay_out([issue]), epub)
    folder = epub.parent / "unzipped"
    with zipfile.ZipFile(epub) as archive:
        archive.extractall(folder)
    return folder / "EPUB", issue


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield browser
        browser.close()


def _inside(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    """Return a point inside the region: the middle of its first and third corners (a rectangle's
    centre; for the L-shaped lead story, the middle of its headline band)."""
    (x0, y0), (x2, y2) = points[0], points[2]
    return (x0 + x2) / 2, (y0 + y2) / 2


def test_clicking_a_region_opens_its_article_and_the_back_link_the_picture(
    book: tuple[Path, Issue], browser: Any
) -> None:
    folder, issue = book
    page_model = issue.pages[0]
    facsimile = page_model.facsimile
    assert facsimile is not None
    anchors = {a.origin.file: (f"i1p1a{n}", a.title) for n, a in enumerate(page_model.articles, start=1)}
    tab = browser.new_page(viewport={"width": 700, "height": 1000})
    picture_url = (folder / "facsimile001.xhtml").as_uri()
    for region in facsimile.regions:
        anchor, title = anchors[region.article]
        tab.goto(picture_url)
        box = tab.locator("svg.facsimile-picture").bounding_box()
        # The viewBox is the picture's pixels, fitted and centred in the SVG box (xMidYMid meet).
        scale = min(box["width"] / facsimile.width, box["height"] / facsimile.height)
        left = box["x"] + (box["width"] - facsimile.width * scale) / 2
        top = box["y"] + (box["height"] - facsimile.height * scale) / 2
        x, y = _inside(region.points)
        tab.mouse.click(left + x * scale, top + y * scale)
        tab.wait_for_url(f"**/page001.xhtml#{anchor}")
        heading = tab.locator(f"#{anchor} h2.title")
        assert heading.inner_text() == title
        top_now = heading.bounding_box()["y"]
        assert -2 <= top_now < 1000  # Scrolled to the article (sub-pixel above 0 when at the very top).
    tab.locator(f"#{anchors[facsimile.regions[0].article][0]} .facsimile-link a").click()
    tab.wait_for_url("**/facsimile001.xhtml")
    assert tab.locator("svg.facsimile-picture image").count() == 1
    # The picture itself was loaded (a broken image would have no natural size).
    loaded = tab.evaluate(
        "() => new Promise(done => { const i = new Image(); i.onload = () => done(i.naturalWidth);"
        " i.onerror = () => done(0); i.src = document.querySelector('image').href.baseVal; })"
    )
    assert loaded == facsimile.width
