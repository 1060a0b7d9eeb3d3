"""Build or refresh the library of an output folder: index.html, the OPDS catalog, covers, search index.

Incremental: only new or changed books are opened (see catalog.scan), and files whose content did
not change are not rewritten, so their ETags stay valid and e-readers do not download them again.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from exporter.errors import EpaperError
from exporter.library import catalog, covers, opds, page
from exporter.render import render
from exporter.resources import styles_dir, templates_dir
from exporter.writers.atomic import write_bytes

TITLE = "报纸书库 · epaper library"


@dataclass(slots=True)
class Library:
    """What a build found and changed."""

    books: int
    papers: int
    written: int  # Files whose content changed.
    removed: int


def build(out: Path, templates: Path | None = None, css: Path | None = None, title: str = TITLE) -> Library:
    """Write OUT/index.html, OUT/opds/… and OUT/library/… for the books under OUT."""
    if not out.is_dir():
        raise EpaperError(f"{out}: no such folder (export books there first: epaper export SOURCES -o {out})")
    books = catalog.scan(out)
    # Dated by the newest book, not the clock: a rebuild with nothing new rewrites nothing.
    now = max((b.updated for b in books), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    for book in books:
        covers.place_covers(out, book)
    writer = _Writer()
    catalog.save_shelf(out, books)
    assets = out / catalog.ASSETS
    stylesheet = (styles_dir() / "library.css").read_bytes()
    if css is not None:
        stylesheet += b"\n" + css.read_bytes()
    writer(assets / "library.css", stylesheet)
    writer(assets / "library.js", (templates_dir() / "library" / "library.js").read_bytes())
    if templates is not None and (templates / "library" / "library.js").is_file():
        writer(assets / "library.js", (templates / "library" / "library.js").read_bytes())
    writer(assets / "search.js", page.search_script(books))
    writer(assets / "search.json", json.dumps(page.search_index(books), ensure_ascii=False).encode())
    html = render("library/index.html.j2", templates, **page.context(books, now, title))
    writer(out / "index.html", html.encode())
    opds.write_all(out, books, now, title, writer, templates)
    removed = _remove_stale(out, writer.paths, books)
    return Library(len(books), len({b.folder for b in books}), writer.changed, removed)


class _Writer:
    """Write a file atomically unless it already holds these bytes; remember what belongs to the library."""

    def __init__(self) -> None:
        self.paths: set[Path] = set()
        self.changed = 0

    def __call__(self, path: Path, data: bytes) -> None:
        self.paths.add(path)
        try:
            if path.read_bytes() == data:
                return
        except OSError:
            pass
        write_bytes(path, data)
        self.changed += 1


def _remove_stale(out: Path, written: set[Path], books: list[catalog.Book]) -> int:
    """Delete feeds and covers of books that are gone (a removed paper or month)."""
    keep = written | {out / p for b in books for p in (b.cover, b.thumbnail) if p}
    removed = 0
    for folder in (out / catalog.FEEDS, out / catalog.ASSETS / "covers", out / catalog.ASSETS / "thumbs"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_file() and path not in keep:
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                shutil.rmtree(path)
    return removed
