"""The EPUB in a real reading system (issue 16): calibre converts 湖北日报 2023-02-11, with generated
photos of four shapes, to PDF; every picture keeps its proportions and the cover is there once."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import run_cli
from tests.layoutcheck import HUBEI, PHOTO_SHAPES, epub_pictures, placed_pictures, write_hubei_sources


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="calibre's ebook-convert is not installed")
@pytest.mark.skipif(not HUBEI.exists(), reason=f"{HUBEI} is absent (shared corpus not available)")
def test_calibre_keeps_every_pictures_aspect_and_one_cover(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("calibre")
    result = run_cli("export", write_hubei_sources(root / "src"), "-f", "epub", "-o", root / "out", "-j", "1")
    assert result.returncode == 0, result.stderr
    (epub,) = (root / "out").rglob("*.epub")
    target = root / "book.pdf"
    proc = subprocess.run(
        # A cover drawn for an e-reader is stretched to calibre's page unless asked not to: that is calibre's
        # option, not the book's; the pictures in the text keep their shape without it.
        ["ebook-convert", str(epub), str(target), "--preserve-cover-aspect-ratio"],
        capture_output=True,
        text=True,
        timeout=300,
        # QtWebEngine refuses to start as root with its sandbox (CI containers run as root).
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "QTWEBENGINE_CHROMIUM_FLAGS": "--no-sandbox"},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]

    sources = epub_pictures(epub)  # The cover page's image first, then the photos in reading order.
    assert sources[0][0].endswith("cover.jpg")
    expected = [w / h for _, w, h in sources]
    assert {round(r, 2) for r in expected[1:]} == {round(w / h, 2) for w, h in PHOTO_SHAPES}
    placed = placed_pictures(target)
    got = [w / h for _, w, h in placed]
    assert len(got) == len(expected), (expected, got)  # The cover once, each photo once.
    for want, have in zip(expected, got, strict=True):
        assert abs(have / want - 1) <= 0.02, (want, have)
    assert placed[0][0] == 1 and all(page > 1 for page, _, _ in placed[1:])
