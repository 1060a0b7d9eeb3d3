"""Covers for the library page and the catalog: the EPUB's own cover, and a small thumbnail of it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from exporter.library.catalog import ASSETS, Book, cover_bytes
from exporter.writers.atomic import write_bytes

if TYPE_CHECKING:
    from PIL import Image

THUMB_WIDTH = 240  # Sharp at 120 CSS pixels on a 2x phone screen; about 10 KB.
COVER_WIDTH = 800  # What an e-reader shows in its catalog view; the EPUB keeps the full 1600.


def place_covers(out: Path, book: Book) -> None:
    """Write OUT/library/covers/… and thumbs/… for a book with an EPUB cover (once per EPUB version)."""
    epub = book.file("epub")
    if epub is None:
        book.cover = book.thumbnail = None
        return
    cover = f"{ASSETS}/covers/{book.folder}/{book.stem}.jpg"
    thumb = f"{ASSETS}/thumbs/{book.folder}/{book.stem}.jpg"
    if book.cover == cover and (out / cover).is_file() and (out / thumb).is_file():
        return
    data = cover_bytes(out / epub.path)
    if data is None:
        book.cover = book.thumbnail = None
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.draft("RGB", (COVER_WIDTH, COVER_WIDTH))  # A JPEG decodes at 1/2 scale: 4x less work.
            image = opened.convert("RGB")
            large = _scaled(image, COVER_WIDTH)
            write_bytes(out / cover, _jpeg(large))
            write_bytes(out / thumb, _jpeg(_scaled(large, THUMB_WIDTH)))
    except (UnidentifiedImageError, OSError, ValueError):
        book.cover = book.thumbnail = None
        return
    book.cover, book.thumbnail = cover, thumb


def _scaled(image: Image.Image, width: int) -> Image.Image:
    from PIL import Image

    if image.width <= width:
        return image
    return image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS, reducing_gap=2.0)


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, progressive=True)
    return buffer.getvalue()
