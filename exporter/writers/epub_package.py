"""Assemble a Book's EPUB 3 package with ebooklib, one function per artefact; pack it reproducibly.

exporter.writers.epub is the entry point: it starts the cover drawing before importing this module.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from ebooklib import epub
from lxml import etree

from exporter.book import Book, IssueView, PageView
from exporter.errors import OutputError
from exporter.images import MAX_PIXELS, ImageRef, PreparedImage, embed
from exporter.model import Notice
from exporter.render import render
from exporter.resources import styles_dir
from exporter.writers import WriteOptions, facsimile

XHTML = "application/xhtml+xml"
COVER_IMAGE = "images/cover.jpg"
STYLESHEET = "styles/epub.css"
USER_STYLESHEET = "styles/user.css"
FACSIMILE_STYLESHEET = "styles/facsimile.css"
# A page picture is one fixed screen, never spread over two (EPUB 3 fixed-layout properties on its spine item).
FACSIMILE_SPINE_PROPERTIES = "rendition:layout-pre-paginated rendition:spread-none"


@dataclass(frozen=True, slots=True)
class TocEntry:
    """One entry of the navigation tree (版面, article or heading)."""

    title: str
    href: str
    children: tuple[TocEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class Landmark:
    """One EPUB 3 landmark (cover, toc, bodymatter)."""

    type: str
    href: str
    title: str


@dataclass(slots=True)
class Package:
    """What is being assembled for one EPUB, shared by the build_* steps."""

    book: Book
    options: WriteOptions
    epub: epub.EpubBook = field(default_factory=epub.EpubBook)
    images: dict[str, ImageRef] = field(default_factory=dict)  # Source image path → embedded image.
    notices: list[Notice] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    toc: list[TocEntry] = field(default_factory=list)  # The navigation tree, shared by nav and NCX.


def assemble(book: Book, options: WriteOptions) -> Package:
    """Build everything but the cover drawing: metadata, styles, photos, cover page, nav, chapters, NCX."""
    notices: list[Notice] = []
    book, pictures = facsimile.pictures(facsimile.for_options(book, options), notices)  # Before any href is used.
    package = Package(book, options, notices=notices)
    package.toc = toc_tree(book, options.toc_depth)
    build_metadata(package)
    build_styles(package)
    build_images(package)
    build_facsimile_pictures(package, pictures)
    package.epub.set_cover(COVER_IMAGE, b"", create_page=False)  # cover-image; build_zip packs the drawing.
    cover = build_cover_page(package)
    # calibre and Kindle find the cover page by the guide (EPUB 2); without it calibre draws its own, a second cover.
    package.epub.guide.append({"type": "cover", "href": "cover.xhtml", "title": "封面"})
    nav = build_nav(package)
    chapters = build_chapters(package)
    build_ncx(package)
    package.epub.spine = [cover, nav, *chapters]
    return package


def build_metadata(package: Package) -> None:
    """Set the OPF metadata: title, language, stable identifier, series, accessibility."""
    book, book_epub = package.book, package.epub
    language = book.language
    book_epub.set_identifier(book.identifier)
    book_epub.set_title(book.title)
    book_epub.set_language(language)
    book_epub.add_author(book.paper.publisher or book.paper.name, uid="creator")
    if book.paper.publisher:
        book_epub.add_metadata("DC", "publisher", book.paper.publisher)
    book_epub.add_metadata("DC", "date", book.date_from.isoformat())
    book_epub.add_metadata("DC", "subject", "报纸")
    book_epub.add_metadata("DC", "description", description(book))
    book_epub.add_metadata("DC", "source", book.paper.name)

    position = book.date_from.strftime("%Y%m%d")
    opf = book_epub.add_metadata
    opf("OPF", "collection", book.paper.name, {"property": "belongs-to-collection", "id": "series"})
    opf("OPF", "collection-type", "series", {"refines": "#series", "property": "collection-type"})
    opf("OPF", "group-position", position, {"refines": "#series", "property": "group-position"})
    opf("OPF", "calibre-series", None, {"name": "calibre:series", "content": book.paper.name})
    opf("OPF", "calibre-index", None, {"name": "calibre:series_index", "content": position})

    has_images = any(f.image for f in book.figures) or facsimile.has_facsimiles(book)
    opf("OPF", "am1", "textual", {"property": "schema:accessMode"})
    if has_images:
        opf("OPF", "am2", "visual", {"property": "schema:accessMode"})
    opf("OPF", "ams", "textual", {"property": "schema:accessModeSufficient"})
    for feature in ("structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability"):
        opf("OPF", f"af-{feature}", feature, {"property": "schema:accessibilityFeature"})
    if has_images:
        opf("OPF", "af-alt", "alternativeText", {"property": "schema:accessibilityFeature"})
    opf("OPF", "hazard", "none", {"property": "schema:accessibilityHazard"})
    summary = "正文为可重排文本，含版面、文章与小标题三级导航；图片以图片说明作为替代文字。"
    opf("OPF", "summary", summary, {"property": "schema:accessibilitySummary"})


def description(book: Book) -> str:
    """Describe the book by its contents: 第01版 要闻：title；title …"""
    parts = []
    for issue in book.issues:
        for page in issue.pages:
            titles = "；".join(a.article.title for a in page.articles)
            prefix = f"{issue.issue.date.isoformat()} " if book.kind != "issue" else ""
            parts.append(f"{prefix}{page.title}：{titles}")
    return "\n".join(parts)


def build_styles(package: Package) -> None:
    css = (styles_dir() / "epub.css").read_bytes()
    package.epub.add_item(epub.EpubItem(uid="css", file_name=STYLESHEET, media_type="text/css", content=css))
    package.stylesheets.append(STYLESHEET)
    if package.options.css is not None:
        try:
            user_css = package.options.css.read_bytes()
        except OSError as exc:
            raise OutputError(f"{package.options.css}: cannot read the stylesheet: {exc.strerror}") from None
        item = epub.EpubItem(uid="user-css", file_name=USER_STYLESHEET, media_type="text/css", content=user_css)
        package.epub.add_item(item)
        package.stylesheets.append(USER_STYLESHEET)
    if facsimile.has_facsimiles(package.book):  # Before the user's: theirs still wins.
        item = epub.EpubItem(
            uid="facsimile-css",
            file_name=FACSIMILE_STYLESHEET,
            media_type="text/css",
            content=(styles_dir() / "facsimile.css").read_bytes(),
        )
        package.epub.add_item(item)
        package.stylesheets.insert(1, FACSIMILE_STYLESHEET)


def build_images(package: Package) -> None:
    """Embed each photo once, converted for e-readers (at most 2 megapixels)."""
    refs, stored = embed(package.book.figures, MAX_PIXELS, lambda p: f"images/{p.name}", package.notices)
    for name, prepared in stored.items():
        uid = f"img-{name.split('.')[0]}"
        item = epub.EpubImage(
            uid=uid, file_name=f"images/{name}", media_type=prepared.media_type, content=prepared.data
        )
        package.epub.add_item(item)
    package.images.update(refs)


def build_facsimile_pictures(package: Package, pictures: dict[str, PreparedImage]) -> None:
    """Embed each 版面's page picture under images/ (stored, not deflated: it is a JPEG)."""
    for name, prepared in pictures.items():
        item = epub.EpubImage(
            uid=f"img-{name.split('.')[0]}",
            file_name=f"images/{name}",
            media_type=prepared.media_type,
            content=prepared.data,
        )
        package.epub.add_item(item)


