"""Reader for Founder (方正) e-paper pages: article pages content_N.htm(l) and page indexes node_N.htm.

An article page (湖北日报, 科技日报 and many city papers use this template):

<p id="nowLayout">02</p>                                      page label
<font id="intro-title">…</font>                               引题
<font id="main-title">…</font>                                标题
<font id="sub-title">…</font>                                 副题
<img src="../../../pic/…"><p>caption（记者 某某 摄）</p>          photos above the body, caption after each
<founder-content><!--enpcontent--><p>…</p><!--/enpcontent--></founder-content>     body
<!--enpproperty <date>2023-02-11 00:00:00:0</date><author>…</author><title>…</title>… /enpproperty-->

The paper name comes from the page (<title>, copyright line), else --paper, else paper.toml.
Page names and article order come from the page indexes saved beside it (pageindex.py);
articles printed on two pages are joined where they start (jumps.py).
"""

from __future__ import annotations

import html as entities
import re
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from exporter.errors import InputError
from exporter.model import Figure, Notice, Origin
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.body import is_byline
from exporter.sources.web import generic, mrdx, rmrb, sites
from exporter.sources.web.html import (
    HtmlElement,
    by_id,
    date_in_text,
    load_page,
    looks_like_html,
    one_line,
    paper_for,
    paper_on_page,
    squeeze,
    walk,
    walk_all,
)
from exporter.sources.web.jumps import finish, sibling_parser
from exporter.sources.web.pageindex import is_index, placement, read_index
from exporter.sources.web.story import Body, Story, photos_above, photos_inside

NAME = "Founder e-paper page"

_MARKERS_RE = re.compile(
    r"nowLayout|founder|enpcontent|enpproperty|main-title|intro-title|pageLink|(?:node|content)_\d+\.html?"
    r"|数字报|电子报|<title>[^<]{0,80}报",
    re.I,
)
_HEADER_IDS = ("nowLayout", "intro-title", "main-title", "sub-title", "author", "guide")
_ABOVE_TAGS = frozenset(("img", "p", "table", "div", "center", "figure", "span"))
# Article bodies in document order: <founder-content>, or an enpcontent region not wrapped in one.
_BODIES_XPATH = (
    '//founder-content | //comment()[normalize-space(.)="enpcontent"][not(ancestor::founder-content)]'
    # A CMS page may repeat the opening marker: only the last one before a closing marker opens a body.
    '[not(following-sibling::comment()[normalize-space(.)="enpcontent" or normalize-space(.)="/enpcontent"][1]'
    '[normalize-space(.)="enpcontent"])]'
)
# Where the Founder skins print the header and body (first match wins). A new skin is a line here.
_TITLE = (
    './/*[@id="main-title"]',  # 湖北日报, 科技日报 …
    './/*[contains(@class, "newsdetatit")]//h3',  # 新华日报, 深圳特区报, 扬子晚报 (pc)
    './/*[@id="Title"]',  # 菏泽日报, 中国电子报 (pc)
    './/td[contains(@class, "font01")]',  # 经济日报 (classic)
)
_KICKER = ('.//*[@id="intro-title"]', './/*[@class="intro"]', './/*[@id="PreTitle"]')
_SUBTITLE = ('.//*[@id="sub-title"]', './/*[@class="sub"]', './/*[@id="SubTitle"]')
_BODY = ('.//*[@id="ozoom"]', './/*[contains(@class, "newsdetatext")]')  # After <founder-content> and enpcontent.
_CONTENT_XPATH = '//comment()[normalize-space(.)="enpcontent"]'
_NODENAME_RE = re.compile(r"^(?:第?\s*([A-Za-z]?\d{1,3}[A-Za-z]?)\s*版)?\s*[:：]?\s*(.*)$")
_PROPERTY_RE = re.compile(r"<([\w-]+)>(.*?)</\1>", re.S)
_TAG_RE = re.compile(r"<[^>]*>")


def sniff(head: str) -> bool:
    return (
        looks_like_html(head) and _MARKERS_RE.search(head) is not None and not rmrb.sniff(head) and not mrdx.sniff(head)
    )


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    doc, notices = load_page(path, display)
    if is_article(doc):
        stories, more = stories_of(doc, path, display, options, root)
        return finish(stories, path, display, options, root, _sibling, (*notices, *more))
    if is_index(doc):
        return read_index(doc, path, display, options, root, notices)
    if rmrb.is_article(doc):  # The h1 / #ozoom layout is not only 人民日报's.
        return rmrb.read_doc(doc, path, display, options, root, notices)
    return generic.read_doc(doc, path, display, options, root, notices)  # A layout no family knows.


