"""A typesetter's check of a written PDF, measured from its glyph boxes (issue 16).

What a reader of a Chinese newspaper notices first, as numbers:
- holes: the blank share of each page's text area (per column), pages except the last of a 版;
- a ragged right edge: how far each full line of a paragraph stops short of its column's edge;
- 禁则: lines that start with closing or end with opening punctuation;
- 标点挤压: the width of two adjacent full-width punctuation marks (1.5 em at most when compressed).

Lines and words come from `pdftotext -bbox-layout`; single glyphs (for the punctuation pairs) from
pdfminer.six; blank area from a 20 dpi `pdftoppm` render. The text area is given, not guessed: the
margins of the profile's CSS, in millimetres, so a line that stops short cannot move the edge.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import statistics
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lxml import etree
from PIL import Image

MM = 72 / 25.4
_XHTML = "{http://www.w3.org/1999/xhtml}"
CLOSING = set("，。、；：？！）》」』”’〕】〉")  # Dashes and ellipses may start a line (a 副题 does).
OPENING = set("（《「『“‘〔【〈")  # May not end a line (行尾禁则).
# Full-width marks whose blank half clreq squeezes out when two meet; dashes and ellipses are two-em marks.
SQUEEZABLE = set("，。、；：？！）》」』”’〕】〉（《「『“‘〔【〈")
BLANK_DPI = 20
EPUB_NS = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml"}
HUBEI = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "real" / "hubei_daily_2023-02-11"
# The shapes of the generated 湖北日报 photos (width : height), in the order of their file names.
PHOTO_SHAPES = ((1.6, 1), (1, 1.55), (2.7, 1), (1, 3))


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the text goes: the profile's page margins (mm) and the article columns."""

    left_mm: float = 18
    right_mm: float = 18
    top_mm: float = 22
    bottom_mm: float = 22
    mirrored: bool = False  # Print profile: left and right swap on left-hand (even) pages.
    columns: int = 1
    gap_mm: float = 7

    def edges(self, trim: tuple[float, float, float, float], number: int) -> tuple[float, float, float, float]:
        """Return the text area (left, top, right, bottom) in points for 1-based page `number`."""
        left, right = self.left_mm, self.right_mm
        if self.mirrored and number % 2 == 0:
            left, right = right, left
        x0, y0, x1, y1 = trim
        return (x0 + left * MM, y0 + self.top_mm * MM, x1 - right * MM, y1 - self.bottom_mm * MM)

    def column_edges(self, trim: tuple[float, float, float, float], number: int) -> list[tuple[float, float]]:
        left, _, right, _ = self.edges(trim, number)
        if self.columns == 1:
            return [(left, right)]
        width = (right - left - self.gap_mm * MM) / 2
        return [(left, left + width), (right - width, right)]


SCREEN = Frame()
PRINT = Frame(left_mm=22, right_mm=16, mirrored=True)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


@dataclass
class Line:
    """Words on one baseline in one column."""

    page: int  # 1-based.
    column: int
    words: list[Word]

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)

    @property
    def x1(self) -> float:
        return max(w.x1 for w in self.words)

    @property
    def y1(self) -> float:
        return max(w.y1 for w in self.words)

    @property
    def height(self) -> float:
        return max(w.height for w in self.words)

    @property
    def text(self) -> str:
        return "".join(w.text for w in sorted(self.words, key=lambda w: w.x0))


@dataclass(frozen=True, slots=True)
class Short:
    """A full line that stops short of its column's edge (or runs past it)."""

    page: int
    gap_em: float  # Positive: short of the edge; negative: past it.
    text: str


@dataclass(frozen=True, slots=True)
class Pair:
    """Two adjacent full-width punctuation marks and the width they take."""

    page: int
    marks: str
    width_em: float
    context: str


