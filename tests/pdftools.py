"""Helpers for the PDF tests: read a written PDF through poppler (pdftotext, pdffonts, pdfinfo,
pdfimages, pdftoppm) and pypdf, find where the model's texts landed, and the shelf of PDFs.

pdftotext breaks lines inside paragraphs and puts spaces between CJK runs of different fonts,
so texts are always compared with every whitespace character removed (`squash`). Running heads
and folios are set aside by geometry: only words inside the TrimBox, inset 20 mm at the top
and at the foot (the page margins are 22 mm), count as body text.

Every PDF is exported once per session, by the CLI as a user would, several at a time (one
process per core): see `PdfShelf`.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from exporter.archive import open_archive
from exporter.book import Book, lay_out
from exporter.checks.pdf import PdfFacts, read_facts
from exporter.model import Article, Figure, Issue
from tests.conftest import run_cli

MM = 72 / 25.4  # Points per millimetre.
HEAD_FOOT = 20 * MM  # Running heads and folios sit within 20 mm of the trim edge; the body does not.
_WS_RE = re.compile(r"\s+")
_MARKERS = {"•", "◦", "▪"}  # List bullets: not content, and drawn out of reading order.
_XHTML = "{http://www.w3.org/1999/xhtml}"


def squash(text: str) -> str:
    """Remove every whitespace character (pdftotext adds and drops them freely in CJK text)."""
    return _WS_RE.sub("", text)


def need_tools() -> None:
    missing = [t for t in ("pdftotext", "pdffonts", "pdfinfo", "pdfimages", "pdftoppm") if not shutil.which(t)]
    if missing:
        pytest.skip(f"poppler-utils missing: {', '.join(missing)}")


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True, timeout=300).stdout


# --- poppler -------------------------------------------------------------------------------


def page_texts(pdf: Path) -> list[str]:
    """Return the plain `pdftotext` text of each page (form feeds split the pages)."""
    text = _run("pdftotext", "-enc", "UTF-8", pdf, "-")
    pages = text.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdfinfo(pdf: Path) -> dict[str, str]:
    out = {}
    for line in _run("pdfinfo", "-isodates", pdf).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip()] = value.strip()
    return out


@dataclass(frozen=True, slots=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool


def pdffonts(pdf: Path) -> list[FontRow]:
    """Return `pdffonts` rows: name, type, emb, sub."""
    rows = []
    for line in _run("pdffonts", pdf).splitlines()[2:]:
        parts = line.split()
        if len(parts) < 7:
            continue
        # name, type (several words), encoding, emb, sub, uni, object, generation
        rows.append(FontRow(parts[0], " ".join(parts[1:-6]), parts[-5] == "yes", parts[-4] == "yes"))
    return rows


@dataclass(frozen=True, slots=True)
class ImageRow:
    page: int  # 0-based.
    width: int  # Pixels stored in the PDF.
    height: int
    ppi: int  # Effective resolution on the page.


def pdfimages(pdf: Path) -> list[ImageRow]:
    """Return every image drawn (`pdfimages -list`), soft masks left out, in page order."""
    rows = []
    for line in _run("pdfimages", "-list", pdf).splitlines()[2:]:
        parts = line.split()
        if len(parts) > 12 and parts[2] == "image":
            rows.append(ImageRow(int(parts[0]) - 1, int(parts[3]), int(parts[4]), int(parts[12])))
    return rows


def image_pages(pdf: Path) -> list[int]:
    """Return the 0-based page of every image drawn."""
    return [row.page for row in pdfimages(pdf)]


def render(pdf: Path, page: int, dpi: int = 72) -> Image.Image:
    """Render one page (0-based) with pdftoppm: the whole MediaBox, in RGB."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp, "page")
        _run("pdftoppm", "-r", str(dpi), "-f", str(page + 1), "-l", str(page + 1), "-singlefile", "-png", pdf, root)
        image = Image.open(root.with_suffix(".png"))
        image.load()
    return image.convert("RGB")


def _run_bytes(*args: str | Path) -> bytes:
    return subprocess.run([str(a) for a in args], capture_output=True, check=True, timeout=300).stdout


# --- page geometry and text ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float  # Points from the MediaBox's left edge.
    y0: float  # Points from the MediaBox's top edge (poppler's convention).
    x1: float
    y1: float