def stories_of(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path
) -> tuple[list[Story], tuple[Notice, ...]]:
    """Read an article page: one story, or one per block of a file holding several saved pages.

    Raises InputError when no article can be read; a block that cannot be read costs only itself.
    """
    blocks, warning = article_blocks(doc)
    if len(blocks) == 1:
        return [parse_story(doc, path, display, options, root)], tuple(Notice(Origin(display), w) for w in warning)
    paper = paper_on_page(doc)  # Named once for the file: a block may not repeat it.
    stories, notices = [], []
    for number, block in enumerate(blocks):
        try:
            story = parse_story(block, path, display, options, root, hint=paper)
        except InputError as exc:
            notices.append(Notice(Origin(display, block.sourceline), f"article block not read: {exc.message}"))
            continue
        stories.append(replace(story, block=number))
    if not stories:
        raise InputError(display, f"none of its {len(blocks)} article blocks could be read")
    return stories, tuple(notices)


def article_blocks(doc: HtmlElement) -> tuple[list[HtmlElement], tuple[str, ...]]:
    """Split a file holding several saved article pages (scrapers concatenate them) into one element each.

    A block is the largest element holding one article body; each must hold a title too. Returns
    ([doc], ()) for an ordinary page, and ([doc], (warning,)) when several articles cannot be told apart.
    """
    bodies = doc.xpath(_BODIES_XPATH)
    titles = len(_titles(doc))
    if len(bodies) < 2:
        if titles < 2:
            return [doc], ()
        return [doc], (f"{titles} article titles in one page could not be told apart: only the first was read",)
    count: dict[HtmlElement, int] = {}
    for body in bodies:  # Bodies below each element, counted in one pass up each body's ancestors.
        for ancestor in body.iterancestors():
            count[ancestor] = count.get(ancestor, 0) + 1
    blocks = []
    for body in bodies:
        block = body
        while (parent := block.getparent()) is not None and count[parent] == 1:
            block = parent
        if not isinstance(block.tag, str) or not (_titles(block) or enpproperty(block).get("title")):
            unsplit = f"{len(bodies)} article bodies in one page could not be told apart: only the first was read"
            return [doc], (unsplit,)
        blocks.append(block)
    return blocks, ()


def _titles(doc: HtmlElement) -> list[HtmlElement]:
    return list(doc.xpath('descendant-or-self::*[@id="main-title"]'))


def is_article(doc: HtmlElement) -> bool:
    """Say whether a page is a Founder article page."""
    if by_id(doc, "nowLayout") is not None or by_id(doc, "main-title") is not None:
        return True
    if doc.find(".//founder-content") is not None:
        return not rmrb.is_article(doc)
    if _first(doc, _TITLE) is not None and _first(doc, _BODY) is not None:
        return True
    # A CMS page of the same system: only the enpcontent region and the enpproperty comment.
    cms = bool(doc.xpath(_CONTENT_XPATH)) and bool(enpproperty(doc).get("title"))
    return cms and not rmrb.is_article(doc)  # 光明日报's new pages carry the comment too, but print h1/h3/h2.


def parse_story(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path, hint: str | None = None
) -> Story:
    """Read a Founder article page into a story; raise InputError when it lacks title, date or page."""
    notices: list[Notice] = []
    meta = enpproperty(doc)
    heading = _first(doc, _TITLE)
    title = one_line(heading, display) or meta.get("title")
    if not title:
        raise InputError(display, 'no title: no <font id="main-title"> (or a skin\'s title) and no enpproperty <title>')
    date = (
        date_in_text(meta.get("date"))
        or date_in_text(one_line(by_id(doc, "author"), display))
        or sites.date_in_url(meta.get("url", ""))
        or sites.date_in_url(str(path))
    )
    if date is None:
        raise InputError(display, "no issue date: no enpproperty <date>, no date on the page or in its folder names")
    place = placement(path, date, root)
    node_label, node_name = _nodename(meta.get("nodename"))
    page = sites.page_label(one_line(by_id(doc, "nowLayout"), display)) or node_label or place.label
    if page is None:
        raise InputError(
            display, 'no page label: no <p id="nowLayout">, no enpproperty <nodename> and no saved page index links it'
        )
    paper = paper_for(doc, path, display, options, root, hint)

    body_element = _body(doc)
    figures: list[Figure] = []
    body: Body = ()
    if body_element is not None:
        figures, lead = photos_above(walk_all(_above(body_element), display), path.parent, root, notices)
        body = (*lead, *photos_inside(walk(body_element, display), path.parent, root, notices))
    origin = Origin(display, heading.sourceline if heading is not None else None)
    if not body:
        notices.append(Notice(origin, "article has a title but no body (no <founder-content> text)"))
    names = {link.label: link.name for link in sites.page_links(doc) if link.name}
    rows = _table_rows(heading, display)
    return Story(
        file=path,
        origin=origin,
        paper=paper,
        date=date,
        page=page,
        title=title,
        page_name=place.name_of(page) or names.get(page) or node_name,
        order=place.order_on(page),
        kicker=one_line(_first(doc, _KICKER), display) or meta.get("introtitle") or rows.kicker,
        subtitle=one_line(_first(doc, _SUBTITLE), display) or meta.get("subtitle") or rows.subtitle,
        byline=meta.get("author") or rows.byline,
        figures=tuple(figures),
        body=body,
        notices=tuple(notices),
    )


