"""The printed page as a page index shows it: its picture, the article regions of its image map, its PDF.

The map's coordinates are given in the picture's displayed size (<img width="400" height="575">)
while the file is larger: they are scaled to the file's pixels and clipped to the picture. A region
is kept only when its article page was saved beside the index; the links are named as the article
readers name their files, so the assembly can find each region's article.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
from pathlib import Path
from urllib.parse import unquote

from exporter.model import Facsimile, Notice, Origin, Region
from exporter.sources.images import resolve_image
from exporter.sources.web import sites
from exporter.sources.web.html import HtmlElement


def facsimile_of(
    doc: HtmlElement, path: Path, display: str, root: Path, paper: str, date: dt.date, label: str
) -> tuple[Facsimile | None, list[Notice]]:
    """Return the facsimile a page index shows (None when it shows no picture and no PDF), with warnings."""
    notices: list[Notice] = []
    origin = Origin(display)
    pdf = _pdf(doc, path, root, origin, notices)
    picture = sites.page_picture(doc)
    if picture is None:
        return (Facsimile(paper, date, label, origin, pdf=pdf) if pdf else None), notices
    image, problem = resolve_image(picture.src, path.parent, root)
    size = _pixel_size(image) if image else None
    if problem or size is None:
        why = problem or f"page picture {picture.src[:80]!r} is unreadable or too large"
        notices.append(Notice(origin, f"{why}: 第{label}版 has no facsimile"))
        return (Facsimile(paper, date, label, origin, pdf=pdf) if pdf else None), notices
    width, height = size
    scale_x, scale_y = _scales(picture, width, height)
    regions: list[Region] = []
    missing: list[str] = []
    for region in picture.regions:
        target = unquote(region.href)
        if not (path.parent / target).is_file():
            missing.append(sites.file_name(region.href))
            continue
        points = tuple(
            (min(max(x * scale_x, 0.0), float(width)), min(max(y * scale_y, 0.0), float(height)))
            for x, y in region.points
        )
        if _area(points) > 0:
            regions.append(Region(_article_name(display, target), points))
    if missing:
        names = ", ".join(dict.fromkeys(missing))
        notices.append(Notice(origin, f"page picture regions of articles not saved, dropped: {names}"))
    return Facsimile(paper, date, label, origin, image, width, height, tuple(regions), pdf), notices


def _pdf(doc: HtmlElement, path: Path, root: Path, origin: Origin, notices: list[Notice]) -> str | None:
    href = sites.page_pdf(doc, path.name)
    if href is None:
        return None
    found, problem = resolve_image(href, path.parent, root)  # The same rule as photos: a file inside the sources.
    if problem:
        notices.append(Notice(origin, problem.replace("image", "page PDF", 1).replace("missing page PDF", "page PDF")))
        return None
    return found


def _pixel_size(image: str) -> tuple[int, int] | None:
    from PIL import Image

    try:
        with Image.open(image) as picture:  # Reads the header only.
            width, height = picture.size
    except Exception:  # Pillow raises many kinds for a broken or hostile file; none may stop the reading.
        return None
    return (width, height) if width > 0 and height > 0 else None


def _scales(picture: sites.PagePicture, width: int, height: int) -> tuple[float, float]:
    """Return the factors from displayed to file pixels; one given side sets both, none means 1:1."""
    scale_x = width / picture.width if picture.width else None
    scale_y = height / picture.height if picture.height else None
    scale_x = scale_x or scale_y or 1.0
    return scale_x, scale_y or scale_x


def _area(points: tuple[tuple[float, float], ...]) -> float:
    """Return a polygon's area (shoelace): a region clipped to a line or a point has none."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, (*points[1:], points[0]), strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def _article_name(display: str, href: str) -> str:
    """Name an article page the way the readers name it: its path as displayed, beside the index."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(display.replace(os.sep, "/")), href))
    return joined.replace("/", os.sep)
