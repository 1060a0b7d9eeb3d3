"""The newspaper model: papers, issues, pages, articles and their body blocks.

Pure data: frozen dataclasses, no I/O. Readers build it, writers consume it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a piece of content came from, for messages."""

    file: str  # Path of the source file as the user named it.
    line: int | None = None  # 1-based line in that file, when known.

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Notice:
    """A warning about one source: content kept, but something was odd."""

    origin: Origin
    message: str

    def __str__(self) -> str:
        from exporter.errors import printable  # Names and quoted text may hold bidi overrides.

        return printable(f"{self.origin}: {self.message}")


# --- body blocks -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of body text."""

    text: str
    origin: Origin


@dataclass(frozen=True, slots=True)
class Heading:
    """A 小标题 inside the body, optionally with a short kicker line above it."""

    text: str
    origin: Origin
    kicker: str | None = None


@dataclass(frozen=True, slots=True)
class Figure:
    """A photo: its caption (图片说明), credit (本报记者 贺勇摄) and image file, any may be absent."""

    caption: str
    origin: Origin
    credit: str | None = None
    image: str | None = None  # Absolute path of the image file, inside the sources when the reader checked it.


@dataclass(frozen=True, slots=True)
class Highlights:
    """The short bullet-like lines of a lead (要点)."""

    items: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True, slots=True)
class Separator:
    """A line that only marks a cut, such as …… ."""

    text: str
    origin: Origin


Block = Paragraph | Heading | Figure | Highlights | Separator


def block_texts(block: Block) -> list[str]:
    """Return every piece of reader-visible text a block carries."""
    if isinstance(block, Paragraph | Separator):
        return [block.text]
    if isinstance(block, Heading):
        return [t for t in (block.kicker, block.text) if t]
    if isinstance(block, Figure):
        return [t for t in (block.caption, block.credit) if t]
    return list(block.items)


# --- articles, pages, issues --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    """One story (文章) as printed on one page of one issue."""

    paper: str  # 报纸 name, e.g. 宜春日报.
    date: dt.date  # Issue date.
    page: str  # 版面 label as printed: 14, 02, A01.
    title: str
    origin: Origin  # The source file (and line of the title).
    page_name: str | None = None  # 要闻, 经济 …, when the source says.
    order: int | None = None  # Position on the page when the source says.
    kicker: str | None = None  # 引题 / 肩题.
    subtitle: str | None = None  # 副题.
    byline: str | None = None  # 署名.
    source: str | None = None  # 来源 / 电头, without the parentheses.
    blocks: tuple[Block, ...] = ()
    notes: tuple[str, ...] = ()  # Editorial notes the tool adds, e.g. where a 转版 article continues.

    def texts(self) -> list[str]:
        """Return every reader-visible text of the article, header first."""
        out = [t for t in (self.kicker, self.title, self.subtitle, self.byline) if t]
        for block in self.blocks:
            out.extend(block_texts(block))
        if self.source:
            out.append(self.source)
        return out

    @property
    def figures(self) -> list[Figure]:
        return [b for b in self.blocks if isinstance(b, Figure)]

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]


@dataclass(frozen=True, slots=True)
class Paper:
    """A newspaper title and what paper.toml says about it."""

    name: str
    publisher: str | None = None
    language: str = "zh-CN"
    page_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True, slots=True)
class Region:
    """An article's area on the page picture (from the site's image map), in the picture file's pixels."""

    article: str  # The article's source file, as its Origin names it.
    points: tuple[tuple[float, float], ...]  # Polygon corners, inside the picture.


@dataclass(frozen=True, slots=True)
class Facsimile:
    """The printed page as the site shows it: its picture with the article regions, and the page as PDF."""

    paper: str
    date: dt.date
    page: str  # The page's label: 01, A01.
    origin: Origin  # The page index that shows it.
    image: str | None = None  # Absolute path of the picture file, inside the sources.
    width: int = 0  # The picture's pixel size.
    height: int = 0
    regions: tuple[Region, ...] = ()
    pdf: str | None = None  # Absolute path of the site's PDF of the page, inside the sources.


@dataclass(frozen=True, slots=True)
class Page:
    """A printed page (版面) of an issue: a chapter of the book."""

    label: str  # As printed: 14, 02, A01.
    articles: tuple[Article, ...]
    name: str | None = None  # 要闻, 经济 …
    facsimile: Facsimile | None = None  # The printed page's picture and PDF, when the site showed them.

    @property
    def heading(self) -> str:
        """Return the chapter title: 第14版 or 第14版 · 经开区."""
        base = f"第{self.label}版"
        return f"{base} · {self.name}" if self.name else base

    @property
    def section(self) -> str | None:
        """Return the 叠 (section) a lettered page belongs to: A for A01; None for plain numbers."""
        letters = self.label[: len(self.label) - len(self.label.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))]
        return letters or None


@dataclass(frozen=True, slots=True)
class Issue:
    """One day's edition (期) of one paper: a book."""

    paper: Paper
    date: dt.date
    pages: tuple[Page, ...]

    @property
    def articles(self) -> list[Article]:
        return [a for p in self.pages for a in p.articles]

    @property
    def sections(self) -> list[tuple[str, tuple[Page, ...]]]:
        """Return the issue's 叠 (A, B …) with their pages when it has several, else an empty list."""
        groups: dict[str, list[Page]] = {}
        for page in self.pages:
            groups.setdefault(page.section or "", []).append(page)
        return [(name, tuple(pages)) for name, pages in groups.items()] if len(groups) > 1 else []

    @property
    def title(self) -> str:
        """Return the book title: 宜春日报 2026年1月14日."""
        return f"{self.paper.name} {self.date.year}年{self.date.month}月{self.date.day}日"

    @property
    def weekday(self) -> str:
        return WEEKDAYS[self.date.weekday()]

    @property
    def sources(self) -> list[str]:
        """Return the distinct source files of the issue, in reading order."""
        seen: dict[str, None] = {}
        for article in self.articles:
            seen.setdefault(article.origin.file, None)
        return list(seen)


WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