@dataclass
class Layout:
    """One PDF, measured."""

    path: Path
    frame: Frame
    trims: list[tuple[float, float, float, float]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._read()

    # --- reading --------------------------------------------------------------------------

    def _read(self) -> None:
        from pypdf import PdfReader

        reader = PdfReader(str(self.path))
        self.reader = reader
        for page in reader.pages:
            mx0, _my0, _mx1, my1 = (float(v) for v in page.mediabox)
            x0, y0, x1, y1 = (float(v) for v in page.trimbox)
            self.trims.append((x0 - mx0, my1 - y1, x1 - mx0, my1 - y0))
        xml = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(self.path), "-"],
            capture_output=True,
            check=True,
            timeout=300,
        ).stdout
        root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
        for number, page in enumerate(root.iter(f"{_XHTML}page"), start=1):
            words = [
                Word(
                    w.text or "", float(w.get("xMin")), float(w.get("yMin")), float(w.get("xMax")), float(w.get("yMax"))
                )
                for w in page.iter(f"{_XHTML}word")
            ]
            self.lines += self._lines(number, words)

    def _lines(self, number: int, words: list[Word]) -> list[Line]:
        """Group the words of a page's text area into lines: one baseline, one column."""
        _left, top, _right, bottom = self.frame.edges(self.trims[number - 1], number)
        columns = self.frame.column_edges(self.trims[number - 1], number)
        rows: dict[tuple[int, int], list[Word]] = {}
        for word in words:
            if word.y0 < top - 2 or word.y1 > bottom + 2:
                continue  # Running heads and folios.
            column = 0
            if len(columns) == 2:
                middle = (columns[0][1] + columns[1][0]) / 2
                if word.x0 >= middle:
                    column = 1
                elif word.x1 > middle:
                    column = -1  # Spans both columns: a header line.
            rows.setdefault((column, round(word.y1 * 2)), []).append(word)
        lines = [Line(number, column, ws) for (column, _), ws in rows.items()]
        lines.sort(key=lambda line: (line.column, line.y1))
        return lines

    # --- the facts ------------------------------------------------------------------------

    @cached_property
    def body_height(self) -> float:
        """Return the glyph-box height of body text: the commonest line height."""
        heights = [round(line.height, 1) for line in self.lines]
        return statistics.mode(heights)

    @property
    def em(self) -> float:
        """Return the body font size in points (Noto CJK glyph boxes are 1.437 em tall)."""
        return self.body_height / 1.437

    def is_body(self, line: Line) -> bool:
        return all(abs(w.height - self.body_height) < 0.3 for w in line.words)

    @cached_property
    def chapter_starts(self) -> list[int]:
        """Return the 1-based first page of every 版 (the outline's top level)."""
        starts = []
        for item in self.reader.outline:
            if isinstance(item, list):
                continue
            starts.append(self.reader.get_destination_page_number(item) + 1)
        return sorted(set(starts))

    def full_lines(self) -> Iterator[tuple[Line, tuple[float, float]]]:
        """Yield every body line followed by a line of the same paragraph (same column, next baseline)."""
        step = self.em * 1.75
        by_place: dict[tuple[int, int], list[Line]] = {}
        for line in self.lines:
            by_place.setdefault((line.page, line.column), []).append(line)
        for (page, column), lines in by_place.items():
            if column < 0:
                continue
            col_left, col_right = self.frame.column_edges(self.trims[page - 1], page)[column]
            for line, after in itertools.pairwise(lines):
                if not (self.is_body(line) and self.is_body(after)):
                    continue
                if abs(after.y1 - line.y1 - step) > 1.5:
                    continue  # Not the next line of the same block.
                if line.x0 > col_left + 2.5 * self.em or after.x0 > col_left + 0.5 * self.em:
                    continue  # Centred or right-set, or `after` starts a paragraph (indent).
                yield line, (col_left, col_right)

    def short_lines(self, tolerance_em: float = 0.1) -> list[Short]:
        """Return the full lines whose end is farther than `tolerance_em` from the column's edge.

        A line ending in a closing mark may hang its blank half past the edge (clreq 行尾点号悬挂)."""
        out = []
        for line, (_, right) in self.full_lines():
            gap = (right - line.x1) / self.em
            hang = 0.5 if line.text.rstrip()[-1:] in CLOSING else 0.0
            if gap > tolerance_em or gap < -tolerance_em - hang:
                out.append(Short(line.page, round(gap, 2), line.text))
        return out

    def column_feet(self, heads: set[str], endings: set[str]) -> list[tuple[int, int, str]]:
        """Return (page, column, text) for every column (a page in one column) that ends with a
        headline line followed by fewer than two lines of its text; `heads` are the squashed header
        texts (kicker, title, subtitle, byline), `endings` the squashed last texts of articles (a
        short article may end under its headline)."""
        by_place: dict[tuple[int, int], list[Line]] = {}
        for line in self.lines:
            if line.column >= 0:
                by_place.setdefault((line.page, line.column), []).append(line)
        out = []
        first = self.chapter_starts[0] if self.chapter_starts else 1
        for (page, column), lines in sorted(by_place.items()):
            if page < first:
                continue  # The cover and the contents list titles.
            tail: list[str] = []
            for line in reversed(lines):
                text = _squash(line.text)
                if not self.is_body(line) and len(text) >= 2 and any(text in head for head in heads):
                    after = "".join(reversed(tail))
                    if len(tail) < 2 and not any(
                        end.endswith(after) or after.endswith(end) for end in endings if after
                    ):
                        out.append((page, column, line.text + " / " + after))
                    break
                tail.append(text)
                if len(tail) >= 2:
                    break
        return out

    def kinsoku(self) -> list[tuple[int, str]]:
        """Return (page, line) for lines that start with closing or end with opening punctuation."""
        out = []
        for line in self.lines:
            text = line.text.strip()
            if text and (text[0] in CLOSING or text[-1] in OPENING):
                out.append((line.page, text))
        return out

    def blank_shares(self) -> dict[int, float]:
        """Return, per 1-based page, the blank share of the text area below the last ink, per column."""
        out = {}
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(
                ["pdftoppm", "-gray", "-r", str(BLANK_DPI), str(self.path), f"{tmp}/p"],
                check=True,
                timeout=300,
            )
            files = sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
            for number, file in enumerate(files, start=1):
                with Image.open(file) as image:
                    out[number] = self._blank(image, number)
        return out

    def _blank(self, image: Image.Image, number: int) -> float:
        scale = BLANK_DPI / 72
        _, top, _, bottom = self.frame.edges(self.trims[number - 1], number)
        columns = self.frame.column_edges(self.trims[number - 1], number)
        pixels = image.load()
        assert pixels is not None
        y_top, y_bottom = int(top * scale), int(bottom * scale)
        blank = 0.0
        for left, right in columns:
            x_range = range(int(left * scale) + 1, int(right * scale) - 1)
            last = y_top
            for y in range(y_bottom - 1, y_top - 1, -1):
                if any(pixels[x, y] < 200 for x in x_range):  # type: ignore[operator]
                    last = y
                    break
            blank += (y_bottom - last) / (y_bottom - y_top)
        return blank / len(columns)

    def holes(self, limit: float = 0.2) -> list[tuple[int, float]]:
        """Return (page, blank share) for pages of a 版 other than its last that are more than `limit` blank."""
        shares = self.blank_shares()
        starts = self.chapter_starts
        out = []
        for k, start in enumerate(starts):
            end = starts[k + 1] - 1 if k + 1 < len(starts) else len(shares)
            pages = [p for p in range(start, end + 1) if shares[p] < 0.999]  # Blank versos left out.
            for page in pages[:-1]:
                if shares[page] > limit:
                    out.append((page, round(shares[page], 2)))
        return out

    def pairs(self) -> list[Pair]:
        """Return every two adjacent squeezable marks on one line with the width they take, in em.

        The width runs from the first mark's left edge to the next glyph's, less the spacing
        justification added between glyphs on that line (the line's median excess over 1 em
        between two ideographs)."""
        pages = sorted({line.page for line in self.lines if _has_pair(line.text)})
        out = []
        for number, chars in _glyphs(self.path, pages):
            for row in _glyph_rows(chars):
                extra = _line_extra(row, self.em)
                for i in range(len(row) - 1):
                    a, b = row[i], row[i + 1]
                    if a.text in SQUEEZABLE and b.text in SQUEEZABLE:
                        end = row[i + 2].x0 if i + 2 < len(row) else b.x1
                        width = (end - a.x0 - 2 * extra) / a.size  # In ems of the marks' own size.
                        context = "".join(c.text for c in row[max(0, i - 4) : i + 6])
                        out.append(Pair(number, a.text + b.text, round(width, 2), context))
        return out