@dataclass
class PdfPage:
    index: int  # 0-based.
    width: float
    height: float
    words: list[Word]  # In content-stream order (`pdftotext -raw`): the order WeasyPrint laid them out.
    boxes: dict[str, tuple[float, ...]]  # PDF coordinates (origin bottom left).

    @property
    def trim(self) -> tuple[float, float, float, float]:
        """Return the TrimBox as (left, top, right, bottom) in poppler's top-down coordinates."""
        mx0, _my0, _mx1, my1 = self.boxes["MediaBox"]
        x0, y0, x1, y1 = self.boxes["TrimBox"]
        return (x0 - mx0, my1 - y1, x1 - mx0, my1 - y0)

    def in_body(self, word: Word) -> bool:
        _, top, _, bottom = self.trim
        return word.y0 >= top + HEAD_FOOT and word.y1 <= bottom - HEAD_FOOT

    @cached_property
    def body_words(self) -> list[Word]:
        """Return the words of the body, list markers left out (WeasyPrint draws them after the page)."""
        return [w for w in self.words if self.in_body(w) and w.text not in _MARKERS]

    @property
    def margin_words(self) -> list[Word]:
        """Return the running heads and folio (whatever is printed in the head or foot margin)."""
        return [w for w in self.words if not self.in_body(w)]

    @cached_property
    def body(self) -> str:
        """Return the body text with every whitespace removed."""
        return squash("".join(w.text for w in self.body_words))

    @property
    def text(self) -> str:
        return squash("".join(w.text for w in self.words))

    @property
    def head(self) -> str:
        """Return the text printed in the head margin (running heads)."""
        _, top, _, _ = self.trim
        return squash("".join(w.text for w in self.words if w.y1 < top + HEAD_FOOT))

    @property
    def foot(self) -> str:
        """Return the text printed in the foot margin (the folio)."""
        _, _, _, bottom = self.trim
        return squash("".join(w.text for w in self.words if w.y0 > bottom - HEAD_FOOT))


class PdfDoc:
    """A written PDF, read once: per-page words with positions, page boxes, facts, fonts, images."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.pages = _read_pages(path)
        # One flat text of every page's body, and where each page starts in it.
        self.starts: list[int] = []
        parts = []
        offset = 0
        for page in self.pages:
            self.starts.append(offset)
            parts.append(page.body)
            offset += len(page.body)
        self.flat = "".join(parts)
        # Where each body word starts in `flat`, for mapping a text back to its lines.
        self.word_starts: list[int] = []
        self.word_refs: list[tuple[int, Word]] = []
        offset = 0
        for page in self.pages:
            for word in page.body_words:
                self.word_starts.append(offset)
                self.word_refs.append((page.index, word))
                offset += len(squash(word.text))

    def lines_per_page(self, pos: int, length: int) -> dict[int, int]:
        """Return, for the text at flat[pos:pos+length], how many printed lines it has on each page."""
        first = max(0, bisect.bisect_right(self.word_starts, pos) - 1)
        lines: dict[int, set[int]] = {}
        for n in range(first, len(self.word_refs)):
            if self.word_starts[n] >= pos + length:
                break
            page, word = self.word_refs[n]
            lines.setdefault(page, set()).add(round(word.y0))
        return {page: len(ys) for page, ys in lines.items()}

    def page_of(self, pos: int) -> int:
        """Return the 0-based page holding flat-text position `pos`."""
        return bisect.bisect_right(self.starts, pos) - 1

    @cached_property
    def facts(self) -> PdfFacts:
        return read_facts(self.path)

    @cached_property
    def info(self) -> dict[str, str]:
        return pdfinfo(self.path)

    @cached_property
    def fonts(self) -> list[FontRow]:
        return pdffonts(self.path)

    @cached_property
    def image_pages(self) -> list[int]:
        return image_pages(self.path)

    @cached_property
    def contents_pages(self) -> list[int]:
        """Return the contents pages: from page 2 on, the pages of `title ……… N` lines."""
        out = []
        for page in self.pages[1:]:
            if _is_contents(page):
                out.append(page.index)
            elif page.body:  # Blank pages (print profile: contents on a right-hand page) are skipped.
                break
        return out

    @property
    def contents_text(self) -> str:
        return "".join(self.pages[i].body for i in self.contents_pages)


def _is_contents(page: PdfPage) -> bool:
    """A contents page: a third of its lines or more end in a page number set flush right.

    The leader between title and number is drawn (a dotted rule), not text, so it is not looked for.
    """
    words = page.body_words
    if not words:
        return False
    right = max(w.x1 for w in words)
    lines = {round(w.y1) for w in words}
    folios = [w for w in words if w.text.isdigit() and w.x1 > right - 1]
    return bool(folios) and 3 * len(folios) >= len(lines)


def _read_pages(path: Path) -> list[PdfPage]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    boxes = []
    for page in reader.pages:
        boxes.append(
            {
                "MediaBox": tuple(float(v) for v in page.mediabox),
                "TrimBox": tuple(float(v) for v in page.trimbox),
                "BleedBox": tuple(float(v) for v in page.bleedbox),
            }
        )
    xml = _run_bytes("pdftotext", "-enc", "UTF-8", "-raw", "-bbox", path, "-")
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=True))
    pages = []
    for n, page in enumerate(root.iter(f"{_XHTML}page")):
        words = [
            Word(w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax")))
            for w in page.iter(f"{_XHTML}word")
        ]
        pages.append(PdfPage(n, float(page.get("width")), float(page.get("height")), words, boxes[n]))
    assert len(pages) == len(boxes), f"{path}: pdftotext saw {len(pages)} pages, pypdf {len(boxes)}"
    return pages


# --- where the model landed ------------------------------------------------------------------


def header_text(article: Article) -> str:
    """Return the article header as printed: kicker, title, subtitle, byline (whitespace removed)."""
    subtitle = article.subtitle
    if subtitle and subtitle[0] not in "—―─－-":  # Issue 16: every 副题 is printed after a 「——」.
        subtitle = "——" + subtitle
    return squash("".join(t for t in (article.kicker, article.title, subtitle, article.byline) if t))


def heading_label(kicker: str | None, text: str) -> str:
    """Return a section heading's outline label, as the templates build it."""
    return f"{kicker}：{text}" if kicker else text


