"""A book to write: one issue, or a volume of issues, laid out as chapters with anchors.

Both writers use this: EPUB puts each 版面 in its own file, PDF puts everything in one
document; the anchors and navigation tree are the same.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import Literal

from exporter.model import (
    Article,
    Block,
    Facsimile,
    Figure,
    Heading,
    Highlights,
    Issue,
    Page,
    Paper,
    Paragraph,
    Separator,
)
from exporter.tidy import tidy

Bundle = Literal["issue", "month", "range"]


@dataclass(frozen=True, slots=True)
class BlockView:
    """One block of an article as the templates see it."""

    kind: str  # paragraph, heading, figure, highlights, separator: the template's switch.
    block: Block
    anchor: str | None  # Only headings are link targets.


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article with its anchor, its document and its blocks."""

    article: Article
    anchor: str
    file: str  # EPUB document holding it.
    blocks: tuple[BlockView, ...]

    @property
    def href(self) -> str:
        return f"{self.file}#{self.anchor}"

    @property
    def headings(self) -> list[BlockView]:
        return [b for b in self.blocks if b.kind == "heading"]


FACSIMILE_LONG_SIDE = 2400  # Page pictures are embedded at most this many pixels on their long side.


@dataclass(frozen=True, slots=True)
class RegionView:
    """An article's area on the page picture: its polygon in the embedded picture's pixels."""

    article: ArticleView
    points: tuple[tuple[float, float], ...]
    box: tuple[float, float, float, float]  # Bounding box as percentages of the picture: left, top, width, height.

    @property
    def svg_points(self) -> str:
        """Return the polygon as an SVG points attribute: 12.5,40 300,40 …"""
        return " ".join(f"{x:g},{y:g}" for x, y in self.points)


@dataclass(frozen=True, slots=True)
class FacsimileView:
    """A 版面's printed page: its picture as embedded, and the article regions on it."""

    facsimile: Facsimile
    anchor: str  # Id of the picture page (PDF) / of its section (EPUB).
    file: str  # EPUB document showing the picture.
    picture: str  # File name of the picture inside the book (EPUB: under images/).
    width: int  # The embedded picture's pixel size: the SVG's viewBox.
    height: int
    regions: tuple[RegionView, ...]

    @property
    def href(self) -> str:
        return self.file

    @property
    def viewbox(self) -> str:
        return f"0 0 {self.width} {self.height}"

    def fit(self, width_mm: float, height_mm: float) -> tuple[float, float]:
        """Return the picture's size in mm when fitted, aspect kept, into a box of that size."""
        scale = min(width_mm / self.width, height_mm / self.height)
        return round(self.width * scale, 2), round(self.height * scale, 2)


@dataclass(frozen=True, slots=True)
class PageView:
    """A 版面 with its articles, as one EPUB document / one PDF chapter."""

    page: Page
    issue: Issue
    anchor: str
    file: str  # EPUB document of this 版面.
    articles: tuple[ArticleView, ...]
    facsimile: FacsimileView | None = None  # The printed page, shown before the articles.

    @property
    def href(self) -> str:
        """Return where the 版面 starts: its page picture when it has one."""
        return self.facsimile.file if self.facsimile else self.file

    @property
    def title(self) -> str:
        return self.page.heading


@dataclass(frozen=True, slots=True)
class IssueView:
    """An issue's 版面 in a book (one issue, or one of a volume's)."""

    issue: Issue
    anchor: str
    pages: tuple[PageView, ...]

    @property
    def title(self) -> str:
        return self.issue.title

    @property
    def sections(self) -> list[tuple[str, tuple[PageView, ...]]]:
        """Return the issue's 叠 (A叠, B叠 …) with their pages when it has several, else an empty list."""
        groups: dict[str, list[PageView]] = {}
        for view in self.pages:
            groups.setdefault(view.page.section or "", []).append(view)
        if len(groups) < 2:
            return []
        return [(section_title(name), tuple(views)) for name, views in groups.items()]

    def section_opened_by(self, view: PageView) -> str | None:
        """Return the title of the 叠 that `view` opens, in an issue of several 叠."""
        for title, views in self.sections:
            if views[0] is view:
                return title
        return None


def section_title(letter: str) -> str:
    """Name a 叠 as papers print it: A叠; the pages without a letter are the 正刊."""
    return f"{letter}叠" if letter else "正刊"


@dataclass(frozen=True, slots=True)
class Book:
    """What one output file holds: a paper's issue or a volume of its issues."""

    paper: Paper
    kind: Bundle
    issues: tuple[IssueView, ...]
    title: str  # 宜春日报 2026年1月14日 / 宜春日报 2026年1月合订本.
    identifier: str  # urn:uuid, stable per paper and date (range): re-exports replace, not duplicate.
    date_from: dt.date
    date_to: dt.date

    @property
    def pages(self) -> list[PageView]:
        return [p for i in self.issues for p in i.pages]

    @property
    def articles(self) -> list[ArticleView]:
        return [a for p in self.pages for a in p.articles]

    @property
    def sources(self) -> list[str]:
        """Return the distinct source files of the book, in reading order."""
        return list(dict.fromkeys(f for view in self.issues for f in view.issue.sources))

    @property
    def figures(self) -> list[Figure]:
        return [f for a in self.articles for f in a.article.figures]

    @property
    def language(self) -> str:
        return self.paper.language

    @property
    def stem(self) -> str:
        return book_stem(self.kind, self.date_from, self.date_to)


