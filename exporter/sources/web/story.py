"""An article as one saved page holds it, and how its lines become the model's blocks.

Readers of saved HTML fill a Story; 转版 copies are joined on Stories (see jumps.py);
then `to_article` classifies the body lines with the shared body classifier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from exporter.model import Article, Block, Figure, Heading, Notice, Origin, Paragraph
from exporter.sources.body import classify, is_byline, is_caption, is_credit, is_terminal, split_credit
from exporter.sources.images import resolve_image
from exporter.sources.web.html import Item, Line, Picture
from exporter.text import join_lines

Body = tuple[Line | Figure, ...]

HEADING_MAX = 40


@dataclass(frozen=True, slots=True)
class Story:
    """What one saved article page holds, before its body lines are classified."""

    file: Path  # The page on disk (siblings are compared by it).
    origin: Origin  # The page as messages name it, at the title's line.
    paper: str
    date: dt.date
    page: str
    title: str
    page_name: str | None = None
    order: int | None = None
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None  # From page metadata; a byline line in the body wins.
    figures: tuple[Figure, ...] = ()  # Photos printed above the body.
    body: Body = ()  # Body lines, with photos placed inside the body.
    notes: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    block: int = 0  # Which article of its file, in file order (a scraper's file may hold several pages).

    @property
    def lines(self) -> list[Line]:
        return [x for x in self.body if isinstance(x, Line)]

    def texts(self) -> tuple[str, ...]:
        """Return everything the page prints, to recognise the same article on another page."""
        photos = (*self.figures, *(x for x in self.body if isinstance(x, Figure)))
        captions = [t for f in photos for t in (f.caption, f.credit) if t]
        header = [t or "" for t in (self.kicker, self.title, self.subtitle)]
        return (*header, *captions, *(line.text for line in self.lines))

    def with_notice(self, message: str) -> Story:
        return replace(self, notices=(*self.notices, Notice(self.origin, message)))


# --- photos ------------------------------------------------------------------------


def caption_and_credit(lines: list[str]) -> tuple[str, str | None]:
    """Split a photo's text into caption and credit (本报记者 贺勇摄, 新华社发)."""
    lines = [t for t in lines if t]
    if len(lines) > 1 and is_credit(lines[-1]):
        return join_lines(lines[:-1]), lines[-1]
    text = join_lines(lines)
    head, end, tail = text.rpartition("。")
    if head and tail.strip() and is_credit(tail.strip()):  # …展示。本报记者 李明摄: the credit follows the caption.
        return head + end, tail.strip()
    if is_credit(text):
        return "", text
    return split_credit(text)


def make_figure(picture: Picture, texts: list[str], folder: Path, root: Path, notices: list[Notice]) -> Figure | None:
    """Build a figure from a picture and its caption lines; a missing image keeps its caption."""
    caption, credit = caption_and_credit(texts)
    image, problem = resolve_image(picture.src, folder, root)
    if problem:
        if not caption and not credit:
            notices.append(Notice(picture.origin, f"{problem}; the photo has no caption, nothing kept"))
            return None
        notices.append(Notice(picture.origin, f"{problem}; caption kept without the photo"))
    return Figure(caption, picture.origin, credit=credit, image=image)


def photos_above(items: list[Item], folder: Path, root: Path, notices: list[Notice]) -> tuple[list[Figure], list[Line]]:
    """Pair each picture printed above the body with the lines after it (its caption).

    Lines before any picture are no caption: they are returned to lead the body.
    """
    figures: list[Figure] = []
    lead: list[Line] = []
    current: tuple[Picture, list[str]] | None = None
    for item in [*items, None]:
        if isinstance(item, Line) and current is not None:
            current[1].append(item.text)
            continue
        if current is not None:
            figure = make_figure(current[0], current[1], folder, root, notices)
            if figure:
                figures.append(figure)
            current = None
        if isinstance(item, Picture):
            current = (item, [])
        elif isinstance(item, Line):
            lead.append(item)
    return figures, lead