def build_facsimile_page(package: Package, page: PageView, first_of_issue: bool, issue_anchor: str) -> epub.EpubItem:
    """Add the document showing a 版面's page picture, fixed to the screen, its article regions as links."""
    assert page.facsimile is not None
    item = _document(
        package,
        page.facsimile.file.removesuffix(".xhtml"),
        page.facsimile.file,
        "epub/facsimile.xhtml.j2",
        page=page,
        facsimile=page.facsimile,
        page_first_of_issue=first_of_issue,
        issue_anchor=issue_anchor,
    )
    item.properties = ["svg"]
    return item


def _facsimile_spine(opf: bytes, package: Package) -> bytes:
    """Mark the page-picture documents pre-paginated in the spine (ebooklib writes no itemref properties)."""
    for page in package.book.pages:
        if page.facsimile is not None:
            idref = page.facsimile.file.removesuffix(".xhtml")
            opf = opf.replace(
                f'<itemref idref="{idref}"/>'.encode(),
                f'<itemref idref="{idref}" properties="{FACSIMILE_SPINE_PROPERTIES}"/>'.encode(),
            )
    return opf


def build_cover_page(package: Package) -> epub.EpubItem:
    """Add the cover page that shows the drawn cover image."""
    return _document(package, "cover", "cover.xhtml", "epub/cover.xhtml.j2", cover_href=COVER_IMAGE)


def toc_tree(book: Book, depth: int) -> list[TocEntry]:
    """Return the navigation tree: (issue →) 版面 → article (→ section heading), to `depth` levels."""

    def page_entries(pages: tuple[PageView, ...]) -> list[TocEntry]:
        out = []
        for page in pages:
            articles = []
            if depth >= 2:
                for view in page.articles:
                    headings: tuple[TocEntry, ...] = ()
                    if depth >= 3:
                        headings = tuple(
                            TocEntry(_heading_label(h.block), f"{view.file}#{h.anchor}") for h in view.headings
                        )
                    articles.append(TocEntry(view.article.title, view.href, headings))
            out.append(TocEntry(page.title, page.href, tuple(articles)))
        return out

    def issue_entries(issue: IssueView) -> list[TocEntry]:
        if not issue.sections:
            return page_entries(issue.pages)
        # Several 叠 (A01…, B01…): a level above the pages.
        return [TocEntry(title, views[0].href, tuple(page_entries(views))) for title, views in issue.sections]

    if book.kind == "issue":
        return issue_entries(book.issues[0])
    return [
        TocEntry(f"{i.issue.title} {i.issue.weekday}", i.pages[0].href, tuple(issue_entries(i))) for i in book.issues
    ]