@dataclass(slots=True)
class Placed:
    """One article found in a PDF: where its header starts and where each of its texts is."""

    article: Article
    pos: int  # In PdfDoc.flat.
    page: int
    end: int = 0  # Where the next article's header (or the document) begins.
    texts: list[tuple[str, int]] = field(default_factory=list)  # (text, flat position); -1 when missing.
    headings: list[tuple[str, int]] = field(default_factory=list)  # (outline label, page).
    figures: list[tuple[Figure, int]] = field(default_factory=list)  # (figure, page of its caption).


@dataclass(slots=True)
class PlacedPage:
    title: str  # 第01版 · 要闻.
    pos: int
    page: int
    articles: list[Placed]


def place(doc: PdfDoc, book: Book) -> list[PlacedPage]:
    """Find every 版面 heading, article header and article text of `book` in the PDF, in reading order.

    The search starts after the contents pages and moves forward only, so a title quoted in the
    contents or inside an earlier article is never taken for the article itself.
    """
    cursor = doc.starts[doc.contents_pages[-1] + 1] if doc.contents_pages else doc.starts[min(1, len(doc.pages) - 1)]
    placed_pages: list[PlacedPage] = []
    all_articles: list[Placed] = []
    for view in book.pages:
        title = squash(view.title)
        articles = []
        for a, article_view in enumerate(view.articles):
            article = article_view.article
            header = header_text(article)
            pos = doc.flat.find((title if a == 0 else "") + header, cursor)
            assert pos >= 0, f"{doc.path.name}: header of {article.title!r} ({view.title}) not found after {cursor}"
            if a == 0:
                placed_pages.append(PlacedPage(view.title, pos, doc.page_of(pos), articles))
                pos += len(title)
            placed = Placed(article, pos, doc.page_of(pos))
            articles.append(placed)
            all_articles.append(placed)
            cursor = pos + len(header)
        if not view.articles:
            pos = doc.flat.find(title, cursor)
            assert pos >= 0, f"{doc.path.name}: {view.title} not found"
            placed_pages.append(PlacedPage(view.title, pos, doc.page_of(pos), articles))
    for n, placed in enumerate(all_articles):
        placed.end = all_articles[n + 1].pos if n + 1 < len(all_articles) else len(doc.flat)
        where = placed.pos
        # A photo may be set after the paragraphs that follow it in the source, to fill a page
        # (issue 16): a caption or credit is looked for anywhere in its article, without moving the search on.
        floating = {t for f in placed.article.figures for t in (f.caption, f.credit) if t}
        for text in placed.article.texts():
            if text in floating:
                placed.texts.append((text, doc.flat.find(squash(text), placed.pos, placed.end)))
                continue
            found = doc.flat.find(squash(text), where, placed.end)
            placed.texts.append((text, found))
            if found >= 0:
                where = found + len(squash(text))
        where = placed.pos + len(header_text(placed.article))
        for heading in placed.article.headings:
            found = doc.flat.find(squash((heading.kicker or "") + heading.text), where, placed.end)
            placed.headings.append(
                (heading_label(heading.kicker, heading.text), doc.page_of(found) if found >= 0 else -1)
            )
            if found >= 0:
                where = found
        for figure in placed.article.figures:
            found = doc.flat.find(squash(figure.caption or figure.credit or ""), placed.pos, placed.end)
            placed.figures.append((figure, doc.page_of(found) if found >= 0 else -1))
    return placed_pages


