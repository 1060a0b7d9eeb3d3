"""The shelf: find the books under an output folder and what each one is (paper, date, titles, files).

A book is OUT/<paper>/<stem>.epub and/or .pdf, where the stem is a date (an issue), a month or a
FROM_TO range (bound volumes). Metadata comes from the EPUB's package document and table of contents,
or from the PDF's info and outline. What was read is kept in OUT/library/shelf.json keyed by each file's
size and modification time, so a rebuild after one more export reads only the new books.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from exporter.writers.atomic import write_bytes

ASSETS = "library"  # OUT/library/: covers, thumbnails, stylesheet, script, search index, shelf cache.
FEEDS = "opds"  # OUT/opds/: the catalog.
SHELF = f"{ASSETS}/shelf.json"
SHELF_VERSION = 1
FORMATS = ("epub", "pdf")
MEDIA_TYPES = {"epub": "application/epub+zip", "pdf": "application/pdf"}

_ISSUE = re.compile(r"^(\d{4}-\d{2}-\d{2})$")
_MONTH = re.compile(r"^(\d{4}-\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
_NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}


@dataclass(slots=True)
class BookFile:
    """One file of a book: its path relative to OUT, size and modification time."""

    format: str
    path: str
    size: int
    mtime_ns: int

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]


@dataclass(slots=True)
class Book:
    """An issue or a bound volume, with its files (EPUB and/or PDF) and what they say about it."""

    paper: str  # The paper's name as the book gives it (the folder name when the book does not).
    folder: str  # The paper's folder under OUT.
    stem: str
    kind: str  # issue, month or range.
    first: str  # ISO dates.
    last: str
    title: str
    language: str = "zh-CN"
    publisher: str = ""
    identifier: str = ""
    articles: list[str] = field(default_factory=list)
    files: list[BookFile] = field(default_factory=list)
    cover: str | None = None  # Paths relative to OUT.
    thumbnail: str | None = None

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.first)

    @property
    def updated(self) -> dt.datetime:
        newest = max(f.mtime_ns for f in self.files)
        return dt.datetime.fromtimestamp(newest / 1e9, dt.UTC).replace(microsecond=0)

    def file(self, fmt: str) -> BookFile | None:
        return next((f for f in self.files if f.format == fmt), None)


def book_kind(stem: str) -> tuple[str, str, str] | None:
    """Return (kind, first, last) for a book's file stem, or None when the name is not a book's."""
    try:
        if m := _ISSUE.match(stem):
            dt.date.fromisoformat(m[1])
            return "issue", m[1], m[1]
        if m := _MONTH.match(stem):
            first = dt.date.fromisoformat(f"{m[1]}-01")
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            return "month", first.isoformat(), (following - dt.timedelta(days=1)).isoformat()
        if m := _RANGE.match(stem):
            dt.date.fromisoformat(m[1])
            dt.date.fromisoformat(m[2])
            return "range", m[1], m[2]
    except ValueError:  # 2026-02-30 is no date.
        return None
    return None


def scan(out: Path) -> list[Book]:
    """Find every book under OUT, reading only files that changed since the last scan; newest first."""
    cache = _load_shelf(out)
    found: dict[tuple[str, str], list[BookFile]] = {}
    # A symlinked folder may lead out of OUT: the server would refuse its books anyway.
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")):
        if folder.name in (ASSETS, FEEDS):
            continue
        for path in sorted(folder.iterdir()):
            fmt = path.suffix[1:].lower()
            if fmt not in FORMATS or path.name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if not book_kind(path.stem):
                continue
            stat = path.stat()
            found.setdefault((folder.name, path.stem), []).append(
                BookFile(fmt, f"{folder.name}/{path.name}", stat.st_size, stat.st_mtime_ns)
            )
    books = []
    for (folder_name, stem), files in found.items():
        files.sort(key=lambda f: FORMATS.index(f.format))
        cached = cache.get(f"{folder_name}/{stem}")
        if cached is not None and [asdict(f) for f in files] == cached.get("files"):
            books.append(from_shelf(cached))
            continue
        books.append(read_book(out, folder_name, stem, files))
    books.sort(key=lambda b: (b.first, b.last, b.folder), reverse=True)
    return books


def save_shelf(out: Path, books: list[Book]) -> None:
    data = {"version": SHELF_VERSION, "books": {f"{b.folder}/{b.stem}": asdict(b) for b in books}}
    write_bytes(out / SHELF, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode())


def read_book(out: Path, folder: str, stem: str, files: list[BookFile]) -> Book:
    """Read a book's metadata from its EPUB (preferred) or PDF; a file that cannot be read gives defaults."""
    kind, first, last = book_kind(stem) or ("issue", stem, stem)
    book = Book(folder, folder, stem, kind, first, last, f"{folder} {stem}", files=files)
    epub = book.file("epub")
    pdf = book.file("pdf")
    try:
        if epub is not None:
            _read_epub(out / epub.path, book)
        elif pdf is not None:
            _read_pdf(out / pdf.path, book)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, etree.LxmlError):
        pass  # A damaged book is still listed, under its file name; `epaper check` says what is wrong.
    except Exception as exc:  # pypdf raises its own errors for broken files.
        if type(exc).__module__.split(".")[0] != "pypdf":
            raise
    return book


