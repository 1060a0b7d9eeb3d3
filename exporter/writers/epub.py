"""Write a Book as an EPUB 3 file: the cover drawn on another CPU while the package is assembled."""

from __future__ import annotations

from pathlib import Path

from exporter.background import Pending
from exporter.book import Book
from exporter.model import Notice
from exporter.writers import WriteOptions, build_time, in_language
from exporter.writers.atomic import atomic_file


def write_epub(book: Book, target: Path, options: WriteOptions | None = None) -> list[Notice]:
    """Write `book` to `target` (atomically); return warnings about images left out."""
    options = options or WriteOptions()
    book = in_language(book, options)
    # Pillow holds Python's lock while it rasterises the cover's glyphs: a forked child draws it
    # while this process imports ebooklib, lxml and Jinja, renders the chapters and packs them.
    with Pending(_draw_cover, book) as cover:
        from exporter.writers import epub_package

        package = epub_package.assemble(book, options)
        data = epub_package.build_zip(package, build_time(book.sources, book.date_to), cover.result)
    with atomic_file(target) as handle:
        handle.write(data)
    return package.notices


def _draw_cover(book: Book) -> bytes:
    from exporter.cover import draw_cover  # Imports Pillow: only in the process that draws.

    return draw_cover(book)
