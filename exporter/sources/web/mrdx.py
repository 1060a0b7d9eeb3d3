"""Reader for 新华每日电讯 (mrdx.cn) pages: content/YYYYMMDD/PageNNXX.htm and ArticelPPSSSXX.htm.

An article page: the title in the first <h2>, the body in #contenttext; the page and the order on it
are in the file name (Articel05002NU.htm: page 05, second article). The page indexes list the whole
issue in div.listdaohang (<h4><a href="Page01BC.htm">01版：要闻</a></h4>, then the articles as
<a daoxiang="Articel01002NR.htm">), which sites.py reads like every other index.
Built from the selectors of public scrapers of the site; no saved page was at hand.
"""

from __future__ import annotations

import re
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Notice, Origin
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.web import generic, sites
from exporter.sources.web.html import (
    HtmlElement,
    by_class,
    by_id,
    load_page,
    looks_like_html,
    one_line,
    paper_for,
    walk,
)
from exporter.sources.web.jumps import finish, sibling_parser
from exporter.sources.web.pageindex import is_index, placement, read_index
from exporter.sources.web.story import Story, photos_inside

NAME = "新华每日电讯 page"
PAPER = "新华每日电讯"

_MARKERS_RE = re.compile(r"mrdx\.cn|新华每日电讯|daoxiang|listdaohang|Articel\d{5}", re.I)
_FILE_RE = re.compile(r"^Articel(\d{2})(\d{3})[A-Za-z]{0,2}\.htm$", re.I)
_TITLE_PAGE_RE = re.compile(r"(\d{1,3})\s*版\s*[:：]\s*([^-—]+)")  # 新华每日电讯 - 03版:新华聚焦-2022年02月18日


def sniff(head: str) -> bool:
    return looks_like_html(head) and _MARKERS_RE.search(head) is not None


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    doc, notices = load_page(path, display)
    if is_article(doc):
        return finish(
            (parse_story(doc, path, display, options, root),), path, display, options, root, _sibling, notices
        )
    if is_index(doc):
        return read_index(doc, path, display, options, root, notices)
    return generic.read_doc(doc, path, display, options, root, notices)


def is_article(doc: HtmlElement) -> bool:
    return doc.find(".//h2") is not None and _body(doc) is not None


def _body(doc: HtmlElement) -> HtmlElement | None:
    found = by_id(doc, "contenttext")
    return found if found is not None else next(iter(by_class(doc, "contenttext")), None)


def parse_story(doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path) -> Story:
    """Read an article page; raise InputError when it lacks title, date or page."""
    notices: list[Notice] = []
    heading = doc.find(".//h2")
    title = one_line(heading, display)
    if heading is None or not title:
        raise InputError(display, "no title: the page has no <h2> text")
    date = sites.date_in_url(str(path))
    if date is None:
        raise InputError(display, "no issue date: the page is not in a content/YYYYMMDD folder")
    from_name = _FILE_RE.match(path.name)
    place = placement(path, date, root)
    in_title = _TITLE_PAGE_RE.search(one_line(doc.find(".//title"), display) or "")
    page = (
        (sites.page_label(from_name.group(1)) if from_name else None)
        or (sites.page_label(in_title.group(1)) if in_title else None)
        or place.label
    )
    if page is None:
        raise InputError(display, "no page label: not in the file name (ArticelPPSSS…), the <title> or a page index")
    body_element = _body(doc)
    assert body_element is not None  # is_article checked it.
    body = photos_inside(walk(body_element, display), path.parent, root, notices)
    origin = Origin(display, heading.sourceline)
    if not body:
        notices.append(Notice(origin, "article has a title but no body"))
    return Story(
        file=path,
        origin=origin,
        paper=paper_for(doc, path, display, options, root, hint=PAPER),
        date=date,
        page=page,
        title=title,
        page_name=place.name_of(page) or (in_title.group(2).strip() if in_title else None),
        order=place.order_on(page) or (int(from_name.group(2)) if from_name else None),
        body=body,
        notices=tuple(notices),
    )


# Reads the pages saved beside the one being read, for 转版.
_sibling = sibling_parser(is_article, lambda *page: (parse_story(*page),))
