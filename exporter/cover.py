"""Draw a book's cover with Pillow: masthead, date, weekday and the list of pages.

`cover_text` says what the cover prints (pure, small enough to send to another process);
`draw_cover` draws it. Pillow is imported only by the process that draws.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from exporter import fonts
from exporter.book import Book

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

# Kindle's minimum cover (1:1.6), drawn at that size: a JPEG of text grows with its edges (target ≤ 100 KB),
# and resampling a larger drawing down was two thirds of a cover's time.
WIDTH, HEIGHT = 1000, 1600
QUALITY = 70
LINES = 10  # Cover lines at most, one line each, of at most TEXT_CHARS: a flat cover compresses, titles do not.
TEXT_CHARS = 8  # A page's name (要闻) fits; an article title standing for a page without one is cut.
PAPER = (250, 247, 240)
INK = (34, 30, 28)
RED = (178, 26, 30)
GREY = (110, 104, 98)
MARGIN = 75
MAX_CHARS = 300  # More never fits a cover line; measuring a huge title glyph by glyph would never end.
MASTHEAD = (fonts.SERIF, "Bold", 188)  # The largest size tried for the paper's name.
DATE_FONT = (fonts.SANS, "Regular", 48)
COUNT_FONT = (fonts.SANS, "Regular", 32)
LABEL_FONT = (fonts.SANS, "Bold", 36)
TEXT_FONT = (fonts.SERIF, "Regular", 36)
PUBLISHER_FONT = (fonts.SANS, "Regular", 31)
LINE = 60  # A cover line's height.


@dataclass(frozen=True, slots=True)
class CoverText:
    """What a cover prints."""

    masthead: str
    date_line: str
    count_line: str
    lines: tuple[tuple[str, str], ...]  # (label, text): 第02版 and its name or first title.
    publisher: str | None


@cache
def _font(family: str, style: str, size: int) -> ImageFont.FreeTypeFont:
    from PIL import ImageFont

    face = fonts.require(family, style)
    return ImageFont.truetype(face.file, size, index=face.index)


def warm_up() -> None:
    """Import Pillow and open the cover's faces, so that drawing starts at once when asked."""
    from PIL import Image, ImageDraw, JpegImagePlugin  # noqa: F401 — imported for later.

    for face in (MASTHEAD, DATE_FONT, COUNT_FONT, LABEL_FONT, TEXT_FONT, PUBLISHER_FONT):
        _font(*face)


def _printable(text: str) -> str:
    """Return text Pillow can lay out: raqm fails on line breaks (U+000A, U+0085, U+2029), so no controls."""
    return "".join(c for c in text[:MAX_CHARS] if unicodedata.category(c) not in ("Cc", "Zl", "Zp"))


def _fitting(text: str, font: ImageFont.FreeTypeFont, width: float, suffix: str = "") -> int:
    """Return how many leading characters fit in `width` (with `suffix` after them): a bisection."""
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(text[:middle] + suffix) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _fit(text: str, font: ImageFont.FreeTypeFont, width: float) -> str:
    """Cut text to fit a width, ending with … when cut."""
    if font.getlength(text) <= width:
        return text
    return text[: _fitting(text, font, width, "…")] + "…"


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float, lines: int) -> list[str]:
    """Break text into at most `lines` lines of `width`, the last one cut with … if needed."""
    out: list[str] = []
    while text and len(out) < lines - 1 and font.getlength(text) > width:
        cut = max(1, _fitting(text, font, width))
        out.append(text[:cut])
        text = text[cut:]
    out.append(_fit(text, font, width))
    return out


def _centered(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont, fill: tuple[int, ...]) -> int:
    text = _fit(_printable(text), font, WIDTH - 2 * MARGIN)
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((WIDTH - (right - left)) / 2 - left, y - top), text, font=font, fill=fill)
    return int(y + (bottom - top))


def _masthead_font(name: str) -> ImageFont.FreeTypeFont:
    """Pick the largest masthead size that fits the width."""
    size = MASTHEAD[2]
    while size > 50:
        font = _font(MASTHEAD[0], MASTHEAD[1], size)
        if font.getlength(name) <= WIDTH - 2 * MARGIN:
            return font
        size -= 12
    return _font(MASTHEAD[0], MASTHEAD[1], size)


def cover_lines(book: Book) -> list[tuple[str, str]]:
    """Return the table printed on the cover: (label, text) per page, or per issue for a volume."""
    if book.kind == "issue":
        return [
            (f"第{p.page.label}版", p.page.name or (p.page.articles[0].title if p.page.articles else ""))
            for p in book.pages
        ]
    return [
        (
            f"{i.issue.date.month}月{i.issue.date.day}日",
            f"{i.issue.weekday}　{len(i.pages)}版　{len(i.issue.articles)}篇",
        )
        for i in book.issues
    ]


def cover_text(book: Book) -> CoverText:
    """Return what the book's cover prints."""
    first = book.issues[0].issue
    if book.kind == "issue":
        date_line = f"{first.date.year}年{first.date.month}月{first.date.day}日　{first.weekday}"
        count_line = f"本期{len(book.pages)}版　{len(book.articles)}篇文章"
    else:
        if book.kind == "month":
            date_line = f"{first.date.year}年{first.date.month}月　合订本"
        else:
            date_line = f"{book.date_from.isoformat()} — {book.date_to.isoformat()}"
        count_line = f"{len(book.issues)}期　{len(book.pages)}版　{len(book.articles)}篇文章"
    return CoverText(book.paper.name, date_line, count_line, tuple(cover_lines(book)), book.paper.publisher)


def draw_cover(cover: CoverText) -> bytes:
    """Return the cover as JPEG bytes (1000×1600)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    y = 138
    y = _centered(draw, y, cover.masthead, _masthead_font(_printable(cover.masthead)), RED) + 44
    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + 6), fill=RED)
    draw.rectangle((MARGIN, y + 14, WIDTH - MARGIN, y + 16), fill=RED)
    y += 50
    y = _centered(draw, y, cover.date_line, _font(*DATE_FONT), INK) + 25
    y = _centered(draw, y, cover.count_line, _font(*COUNT_FONT), GREY) + 69

    label_font = _font(*LABEL_FONT)
    text_font = _font(*TEXT_FONT)
    lines = cover.lines
    room = min(LINES, (HEIGHT - 188 - y) // LINE)
    shown = lines if len(lines) <= room else (*lines[: room - 1], ("…", f"共{len(lines)}项"))
    wrap = 1
    for label, text in ((_printable(a), _printable(b)) for a, b in shown):
        draw.text((MARGIN + 25, y), label, font=label_font, fill=RED)
        x = MARGIN + 25 + max(label_font.getlength("第A01版"), label_font.getlength(label)) + 31
        text = text if len(text) <= TEXT_CHARS else text[:TEXT_CHARS] + "…"
        for part in _wrap(text, text_font, WIDTH - MARGIN - 25 - x, wrap):
            draw.text((x, y), part, font=text_font, fill=INK)
            y += LINE
    if cover.publisher:
        draw.rectangle((MARGIN, HEIGHT - 144, WIDTH - MARGIN, HEIGHT - 141), fill=RED)
        _centered(draw, HEIGHT - 119, cover.publisher, _font(*PUBLISHER_FONT), GREY)
    out = _JpegBuffer()
    image.save(out, quality=QUALITY, optimize=True)
    return out.getvalue()


class _JpegBuffer(io.BytesIO):
    name = "cover.jpg"  # Pillow picks the format from the name and imports only its JPEG plugin.
