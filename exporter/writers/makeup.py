"""拼版: where a picture goes when it would leave a hole at the foot of a page.

WeasyPrint keeps a picture and its caption together (break-inside: avoid); when they do not fit
in what is left of a page, they move to the next one and the rest of the page stays blank: up
to half a page under a tall photo. A make-up editor would set the paragraphs that follow the
picture first and the picture after them. This module does that from a first layout: for each
picture that starts its article's text on a page after a hole, it counts how many following
blocks of the same article fill the hole; the book is then laid out again with those pictures
moved. Pictures stay in their article and in reading order with their text; a book without
such a hole is laid out once.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterator
from typing import Any

from exporter.book import ArticleView, BlockView, Book

HOLE_SHARE = 0.12  # Less than this share of the text area left blank is a normal page foot.
_SLACK = 30  # CSS px above a picture still counted as "the top" of a page (margins, a rule).
_SAFETY = 40  # CSS px (two lines) a made-smaller picture leaves free, so that it surely fits.
_MARGIN = 40  # CSS px: an article's top margin and rule (9 mm + 5 mm would be 53; some collapse).
_KEPT = 50  # CSS px: the two lines of text a picture leading its article keeps under it (print.css).


def _boxes(box: Any) -> Iterator[Any]:
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _boxes(child)


def _classes(box: Any) -> set[str]:
    element = getattr(box, "element", None)
    if element is None or getattr(box, "element_tag", None) is None:
        return set()
    return set((element.get("class") or "").split())


def _page_box(page: Any) -> Any:
    return page._page_box


def _root(page_box: Any) -> Any:
    """Return the page's document box (the running heads and folios are in margin boxes beside it)."""
    return next((c for c in page_box.children if getattr(c, "element_tag", None) == "html"), page_box)


def _content_bottom(page_box: Any) -> float:
    """Return the lowest edge of anything laid out in the page's content area (lines, pictures)."""
    bottom = page_box.content_box_y()
    for box in _boxes(_root(page_box)):
        if type(box).__name__ in ("LineBox", "InlineReplacedBox", "BlockReplacedBox"):
            bottom = max(bottom, box.position_y + box.margin_height())
    return bottom


def _section(page_box: Any) -> str | None:
    """Return the id of the 版面 section on this page (None for the cover and contents)."""
    box = _section_box(page_box)
    return str(box.element.get("id")) if box is not None and box.element.get("id") else None


def _section_box(page_box: Any) -> Any | None:
    return next((box for box in _boxes(_root(page_box)) if "page" in _classes(box)), None)


def section_box(page: Any) -> Any | None:
    """Return the box of the 版面 section laid out on a WeasyPrint page (None for the cover and contents)."""
    return _section_box(_page_box(page))


@dataclasses.dataclass(frozen=True, slots=True)
class Placement:
    """What to do with a picture that leaves a hole: set `after` blocks before it, or make it `height` CSS px tall."""

    after: int = 0
    height: float | None = None


SHRINK = 0.85  # A picture this much smaller fits: it is made smaller rather than moved.
MOVE_FILL = 0.6  # The text after a picture fills this share of the hole: the picture goes after it.
MIN_SCALE = 0.45  # Else it is made smaller, down to this share of its height.


def moves(document: Any) -> dict[str, Placement]:
    """Return {data-figure key: placement} for the pictures that leave a hole at the foot of a page."""
    out: dict[str, Placement] = {}
    pages = [_page_box(p) for p in document.pages]
    for before, page in itertools.pairwise(pages):
        section = _section(page)
        if section is None or section != _section(before):
            continue  # The last page of a 版 may be short.
        area = before.height
        hole = before.content_box_y() + area - _content_bottom(before)
        if hole < HOLE_SHARE * area:
            continue
        found = _first_picture(page)
        if found is None:
            continue
        figure, after, header = found
        if figure.position_y - page.content_box_y() > header + _SLACK:
            continue  # Text of another article stands above it: the hole is not the picture's.
        key = str(figure.element.get("data-figure"))
        # What the picture and the text after it may fill on the page before: less what stands above
        # it here (header, rule) and the article's top margin, which a page top swallows.
        room = hole - (figure.position_y - page.content_box_y()) - _MARGIN
        image = _image_height(figure)
        smaller = image - (figure.margin_height() - room) - _SAFETY - _KEPT  # The picture's height to fit in the hole.
        if image and smaller >= SHRINK * image:
            out[key] = Placement(height=smaller)
            continue
        filled, count = 0.0, 0
        for block in after:
            if filled >= room:
                break
            filled += block.margin_height()
            count += 1
        if count and filled >= MOVE_FILL * room:
            out[key] = Placement(after=count)
        elif image and smaller >= MIN_SCALE * image:
            out[key] = Placement(height=smaller)
    return out


def _image_height(figure: Any) -> float:
    for box in _boxes(figure):
        if type(box).__name__ in ("InlineReplacedBox", "BlockReplacedBox"):
            return float(box.height)
    return 0.0


def _first_picture(page_box: Any) -> tuple[Any, list[Any], float] | None:
    """Return the first article text on the page if it is a picture: (figure box, the blocks after
    it, the height of its article's header above it on this page); else None."""
    for box in _boxes(_root(page_box)):
        classes = _classes(box)
        if "article" in classes:
            header = sum(c.margin_height() for c in box.children if _classes(c) & {"article-header", "article-lead"})
            body = next((c for c in box.children if "article-body" in _classes(c)), None)
            if body is None or not body.children:
                return None
            first, *after = body.children
            if getattr(first, "element_tag", None) != "figure" or first.element.get("data-figure") is None:
                return None
            return first, after, header
    return None


def moved(book: Book, keys: dict[str, Placement]) -> Book:
    """Return the book with each keyed picture set after the given number of following blocks."""

    def article(view: ArticleView) -> ArticleView:
        blocks = list(view.blocks)
        for index in sorted((i for i in range(len(blocks)) if f"{view.anchor}b{i}" in keys), reverse=True):
            count = keys[f"{view.anchor}b{index}"].after
            if count:
                picture: BlockView = blocks.pop(index)
                blocks.insert(min(index + count, len(blocks)), picture)
        return dataclasses.replace(view, blocks=tuple(blocks))

    issues = tuple(
        dataclasses.replace(
            issue,
            pages=tuple(dataclasses.replace(page, articles=tuple(map(article, page.articles))) for page in issue.pages),
        )
        for issue in book.issues
    )
    return dataclasses.replace(book, issues=issues)


def merged(placements: dict[str, Placement], found: dict[str, Placement]) -> dict[str, Placement]:
    """Add a later layout's placements to the earlier ones: moves add up, a new height replaces the old."""
    out = dict(placements)
    for key, new in found.items():
        old = out.get(key, Placement())
        out[key] = Placement(after=old.after + new.after, height=new.height if new.height is not None else old.height)
    return out


def heights(keys: dict[str, Placement]) -> dict[str, float]:
    """Return {data-figure key: picture height in CSS px} for the pictures made to fit."""
    return {key: p.height for key, p in keys.items() if p.height is not None}