def describe(path: Path) -> Book:
    """Read one book file anywhere (for sending): its title, paper and articles."""
    stat = path.stat()
    fmt = path.suffix[1:].lower()
    return read_book(
        path.parent.parent,
        path.parent.name,
        path.stem,
        [BookFile(fmt, f"{path.parent.name}/{path.name}", stat.st_size, stat.st_mtime_ns)],
    )


def cover_bytes(path: Path) -> bytes | None:
    """Return the cover image of an EPUB (the manifest item marked cover-image), or None."""
    try:
        with zipfile.ZipFile(path) as epub:
            opf_path, opf = _package(epub)
            item = opf.find(".//opf:manifest/opf:item[@properties='cover-image']", _NS)
            if item is None:
                meta = opf.find(".//opf:meta[@name='cover']", _NS)
                if meta is not None:
                    item = opf.find(f".//opf:manifest/opf:item[@id='{meta.get('content')}']", _NS)
            if item is None:
                return None
            return epub.read(_join(opf_path, item.get("href", "")))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, etree.LxmlError):
        return None


def _package(epub: zipfile.ZipFile) -> tuple[str, Any]:
    container = etree.fromstring(epub.read("META-INF/container.xml"))
    rootfile = container.find(".//c:rootfile", _NS)
    if rootfile is None:
        raise KeyError("no rootfile")
    opf_path = rootfile.get("full-path", "")
    return opf_path, etree.fromstring(epub.read(opf_path))


def _join(base: str, href: str) -> str:
    """Resolve an href inside the EPUB relative to the file that holds it."""
    parts = base.split("/")[:-1]
    for part in href.split("#")[0].split("/"):
        if part == "..":
            parts = parts[:-1]
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


def _read_epub(path: Path, book: Book) -> None:
    with zipfile.ZipFile(path) as epub:
        opf_path, opf = _package(epub)
        meta = opf.find("opf:metadata", _NS)
        if meta is None:
            return
        book.title = _text(meta, "dc:title") or book.title
        book.language = _text(meta, "dc:language") or book.language
        book.publisher = _text(meta, "dc:publisher") or _text(meta, "dc:creator") or ""
        book.identifier = _text(meta, "dc:identifier") or ""
        series = meta.find("opf:meta[@property='belongs-to-collection']", _NS)
        book.paper = (series.text or "").strip() if series is not None and series.text else book.paper
        nav = opf.find(".//opf:manifest/opf:item[@properties='nav']", _NS)
        if nav is not None:
            doc = etree.fromstring(epub.read(_join(opf_path, nav.get("href", ""))))
            # Articles are the second level of the table of contents (the first is the 版面).
            links = doc.xpath(
                "//xhtml:nav[@id='toc' or contains(@*[local-name()='type'], 'toc')]//xhtml:ol/xhtml:li/xhtml:ol/xhtml:li/xhtml:a",
                namespaces=_NS,
            )
            book.articles = [" ".join("".join(a.itertext()).split()) for a in links]


def _read_pdf(path: Path, book: Book) -> None:
    import logging

    import pypdf

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # A damaged PDF is listed by name, not narrated.
    reader = pypdf.PdfReader(path)
    info: Any = reader.metadata or {}
    book.title = str(info.get("/Title") or book.title)
    book.publisher = str(info.get("/Author") or "")

    def titles(outline: list[Any], depth: int) -> list[str]:
        found = []
        for item in outline:
            if isinstance(item, list):
                found += titles(item, depth + 1)
            elif depth == 1:  # Articles, under their 版面.
                found.append(str(item.title))
        return found

    book.articles = titles(reader.outline, 0)


def _text(meta: Any, tag: str) -> str | None:
    node = meta.find(tag, _NS)
    return " ".join(node.text.split()) if node is not None and node.text else None


def _load_shelf(out: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads((out / SHELF).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != SHELF_VERSION or not isinstance(data.get("books"), dict):
        return {}
    return data["books"]


def from_shelf(entry: dict[str, Any]) -> Book:
    files = [BookFile(**f) for f in entry.pop("files")]
    return Book(**entry, files=files)