def expected_outline(placed: list[PlacedPage]) -> list[tuple[int, str, int]]:
    """Return the outline an issue book should have: 版面 → article → section heading, with pages."""
    out = []
    for page in placed:
        out.append((1, squash(page.title), page.page))
        for article in page.articles:
            out.append((2, squash(article.article.title), article.page))
            out.extend((3, squash(label), pg) for label, pg in article.headings)
    return out


def contents_entries(doc: PdfDoc, book: Book) -> list[tuple[str, int | None]]:
    """Return (title, printed page number) for every contents entry, in order; None when not found."""
    text = doc.contents_text
    cursor = 0
    out: list[tuple[str, int | None]] = []
    titles = []
    for view in book.pages:
        titles.append(view.title)
        titles.extend(a.article.title for a in view.articles)
    for n, title in enumerate(titles):
        # The number runs up to the next entry's title (which may itself begin with digits: 1月份…).
        after = re.escape(squash(titles[n + 1])) if n + 1 < len(titles) else "$"
        m = re.compile(re.escape(squash(title)) + rf"\.*(\d+)(?={after})").search(text, cursor)
        if m is None:
            out.append((title, None))
            continue
        out.append((title, int(m.group(1))))
        cursor = m.end()
    return out


# --- building books --------------------------------------------------------------------------


def issue_books(sources: list[Path], *args: str) -> list[Book]:
    """Return the issue books `epaper export SOURCES` lays out (one per issue)."""
    from exporter.assemble import Selection
    from exporter.sources import ReadOptions

    first = last = None
    if "--from" in args:
        import datetime as dt

        first = dt.date.fromisoformat(args[args.index("--from") + 1])
        last = dt.date.fromisoformat(args[args.index("--to") + 1])
    archive = open_archive(sources, ReadOptions(), Selection(None, first, last))
    return [lay_out([issue]) for issue in archive.issues]


def issues_of(sources: list[Path]) -> tuple[Issue, ...]:
    return open_archive(sources).issues


@dataclass(slots=True)
class Export:
    """One run of `epaper export -f pdf`: its folder, process result and the PDFs it wrote."""

    name: str
    out: Path
    proc: subprocess.CompletedProcess[str]
    args: list[str | Path] = field(default_factory=list)  # What followed `epaper export`.

    def books(self) -> list[Book]:
        """Return the issue books this export laid out, rebuilt in-process from the same sources."""
        sources = []
        for arg in self.args:
            if str(arg).startswith("--"):
                break
            sources.append(Path(arg))
        return issue_books(sources, *map(str, self.args[len(sources) :]))

    @property
    def pdfs(self) -> list[Path]:
        return sorted(self.out.rglob("*.pdf"))

    @property
    def pdf(self) -> Path:
        assert len(self.pdfs) == 1, self.pdfs
        return self.pdfs[0]