def _heading_label(block: object) -> str:
    kicker, text = getattr(block, "kicker", None), getattr(block, "text", "")
    return f"{kicker}：{text}" if kicker else str(text)


def build_nav(package: Package) -> epub.EpubItem:
    """Add the EPUB 3 navigation document, which is also the contents page in the spine."""
    book = package.book
    landmarks = [
        Landmark("cover", "cover.xhtml", "封面"),
        Landmark("toc", "nav.xhtml", "目录"),
        Landmark("bodymatter", book.pages[0].href, "正文"),
    ]
    toc = package.toc
    item = _document(package, "nav", "nav.xhtml", "epub/nav.xhtml.j2", toc=toc, landmarks=landmarks)
    item.properties = ["nav"]
    return item


def build_chapters(package: Package) -> list[epub.EpubItem]:
    """Add one XHTML document per 版面."""
    chapters = []
    for issue in package.book.issues:
        for n, page in enumerate(issue.pages):
            if page.facsimile is not None:
                chapters.append(build_facsimile_page(package, page, n == 0, issue.anchor))
            chapters.append(
                _document(
                    package,
                    page.file.removesuffix(".xhtml"),
                    page.file,
                    "epub/page.xhtml.j2",
                    page=page,
                    page_first_of_issue=n == 0,
                    issue_anchor=issue.anchor,
                )
            )
    return chapters


def build_ncx(package: Package) -> None:
    """Add the EPUB 2 NCX (older readers, Kindle conversion) from the same tree as the nav."""

    def to_ebooklib(entries: list[TocEntry] | tuple[TocEntry, ...], prefix: str) -> list[object]:
        out: list[object] = []
        for n, entry in enumerate(entries):
            uid = f"{prefix}-{n}"
            if entry.children:
                out.append((epub.Section(entry.title, entry.href), to_ebooklib(entry.children, uid)))
            else:
                out.append(epub.Link(entry.href, entry.title, uid))
        return out

    package.epub.toc = to_ebooklib(package.toc, "nav")
    package.epub.add_item(epub.EpubNcx())


def build_zip(package: Package, when: dt.datetime, cover: Callable[[], bytes]) -> bytes:
    """Let ebooklib write the package, then repack it reproducibly: mimetype first and stored,
    entries sorted, fixed times; the cover image last, from `cover()`, as it may still be drawn."""
    raw = io.BytesIO()
    # Level 0: ebooklib only frames the entries; the repack below deflates each one once.
    settings = {"mtime": when, "raise_exceptions": True, "epub2_guide": True, "compresslevel": 0}
    try:
        epub.write_epub(raw, package.epub, settings)
    except OSError as exc:
        raise OutputError(f"cannot build the EPUB package: {exc}") from None
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    cover_name = f"{package.epub.FOLDER_NAME}/{COVER_IMAGE}"
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(n for n in source.namelist() if n not in ("mimetype", cover_name))
        for name in ["mimetype", *names]:
            data = source.read(name)
            if name.endswith(".ncx"):
                data = _ncx_depth(data, package)
            if name.endswith(".opf") and facsimile.has_facsimiles(package.book):
                data = _facsimile_spine(data, package)
            _add_entry(target, name, data, stamp)
        _add_entry(target, cover_name, cover(), stamp)
    return out.getvalue()


def _add_entry(target: zipfile.ZipFile, name: str, data: bytes, stamp: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.external_attr = 0o644 << 16
    info.create_system = 3
    if name == "mimetype" or name.endswith((".jpg", ".png")):
        # mimetype must be stored; photos are compressed already, deflating them again wastes time.
        info.compress_type = zipfile.ZIP_STORED
        target.writestr(info, data)
    else:
        info.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(info, data, compresslevel=1)  # Level 6 takes twice as long for 6 % less XHTML.


def _ncx_depth(ncx: bytes, package: Package) -> bytes:
    """Write the NCX's real nesting depth (ebooklib always writes 0, which some readers check)."""

    def depth(entries: list[TocEntry] | tuple[TocEntry, ...]) -> int:
        return 1 + max((depth(e.children) for e in entries), default=0) if entries else 0

    levels = depth(package.toc)
    return ncx.replace(b'<meta content="0" name="dtb:depth"/>', f'<meta content="{levels}" name="dtb:depth"/>'.encode())


def _document(package: Package, uid: str, file_name: str, template: str, **context: object) -> epub.EpubItem:
    """Render a template into an XHTML item; refuse to package a document that is not well-formed."""
    xhtml = render(
        template,
        package.options.templates,
        book=package.book,
        stylesheets=package.stylesheets,  # Every document sits at the package root: hrefs need no ../
        images=package.images,
        **context,
    )
    data = xhtml.encode("utf-8")
    try:
        etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise OutputError(
            f"template {template} produced XHTML that does not parse ({exc}); check your --templates"
        ) from None
    item = epub.EpubItem(uid=uid, file_name=file_name, media_type=XHTML, content=data)
    package.epub.add_item(item)
    return item
