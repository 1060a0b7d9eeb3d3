"""Reader for 人民日报 article pages, both layouts, and its page indexes.

Layout until November 2024 (html/2017-04/23/nw.D110000renmrb_20170423_1-02.htm):

<div class="text_c">  (later <div class="article">)
  <h3>引题</h3> <h1>标题</h1> <h2>副题</h2> <h4>作者</h4>   (later <p class="sec">作者<span class="date">…</span>)
  <div class="lai">人民日报 2017年04月23日 第02版</div>
  <table class="pci_c"><tr><td><img src="…"></td></tr><tr><td><p>caption<br>credit</p></td></tr></table>
  <div id="articleContent"><div id="ozoom"><founder-content><p>…</p></founder-content></div></div>

Layout since December 2024 (pc/content/202412/25/content_30048054.html): the same h3/h1/h2
heading and <p class="sec">, photos in <div class="attachment"> (<img> then
<div class="att-content">caption</div>), the body in <div class="article-content">.

Page indexes (nbs.D110000renmrb_01.htm, pc/layout/202412/25/node_01.html) name the pages
and order the articles (pageindex.py).
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
    Line,
    by_class,
    by_id,
    date_in_text,
    load_page,
    looks_like_html,
    one_line,
    paper_for,
    walk,
    walk_all,
)
from exporter.sources.web.jumps import finish, sibling_parser
from exporter.sources.web.pageindex import is_index, placement, read_index
from exporter.sources.web.story import Body, Story, photos_above, photos_inside

NAME = "人民日报 page"
PAPER = "人民日报"

_MARKERS_RE = re.compile(r"people\.com\.cn|renmrb|rmPaper|<title>[^<]{0,80}人民日报", re.I)
_FOUNDER_TEMPLATE_RE = re.compile(r"nowLayout|main-title")
_FILE_RE = re.compile(r"_(\d{8})_(\d+)-([A-Za-z]?\d{1,3})\.html?$", re.I)  # _20170423_1-02.htm: order 1, page 02.
_AUTHOR_RE = re.compile(r"^作者\s*[:：]\s*")
_PAGE_RE = re.compile(r"第\s*([A-Za-z]?\d{1,3}[A-Za-z]?)\s*版")


def sniff(head: str) -> bool:
    return looks_like_html(head) and bool(_MARKERS_RE.search(head)) and not _FOUNDER_TEMPLATE_RE.search(head)


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    doc, notices = load_page(path, display)
    if is_article(doc):
        return read_doc(doc, path, display, options, root, notices)
    if is_index(doc):
        return read_index(doc, path, display, options, root, notices)
    return generic.read_doc(doc, path, display, options, root, notices)  # A layout no family knows.


def is_article(doc: HtmlElement) -> bool:
    """Say whether a page has this layout: an <h1> title and a body container."""
    return doc.find(".//h1") is not None and _body(doc) is not None


def read_doc(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path, notices: tuple[Notice, ...]
) -> ReadResult:
    """Read a parsed article page of this layout."""
    return finish((parse_story(doc, path, display, options, root),), path, display, options, root, _sibling, notices)


def parse_story(doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path) -> Story:
    """Read an article page into a story; raise InputError when it lacks title, date or page."""
    notices: list[Notice] = []
    box = _box(doc)
    heading = box.find(".//h1")
    title = one_line(heading, display)
    if heading is None or not title:
        raise InputError(display, "no title: the page has no <h1> text")
    byline, datelines = _byline_and_datelines(box, doc, display)
    from_name = _FILE_RE.search(path.name)
    date = (
        next((d for d in map(date_in_text, datelines) if d), None)
        or (sites.date_in_url(from_name.group(1)) if from_name else None)
        or sites.date_in_url(str(path))
    )
    place = placement(path, date, root)
    date = date or place.date
    if date is None:
        raise InputError(display, "no issue date: none in the page's date line, its file name or its folders")
    page = (
        next((sites.page_label(m.group(1)) for m in map(_PAGE_RE.search, datelines) if m), None)
        or (sites.page_label(from_name.group(3)) if from_name else None)
        or place.label
    )
    if page is None:
        raise InputError(display, "no page label: no 第N版 in the date line or file name, and no page index links it")
    hint = PAPER if "renmrb" in path.name.lower() else None
    paper = paper_for(doc, path, display, options, root, hint=hint)

    body_element = _body(doc)
    assert body_element is not None  # is_article checked it.
    figures, lead = photos_above(walk_all(_photos(box, body_element), display), path.parent, root, notices)
    body: Body = (*lead, *photos_inside(walk(body_element, display), path.parent, root, notices))
    origin = Origin(display, heading.sourceline)
    if not body:
        notices.append(Notice(origin, "article has a title but no body"))
    return Story(
        file=path,
        origin=origin,
        paper=paper,
        date=date,
        page=page,
        title=title,
        page_name=place.name_of(page),
        order=place.order_on(page) or (int(from_name.group(2)) if from_name else None),
        kicker=one_line(box.find(".//h3"), display),
        subtitle=one_line(box.find(".//h2"), display),
        byline=byline,
        figures=tuple(figures),
        body=body,
        notices=tuple(notices),
    )


def _box(doc: HtmlElement) -> HtmlElement:
    """Return the element holding the article's heading, so sidebars do not lend it their h3."""
    for name in ("text_c", "article", "article-box", "m-article-content"):
        for box in by_class(doc, name):
            if box.find(".//h1") is not None:
                return box
    heading = doc.find(".//h1")
    parent = heading.getparent() if heading is not None else None
    return parent if parent is not None else doc