@dataclass(slots=True)
class Placement:
    book: Book
    doc: PdfDoc
    pages: list[PlacedPage]

    @property
    def articles(self) -> list[Placed]:
        return [a for p in self.pages for a in p.articles]


class PdfShelf:
    """PDFs exported once per session by the CLI, one process per core at a time.

    `want(name, …)` starts exports in the background; `get(name)` waits for one. Test modules
    ask for all their books first (an autouse fixture), so renders overlap.
    """

    _sessions: dict[Path, PdfShelf] = {}  # noqa: RUF012 -- one shelf per pytest base temp folder.

    def __init__(self, root: Path) -> None:
        self.root = root
        self.recipes: dict[str, Callable[[], tuple[list[str | Path], dict[str, str] | None]]] = {}
        self.needs: dict[str, list[Path]] = {}
        self.futures: dict[str, Future[Export]] = {}
        self.pool = ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1))
        self._docs: dict[Path, PdfDoc] = {}
        self._placed: dict[str, list[Placement]] = {}

    @classmethod
    def for_session(cls, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
        base = tmp_path_factory.getbasetemp()
        if base not in cls._sessions:
            cls._sessions[base] = cls(tmp_path_factory.mktemp("pdf-shelf"))
        return cls._sessions[base]

    def close(self) -> None:
        """Drop the exports not started yet (a run stopped early does not wait for them)."""
        self.pool.shutdown(wait=False, cancel_futures=True)

    def recipe(
        self,
        name: str,
        args: Callable[[], list[str | Path]],
        env: dict[str, str] | None = None,
        needs: tuple[Path, ...] = (),
    ) -> None:
        """Name an export: `epaper export ARGS -f pdf -o <shelf>/<name>` (args built lazily)."""
        if name not in self.recipes:
            self.recipes[name] = lambda: (args(), env)
            self.needs[name] = [p for p in needs if not p.exists()]

    def want(self, *names: str) -> None:
        """Start these exports in the background (those whose sources exist)."""
        for name in names:
            if name in self.recipes and name not in self.futures and not self.needs[name]:
                args, env = self.recipes[name]()
                self.futures[name] = self.pool.submit(self._export, name, args, env)

    def get(self, name: str) -> Export:
        if name not in self.recipes:
            pytest.skip(f"{name}: its sources are absent (shared corpus not available)")
        if self.needs[name]:
            pytest.skip(f"{self.needs[name][0]} is absent (shared corpus not available)")
        self.want(name)
        export = self.futures[name].result()
        assert export.proc.returncode == 0, (
            f"epaper export {name} failed ({export.proc.returncode}):\n{export.proc.stderr}"
        )
        assert export.pdfs, f"epaper export {name} wrote no PDF:\n{export.proc.stderr}"
        return export

    def doc(self, pdf: Path) -> PdfDoc:
        if pdf not in self._docs:
            self._docs[pdf] = PdfDoc(pdf)
        return self._docs[pdf]

    def _export(self, name: str, args: list[str | Path], env: dict[str, str] | None) -> Export:
        out = self.root / name
        proc = run_cli("export", *args, "-f", "pdf", "-o", out, "--report", self.root / f"{name}.json", env=env)
        export = Export(name, out, proc, list(args))
        if proc.returncode == 0:  # Read the PDFs here too: pdftotext and pdffonts run beside the tests.
            for pdf in export.pdfs:
                _ = self.doc(pdf).fonts
        return export

    def placed(self, name: str) -> list[Placement]:
        """Return, for each issue PDF of an export, its book, its text and where the book landed."""
        if name not in self._placed:
            export = self.get(name)
            self._placed[name] = [
                Placement(book, self.doc(pdf), place(self.doc(pdf), book))
                for book, pdf in iter_issue_pdfs(export, export.books())
            ]
        return self._placed[name]


def iter_issue_pdfs(export: Export, books: list[Book]) -> Iterator[tuple[Book, Path]]:
    """Pair each issue book with the PDF the export wrote for it (by date)."""
    by_stem = {p.stem: p for p in export.pdfs}
    assert sorted(by_stem) == sorted(b.stem for b in books), (sorted(by_stem), [b.stem for b in books])
    for book in books:
        yield book, by_stem[book.stem]


# --- made-up sources ----------------------------------------------------------------------------

LONG_PAPER = "长文日报"
LONG_DATE = "2026-06-01"
HOSTILE_TEXTS = ("<script>alert(1)</script>", "{{ 7*7 }}", "&amp;", "{% if %}")
_PHRASES = (
    "全市上下坚持稳中求进工作总基调",
    "统筹推进产业升级和民生改善",
    "一批重点项目相继落地见效",
    "基层干部群众干劲十足",
    "各项指标保持在合理区间",
    "城乡居民收入稳步增长",
    "营商环境持续优化提升",
    "科技创新能力显著增强",
    "生态环境质量明显改善",
    "社会事业全面协调发展",
)


def long_paragraph(article: int, n: int, length: int) -> str:
    """Return paragraph `n` of article `article`: a unique marker, then about `length` characters."""
    body = []
    i = article * 7 + n
    while sum(map(len, body)) < length:
        body.append(_PHRASES[i % len(_PHRASES)] + ("，" if i % 3 else "。"))
        i += 1
    return f"第{article}篇第{n:02d}段：" + "".join(body) + "。"


def write_long_sources(folder: Path) -> Path:
    """Write an issue of very long articles (30+ paragraphs, headings, highlights, a real photo)
    on page 01, and an article of markup-like text (normalized JSON, read verbatim) on page 02."""
    import json

    day = folder / LONG_DATE
    (day / "images").mkdir(parents=True, exist_ok=True)
    for a in (1, 2, 3):
        photo = Image.new("RGB", (1200, 800), (30 * a, 90, 160))
        for x in range(0, 1200, 40):  # Stripes, so the JPEG is not trivially small.
            photo.paste((200, 40 * a % 255, x % 255), (x, 0, x + 20, 800))
        photo.save(day / "images" / f"photo{a}.jpg", "JPEG", quality=85)
        lines = [
            "---",
            f"paper: {LONG_PAPER}",
            f"date: {LONG_DATE}",
            'page: "01"',
            "page_name: 长文",
            f"order: {a}",
            f"kicker: 第{a}篇长文的引题",
            f"title: 长篇报道第{a}篇：分栏与分页之间",
            f"subtitle: ——第{a}篇的副题",
            f"byline: 本报记者 长{a}",
            "source: （本报讯）",
            "---",
            "",
            *[f"- 第{a}篇要点{i}：{_PHRASES[(a + i) % len(_PHRASES)]}；" for i in range(1, 4)],
            "",
        ]
        paragraphs = 30 + 3 * a
        for n in range(1, paragraphs + 1):
            if n % 8 == 0:
                lines += [f"## 第{a}篇小标题{n // 8}的引题", f"### 第{a}篇小标题{n // 8}：{_PHRASES[n % 10]}", ""]
            if n == 12:
                lines += [f'![第{a}篇的新闻图片说明：{_PHRASES[a]}](images/photo{a}.jpg "本报记者 图{a}摄")', ""]
            length = 900 if n % 11 == 5 else 60 + (n * 37 + a * 11) % 240  # Some paragraphs span a column.
            lines += [long_paragraph(a, n, length), ""]
        (day / f"p01-{a}.md").write_text("\n".join(lines), encoding="utf-8")
    hostile = {
        "format": "epaper/normalized",
        "version": 1,
        "issues": [
            {
                "paper": LONG_PAPER,
                "date": LONG_DATE,
                "pages": [
                    {
                        "label": "02",
                        "name": "文字",
                        "articles": [
                            {
                                "kicker": "引题 {{ 7*7 }}",
                                "title": "标题里的 <script>alert(1)</script> 与 &amp;",
                                "subtitle": "——副题 {% if %} 不是模板",
                                "byline": "本报记者 &amp; 通讯员",
                                "source": "本报讯 &lt;b&gt;",
                                "order": 1,
                                "blocks": [
                                    {"type": "paragraph", "text": "正文里写着 <script>alert(1)</script> 这样的字样。"},
                                    {
                                        "type": "paragraph",
                                        "text": "实体 &amp; 与模板语法 {{ 7*7 }} 以及 {% if %} 都原样显示。",
                                    },
                                    {"type": "heading", "kicker": None, "text": "小标题 <b>不是粗体</b>"},
                                    {"type": "paragraph", "text": "最后一段 ]]> 与 <!-- 注释 --> 也原样。"},
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    }
    (day / "p02-hostile.json").write_text(json.dumps(hostile, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder


TINY_PAPER = "小样日报"
TINY_BYLINE = "本报记者 隐身的署名人"


def write_tiny_sources(folder: Path) -> Path:
    """Write a one-article issue: the cheapest book, for page sizes and overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tiny.md").write_text(
        f"""---
paper: {TINY_PAPER}
date: 2026-02-02
page: "01"
page_name: 要闻
order: 1
title: 小样文章的标题
byline: {TINY_BYLINE}
source: （本报讯）
---

第一段正文，说明这份小样只有一篇文章。

## 一个小标题

第二段正文，用来检查页面尺寸与模板覆盖。
""",
        encoding="utf-8",
    )
    return folder


MANY_PAGES = 24  # A usual 人民日报 or 宜春日报 issue has 8 to 24 版面.


def write_many_sources(folder: Path) -> Path:
    """Write an issue of 24 版面 with one short article each: a long list on the cover."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, MANY_PAGES + 1):
        (folder / f"p{n:02d}.md").write_text(
            f'---\npaper: 多版日报\ndate: 2026-04-01\npage: "{n:02d}"\npage_name: 版名{n:02d}\norder: 1\n'
            f"title: 第{n:02d}版的头条新闻\n---\n\n第{n:02d}版头条的正文。\n",
            encoding="utf-8",
        )
    return folder


USER_FOOTER = "本文由用户模板加上的页脚"
USER_ARTICLE_TEMPLATE = (
    '{% extends "!base/print/article.html.j2" %}\n'
    "{% block footer %}\n"
    "{{ super() }}\n"
    f'<p class="user-footer">{USER_FOOTER}</p>\n'
    "{% endblock %}\n"
)
USER_CSS = ".byline { display: none; }\n"
SDE = "1767225600"  # 2026-01-01T00:00:00Z.
RMRB_DATES = ("2017-03-25", "2017-03-26", "2017-04-22", "2017-04-23")
PAGE_SIZES = {"A5": (148, 210), "Letter": (215.9, 279.4), "185x260mm": (185, 260)}  # Trim size, mm.

# What each test module exports: a module asks for its own books first, then for those of the
# other PDF modules in the session, so that the renders overlap with the checks.
MODULE_BOOKS = {
    "test_pdf_cli": ("archive", "archive-again", "sde-a", "sde-b", "override", "tiny", "seed-archive"),
    "test_pdf_columns": ("long-2col",),
    "test_pdf_content": ("seed", "archive", *(f"rmrb-{d}" for d in RMRB_DATES), "many"),
    "test_pdf_profiles": (
        "archive-print",
        "archive-archive",
        "seed-archive",
        "tiny",
        *(f"tiny-{s}" for s in PAGE_SIZES),
    ),
    "test_layout": (
        "archive",
        "archive-print",
        "archive-2col",
        "hubei-screen",
        "hubei-print",
        "hubei-2col",
        f"rmrb-{RMRB_DATES[0]}",
        f"rmrb-{RMRB_DATES[0]}-print",
        f"rmrb-{RMRB_DATES[0]}-2col",
    ),
}


def shelf(tmp_path_factory: pytest.TempPathFactory, rmrb_dir: Path | None = None) -> PdfShelf:
    """Return the session's shelf with every PDF recipe the test modules use."""
    from tests.conftest import EXAMPLES, SEED

    need_tools()
    s = PdfShelf.for_session(tmp_path_factory)
    root = s.root

    def sources(name: str, write: Callable[[Path], Path]) -> Path:
        folder = root / f"{name}-src"
        if not folder.exists():
            write(folder)
        return folder

    def tiny() -> Path:
        return sources("tiny", write_tiny_sources)

    def long() -> Path:
        return sources("long", write_long_sources)

    def override() -> list[str | Path]:
        folder = root / "override-src"
        (folder / "print").mkdir(parents=True, exist_ok=True)
        (folder / "print" / "article.html.j2").write_text(USER_ARTICLE_TEMPLATE, encoding="utf-8")
        (folder / "user.css").write_text(USER_CSS, encoding="utf-8")
        return [tiny(), "--templates", folder, "--css", folder / "user.css"]

    one_day = ["--from", "2026-03-03", "--to", "2026-03-03"]
    s.recipe("seed", lambda: [SEED], needs=(SEED,))
    s.recipe("seed-archive", lambda: [SEED, "--pdf-profile", "archive"], needs=(SEED,))
    s.recipe("archive", lambda: [EXAMPLES], needs=(EXAMPLES,))
    s.recipe("archive-again", lambda: [EXAMPLES, *one_day], needs=(EXAMPLES,))
    s.recipe("archive-print", lambda: [EXAMPLES, "--pdf-profile", "print"], needs=(EXAMPLES,))
    s.recipe("archive-archive", lambda: [EXAMPLES, "--pdf-profile", "archive"], needs=(EXAMPLES,))
    s.recipe("tiny", lambda: [tiny()])
    s.recipe("sde-a", lambda: [tiny()], env={"SOURCE_DATE_EPOCH": SDE})
    s.recipe("sde-b", lambda: [tiny()], env={"SOURCE_DATE_EPOCH": SDE})
    for size in PAGE_SIZES:
        s.recipe(f"tiny-{size}", lambda size=size: [tiny(), "--page-size", size])  # type: ignore[misc]
    s.recipe("override", override)
    s.recipe("many", lambda: [sources("many", write_many_sources)])
    s.recipe("long-2col", lambda: [long(), "--columns", "2"])
    if rmrb_dir is not None:
        for date in RMRB_DATES:
            s.recipe(f"rmrb-{date}", lambda date=date: [rmrb_dir, "--from", date, "--to", date])  # type: ignore[misc]
    # The typesetting settings of issue 16: print profile and two columns besides the screen default.
    from tests.layoutcheck import HUBEI, write_hubei_sources

    s.recipe("archive-2col", lambda: [EXAMPLES, "--columns", "2"], needs=(EXAMPLES,))
    hubei = (HUBEI / "content.txt",)
    s.recipe("hubei-screen", lambda: [sources("hubei", write_hubei_sources)], needs=hubei)
    s.recipe("hubei-print", lambda: [sources("hubei", write_hubei_sources), "--pdf-profile", "print"], needs=hubei)
    s.recipe("hubei-2col", lambda: [sources("hubei", write_hubei_sources), "--columns", "2"], needs=hubei)
    if rmrb_dir is not None:
        day = ["--from", RMRB_DATES[0], "--to", RMRB_DATES[0]]
        s.recipe(f"rmrb-{RMRB_DATES[0]}-print", lambda: [rmrb_dir, *day, "--pdf-profile", "print"])
        s.recipe(f"rmrb-{RMRB_DATES[0]}-2col", lambda: [rmrb_dir, *day, "--columns", "2"])
    return s


def module_shelf(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    """Return the shelf for a test module, with this module's exports (then the session's) started."""
    from tests.conftest import RMRB_DB

    rmrb_dir = request.getfixturevalue("rmrb_dir") if RMRB_DB.exists() else None
    s = shelf(tmp_path_factory, rmrb_dir)
    if not s.futures:
        request.config.add_cleanup(s.close)
    module = request.module.__name__.rsplit(".", 1)[-1]
    session = {getattr(item, "module", None) for item in request.session.items}
    others = sorted({m.__name__.rsplit(".", 1)[-1] for m in session if m is not None} - {module})
    for name in (module, *others):
        s.want(*MODULE_BOOKS.get(name, ()))
    return s


def stranded(placement: Placement) -> list[tuple[int, str]]:
    """Return (page, text) for every page whose body ends with a heading that has text after it:
    a 版面 heading, an article's kicker, title, subtitle or byline, or a section heading."""
    doc = placement.doc
    heads: set[str] = set()
    for page in placement.book.pages:
        heads.add(squash(page.title))
        for view in page.articles:
            article = view.article
            if article.blocks:
                heads.update(squash(t) for t in (article.kicker, article.title, article.subtitle, article.byline) if t)
            for heading in article.headings:
                heads.update(squash(t) for t in (heading.kicker, heading.text) if t)
    heads.discard("")
    out = []
    for page in doc.pages[1:]:
        for head in heads:
            if page.body.endswith(head):
                out.append((page.index, head))
    return out
