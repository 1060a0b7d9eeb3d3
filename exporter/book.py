"""A book to write: one issue, or a volume of issues, laid out as chapters with anchors.

Both writers use this: EPUB puts each 版面 in its own file, PDF puts everything in one
document; the anchors and navigation tree are the same.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

from exporter.model import Article, Block, Figure, Heading, Highlights, Issue, Page, Paper, Paragraph, Separator
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


@dataclass(frozen=True, slots=True)
class PageView:
    """A 版面 with its articles, as one EPUB document / one PDF chapter."""

    page: Page
    issue: Issue
    anchor: str
    file: str  # EPUB document of this 版面.
    articles: tuple[ArticleView, ...]

    @property
    def href(self) -> str:
        return self.file

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
        issue_views.append(IssueView(issue, f"i{i}", tuple(page_views)))

    first, last = span or (issues[0].date, issues[-1].date)
    if kind == "issue":
        title = issues[0].title
    elif kind == "month":
        title = f"{paper.name} {first.year}年{first.month}月合订本"
    else:
        title = f"{paper.name} {_cn_date(first)}—{_cn_date(last)}合订本"
    identifier = book_identifier(paper.name, book_stem(kind, first, last))
    return Book(paper, kind, tuple(issue_views), title, identifier, first, last)


def _cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
