"""Issues with facsimile 版面 built straight from the model: page pictures drawn with Pillow at the
size e-paper sites publish (1400×2013 behind a 400×575 image map), article regions as the site's
map would give them (in the picture's pixels), and a page PDF per page."""

from __future__ import annotations

import datetime as dt
import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from exporter.model import Article, Facsimile, Issue, Origin, Page, Paper, Paragraph, Region

PICTURE = (1400, 2013)  # 人民日报's page pictures: shown at 400×575, the file 3.5 times larger.
SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
TEXT = (
    "新华社北京电 记者从有关部门获悉，今年以来各地区各部门认真贯彻落实党中央决策部署，"
    "扎实推进高质量发展，经济运行总体平稳、稳中有进，科技创新成果丰硕，民生保障有力有效。"
    "专家表示，下一步要继续加大宏观政策实施力度，着力扩大国内需求，推动经济持续回升向好。"
)
Polygon = tuple[tuple[float, float], ...]


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def rect(left: float, top: float, right: float, bottom: float) -> Polygon:
    return ((left, top), (right, top), (right, bottom), (left, bottom))


def layout(size: tuple[int, int], count: int) -> list[Polygon]:
    """Return `count` article areas tiling the page below the masthead, as a site's map draws them.

    The first is L-shaped (a lead story wrapped around a photo) when there are at least three.
    """
    width, height = size
    top = round(height * 0.12)
    columns = 1 if count == 1 else 2 if count <= 6 else max(2, round((count / 1.4) ** 0.5))
    rows = -(-count // columns)
    cell_w, cell_h = width / columns, (height - top) / rows
    areas: list[Polygon] = []
    for n in range(count):
        c, r = n % columns, n // columns
        areas.append(rect(c * cell_w + 4, top + r * cell_h + 4, (c + 1) * cell_w - 4, top + (r + 1) * cell_h - 4))
    if count >= 3 and columns == 2:
        # The lead story: a headline band across the page, its text down the left column (an L);
        # the second article sits under the band on the right.
        (x0, y0), (xl, _), (_, y1), _ = areas[0]
        (xr, _), (x3, _), _, _ = areas[1]
        band = y0 + (y1 - y0) * 0.25
        areas[0] = ((x0, y0), (x3, y0), (x3, band), (xl, band), (xl, y1), (x0, y1))
        areas[1] = rect(xr, band + 8, x3, y1)
    return areas


def draw_page(path: Path, size: tuple[int, int], label: str, areas: list[Polygon], titles: list[str]) -> Path:
    """Draw a printed page: masthead, then each area with its headline, body text and sometimes a photo."""
    rng = random.Random(f"{label}-{len(areas)}")
    width, height = size
    image = Image.new("RGB", size, (250, 248, 243))
    draw = ImageDraw.Draw(image)
    unit = max(8, round(width / 100))  # Body text about 1 % of the page width, as in print.
    draw.text((width * 0.04, height * 0.02), "人民日报", font=_font(SANS, unit * 7), fill=(178, 26, 30))
    draw.text((width * 0.36, height * 0.075), f"第{label}版", font=_font(SANS, unit * 2), fill=(40, 40, 40))
    draw.line((0, height * 0.115, width * 0.48, height * 0.115), fill=(178, 26, 30), width=max(2, unit // 3))
    body = _font(SERIF, unit)
    for n, (area, title) in enumerate(zip(areas, titles, strict=True)):
        xs, ys = [x for x, _ in area], [y for _, y in area]
        left, top, right, bottom = min(xs) + unit, min(ys) + unit, max(xs) - unit, max(ys) - unit
        if right - left < unit * 4 or bottom - top < unit * 3:
            continue
        head = _font(SANS, max(unit, round(unit * (2.4 if n == 0 else 1.6))))
        per_line = max(1, int((right - left) // head.size))
        draw.text((left, top), title[:per_line], font=head, fill=(20, 20, 20))
        y = top + head.size * 1.6
        if len(area) == 6:  # An L: the text runs down its column, under the headline band.
            y, right = area[3][1] + unit, area[3][0] - unit
        if n % 3 == 1 and bottom - y > unit * 14:  # A photo: soft noise, as a halftone scan looks.
            photo_h = int(min((bottom - y) * 0.45, (right - left) * 0.6))
            noise = Image.effect_noise((int(right - left), photo_h), 60).filter(ImageFilter.GaussianBlur(3))
            image.paste(
                Image.merge("RGB", (noise, noise.point(lambda v: v * 0.9), noise.point(lambda v: v * 0.8))),
                (int(left), int(y)),
            )
            y += photo_h + unit
        chars = max(1, int((right - left) // unit))
        offset = rng.randrange(len(TEXT))
        while y + unit < bottom:
            line = (TEXT * 3)[offset % len(TEXT) :][:chars]
            draw.text((left, y), line, font=body, fill=(45, 45, 45))
            offset += chars
            y += unit * 1.5
    image.save(path, "JPEG", quality=88)
    return path


def page_pdf(picture: Path, path: Path) -> Path:
    """Write the page as the site's PDF would be: the printed page as one PDF page."""
    with Image.open(picture) as image:
        image.save(path, "PDF", resolution=150)
    return path


def make_issue(
    folder: Path,
    pages: int = 3,
    articles: int = 4,
    size: tuple[int, int] = PICTURE,
    pictures: bool = True,
    pdfs: bool = True,
    paragraphs: int = 4,
) -> Issue:
    """Return an issue of `pages` 版面 with `articles` articles each, every page with its facsimile."""
    folder.mkdir(parents=True, exist_ok=True)
    date = dt.date(2024, 12, 25)
    out = []
    for p in range(1, pages + 1):
        label = f"{p:02d}"
        areas = layout(size, articles)
        page_articles = []
        for a in range(1, articles + 1):
            source = folder / f"content_{label}_{a}.html"
            source.write_text(f"<html><body>article {label}/{a}</body></html>", encoding="utf-8")
            title = f"第{label}版第{a}篇 推动高质量发展迈出新步伐"
            blocks = tuple(
                Paragraph(f"（{label}-{a}-{k}）" + TEXT[(a + k) % 20 :], Origin(str(source), k + 2))
                for k in range(paragraphs)
            )
            page_articles.append(
                Article(
                    "人民日报", date, label, title, Origin(str(source), 1), page_name="要闻", order=a, blocks=blocks
                )
            )
        facsimile = None
        if pictures:
            index = folder / f"node_{label}.html"
            index.write_text("<html><body>page index</body></html>", encoding="utf-8")
            picture = draw_page(folder / f"page_{label}.jpg", size, label, areas, [a.title for a in page_articles])
            pdf = page_pdf(picture, folder / f"page_{label}.pdf") if pdfs else None
            regions = tuple(
                Region(article.origin.file, area) for article, area in zip(page_articles, areas, strict=True)
            )
            facsimile = Facsimile(
                "人民日报", date, label, Origin(str(index)), str(picture), size[0], size[1], regions,
                str(pdf) if pdf else None,
            )  # fmt: skip
        out.append(Page(label, tuple(page_articles), "要闻", facsimile))
    return Issue(Paper("人民日报", "人民日报社"), date, tuple(out))


def without_pictures(issue: Issue) -> Issue:
    """Return the same issue as a source without page pictures gives it."""
    from dataclasses import replace

    return replace(issue, pages=tuple(replace(p, facsimile=None) for p in issue.pages))
