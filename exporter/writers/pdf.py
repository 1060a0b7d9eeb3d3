"""Write a Book as a print-ready PDF with WeasyPrint: one HTML document, profile CSS, outline.

WeasyPrint is imported here only, so EPUB-only runs never pay for it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import cast

import weasyprint
from weasyprint.urls import URLFetcher, URLFetcherResponse

from exporter import __version__, normalized
from exporter.book import Book
from exporter.errors import OutputError
from exporter.images import MAX_PIXELS, PRINT_MAX_PIXELS, ImageRef, embed
from exporter.model import Notice, Origin
from exporter.render import render
from exporter.resources import styles_dir
from exporter.text import breakable_runs
from exporter.writers import (
    WriteOptions,
    build_time,
    facsimile,
    features,
    fontfiles,
    in_language,
    justify,
    makeup,
    paging,
)
from exporter.writers.atomic import atomic_file
from exporter.writers.pdfsetup import check_page_size

IMAGE_SCHEME = "epaper-image"
MAX_PDF_CHARACTERS = 5_000_000  # A month of 人民日报 is about 3 million.
justify.install()  # Chinese lines justified between characters, not only at spaces.
features.install()  # OpenType features (halt, hwid) without WeasyPrint's per-layout leak.
fontfiles.install()  # A font file copied whole only when a subset cannot be made from the face.
MAKEUP_PASSES = 2  # Times a 版面 whose pictures leave holes is laid out again with them moved.
MAKEUP_MAX_PAGES = 400  # A book laid out whole (a user's book template) is made up only up to this length.


def check_size(book: Book, target: Path) -> None:
    """Refuse a book too large for WeasyPrint, which lays out the whole PDF in memory (~1.3 MiB a page)."""
    characters = sum(len(text) for view in book.articles for text in view.article.texts())
    if characters > MAX_PDF_CHARACTERS:
        raise OutputError(
            f"{target}: {characters:,} characters is too much for one PDF (limit {MAX_PDF_CHARACTERS:,}, "
            "about 3,000 pages and 4 GB of memory while rendering): export EPUB, or a shorter range"
        )


class _ImageFetcher(URLFetcher):
    """Serve the book's prepared photos from memory and nothing else: no file or network access."""

    def __init__(self, images: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(allowed_protocols=[IMAGE_SCHEME])
        self.images = images

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        name = url.removeprefix(f"{IMAGE_SCHEME}:")
        if not url.startswith(f"{IMAGE_SCHEME}:") or name not in self.images:
            raise ValueError(f"not fetched: {url[:80]}")
        data, media_type = self.images[name]
        return URLFetcherResponse(url, data, {"Content-Type": media_type})


class _Collect(logging.Handler):
    """Keep WeasyPrint's warnings (missing glyphs, subsetting fallbacks) for the report."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message not in self.messages:
            self.messages.append(message)


@contextmanager
def _weasyprint_warnings() -> Iterator[_Collect]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def write_pdf(book: Book, target: Path, options: WriteOptions | None = None) -> list[Notice]:
    """Write `book` to `target` (atomically); return warnings."""
    options = options or WriteOptions()
    book = in_language(book, options)
    check_size(book, target)
    width, height = check_page_size(options.page_size)
    notices: list[Notice] = []
    when = build_time(book.sources, book.date_to)
    images, served = build_images(book, options, notices)
    book, pictures = build_facsimile_pictures(book, options, notices)
    served.update(pictures)
    html = breakable_runs(build_html(book, options, images, when))  # Layout linear in paragraph length.
    stylesheets = build_stylesheets(options, width, height)
    if facsimile.has_facsimiles(book):  # After the profile's, before the user's (--css).
        stylesheets.insert(3, _css("print-facsimile.css"))
    pdf_options = build_pdf_options(book, options, when)
    originals = facsimile.originals_mode(options)
    if originals == "embed" and (kept := facsimile.attachments(book, when, notices)):
        pdf_options["attachments"] = [*cast(list, pdf_options.get("attachments", [])), *kept]
    fetcher = _ImageFetcher(served)
    engine = _Engine(fetcher, stylesheets, pdf_options)
    with _weasyprint_warnings() as collected:
        try:
            parts = None if _whole_book_template(options) else paging.split(html, _user_css(options))
            if parts is not None:
                rounds = MAKEUP_PASSES if options.columns == 1 else 0
                moved = _SectionHTML(book, options, images, when)
                front, pages = paging.lay_out(parts, engine.lay_out, moved.html, rounds)
                document = front.copy(pages)  # The book's metadata, from its front matter's <head>.
            else:
                document = _lay_out_whole(engine, html, book, options, images, when)
            with atomic_file(target) as handle:
                if originals == "append":  # Rendered in memory, then the site's pages after it.
                    rendered = document.write_pdf(**pdf_options)
                    handle.write(facsimile.append_originals(rendered, book, notices))
                else:
                    document.write_pdf(handle, **pdf_options)
        except OutputError:
            raise
        except Exception as exc:  # WeasyPrint has no error hierarchy; name the book, not a traceback.
            raise OutputError(f"{target}: PDF rendering failed: {type(exc).__name__}: {exc}") from None
    notices.extend(Notice(_origin(book), f"WeasyPrint: {m}") for m in collected.messages)
    return notices


class _Engine:
    """WeasyPrint layouts of one book: the same fonts (one subset per font in the PDF), stylesheets, photos."""

    def __init__(self, fetcher: URLFetcher, stylesheets: list[weasyprint.CSS], pdf_options: dict[str, object]) -> None:
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.fetcher, self.stylesheets, self.pdf_options = fetcher, stylesheets, pdf_options
        self.fonts, self.counters = FontConfiguration(), CounterStyle()

    def lay_out(self, html: str, css: str = "") -> weasyprint.document.Document:
        sheets = [*self.stylesheets, weasyprint.CSS(string=css)] if css else self.stylesheets
        return weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=self.fetcher).render(
            stylesheets=sheets, font_config=self.fonts, counter_style=self.counters, **self.pdf_options
        )


def _whole_book_template(options: WriteOptions) -> bool:
    """A user's own book template may set its 版 in ways a 版 rendered alone would not repeat."""
    return options.templates is not None and (options.templates / "print" / "book.html.j2").exists()


def _user_css(options: WriteOptions) -> str:
    try:
        return options.css.read_text(encoding="utf-8") if options.css is not None else ""
    except (OSError, UnicodeDecodeError):
        return ""  # build_stylesheets has named the file already.


class _SectionHTML:
    """One 版面's HTML with its pictures placed by the make-up (the book's page template, alone)."""

    def __init__(self, book: Book, options: WriteOptions, images: dict[str, ImageRef], when: dt.datetime) -> None:
        self.book, self.options, self.images, self.when = book, options, images, when

    def html(self, anchor: str, placements: dict[str, makeup.Placement]) -> str:
        moved = makeup.moved(self.book, placements)
        for issue in moved.issues:
            for index, page in enumerate(issue.pages):
                if page.anchor == anchor:
                    heights = makeup.heights(placements)
                    html = build_html(
                        moved,
                        self.options,
                        self.images,
                        self.when,
                        heights,
                        "print/page.html.j2",
                        issue=issue,
                        page=page,
                        page_first_of_issue=index == 0,
                    )
                    return paging.normalized(breakable_runs(html))
        raise KeyError(anchor)


def _lay_out_whole(
    engine: _Engine, html: str, book: Book, options: WriteOptions, images: dict[str, ImageRef], when: dt.datetime
) -> weasyprint.document.Document:
    """Lay the book out as one document; pictures that leave holes move once (each round costs the whole book)."""
    document = engine.lay_out(html)
    if options.columns == 1 and len(document.pages) <= MAKEUP_MAX_PAGES and (placements := makeup.moves(document)):
        del document  # One laid-out book in memory at a time (about 1.3 MiB a page).
        moved = makeup.moved(book, placements)
        document = engine.lay_out(breakable_runs(build_html(moved, options, images, when, makeup.heights(placements))))
    return document


def build_images(
    book: Book, options: WriteOptions, notices: list[Notice]
) -> tuple[dict[str, ImageRef], dict[str, tuple[bytes, str]]]:
    """Prepare each photo once; print and archive keep up to 12 MP (≥ 300 dpi on A4)."""
    limit = MAX_PIXELS if options.pdf_profile == "screen" else PRINT_MAX_PIXELS
    refs, stored = embed(book.figures, limit, lambda p: f"{IMAGE_SCHEME}:{p.name}", notices)
    return refs, {name: (p.data, p.media_type) for name, p in stored.items()}


def build_facsimile_pictures(
    book: Book, options: WriteOptions, notices: list[Notice]
) -> tuple[Book, dict[str, tuple[bytes, str]]]:
    """Prepare each 版面's page picture: the EPUB's size on screen, up to 4800 px for print and archive."""
    book = facsimile.for_options(book, options)
    long_side = None if options.pdf_profile == "screen" else facsimile.PRINT_LONG_SIDE
    book, prepared = facsimile.pictures(book, notices, long_side)
    return book, {name: (p.data, p.media_type) for name, p in prepared.items()}


def build_html(
    book: Book,
    options: WriteOptions,
    images: dict[str, ImageRef],
    when: dt.datetime,
    picture_heights: dict[str, float] | None = None,
    template: str = "print/book.html.j2",
    **extra: object,
) -> str:
    """Render the book's HTML, or with `template` and `extra` one part of it (a 版面's page template)."""
    return render(
        template,
        options.templates,
        book=book,
        images=images,
        language=book.language,
        profile=options.pdf_profile,
        columns=options.columns,
        toc_depth=options.toc_depth,
        page_mm=check_page_size(options.page_size),  # The page picture is fitted to it.
        version=__version__,
        created=when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        subject=_subject(book),
        keywords=_keywords(book),
        picture_heights=picture_heights or {},
        **extra,
    )


def _subject(book: Book) -> str:
    return f"{book.title}：{len(book.pages)}个版面，{len(book.articles)}篇文章"


def _keywords(book: Book) -> list[str]:
    words = [book.paper.name, "报纸", "电子报"]
    words += [p.page.name for p in book.pages if p.page.name]
    return list(dict.fromkeys(words))


@cache
def _css(name: str) -> weasyprint.CSS:
    """Parse a built-in stylesheet once per worker."""
    return weasyprint.CSS(string=(styles_dir() / name).read_text(encoding="utf-8"))


def build_stylesheets(options: WriteOptions, width: float, height: float) -> list[weasyprint.CSS]:
    """Return the built-in CSS, the profile's, the page size, then the user's (--css) last."""
    size = f"@page {{ size: {width}mm {height}mm; }} .cover {{ height: {height}mm; }}"
    margins = 44  # Top and bottom page margins, mm (print.css).
    if width < 170:  # A5 and smaller: A4's margins would leave too narrow a text block.
        size += " @page { margin: 16mm 13mm; }"
        margins = 32
        if options.pdf_profile == "print":
            size += " @page :left { margin: 16mm 15mm 16mm 11mm; } @page :right { margin: 16mm 11mm 16mm 15mm; }"
    size += f" :root {{ --photo-height: {round((height - margins) * 0.47)}mm; }}"  # A photo: about half the text area.
    sheets = [_css("print.css"), _css(f"print-{options.pdf_profile}.css"), weasyprint.CSS(string=size)]
    if options.css is not None:
        try:
            # Cleaned of imports and URLs already; a fetcher that serves nothing is the second guard.
            css = options.css.read_text(encoding="utf-8")
            sheets.append(weasyprint.CSS(string=css, url_fetcher=_ImageFetcher({})))
        except (OSError, UnicodeDecodeError) as exc:
            raise OutputError(f"{options.css}: cannot read the stylesheet: {exc}") from None
    return sheets


def build_pdf_options(book: Book, options: WriteOptions, when: dt.datetime) -> dict[str, object]:
    """Return WeasyPrint options: a stable file identifier; PDF/A-3u + tags + attachment for archives."""
    pdf: dict[str, object] = {
        "pdf_identifier": book.identifier.encode("ascii"),
        "dpi": 150 if options.pdf_profile == "screen" else 300,
        "optimize_images": options.pdf_profile == "screen",
        "full_fonts": False,  # Never: Noto CJK collections make the PDF about 25x larger.
    }
    if options.pdf_profile == "archive":
        data = normalized.dump([i.issue for i in book.issues])
        attachment = weasyprint.Attachment(
            # A file name in undecodable bytes becomes a \udcff escape, which JSON reads back as the same name.
            string=json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8", "backslashreplace").decode(),
            name=f"{book.stem}.json",
            description=f"{book.title}: normalized article text (epaper JSON)",
            created=when,
            modified=when,
            relationship="Data",
        )
        pdf.update(pdf_variant="pdf/a-3u", pdf_tags=True, attachments=[attachment])
    return pdf


def _origin(book: Book) -> Origin:
    return book.articles[0].article.origin if book.articles else Origin(book.paper.name)