def enpproperty(doc: HtmlElement) -> dict[str, str]:
    """Return the fields of the <!--enpproperty <date>…</date><title>…</title> /enpproperty--> comment."""
    for comment in doc.iter(etree.Comment):
        text = comment.text or ""
        if text.lstrip().startswith("enpproperty"):
            # Values may hold markup (<title><p>…</p></title>); keys may be founder-title, founder-date.
            fields = {
                k.lower().removeprefix("founder-"): squeeze(entities.unescape(_TAG_RE.sub("", v)))
                for k, v in _PROPERTY_RE.findall(text)
            }
            return {k: v for k, v in fields.items() if v}
    return {}


@dataclass(frozen=True, slots=True)
class _Rows:
    kicker: str | None = None
    subtitle: str | None = None
    byline: str | None = None


def _table_rows(heading: HtmlElement | None, display: str) -> _Rows:
    """Read the classic table skin (经济日报): 引题, 标题, 副题 and 作者 as td.font02 rows around td.font01."""
    cell = heading if heading is not None and heading.tag == "td" else None
    if cell is None and heading is not None:
        cell = next(heading.iterancestors("td"), None)
    table = next(cell.iterancestors("table"), None) if cell is not None else None
    if cell is None or table is None:
        return _Rows()
    cells = [
        td
        for td in table.iter("td")
        if td is cell or "font02" in (td.get("class") or "").split() or td.find(".//founder-author") is not None
    ]
    at = cells.index(cell)
    before = [t for t in (one_line(td, display) for td in cells[:at]) if t]
    subtitle = byline = None
    for td in cells[at + 1 :]:
        text = one_line(td, display)
        if not text:
            continue
        if byline is None and (td.find(".//founder-author") is not None or is_byline(text)):
            byline = text
        elif subtitle is None and byline is None:
            subtitle = text
    return _Rows(before[-1] if before else None, subtitle, byline)


def _first(doc: HtmlElement, paths: tuple[str, ...]) -> HtmlElement | None:
    """Return the first element found by the first of `paths` that finds one."""
    for path in paths:
        found = doc.xpath(path)
        if found:
            return found[0]
    return None


def _nodename(text: str | None) -> tuple[str | None, str | None]:
    """Split the enpproperty <nodename> into page label and name: 第A03版：城事, A03版, 要闻."""
    match = _NODENAME_RE.match((text or "").strip())
    if match is None:
        return None, None
    label = sites.page_label(match.group(1)) if match.group(1) else None
    return label, sites.tighten(match.group(2)) or None


def _body(doc: HtmlElement) -> HtmlElement | None:
    """Return the body element: <founder-content>, what lies between the enpcontent comments, or a skin's body."""
    found = doc.find(".//founder-content")
    if found is not None:
        return found
    for start in doc.iter(etree.Comment):
        if (start.text or "").strip() != "enpcontent":
            continue
        parent = start.getparent()
        if parent is None:
            return None
        holder = parent.makeelement("div", {})
        nodes = []
        for node in start.itersiblings():
            if node.tag is etree.Comment and (node.text or "").strip() == "/enpcontent":
                break
            nodes.append(node)
        start.addnext(holder)
        holder.text, start.tail = start.tail, None
        holder.extend(nodes)  # Moves them, tails included.
        return holder
    return _first(doc, _BODY)


def _above(body: HtmlElement) -> list[HtmlElement]:
    """Return the elements printed just above the body (photos and their captions), in order."""
    out = []
    for element in body.itersiblings(preceding=True):
        if not isinstance(element.tag, str):
            continue
        if element.tag not in _ABOVE_TAGS or _is_header(element):
            break
        out.append(element)
    return out[::-1]


def _is_header(element: HtmlElement) -> bool:
    ids = {element.get("id"), *(e.get("id") for e in element.iterdescendants() if isinstance(e.tag, str))}
    return bool(ids & set(_HEADER_IDS))


# Reads the pages saved beside the one being read, for 转版.
_sibling = sibling_parser(is_article, lambda *page: stories_of(*page)[0])
