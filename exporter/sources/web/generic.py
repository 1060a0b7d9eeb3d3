"""Reader of last resort: an article page of a site no family knows.

trafilatura finds the page's main content (and its title and date); the element holding that
content is then read with the same walker as every other saved page, so captions, headings and
photos keep their places and no line of it is lost to the extractor's own cleaning. The article
is marked as read generically, and `inspect` says so.
"""

from __future__ import annotations

import re
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Notice, Origin
from exporter.sources.base import GENERIC, ReadOptions, ReadResult
from exporter.sources.web import sites
from exporter.sources.web.html import (
    HtmlElement,
    Line,
    date_in_text,
    load_page,
    looks_like_html,
    one_line,
    paper_for,
    walk,
)
from exporter.sources.web.pageindex import placement
from exporter.sources.web.story import Story, photos_inside, to_article

NAME = "generic page (main content found by trafilatura)"

_KEY_LENGTH = 12  # Characters of a paragraph that find it in the page.
_MIN_TEXT = 40  # A page whose main content is shorter holds no article.
_PAGE_RE = re.compile(r"第\s*([A-Za-z]?\d{1,3})\s*版(?:\s*[:：]\s*([\u4e00-\u9fff ]{1,12}))?")
_SPACE_RE = re.compile(r"\s+")
_META_RE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}-\d{1,2}-\d{1,2}|星期[一二三四五六日天]"
    r"|第\s*[A-Za-z]?\d{1,3}\s*版(?:\s*[:：]\s*[\u4e00-\u9fff ]{1,12})?"
)


def sniff(head: str) -> bool:
    return looks_like_html(head)


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    doc, notices = load_page(path, display)
    return read_doc(doc, path, display, options, root, notices)


def read_doc(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path, notices: tuple[Notice, ...]
) -> ReadResult:
    """Read a parsed page generically; a page without an article is skipped with a warning that says so."""
    import trafilatura  # Only pages no family knows pay for it.

    found = trafilatura.bare_extraction(
        _copy(doc), include_images=True, include_tables=True, with_metadata=True, favor_precision=True
    )
    text = (getattr(found, "text", None) or "") if found is not None else ""
    if len(_SPACE_RE.sub("", text)) < _MIN_TEXT:
        skipped = Notice(Origin(display), "no article found on the page (a site no family knows): skipped")
        return ReadResult((), (*notices, skipped), reader=NAME)
    container = _container(doc, [p for p in text.splitlines() if p.strip()])
    story = _story(doc, container, found, path, display, options, root)
    article = to_article(story)
    return ReadResult((article,), (*notices, *story.notices, Notice(story.origin, GENERIC)), reader=NAME)


def _copy(doc: HtmlElement) -> HtmlElement:
    """trafilatura prunes the tree it is given: give it a copy, keep ours whole."""
    from copy import deepcopy

    return deepcopy(doc)


def _container(doc: HtmlElement, paragraphs: list[str]) -> HtmlElement:
    """Return the smallest element holding every paragraph trafilatura took as the main content."""
    holders: list[HtmlElement] = []
    keys = [_SPACE_RE.sub("", p)[:_KEY_LENGTH] for p in paragraphs]
    keys = [k for k in keys if len(k) >= 4]
    if not keys:
        return _body(doc)
    pending = set(keys)
    for element in _body(doc).iter():
        if not isinstance(element.tag, str):
            continue
        own = _SPACE_RE.sub("", "".join([element.text or "", *(c.tail or "" for c in element)]))
        hits = {k for k in pending if k in own}
        if hits:
            holders.append(element)
            pending -= hits
            if not pending:
                break
    if not holders:
        return _body(doc)
    common = set(holders[0].iterancestors()) | {holders[0]}
    for element in holders[1:]:
        common &= set(element.iterancestors()) | {element}
    return max(common, key=lambda e: len(list(e.iterancestors())))


def _body(doc: HtmlElement) -> HtmlElement:
    body = doc.find("body")
    return body if body is not None else doc


def _story(
    doc: HtmlElement,
    container: HtmlElement,
    found: object,
    path: Path,
    display: str,
    options: ReadOptions,
    root: Path,
) -> Story:
    notices: list[Notice] = []
    items = walk(container, display)
    lines = [i for i in items if isinstance(i, Line)]
    heading = container.find(".//h1")
    title = (
        one_line(heading, display)
        or getattr(found, "title", None)
        or (lines[0].text if lines else None)
        or one_line(doc.find(".//title"), display)
    )
    if not title:
        raise InputError(display, "no title: the page's main content has no heading and the page no <title>")
    title = _SPACE_RE.sub(" ", title).strip()
    meta_lines = [line for line in lines[:6] if _is_meta(line.text, title)]
    meta_text = " ".join(line.text for line in meta_lines)
    date = (
        date_in_text(meta_text)
        or date_in_text(getattr(found, "date", None))
        or sites.date_in_url(str(path))
        or date_in_text(" ".join(line.text for line in lines[:12]))
    )
    if date is None:
        raise InputError(display, "no issue date: none on the page, in its metadata or in its folder names")
    place = placement(path, date, root)
    label_match = _PAGE_RE.search(meta_text) or _PAGE_RE.search(one_line(doc.find(".//title")) or "")
    page = sites.page_label(label_match.group(1)) if label_match else place.label
    page_name = (label_match.group(2) or "").strip() if label_match else None
    origin = Origin(display, heading.sourceline if heading is not None else (lines[0].origin.line if lines else None))
    if page is None:
        page = "00"
        notices.append(Notice(origin, "no page label on the page or in a page index: put on 第00版"))
    skip = {id(line) for line in meta_lines}
    body_items = [
        i for i in items if not (isinstance(i, Line) and (id(i) in skip or i.text == title))
    ]  # The title and the date line are the article's header, not its body.
    body = photos_inside(body_items, path.parent, root, notices)
    return Story(
        file=path,
        origin=origin,
        paper=paper_for(doc, path, display, options, root),
        date=date,
        page=page,
        title=title,
        page_name=place.name_of(page) or page_name or None,
        order=place.order_on(page),
        body=body,
        notices=tuple(notices),
    )


def _is_meta(text: str, title: str) -> bool:
    """Say whether a line near the top holds only the date and page (2024年03月05日 星期二 第03版：农村).

    Such a line is the header the page prints; a line holding anything more stays in the body.
    """
    if text == title or len(text) > 60 or (date_in_text(text) is None and _PAGE_RE.search(text) is None):
        return False
    rest = _META_RE.sub("", text)
    return not rest.strip(" |/·:：-—")
