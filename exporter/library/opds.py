"""The OPDS catalog under OUT/opds/: Atom (OPDS 1.2) and JSON (OPDS 2.0) feeds, and OpenSearch.

root → papers (navigation) → years → months (acquisition feeds of issues); each paper's bound volumes;
`recent` lists every book newest first, paged. Links are relative, so the catalog works from any host
and path prefix; e-readers (KOReader, calibre) resolve them against the feed's address.
"""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from exporter.library.catalog import FEEDS, Book
from exporter.library.page import Paper, href, shelves
from exporter.render import render

PAGE_SIZE = 50
ATOM = "application/atom+xml;profile=opds-catalog"
NAVIGATION = f"{ATOM};kind=navigation"
ACQUISITION = f"{ATOM};kind=acquisition"
OPDS2 = "application/opds+json"
OPENSEARCH = "application/opensearchdescription+xml"
ACQUIRE = "http://opds-spec.org/acquisition"
IMAGE = "http://opds-spec.org/image"
THUMBNAIL = "http://opds-spec.org/image/thumbnail"


@dataclass(slots=True)
class Link:
    rel: str
    href: str
    type: str
    title: str | None = None
    length: int | None = None


@dataclass(slots=True)
class Entry:
    id: str
    title: str
    updated: dt.datetime
    links: list[Link]
    content: str = ""
    book: Book | None = None


@dataclass(slots=True)
class Feed:
    path: str  # Relative to OUT, without suffix: opds/root, opds/<paper>/2026-03.
    title: str
    kind: str  # navigation or acquisition.
    updated: dt.datetime
    entries: list[Entry]
    up: str | None = None  # Path of the parent feed.
    pages: tuple[int, int, int] | None = None  # (page, last page, items in all pages).

    @property
    def id(self) -> str:
        return "urn:epaper:" + quote(self.path, safe="/")