def book_stem(kind: Bundle, first: dt.date, last: dt.date) -> str:
    """Return an output's file name without suffix: 2026-01-14, 2026-01, 2026-01-01_2026-01-31."""
    if kind == "issue":
        return first.isoformat()
    if kind == "month":
        return first.strftime("%Y-%m")
    return f"{first.isoformat()}_{last.isoformat()}"


def _kind(block: Block) -> str:
    if isinstance(block, Paragraph):
        return "paragraph"
    if isinstance(block, Heading):
        return "heading"
    if isinstance(block, Figure):
        return "figure"
    if isinstance(block, Highlights):
        return "highlights"
    if isinstance(block, Separator):
        return "separator"
    raise TypeError(f"unknown block {block!r}")


def book_identifier(paper: str, key: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'epaper:{paper}:{key}')}"


def lay_out(issues: list[Issue], kind: Bundle = "issue", span: tuple[dt.date, dt.date] | None = None) -> Book:
    """Lay issues of one paper out as a book: files, anchors, titles; `span` names a range volume's dates."""
    if not issues:
        raise ValueError("a book needs at least one issue")
    paper = issues[0].paper
    issue_views = []
    chapter = 0
    for i, issue in enumerate(issues, start=1):
        page_views = []
        for p, page in enumerate(issue.pages, start=1):
            chapter += 1
            file = f"page{chapter:03d}.xhtml"
            articles = []
            for a, source_article in enumerate(page.articles, start=1):
                article = tidy(source_article)  # Set like the paper: titles, 副题 dash, credits, 转版 notes.
                anchor = f"i{i}p{p}a{a}"
                blocks = []
                h = 0
                for block in article.blocks:
                    block_kind = _kind(block)
                    if block_kind == "heading":
                        h += 1
                    anchor_h = f"{anchor}h{h}" if block_kind == "heading" else None
                    blocks.append(BlockView(block_kind, block, anchor_h))
                articles.append(ArticleView(article, anchor, file, tuple(blocks)))
            page_views.append(PageView(page, issue, f"i{i}p{p}", file, tuple(articles)))
        issue_views.append(IssueView(issue, f"i{i}", _with_facsimiles(page_views)))

    first, last = span or (issues[0].date, issues[-1].date)
    if kind == "issue":
        title = issues[0].title
    elif kind == "month":
        title = f"{paper.name} {first.year}年{first.month}月合订本"
    else:
        title = f"{paper.name} {_cn_date(first)}—{_cn_date(last)}合订本"
    identifier = book_identifier(paper.name, book_stem(kind, first, last))
    return Book(paper, kind, tuple(issue_views), title, identifier, first, last)


def _with_facsimiles(pages: list[PageView]) -> tuple[PageView, ...]:
    """Attach each 版面's page picture, its regions linked to the articles of the book."""
    by_source: dict[str, ArticleView] = {}
    for view in pages:
        for article in view.articles:
            by_source.setdefault(article.article.origin.file, article)
    out = []
    for view in pages:
        facsimile = view.page.facsimile
        if facsimile is None or not facsimile.image or facsimile.width <= 0 or facsimile.height <= 0:
            out.append(view)
            continue
        # The page's own articles first: a source split over two pages links to the part printed here.
        here = {a.article.origin.file: a for a in reversed(view.articles)}
        file = view.file.replace("page", "facsimile", 1)  # page003.xhtml → facsimile003.xhtml
        scale = min(1.0, FACSIMILE_LONG_SIDE / max(facsimile.width, facsimile.height))
        width, height = max(1, round(facsimile.width * scale)), max(1, round(facsimile.height * scale))
        sx, sy = width / facsimile.width, height / facsimile.height
        regions = []
        for region in facsimile.regions:
            target = here.get(region.article) or by_source.get(region.article)
            if target is None or len(region.points) < 3:  # Not in the book (the reader warned), or no area.
                continue
            # Clipped to the picture (the reader clips too): a link never reaches off the page.
            points = tuple(
                (round(min(max(x * sx, 0), width), 1), round(min(max(y * sy, 0), height), 1)) for x, y in region.points
            )
            xs, ys = [x for x, _ in points], [y for _, y in points]
            box = (
                round(min(xs) / width * 100, 3),
                round(min(ys) / height * 100, 3),
                round((max(xs) - min(xs)) / width * 100, 3),
                round((max(ys) - min(ys)) / height * 100, 3),
            )
            regions.append(RegionView(target, points, box))
        picture = FacsimileView(
            facsimile, f"{view.anchor}f", file, file.replace(".xhtml", ".jpg"), width, height, tuple(regions)
        )
        out.append(replace(view, facsimile=picture))
    return tuple(out)


def without_facsimiles(book: Book) -> Book:
    """Return the book with no page pictures (--no-facsimile): laid out as a source without them."""
    issues = tuple(replace(i, pages=tuple(replace(p, facsimile=None) for p in i.pages)) for i in book.issues)
    return replace(book, issues=issues)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