def _squash(text: str) -> str:
    return "".join(text.split())


def _has_pair(text: str) -> bool:
    return any(a in SQUEEZABLE and b in SQUEEZABLE for a, b in itertools.pairwise(text))


@dataclass(frozen=True, slots=True)
class Glyph:
    text: str
    x0: float
    x1: float
    y: float
    size: float


def _glyphs(path: Path, pages: list[int]) -> Iterator[tuple[int, list[Glyph]]]:
    """Yield (1-based page, glyphs) for the given pages, through pdfminer.six."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTChar

    def walk(item: object) -> Iterator[LTChar]:
        if isinstance(item, LTChar):
            yield item
        for child in getattr(item, "_objs", ()) or ():
            yield from walk(child)

    if not pages:
        return
    wanted = [p - 1 for p in pages]
    for number, page in zip(pages, extract_pages(path, page_numbers=wanted, laparams=LAParams()), strict=True):
        chars = [Glyph(c.get_text(), c.x0, c.x1, round(c.y0, 1), round(c.size, 1)) for c in walk(page)]
        yield number, chars


def _glyph_rows(chars: list[Glyph]) -> list[list[Glyph]]:
    rows: dict[tuple[float, float], list[Glyph]] = {}
    for c in chars:
        rows.setdefault((c.y, c.size), []).append(c)
    out = []
    for row in rows.values():
        row.sort(key=lambda c: c.x0)
        # Two columns share a baseline: split where the gap is wider than an em (the gap is 7 mm, 1.9 em).
        current = [row[0]]
        for c in row[1:]:
            if c.x0 - current[-1].x1 > c.size:
                out.append(current)
                current = []
            current.append(c)
        out.append(current)
    return out


def _line_extra(row: list[Glyph], em: float) -> float:
    """Return the spacing justification added between two glyphs on this line (median, points)."""
    steps = [
        b.x0 - a.x0 - em
        for a, b in itertools.pairwise(row)
        if "\u4e00" <= a.text <= "\u9fff" and "\u4e00" <= b.text <= "\u9fff" and abs(a.size - em) < 0.2
    ]
    return max(0.0, statistics.median(steps)) if steps else 0.0


# --- pictures -------------------------------------------------------------------------------


def placed_pictures(pdf: Path) -> list[tuple[int, float, float]]:
    """Return (1-based page, width, height) in points of every picture as placed on the page, in order."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTImage

    def walk(item: object) -> Iterator[LTImage]:
        if isinstance(item, LTImage):
            yield item
        for child in getattr(item, "_objs", ()) or ():
            yield from walk(child)

    out = []
    for number, page in enumerate(extract_pages(pdf, laparams=None), start=1):
        for image in walk(page):
            out.append((number, image.width, image.height))
    return out


