"""Headlines left at a page foot, measured in a PDF made from an EPUB (issue 16).

A headline (引题, 主标题, 副题, byline) is stranded when nothing of its article's body — neither its
leading picture nor a line of its text — follows it on its page: the reader turns the page to find what
the headline is about. The articles come from the EPUB itself (header texts and the body's first
paragraph, in spine order); the PDF's lines from `pdftotext -bbox-layout`, its pictures from
pdfminer.six. The PDF is read in one column, top to bottom, page after page, as calibre and a
browser's print lay an EPUB chapter out.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

_XHTML = "{http://www.w3.org/1999/xhtml}"
_NS = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml"}
_HEADER = ("kicker", "title", "subtitle", "byline")
_KEY = 16  # Ideographs of a text looked for in the PDF: enough to be unique within a few pages.


@dataclass(frozen=True, slots=True)
class Article:
    """What the EPUB says an article starts with."""

    header: list[str]  # Kicker, title, subtitle, byline: the ones it has, in order.
    title: str
    leads_with_picture: bool  # The body starts with a figure that has an image.
    first_text: str  # The body's first paragraph (or caption, when a picture has no paragraph after it).


@dataclass(frozen=True, slots=True)
class Item:
    """A line of text or a picture on a PDF page, in reading order."""

    page: int  # 1-based.
    top: float
    bottom: float
    text: str  # Its ideographs; "" for a picture.
    picture: bool = False


@dataclass(frozen=True, slots=True)
class Stranded:
    page: int
    title: str
    share_from_top: float  # Where the header's last line ends on its page, 0 top .. 1 bottom.


def _squash(text: str) -> str:
    """Keep the ideographs only: calibre's Type 3 fonts lose some digits and quotes to pdftotext."""
    return "".join(re.findall(r"[\u4e00-\u9fff]", text))


def _text(element: etree._Element) -> str:
    return _squash("".join(element.itertext()))


def epub_articles(epub: Path) -> list[Article]:
    """Return every article of an EPUB in spine order, with its header and how its body begins."""
    out = []
    with zipfile.ZipFile(epub) as book:
        container = etree.fromstring(book.read("META-INF/container.xml"))
        opf_path = container.find(".//{*}rootfile").get("full-path")  # type: ignore[union-attr]
        opf = etree.fromstring(book.read(opf_path))
        base = posixpath.dirname(opf_path)
        hrefs = {i.get("id"): i.get("href") for i in opf.iterfind(".//opf:manifest/opf:item", _NS)}
        for ref in opf.iterfind(".//opf:spine/opf:itemref", _NS):
            doc = etree.fromstring(book.read(posixpath.join(base, hrefs[ref.get("idref")])))
            for article in doc.iterfind(".//x:article", _NS):
                header, title = [], ""
                for element in article.iter(f"{_XHTML}p", f"{_XHTML}h2"):
                    if set((element.get("class") or "").split()) & set(_HEADER):
                        header.append(_text(element))
                        title = title or (_text(element) if element.tag == f"{_XHTML}h2" else "")
                body = [e for e in article.iter(f"{_XHTML}p", f"{_XHTML}figure") if _in_body(e)]
                if not header or not body:
                    continue
                first = body[0]
                picture = first.tag == f"{_XHTML}figure" and first.find(".//x:img", _NS) is not None
                texts = [e for e in body if e.tag == f"{_XHTML}p"]
                first_text = _text(texts[0]) if texts else _text(first)
                out.append(Article(header, title, picture, first_text))
    return out


def _in_body(element: etree._Element) -> bool:
    """Whether a paragraph or figure is the article's text or photo (not its header or notes)."""
    if element.tag == f"{_XHTML}figure":
        return True
    if any(a.tag == f"{_XHTML}figure" for a in element.iterancestors()):
        return False
    return not set((element.get("class") or "").split()) & {*_HEADER, "source", "note", "facsimile-link"}


def pdf_items(pdf: Path) -> list[Item]:
    """Return the PDF's text lines and pictures, page by page, top to bottom."""
    import logging

    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTImage

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # calibre's Type 3 fonts have no FontBBox.

    xml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, timeout=300
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    items = []
    for number, page in enumerate(root.iter(f"{_XHTML}page"), start=1):
        for line in page.iter(f"{_XHTML}line"):
            text = _squash("".join(w.text or "" for w in line.iter(f"{_XHTML}word")))
            if line.get("yMin") is not None:
                items.append(Item(number, float(line.get("yMin")), float(line.get("yMax")), text))

    def walk(item: object) -> list[LTImage]:
        found = [item] if isinstance(item, LTImage) else []
        for child in getattr(item, "_objs", ()) or ():
            found += walk(child)
        return found

    for number, page in enumerate(extract_pages(pdf, laparams=None), start=1):
        height = page.height
        for image in walk(page):
            items.append(Item(number, height - image.y1, height - image.y0, "", picture=True))
    items.sort(key=lambda i: (i.page, i.top))
    return items


def page_heights(pdf: Path) -> list[float]:
    from pypdf import PdfReader

    return [float(p.mediabox.height) for p in PdfReader(str(pdf)).pages]


def stranded_headlines(pdf: Path, epub: Path) -> tuple[list[Stranded], int]:
    """Return the headlines followed on their page by nothing of their article's body, and how many
    articles were found in the PDF (an article whose header is not found is not counted)."""
    items = pdf_items(pdf)
    heights = page_heights(pdf)
    stream = ""
    owner: list[int] = []  # For each character of `stream`, the index of its item.
    for k, item in enumerate(items):
        stream += item.text
        owner += [k] * len(item.text)
    cursor, found, out = 0, 0, []
    for article in epub_articles(epub):
        # The body's first words, then the title before them: the contents list the titles too.
        body = stream.find(article.first_text[:_KEY], cursor)
        start = stream.rfind(article.title[:_KEY], cursor, body) if body >= 0 else -1
        if start < 0:
            continue
        end = start
        for text in article.header[article.header.index(article.title) :]:
            at = stream.find(text, end, body)
            if at < 0:
                break
            end = at + len(text)
        found += 1
        cursor = body
        last = owner[end - 1]
        page = items[last].page
        following = [i for i in items[last + 1 :] if i.page == page and (i.text or i.picture)]
        body_here = bool(following) and (following[0].picture if article.leads_with_picture else True)
        if following and not article.leads_with_picture:
            body_here = items[owner[body]].page == page  # The next line is this article's text.
        if not body_here:
            share = items[last].bottom / heights[page - 1]
            out.append(Stranded(page, article.title, round(share, 2)))
    return out, found
