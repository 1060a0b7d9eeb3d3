"""Page index pages (版面导航: node_N.htm, node_01.html, nbs.D110000renmrb_01.htm).

They hold no article but the issue's page list with names (第01版：今日要闻) and the
links to the articles of one page, in the order the page prints them. Article readers
look them up beside the article (or in Founder's layout/ folder beside content/) to
name chapters and order articles.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Facsimile, Notice, Origin, Paper
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.web import sites
from exporter.sources.web.facsimile import facsimile_of
from exporter.sources.web.html import (
    HtmlElement,
    date_in_text,
    load_page,
    one_line,
    paper_on_page,
    saved_pages,
    toml_paper,
)

# The page an index shows, in a heading that is no link: 第01版：今日要闻.
_SHOWN_RE = re.compile(r"^第?\s*([A-Za-z]?\d{1,3}[A-Za-z]?)\s*版\s*[:：]\s*(.+)$")
_ARTICLE_MARKERS = (
    "//*[@id='nowLayout'] | //founder-content | //*[@id='ozoom'] | //*[@id='articleContent']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' article-content ')]"
)


@dataclass(frozen=True, slots=True)
class PageIndex:
    """What one page index page says."""

    file: Path
    paper: str | None
    date: dt.date | None
    label: str | None  # The page it shows: 01.
    name: str | None  # That page's name: 今日要闻.
    pages: tuple[tuple[str, str], ...]  # Every page listed: (label, name), in order.
    articles: tuple[str, ...]  # File names of the page's articles, in printed order.


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the page indexes put one article page."""

    label: str | None = None  # The page of the index that links the article.
    page_name: str | None = None
    order: int | None = None  # Position among that index's article links, from 1.
    date: dt.date | None = None
    names: tuple[tuple[str, str], ...] = ()  # Every page name the indexes list.

    def order_on(self, label: str) -> int | None:
        """Return the article's order if the linking index shows page `label` (or does not say)."""
        return self.order if self.label in (None, label) else None

    def name_of(self, label: str) -> str | None:
        """Return the name of page `label`."""
        if self.label == label and self.page_name:
            return self.page_name
        return dict(self.names).get(label)


def is_index(doc: HtmlElement) -> bool:
    """Say whether a page is a page index: a page list and article links, but no article."""
    for marker in doc.xpath(_ARTICLE_MARKERS):
        # 光明日报's index wraps its lists in #ozoom: a body holding the links to articles is no article body.
        if not any(sites.is_article_name(a.get("href") or "") for a in marker.iter("a")):
            return False
    return bool(sites.page_links(doc)) and bool(sites.article_links(doc))


def parse_index(doc: HtmlElement, path: Path) -> PageIndex:
    """Read a page index: paper, date, the page it shows, the page list and the article order."""
    entries = sites.page_links(doc)
    label = name = None
    for entry in entries:
        if entry.href and sites.file_name(entry.href) == path.name:
            label, name = entry.label, entry.name
            break
    if label is None:
        label, name = _shown_page(doc)
    pages = {entry.label: entry.name for entry in entries if entry.name}
    return PageIndex(
        file=path,
        paper=paper_on_page(doc),
        date=date_in_text(doc.text_content()) or sites.date_in_url(str(path)),
        label=label,
        name=name or pages.get(label or ""),
        pages=tuple(pages.items()),
        articles=tuple(sites.file_name(href) for href in sites.article_links(doc)),
    )


def read_index(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path, notices: tuple[Notice, ...] = ()
) -> ReadResult:
    """Return the paper and its page names an index page declares (it holds no article), after `notices`."""
    index = parse_index(doc, path)
    paper = index.paper or options.paper or toml_paper(path.parent, root)
    if not paper:
        notice = Notice(Origin(display), "page index does not name its paper: its page names are unused (pass --paper)")
        return ReadResult((), (*notices, notice))
    shown: list[Facsimile] = []
    more: list[Notice] = []
    if index.label and index.date:
        facsimile, more = facsimile_of(doc, path, display, root, paper, index.date, index.label)
        shown = [facsimile] if facsimile else []
    if not index.pages:
        more.append(Notice(Origin(display), "page index lists no page names"))
        return ReadResult((), (*notices, *more), facsimiles=tuple(shown))
    return ReadResult((), (*notices, *more), (Paper(paper, page_names=dict(index.pages)),), facsimiles=tuple(shown))


def placement(path: Path, date: dt.date | None, root: Path) -> Placement:
    """Return the page, its name and the article's order as the indexes near the article say."""
    indexes = [i for i in indexes_near(path, root) if date is None or i.date is None or i.date == date]
    names: dict[str, str] = {}
    for index in indexes:
        for label, name in index.pages:
            names.setdefault(label, name)
    for index in indexes:
        if path.name in index.articles:
            order = index.articles.index(path.name) + 1
            return Placement(index.label, index.name, order, index.date, tuple(names.items()))
    return Placement(names=tuple(names.items()))


def indexes_near(path: Path, root: Path) -> tuple[PageIndex, ...]:
    """Return the index pages beside an article page, and in Founder's layout/ folder beside content/."""
    out: list[PageIndex] = []
    for folder in _index_folders(path.parent, root):
        listing = saved_pages(folder, root)
        if listing is not None:
            out.extend(_indexes_in(folder, listing[1], listing[0]))
    return tuple(out)


def _index_folders(folder: Path, root: Path) -> list[Path]:
    folders = [folder]
    parts = folder.parts
    if len(parts) >= 3 and parts[-3] in ("content", "con"):  # Founder: pc/con(tent)/202302/11 ↔ pc/layout/202302/11.
        layout = Path(*parts[:-3], "layout", *parts[-2:])
        try:
            if layout.is_dir() and layout.resolve().is_relative_to(root.resolve()):
                folders.append(layout)
        except OSError:
            pass
    return folders


@lru_cache(maxsize=32)
def _indexes_in(folder: Path, stamp: int, names: tuple[str, ...]) -> tuple[PageIndex, ...]:
    """Parse the index pages of one folder (cached while the folder does not change)."""
    out = []
    for name in names:
        if sites.is_article_name(name):
            continue
        path = folder / name
        try:
            doc, _ = load_page(path, str(path))
        except InputError:
            continue
        if is_index(doc):
            out.append(parse_index(doc, path))
    return tuple(out)


def _shown_page(doc: HtmlElement) -> tuple[str | None, str | None]:
    """Find the page an index shows from a heading like 第01版：今日要闻 that is no link."""
    for element in doc.iter("p", "div", "span", "td", "h1", "h2", "h3", "strong", "li"):
        if element.find(".//a") is not None or len(element.text_content()) > 60:
            continue
        match = _SHOWN_RE.match(one_line(element) or "")
        if match:
            return sites.page_label(match.group(1)), sites.tighten(match.group(2))
    return None, None