def spine_documents(book: zipfile.ZipFile) -> Iterator[tuple[str, etree._Element]]:
    """Yield (path in the zip, parsed XHTML) of every document of an open EPUB, in spine order."""
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path")  # type: ignore[union-attr]
    opf = etree.fromstring(book.read(opf_path))
    base = posixpath.dirname(opf_path)
    hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:manifest/opf:item", EPUB_NS)}
    for ref in opf.iterfind(".//opf:spine/opf:itemref", EPUB_NS):
        doc_path = posixpath.join(base, hrefs[ref.get("idref")])
        yield doc_path, etree.fromstring(book.read(doc_path))


def epub_pictures(epub: Path) -> list[tuple[str, int, int]]:
    """Return (name, width, height) in pixels of every <img> of an EPUB, in spine order."""
    out = []
    with zipfile.ZipFile(epub) as book:
        for doc_path, doc in spine_documents(book):
            for img in doc.iterfind(".//x:img", EPUB_NS):
                path = posixpath.normpath(posixpath.join(posixpath.dirname(doc_path), img.get("src")))
                with Image.open(io.BytesIO(book.read(path))) as image:
                    out.append((path, image.width, image.height))
    return out


def write_hubei_sources(folder: Path) -> Path:
    """Save 湖北日报 2023-02-11 as the site's Founder pages, with a generated picture of one of
    PHOTO_SHAPES for each photo it names (the corpus keeps no image files)."""
    import re

    from tests.test_html_readers import save_hubei_blocks

    save_hubei_blocks(folder)
    text = (HUBEI / "content.txt").read_text(encoding="utf-8")
    for n, name in enumerate(sorted(set(re.findall(r"pic/(\d{6}/\d{2}/[^\"'\s]+)", text)))):
        w, h = PHOTO_SHAPES[n % len(PHOTO_SHAPES)]
        path = folder / "pc" / "pic" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        picture = Image.new("RGB", (round(w * 300), round(h * 300)), (40 + 50 * n % 200, 110, 170))
        picture.save(path, format="TIFF" if ".tif" in name else "JPEG")
    return folder