def feeds(books: list[Book], now: dt.datetime, title: str) -> Iterator[Feed]:
    """Yield every feed of the catalog for these books (newest first)."""
    papers = shelves(books)
    newest = max((b.updated for b in books), default=now)
    root_entries = [
        Entry(
            _feed_id(f"{FEEDS}/{p.folder}/index"),
            p.name,
            max(b.updated for b in p.issues + p.volumes),
            [_feed_link("subsection", f"{FEEDS}/{p.folder}/index", NAVIGATION, f"{FEEDS}/root")],
            f"{len(p.issues)} 期" + (f"，{len(p.volumes)} 合订本" if p.volumes else ""),
        )
        for p in papers
    ]
    pages = max(1, -(-len(books) // PAGE_SIZE))
    root_entries.append(
        Entry(
            _feed_id(f"{FEEDS}/recent"),
            "最新 · Newest first",
            newest,
            [_feed_link("http://opds-spec.org/sort/new", f"{FEEDS}/recent", ACQUISITION, f"{FEEDS}/root")],
            f"全部 {len(books)} 本",
        )
    )
    yield Feed(f"{FEEDS}/root", title, "navigation", newest, root_entries)
    for page in range(1, pages + 1):
        chunk = books[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        path = f"{FEEDS}/recent" + (f"-{page}" if page > 1 else "")
        yield Feed(
            path,
            f"{title} · 最新",
            "acquisition",
            newest,
            [book_entry(b, path) for b in chunk],
            up=f"{FEEDS}/root",
            pages=(page, pages, len(books)),
        )
    for paper in papers:
        yield from _paper_feeds(paper)


def _paper_feeds(paper: Paper) -> Iterator[Feed]:
    base = f"{FEEDS}/{paper.folder}"
    index = f"{base}/index"
    entries = []
    for year in paper.years:
        books = [b for m in year.months for b in m.issues]
        path = f"{base}/{year.year}"
        entries.append(
            Entry(
                _feed_id(path),
                f"{year.year}年",
                max(b.updated for b in books),
                [_feed_link("subsection", path, NAVIGATION, index)],
                f"{year.count} 期",
            )
        )
        months = [
            Entry(
                _feed_id(f"{base}/{m.anchor}"),
                f"{m.year}年{m.month}月",
                max(b.updated for b in m.issues),
                [_feed_link("subsection", f"{base}/{m.anchor}", ACQUISITION, path)],
                f"{len(m.issues)} 期",
            )
            for m in year.months
        ]
        yield Feed(path, f"{paper.name} {year.year}年", "navigation", entries[-1].updated, months, up=index)
        for m in year.months:
            month_path = f"{base}/{m.anchor}"
            yield Feed(
                month_path,
                f"{paper.name} {m.year}年{m.month}月",
                "acquisition",
                max(b.updated for b in m.issues),
                [book_entry(b, month_path) for b in sorted(m.issues, key=lambda b: b.first)],
                up=path,
            )
    if paper.volumes:
        path = f"{base}/volumes"
        entries.append(
            Entry(
                _feed_id(path),
                "合订本 · Volumes",
                max(b.updated for b in paper.volumes),
                [_feed_link("subsection", path, ACQUISITION, index)],
                f"{len(paper.volumes)} 本",
            )
        )
        yield Feed(
            path,
            f"{paper.name} 合订本",
            "acquisition",
            entries[-1].updated,
            [book_entry(b, path) for b in paper.volumes],
            up=index,
        )
    updated = max(e.updated for e in entries)
    yield Feed(index, paper.name, "navigation", updated, entries, up=f"{FEEDS}/root")


def _feed_id(path: str) -> str:
    return "urn:epaper:" + quote(path, safe="/")


def relative(target: str, feed_path: str) -> str:
    """Percent-encoded link from the feed's file to `target` (both relative to OUT)."""
    return href(posixpath.relpath(target, posixpath.dirname(feed_path)))


def _feed_link(rel: str, target: str, kind: str, feed_path: str) -> Link:
    return Link(rel, relative(f"{target}.xml", feed_path), kind)


def book_entry(book: Book, feed_path: str) -> Entry:
    links = [Link(ACQUIRE, relative(f.path, feed_path), f.media_type, f.format.upper(), f.size) for f in book.files]
    if book.cover and book.thumbnail:
        links.append(Link(IMAGE, relative(book.cover, feed_path), "image/jpeg"))
        links.append(Link(THUMBNAIL, relative(book.thumbnail, feed_path), "image/jpeg"))
    identifier = book.identifier if ":" in book.identifier else "urn:epaper:book:" + quote(f"{book.folder}/{book.stem}")
    return Entry(identifier, book.title, book.updated, links, "；".join(book.articles), book)


def atom(feed: Feed, templates: Path | None = None) -> str:
    """Render one feed as OPDS 1.2 Atom (templates/library/feed.xml.j2)."""
    links = [Link("self", relative(f"{feed.path}.xml", feed.path), f"{ATOM};kind={feed.kind}")]
    links.append(Link("start", relative(f"{FEEDS}/root.xml", feed.path), NAVIGATION))
    if feed.up:
        links.append(Link("up", relative(f"{feed.up}.xml", feed.path), NAVIGATION))
    links.append(Link("search", relative(f"{FEEDS}/opensearch.xml", feed.path), OPENSEARCH))
    links += [Link(rel, relative(f"{path}.xml", feed.path), f"{ATOM};kind={feed.kind}") for rel, path in _paging(feed)]
    return render("library/feed.xml.j2", templates, feed=feed, links=links, page_size=PAGE_SIZE)


def opds2(feed: Feed) -> str:
    """The same feed as OPDS 2.0 JSON."""

    def rel_json(path: str) -> str:
        return relative(f"{path}.json", feed.path)

    links: list[dict[str, object]] = [
        {"rel": "self", "href": rel_json(feed.path), "type": OPDS2},
        {"rel": "start", "href": rel_json(f"{FEEDS}/root"), "type": OPDS2},
        {
            "rel": "search",
            "href": relative(f"{FEEDS}/search.json", feed.path) + "?q={searchTerms}",
            "type": OPDS2,
            "templated": True,
        },
    ]
    if feed.up:
        links.append({"rel": "up", "href": rel_json(feed.up), "type": OPDS2})
    links += [{"rel": rel, "href": rel_json(path), "type": OPDS2} for rel, path in _paging(feed)]
    metadata: dict[str, object] = {"title": feed.title, "modified": _iso(feed.updated)}
    if feed.pages:
        metadata.update(numberOfItems=feed.pages[2], itemsPerPage=PAGE_SIZE, currentPage=feed.pages[0])
    data: dict[str, object] = {"metadata": metadata, "links": links}
    if feed.kind == "navigation":
        data["navigation"] = [
            {"href": e.links[0].href[: -len(".xml")] + ".json", "title": e.title, "type": OPDS2, "rel": "subsection"}
            for e in feed.entries
        ]
    elif feed.entries:
        data["publications"] = [_publication(e) for e in feed.entries]
    else:  # OPDS 2.0 wants one collection with at least one item: nothing found leads back to the start.
        data["navigation"] = [{"href": rel_json(f"{FEEDS}/root"), "title": "返回目录", "type": OPDS2, "rel": "start"}]
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _publication(entry: Entry) -> dict[str, object]:
    book = entry.book
    assert book is not None
    metadata: dict[str, object] = {
        "@type": "http://schema.org/Periodical" if book.kind == "issue" else "http://schema.org/Book",
        "identifier": entry.id,
        "title": book.title,
        "language": book.language,
        "published": book.first,
        "modified": _iso(book.updated),
    }
    if book.publisher:
        metadata["publisher"] = book.publisher
    if book.articles:
        metadata["description"] = entry.content
    links = [
        {"rel": ACQUIRE, "href": link.href, "type": link.type, "title": link.title}
        for link in entry.links
        if link.rel == ACQUIRE
    ]
    images = [
        {"href": link.href, "type": link.type, **({"width": 240} if link.rel == THUMBNAIL else {})}
        for link in entry.links
        if link.rel in (IMAGE, THUMBNAIL)
    ]
    return (
        {"metadata": metadata, "links": links, "images": images} if images else {"metadata": metadata, "links": links}
    )


def _paging(feed: Feed) -> list[tuple[str, str]]:
    if not feed.pages or feed.pages[1] == 1:
        return []
    page, last, _ = feed.pages
    base = feed.path.rsplit("-", 1)[0] if page > 1 else feed.path

    def name(n: int) -> str:
        return base if n == 1 else f"{base}-{n}"

    found = [("first", name(1)), ("last", name(last))]
    if page > 1:
        found.append(("previous", name(page - 1)))
    if page < last:
        found.append(("next", name(page + 1)))
    return found


def opensearch(title: str, templates: Path | None = None) -> str:
    return render("library/opensearch.xml.j2", templates, title=title, atom=ACQUISITION, json=OPDS2)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def write_all(
    out: Path,
    books: list[Book],
    now: dt.datetime,
    title: str,
    write: Callable[[Path, bytes], object],
    templates: Path | None = None,
) -> list[str]:
    """Write every feed (Atom and JSON) through `write(path, bytes)`; return the paths written."""
    written = []
    for feed in feeds(books, now, title):
        write(out / f"{feed.path}.xml", atom(feed, templates).encode())
        write(out / f"{feed.path}.json", opds2(feed).encode())
        written += [f"{feed.path}.xml", f"{feed.path}.json"]
    write(out / FEEDS / "opensearch.xml", opensearch(title, templates).encode())
    written.append(f"{FEEDS}/opensearch.xml")
    return written
