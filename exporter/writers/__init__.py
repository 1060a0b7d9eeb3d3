"""Writers turn a laid-out Book into files; they know nothing of source formats."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from exporter.book import Book

PdfProfile = Literal["screen", "print", "archive"]
OriginalPages = Literal["auto", "embed", "append", "none"]  # The site's page PDFs; auto: embed in archives.


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """Choices that change how books look (the export command's layout options)."""

    templates: Path | None = None  # Folder of template overrides (--templates).
    css: Path | None = None  # Extra stylesheet added after the built-in one (--css).
    toc_depth: int = 2  # 1: 版面; 2: + articles; 3: + section headings.
    language: str | None = None  # Overrides the paper's language (--lang), e.g. zh-Hans.
    pdf_profile: PdfProfile = "screen"
    page_size: str = "A4"  # A4, A5, B5, Letter or WxHmm.
    columns: int = 1  # A 版's articles set in 1 or 2 columns (PDF).
    facsimile: bool = True  # Open each 版面 with its page picture when the source has one (--no-facsimile).
    original_pages: OriginalPages = "auto"  # --original-pages: embed or append the site's page PDFs (PDF).


def in_language(book: Book, options: WriteOptions) -> Book:
    """Return the book in the language asked for (--lang): every document's lang, not only the OPF's."""
    if not options.language or options.language == book.language:
        return book
    return replace(book, paper=replace(book.paper, language=options.language))


def build_time(sources: list[str], fallback: dt.date) -> dt.datetime:
    """Return the timestamp written into outputs: SOURCE_DATE_EPOCH, else the newest source's mtime.

    Never "now": two exports of the same sources must be byte-identical.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    newest = 0.0
    for file in sources:
        try:
            newest = max(newest, Path(file).stat().st_mtime)
        except OSError:
            continue
    if newest:
        return dt.datetime.fromtimestamp(int(newest), dt.UTC).replace(tzinfo=None)
    return dt.datetime(fallback.year, fallback.month, fallback.day)
