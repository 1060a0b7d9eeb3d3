"""Facsimile 版面 for the writers: page pictures prepared for a book, the site's page PDFs kept in a PDF.

The layout (FacsimileView: picture size, regions) is decided by exporter.book from the model alone;
here the picture file is read and encoded to exactly that size, and the originals are read.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from exporter.book import Book, PageView, without_facsimiles
from exporter.images import BOMB_PIXELS, KEPT_FORMATS, ImageProblem, PreparedImage, _flatten, _without_metadata
from exporter.model import Notice
from exporter.writers import WriteOptions

if TYPE_CHECKING:
    from weasyprint import Attachment

# A 24-版 issue must stay under 30 MB: about 1.1 MB a page picture leaves room for the text and photos.
PICTURE_BUDGET = 1_100_000
QUALITIES = (82, 72, 62, 52)  # Tried in turn until the picture fits the budget; newsprint text stays legible at 52.
PRINT_LONG_SIDE = 4800  # Print and archive PDFs: about 400 dpi over an A4 page's height.
PRINT_PICTURE_BUDGET = 4_000_000  # Print and archive keep the scan's detail: a site's scan mostly goes in as it is.


def for_options(book: Book, options: WriteOptions) -> Book:
    """Return the book with its page pictures, or without them when --no-facsimile asks."""
    return book if options.facsimile else without_facsimiles(book)


def has_facsimiles(book: Book) -> bool:
    return any(page.facsimile for page in book.pages)


def pictures(book: Book, notices: list[Notice], long_side: int | None = None) -> tuple[Book, dict[str, PreparedImage]]:
    """Prepare every page picture once, by its name in the book.

    Without `long_side`, at the size the layout chose (the EPUB's); with it, from the file's own
    size, bounded by it, and with a larger budget (print). A 版面 whose picture cannot be read loses
    its facsimile, with one warning.
    """
    prepared: dict[str, PreparedImage] = {}
    failed: set[str] = set()
    for page in book.pages:
        view = page.facsimile
        if view is None or view.facsimile.image is None:
            continue
        size = (view.width, view.height)
        if long_side is not None:
            source = view.facsimile
            scale = min(1.0, long_side / max(source.width, source.height))
            size = (max(1, round(source.width * scale)), max(1, round(source.height * scale)))
        try:
            budget = PICTURE_BUDGET if long_side is None else PRINT_PICTURE_BUDGET
            prepared[view.picture] = prepare_picture(view.facsimile.image, size, budget)
        except ImageProblem as exc:
            notices.append(Notice(view.facsimile.origin, f"{exc}; {page.title} without its page picture"))
            failed.add(view.picture)
    if failed:
        book = _drop(book, failed)
    return book, prepared


def _drop(book: Book, pictures: set[str]) -> Book:
    def keep(page: PageView) -> PageView:
        return replace(page, facsimile=None) if page.facsimile and page.facsimile.picture in pictures else page

    issues = tuple(replace(i, pages=tuple(keep(p) for p in i.pages)) for i in book.issues)
    return replace(book, issues=issues)


def prepare_picture(path: str, size: tuple[int, int], budget: int = PICTURE_BUDGET) -> PreparedImage:
    """Return the page picture as a baseline JPEG of exactly `size`, within `budget` bytes when it can be.

    A JPEG already of that size and within budget goes in as it is, metadata cut out.
    """
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

    if not Path(path).is_file():
        raise ImageProblem(f"missing page picture {path}")
    Image.MAX_IMAGE_PIXELS = BOMB_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on at import: a cut picture would pass half grey.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as opened:
                if opened.width * opened.height > BOMB_PIXELS:
                    raise ImageProblem(f"page picture {path} is {opened.width}×{opened.height} pixels, too large")
                opened.load()
                image = ImageOps.exif_transpose(opened)
                as_is = (
                    opened.format == "JPEG"
                    and image.size == size
                    and opened.mode in ("RGB", "L")
                    and not opened.info.get("progressive")
                    and not opened.info.get("progression")
                )
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"page picture {path} is too large to decode safely") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageProblem(f"page picture {path} is unreadable or corrupt ({type(exc).__name__})") from None

    if as_is:
        data = _without_metadata(Path(path).read_bytes())
        if data is not None and len(data) <= budget:
            return PreparedImage(data, *KEPT_FORMATS["JPEG"], *size)
    if image.size != size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    if image.mode not in ("RGB", "L"):
        image = _flatten(image)
    for quality in QUALITIES:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, optimize=True, progressive=False)
        if out.tell() <= budget:
            break
    return PreparedImage(out.getvalue(), *KEPT_FORMATS["JPEG"], *size)


# --- the site's page PDFs ------------------------------------------------------------------


def originals_mode(options: WriteOptions) -> str:
    """Return what becomes of the site's page PDFs: embed, append or none (auto: embed in archives)."""
    if options.original_pages == "auto":
        return "embed" if options.pdf_profile == "archive" else "none"
    return options.original_pages


def originals(book: Book, notices: list[Notice]) -> list[tuple[PageView, str, bytes]]:
    """Return (版面, file name, PDF bytes) of every page PDF the sources kept, in book order; a PDF that
    cannot be read is left out with a warning."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    out = []
    for page in book.pages:
        facsimile = page.page.facsimile  # The model's: --no-facsimile drops the picture, not the original.
        if facsimile is None or not facsimile.pdf:
            continue
        try:
            data = Path(facsimile.pdf).read_bytes()
        except OSError as exc:
            notices.append(Notice(facsimile.origin, f"page PDF {facsimile.pdf}: {exc.strerror}; not kept"))
            continue
        try:
            if not data.startswith(b"%PDF-") or not PdfReader(io.BytesIO(data)).pages:
                raise ValueError("no pages")
        except (PyPdfError, ValueError, KeyError, TypeError) as exc:
            notices.append(
                Notice(facsimile.origin, f"page PDF {facsimile.pdf} is not a readable PDF ({exc}); not kept")
            )
            continue
        out.append((page, f"{page.issue.date.isoformat()}_{page.page.label}.pdf", data))
    return out


def attachments(book: Book, when: dt.datetime, notices: list[Notice]) -> list[Attachment]:
    """Return the page PDFs as associated files (PDF/A-3 allows any file as a source of the document)."""
    import weasyprint

    return [
        weasyprint.Attachment(
            file_obj=io.BytesIO(data),
            name=name,
            description=f"{page.issue.paper.name} {page.issue.date.isoformat()} {page.title}: the page as published (PDF)",
            created=when,
            modified=when,
            relationship="Source",
        )
        for page, name, data in originals(book, notices)
    ]


def append_originals(pdf: bytes, book: Book, notices: list[Notice]) -> bytes:
    """Return the PDF with the site's page PDFs after the reflowed pages, one outline entry each."""
    from pypdf import PdfReader, PdfWriter

    pages = originals(book, notices)
    if not pages:
        return pdf
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))  # Keeps the outline, links and metadata.
    starts = []
    for _page, _name, data in pages:
        starts.append(len(writer.pages))
        writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
    parent = writer.add_outline_item(title="原版版面", page_number=starts[0])
    for (page, _name, _data), start in zip(pages, starts, strict=True):
        day = f"{page.issue.date.isoformat()} " if book.kind != "issue" else ""
        writer.add_outline_item(title=f"{day}{page.title}（原版）", page_number=start, parent=parent)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