def _body(doc: HtmlElement) -> HtmlElement | None:
    """Return the body: #ozoom, else .article-content, else #articleContent (a hidden copy in some years)."""
    found = by_id(doc, "ozoom")
    if found is None:
        found = next(iter(by_class(doc, "article-content") + by_class(doc, "m-article-main")), None)
    return found if found is not None else by_id(doc, "articleContent")


def _byline_and_datelines(box: HtmlElement, doc: HtmlElement, display: str) -> tuple[str | None, list[str]]:
    """Return the byline (<h4>, or <p class="sec"> before its date) and the texts that may date the page."""
    byline = one_line(box.find(".//h4"), display)
    datelines = [one_line(e, display) or "" for e in by_class(box, "date")]
    for sec in by_class(box, "sec"):
        dates = frozenset(by_class(sec, "date"))
        if byline is None and dates:
            byline = " ".join(i.text for i in walk(sec, display, skip=dates) if isinstance(i, Line)) or None
        datelines.append(one_line(sec, display) or "")
    for element in (*by_class(box, "m-article-author"), *(e for lai in by_class(box, "lai") for e in lai.iter("span"))):
        text = one_line(element, display) or ""
        if byline is None and _AUTHOR_RE.match(text):  # 光明日报: 作者：本报记者 王晓飞
            byline = _AUTHOR_RE.sub("", text) or None
    for element in (*by_class(box, "lai"), by_id(doc, "riqi_")):
        if element is not None:
            datelines.append(one_line(element, display) or "")
    return byline, [d for d in datelines if d]


def _photos(box: HtmlElement, body: HtmlElement) -> list[HtmlElement]:
    """Return the photo holders outside the body (table.pci_c, div.attachment), outermost only."""
    found = [*box.xpath(".//table[contains(@class, 'pci_c')]"), *by_class(box, "attachment")]
    inside_body = set(body.iter())
    holders = [e for e in found if e not in inside_body and body not in set(e.iter())]
    chosen = set(holders)
    outermost = [e for e in holders if not any(a in chosen for a in e.iterancestors())]
    return sorted(outermost, key=lambda e: e.sourceline or 0)


# Reads the pages saved beside the one being read, for 转版.
_sibling = sibling_parser(is_article, lambda *page: (parse_story(*page),))