def photos_inside(items: list[Item], folder: Path, root: Path, notices: list[Notice]) -> Body:
    """Place pictures inside the body as figures; a caption-like line right after one is its caption."""
    out: list[Line | Figure] = []
    i = 0
    while i < len(items):
        item = items[i]
        i += 1
        if isinstance(item, Line):
            out.append(item)
            continue
        texts: list[str] = []
        nxt = items[i] if i < len(items) else None
        if isinstance(nxt, Line) and is_caption(nxt.text):
            texts.append(nxt.text)
            i += 1
        figure = make_figure(item, texts, folder, root, notices)
        if figure:
            out.append(figure)
    return tuple(out)


# --- body lines to blocks ----------------------------------------------------------


def to_article(story: Story) -> Article:
    """Classify the story's body and return the finished article."""
    lines = story.lines
    byline = lines[0].text if lines and is_byline(lines[0].text) else None
    numbered = [(i + 1, line.text) for i, line in enumerate(lines) if i > 0 or byline is None]
    body = classify(numbered, story.origin.file, captions_first=False)
    blocks = _settle_blocks(list(body.blocks), lines, _figure_positions(story.body))
    figures = [*story.figures, *(b for b in blocks if isinstance(b, Figure))]
    source = body.source
    uncredited = [f for f in figures if not f.credit]
    if source and source.endswith("摄") and uncredited:
        # A photo story's closing （记者 薛婷 摄） is the photo's credit, not a source line.
        target, source = uncredited[-1], None
        figures = [replace(f, credit=body.source) if f is target else f for f in figures]
        blocks = [replace(b, credit=body.source) if b is target else b for b in blocks]
    above = figures[: len(story.figures)]
    return Article(
        paper=story.paper,
        date=story.date,
        page=story.page,
        page_name=story.page_name,
        order=story.order,
        kicker=story.kicker,
        title=story.title,
        subtitle=story.subtitle,
        byline=" ".join(t for t in (byline, body.byline) if t) or story.byline,
        source=source,
        blocks=(*above, *blocks),
        origin=story.origin,
        notes=story.notes,
    )


def _figure_positions(body: Body) -> list[tuple[int, Figure]]:
    """Return each body figure with the number of body lines printed before it."""
    out: list[tuple[int, Figure]] = []
    seen = 0
    for item in body:
        if isinstance(item, Line):
            seen += 1
        else:
            out.append((seen, item))
    return out


def _settle_blocks(blocks: list[Block], lines: list[Line], figures: list[tuple[int, Figure]]) -> list[Block]:
    """Give blocks their lines' origins, put body figures back, and trust bold markup for headings."""
    marked = any(line.bold and _heading_like(line.text) for line in lines)
    out: list[Block] = []
    for block in blocks:
        index = (block.origin.line or 1) - 1  # classify numbered the lines 1…n.
        while figures and figures[0][0] <= index:
            out.append(figures.pop(0)[1])
        line = lines[index]
        block = replace(block, origin=line.origin)
        if marked and isinstance(block, Heading) and not line.bold:
            # The page marks its headings; a guessed one is a paragraph (a guessed pair, two).
            if block.kicker:
                out.append(Paragraph(block.kicker, line.origin))
                line = lines[min(index + 1, len(lines) - 1)]
            out.append(Paragraph(block.text, line.origin))
        elif isinstance(block, Paragraph) and line.bold and _heading_like(block.text):
            previous = out[-1] if out else None
            if isinstance(previous, Heading) and _kicker_of(previous, block.text):
                out[-1] = Heading(block.text, previous.origin, kicker=previous.text)
            else:
                out.append(Heading(block.text, line.origin))
        else:
            out.append(block)
    out.extend(f for _, f in figures)
    return out


def _kicker_of(previous: Block | None, heading: str) -> bool:
    """Say whether a bold line just above a bold heading is its short kicker (聚链强群 / 集群发展…)."""
    if not isinstance(previous, Heading) or previous.kicker is not None:
        return False
    return len(previous.text) <= 12 and len(heading) > len(previous.text)


def _heading_like(text: str) -> bool:
    return 0 < len(text) <= HEADING_MAX and not is_terminal(text)
