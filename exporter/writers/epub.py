"""Write a Book as an EPUB 3 file: the cover drawn on another CPU while the package is assembled."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from exporter.background import Helper
from exporter.book import Book
from exporter.cover import cover_text, draw_cover
from exporter.model import Notice
from exporter.writers import WriteOptions, build_time, in_language
from exporter.writers.atomic import atomic_file


def write_epub(
    book: Book, target: Path, options: WriteOptions | None = None, helper: Helper | None = None
) -> list[Notice]:
    """Write `book` to `target` (atomically); return warnings about images left out.

    `helper`: a helper process to draw the cover in (started early, it has Pillow loaded already);
    without one, a helper is forked for this book.
    """
    options = options or WriteOptions()
    book = in_language(book, options)
    with ExitStack() as stack:
        if helper is None:
            helper = stack.enter_context(Helper())
        # Pillow holds Python's lock while it rasterises the cover's glyphs: the helper draws it
        # while this process imports ebooklib, lxml and Jinja, renders the chapters and packs them.
        cover = stack.enter_context(helper.run(draw_cover, cover_text(book)))
        from exporter.writers import epub_package

        package = epub_package.assemble(book, options)
        data = epub_package.build_zip(package, build_time(book.sources, book.date_to), cover.result)
    with atomic_file(target) as handle:
        handle.write(data)
    return package.notices
