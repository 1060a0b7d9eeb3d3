"""The EPUB as Chromium sets it (issue 16): two adjacent full-width marks take 1.5 em (clreq), not 1 em
where Chromium's own squeezing (text-spacing-trim) meets the book's; a caption without its picture is as
wide as the text, not one character."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS, EXAMPLES, run_cli

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")

# For every squeezed mark followed on its line by a character: the width from the mark's left edge to that
# character's right edge, in ems of the mark's font size.
PAIRS = r"""
() => [...document.querySelectorAll('span.squeeze')].flatMap((span) => {
  const next = span.nextSibling;
  if (!next || next.nodeType !== Node.TEXT_NODE || !next.data) return [];
  const range = document.createRange();
  range.setStart(next, 0);
  range.setEnd(next, 1);
  const a = span.getBoundingClientRect(), b = range.getBoundingClientRect();
  if (Math.abs(a.top - b.top) > 2) return [];  // The pair is broken across lines.
  return [[span.textContent + next.data[0], (b.right - a.left) / parseFloat(getComputedStyle(span).fontSize)]];
})
"""
CAPTIONS = r"""
() => [...document.querySelectorAll('figure.no-image figcaption')].map(
  (c) => c.getBoundingClientRect().width / document.body.getBoundingClientRect().width)
"""


@pytest.fixture(scope="module")
def chapters(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("chromium-epub")
    result = run_cli("export", EXAMPLES, "-f", "epub", "-o", out, "--from", "2026-03-02", "--to", "2026-03-02")
    assert result.returncode == 0, result.stderr
    (epub,) = out.rglob("*.epub")
    with zipfile.ZipFile(epub) as book:
        book.extractall(out / "book")
    return sorted((out / "book").rglob("page*.xhtml"))


def measure(chapters: list[Path], script: str) -> list[Any]:
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 390, "height": 844})  # A phone.
        for chapter in chapters:
            page.goto(chapter.as_uri())
            found += page.evaluate(script)
        browser.close()
    return found


def test_adjacent_marks_take_one_and_a_half_em(chapters: list[Path]) -> None:
    pairs = measure(chapters, PAIRS)
    assert len(pairs) >= 40  # 。” 。“ ”， ”“ … in the three 版 of 2026-03-02.
    assert {marks for marks, _ in pairs} >= {"。“", "”，", "。”"}  # Closing + opening among them.
    # 1.5 em, and what justification spreads between characters (at most 0.25 em on a phone's line).
    assert all(1.45 <= width <= 1.75 for _, width in pairs), sorted(pairs, key=lambda p: p[1])[:5]


def test_a_caption_without_its_picture_is_as_wide_as_the_text(chapters: list[Path]) -> None:
    widths = measure(chapters, CAPTIONS)
    assert len(widths) >= 4  # The tea article's captions, whose pictures the archive does not keep.
    assert all(width >= 0.8 for width in widths), widths
