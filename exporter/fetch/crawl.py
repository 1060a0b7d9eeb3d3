"""Fetch one issue: the first page index, every 版面 index, every article, its images, page pictures and PDFs.

Links are found the way the saved-page readers find them (sites.py), and followed only when they
stay on the site's hosts and on the issue's date. Every page is checked before it is saved: a page
index must list pages, an article page must be one the readers can read; anything else (an error
page, a captcha) is reported and never saved over a good copy.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import hashlib
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from exporter.errors import EpaperError, InputError
from exporter.fetch.client import Client, FetchError, Response
from exporter.fetch.ledger import LEDGER, Ledger, Record
from exporter.fetch.paths import local_path
from exporter.fetch.preset import Preset
from exporter.sources import READERS
from exporter.sources.web import sites
from exporter.sources.web.html import looks_like_html, parse_bytes
from exporter.writers.atomic import write_bytes

PAGES = ("index", "article")
KINDS = ("index", "article", "image", "picture", "pdf")


@dataclass(slots=True)
class Tally:
    """Counts for the progress bar and the summary, shared by every date of a run."""

    files: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    kept: int = 0  # Files already on disk, not fetched again.
    bytes: int = 0
    retries: int = 0
    failed: int = 0


@dataclass(slots=True)
class DateResult:
    date: dt.date
    state: str  # complete, partial, no issue, unchanged (complete before this run).
    folder: Path
    failed: list[dict[str, str]] = field(default_factory=list)
    disallowed: list[str] = field(default_factory=list)
    files: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    bytes: int = 0
    note: str = ""

    @property
    def ok(self) -> bool:
        return self.state in ("complete", "unchanged", "no issue")


class DateCrawl:
    """The crawl of one date into OUT/<paper>/<YYYY-MM-DD>/."""

    def __init__(
        self,
        client: Client,
        preset: Preset,
        day: dt.date,
        folder: Path,
        *,
        refresh: bool = False,
        tally: Tally | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.client = client
        self.preset = preset
        self.day = day
        self.folder = folder
        self.refresh = refresh
        self.tally = tally or Tally()
        self.on_change = on_change or (lambda: None)
        self.ledger = Ledger.load(folder / LEDGER, preset.paper, day.isoformat())
        self.result = DateResult(day, "partial", folder)
        self.seen: set[str] = set()
        self.tasks: set[asyncio.Task[None]] = set()
        self.site_host = ""

    async def run(self) -> DateResult:
        candidates = self.preset.first_pages(self.day)
        if not candidates:
            self.result.state = "no issue"
            self.result.note = "no layout era of the preset covers this date"
            return self.result
        if self.ledger.state == "complete" and not self.refresh and self._all_on_disk():
            self.result.state = "unchanged"
            return self.result
        self.ledger.failed, self.ledger.disallowed = [], []
        for part in self.folder.rglob(".*.part") if self.folder.is_dir() else ():
            part.unlink(missing_ok=True)  # Left by a killed run (kill -9): this run holds the folder.
        finished = False
        try:
            await self._crawl(candidates)
            finished = True
        finally:
            for task in self.tasks:
                task.cancel()
            if self.result.state != "no issue":
                self.result.state = "complete" if finished and not self.result.failed else "partial"
            self.ledger.state = self.result.state
            self.ledger.failed = self.result.failed
            self.ledger.disallowed = self.result.disallowed
            if self.ledger.files or self.result.state != "no issue":
                try:
                    self.ledger.save(self.folder / LEDGER)
                except EpaperError as exc:
                    self.result.failed.append({"url": str(self.folder / LEDGER), "reason": str(exc)})
                    self.result.state = "partial"
        return self.result

    def _all_on_disk(self) -> bool:
        """Say whether every file the ledger lists is still there (a file deleted since is fetched again)."""
        return (self.folder / LEDGER).is_file() and all((self.folder / p).is_file() for p in self.ledger.files)

    async def _crawl(self, candidates: list[str]) -> None:
        for first in candidates:  # The era's first page; the other layouts' when it is missing.
            self.site_host = (urlsplit(first).hostname or "").lower()
            self.ledger.first_page = first
            self.seen.add(first)
            try:
                doc = await self._page(first, "index", first_page=True)
            except _NoIssue:
                continue
            if doc is not None:
                self._follow_index(first, doc)
            break
        else:
            self.result.state = "no issue"
            return
        while self.tasks:
            done, _ = await asyncio.wait(self.tasks, return_when=asyncio.FIRST_COMPLETED)
            self.tasks -= done
            for task in done:
                task.result()  # A bug surfaces here rather than vanishing with its task.

    # --- what each kind of page leads to ----------------------------------------------------

    def _follow_index(self, url: str, doc: HtmlElement) -> None:
        for link in _page_links(doc):
            if link.href:
                self._spawn(urljoin(url, link.href), self._index)
        for href in sites.article_links(doc):
            self._spawn(urljoin(url, href), self._article)
        picture = sites.page_picture(doc)
        if picture is not None:
            self._spawn(urljoin(url, sites.canonical(picture.src)), self._file, "picture")
        pdf = sites.page_pdf(doc, sites.file_name(url))  # A page list may give every page's PDF.
        if pdf:
            self._spawn(urljoin(url, pdf), self._file, "pdf")

    async def _index(self, url: str) -> None:
        doc = await self._page(url, "index")
        if doc is not None:
            self._follow_index(url, doc)

    async def _article(self, url: str) -> None:
        doc = await self._page(url, "article")
        if doc is None:
            return
        for img in doc.iter("img"):  # Every <img src> becomes a Picture in the readers' walk().
            src = (img.get("src") or "").strip()
            if src:
                self._spawn(urljoin(url, sites.canonical(src)), self._file, "image")

    def _spawn(self, url: str, job: Callable[..., Coroutine[Any, Any, None]], *args: str) -> None:
        """Start fetching `url` unless it was seen, leaves the site or leaves the date."""
        if url in self.seen or not self.client.allowed(url):
            return
        parts = urlsplit(url)
        day = sites.date_in_url(parts.path)
        if day != self.day and not (
            day is None and _undated_ok(args[0] if args else "", parts.hostname, self.site_host)
        ):
            return
        self.seen.add(url)
        self.tasks.add(asyncio.create_task(job(url, *args)))

    # --- fetching and saving ------------------------------------------------------------------

    async def _page(self, url: str, kind: str, first_page: bool = False) -> HtmlElement | None:
        got = await self._get(url, kind, first_page)
        return None if got is None else got[1]

    async def _file(self, url: str, kind: str) -> None:
        await self._get(url, kind)

    async def _get(self, url: str, kind: str, first_page: bool = False) -> tuple[bytes, HtmlElement | None] | None:
        """Return the bytes of `url` (and the parsed page) from disk or the site, saved when new.

        None when it failed (recorded) or robots.txt disallows it.
        """
        relative = local_path(url, self.site_host)
        if relative is None:
            self._fail(url, "its path cannot be saved safely (.., too deep)")
            return None
        target = self.folder / relative
        key = relative.as_posix()
        known = self.ledger.files.get(key)
        on_disk = _read(target)
        saved = None if on_disk is None else _check(on_disk, url, kind)
        if on_disk is not None and saved is not None and saved[0] is None and not self.refresh:
            self._count(kind, kept=True)
            if known is None:
                self.ledger.files[key] = _record(url, key, kind, 200, on_disk, None)
            return on_disk, saved[1]
        headers = {}
        if on_disk is not None and known is not None:  # --refresh: ask only for what changed.
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        try:
            response = await self.client.get(url, headers)
        except FetchError as exc:
            if exc.disallowed:
                self.result.disallowed.append(url)
                self.on_change()
                return None
            self._fail(url, exc.reason)
            return None
        if response.status == 304 and on_disk is not None and saved is not None:
            self._count(kind, kept=True)
            return on_disk, saved[1]
        if first_page and (
            response.status == 404
            or sites.date_in_url(urlsplit(response.url).path) not in (self.day, None)
            or (response.url != url and sites.date_in_url(urlsplit(response.url).path) is None)
        ):  # Not there, or sent elsewhere (the home page, the latest issue): no issue that day.
            raise _NoIssue
        if response.status != 200:
            self._fail(url, f"HTTP {response.status}")
            return None
        problem, doc = _check(response.body, url, kind)
        if problem:
            self._fail(url, problem + (" (the saved copy is kept)" if on_disk is not None else ""))
            return None
        try:  # In a thread: the fsync of one file must not hold up the requests in flight.
            await asyncio.to_thread(write_bytes, target, response.body)
        except EpaperError as exc:
            self._fail(url, str(exc))
            return None
        self.ledger.files[key] = _record(url, key, kind, response.status, response.body, response)
        self.result.bytes += len(response.body)
        self.tally.bytes += len(response.body)
        self._count(kind)
        return response.body, doc

    def _count(self, kind: str, kept: bool = False) -> None:
        self.result.files[kind] += 1
        self.tally.files[kind] += 1
        self.tally.kept += kept
        self.on_change()

    def _fail(self, url: str, reason: str) -> None:
        self.result.failed.append({"url": url, "reason": reason})
        self.tally.failed += 1
        self.on_change()


def _undated_ok(kind: str, host: str | None, site_host: str) -> bool:
    """Say whether a file whose URL spells no date is still the issue's own.

    The page picture and PDF an index names are; an article's picture is when it comes from an image
    host the preset lists — on the site's own host an undated picture is a logo or an icon.
    """
    return kind in ("picture", "pdf") or (kind == "image" and (host or "").lower() != site_host)


class _NoIssue(Exception):
    """The first page of the date is not there (404): no issue that day."""


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _check(data: bytes, url: str, kind: str) -> tuple[str | None, HtmlElement | None]:
    """Return what is wrong with a body for what the layout expects there (None when fine), and the page."""
    if kind in PAGES:
        try:
            doc = parse_bytes(data, url)[0]
        except InputError:
            return "not an HTML page", None
        if kind == "index" and not _page_links(doc):
            return "not a page index (no 版面 list): an error page?", None
        if kind == "article" and not any(check(doc) for check in _article_checks()):
            return "not an article page: an error page?", None
        return None, doc
    if not data:
        return "empty", None
    head = data[:512].lstrip()
    if kind == "pdf":
        return (None if head.startswith(b"%PDF-") else "not a PDF"), None
    if head.startswith(b"<") and looks_like_html(head.decode("latin-1")):
        return "an HTML page where a picture was expected: an error page?", None
    return None, None


@functools.cache
def _article_checks() -> tuple[Callable[[HtmlElement], bool], ...]:
    """The article-page tests of every saved-page reader: a page none of them reads is no article."""
    modules = [r.load() for r in READERS if r.module.startswith("exporter.sources.web.")]
    return tuple(m.is_article for m in modules if callable(getattr(m, "is_article", None)))


_LINKS: weakref.WeakKeyDictionary[HtmlElement, list[sites.PageLink]] = weakref.WeakKeyDictionary()


def _page_links(doc: HtmlElement) -> list[sites.PageLink]:
    """sites.page_links, once per page: the check before saving and the crawl both need them."""
    if doc not in _LINKS:
        _LINKS[doc] = sites.page_links(doc)
    return _LINKS[doc]


def _record(url: str, path: str, kind: str, status: int, data: bytes, response: Response | None) -> Record:
    return Record(
        url=url,
        path=path,
        kind=kind,
        status=status,
        bytes=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        time=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        etag=response.etag if response else None,
        last_modified=response.last_modified if response else None,
    )
