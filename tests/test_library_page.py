"""The library page in headless Chromium (Debian's, via Playwright): from disk and from `epaper serve`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import CHROMIUM, EXAMPLES
from tests.conftest import CHROMIUM_ARGS as ARGS
from tests.librarysample import PAPER, QINGCHUAN, article_titles, issue_dates, month_library, running_server

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or not shutil.which("chromium"), reason="Debian chromium absent")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return month_library(tmp_path_factory)[1]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


def check_page(page, out: Path, width: int) -> None:
    """Calendar, search and links, as a reader uses them."""
    february = page.locator("section.month[id$='-2026-02'] td.issue a")
    assert february.count() == len(issue_dates())
    assert february.first.inner_text() == "1"
    # No JavaScript needed for that; the search box is the script's.
    search = page.locator("#search")
    assert search.is_visible()
    title = article_titles(EXAMPLES, QINGCHUAN)[2]
    search.fill(title)
    hits = page.locator("#results li.hit")
    assert hits.count() == 1
    assert "2026年3月3日" in hits.first.locator("a.title").inner_text()
    assert title in hits.first.inner_text()
    assert page.locator("section.paper").first.is_hidden()
    search.fill("")
    assert page.locator("section.paper").first.is_visible()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert len(hrefs) > len(issue_dates())
    for href in hrefs:
        if "#" in href:
            continue
        parts = urlsplit(href)
        path = unquote(parts.path)
        local = Path(path) if parts.scheme == "file" else out / path.lstrip("/")
        assert local.is_file(), href
    images = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.getAttribute('src'))")
    for src in images:
        assert (out / unquote(src)).is_file(), src
    # Nothing sticks out sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_page_from_disk(browser, out, width):
    page = browser.new_page(viewport={"width": width, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto((out / "index.html").as_uri())
    check_page(page, out, width)
    assert errors == []
    page.close()


def test_page_from_the_server(browser, out):
    with running_server(out) as url:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        response = page.goto(url)
        assert response is not None and response.status == 200
        check_page(page, out, 1280)
        first = page.locator("section.month[id$='-2026-02'] td.issue a").first.evaluate("a => a.href")
        download = page.request.get(first)
        assert download.body() == (out / PAPER / "2026-02-01.epub").read_bytes()
        page.close()


def test_page_without_javascript(browser, out):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((out / "index.html").as_uri())
    assert page.locator("td.issue a").count() == len(issue_dates()) + 1
    assert not page.locator("#search").is_visible()  # No box that cannot work.
    context.close()
