"""Headlines left at a page foot, measured in a PDF made from an EPUB (issue 16).

A headline (引题, 主标题, 副题, byline) is stranded when its article's body does not follow it on its
page: neither the picture the article opens with nor two lines of its text. The reader turns the page
to find what the headline is about. The articles come from the EPUB itself (header texts and the body's first
paragraph, in spine order); the PDF's lines from `pdftotext -bbox-layout`, its pictures' places from
`pdftohtml -xml`. The PDF is read in one column, top to bottom, page after page, as calibre and a
browser's print lay an EPUB chapter out.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tests.layoutcheck import EPUB_NS, spine_documents

_XHTML = "{http://www.w3.org/1999/xhtml}"
_NS = EPUB_NS
_HEADER = ("kicker", "title", "subtitle", "byline")
_KEY = 16  # Ideographs of a text looked for in the PDF: enough to be unique within a few pages.


@dataclass(frozen=True, slots=True)
class Article:
    """What the EPUB says an article starts with."""

    header: list[str]  # Kicker, title, subtitle, byline: the ones it has, in order.
    title: str  # Its ideographs, as the other texts here (calibre's fonts lose some digits to pdftotext).
    name: str  # The title as written.
    leads_with_picture: bool  # The body starts with a figure that has an image.
    first_text: str  # The body's first text: a paragraph, or the caption of the picture it opens with.


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
        for _, doc in spine_documents(book):
            for article in doc.iterfind(".//x:article", _NS):
                header, title, name = [], "", ""
                for element in article.iter(f"{_XHTML}p", f"{_XHTML}h2"):
                    if set((element.get("class") or "").split()) & set(_HEADER):
                        header.append(_text(element))
                        if element.tag == f"{_XHTML}h2" and not name:
                            title, name = _text(element), "".join(element.itertext()).strip()
                body = [e for e in article.iter(f"{_XHTML}p", f"{_XHTML}li", f"{_XHTML}figure") if _in_body(e)]
                texts = [_text(e) for e in body if _text(e)]
                if not header or not texts:
                    continue
                picture = body[0].tag == f"{_XHTML}figure" and body[0].find(".//x:img", _NS) is not None
                first_text = texts[0]
                out.append(Article(header, title, name, picture, first_text))
    return out


def _in_body(element: etree._Element) -> bool:
    """Whether a paragraph or figure is the article's text or photo (not its header or notes)."""
    if element.tag == f"{_XHTML}figure":
        return True
    if any(a.tag == f"{_XHTML}figure" for a in element.iterancestors()):
        return False
    return not set((element.get("class") or "").split()) & {*_HEADER, "source", "note", "facsimile-link"}


def pdf_items(pdf: Path) -> tuple[list[Item], list[float]]:
    """Return the PDF's text lines and pictures, page by page, top to bottom, and its page heights."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, recover=True)
    xml = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True, timeout=300
    ).stdout
    items, heights = [], []
    for number, page in enumerate(etree.fromstring(xml, parser).iter(f"{_XHTML}page"), start=1):
        heights.append(float(page.get("height")))
        for line in page.iter(f"{_XHTML}line"):
            text = _squash("".join(w.text or "" for w in line.iter(f"{_XHTML}word")))
            items.append(Item(number, float(line.get("yMin")), float(line.get("yMax")), text))
    with tempfile.TemporaryDirectory() as tmp:  # pdftohtml writes the pictures out; only their places are read.
        subprocess.run(["pdftohtml", "-xml", "-q", "-zoom", "1", str(pdf), f"{tmp}/p"], check=True, timeout=300)
        root = etree.parse(f"{tmp}/p.xml", parser).getroot()
    for page in root.iter("page"):
        for image in page.iter("image"):
            top = float(image.get("top"))
            items.append(Item(int(page.get("number")), top, top + float(image.get("height")), "", picture=True))
    items.sort(key=lambda i: (i.page, i.top))
    return items, heights


def stranded_headlines(pdf: Path, epub: Path) -> tuple[list[Stranded], int]:
    """Return the headlines not followed on their page by their article's picture or two lines of text, and how many
    articles were found in the PDF (an article whose header is not found is not counted)."""
    items, heights = pdf_items(pdf)
    stream = ""
    owner: list[int] = []  # For each character of `stream`, the index of its item.
    for k, item in enumerate(items):
        stream += item.text
        owner += [k] * len(item.text)
    cursor, found, out = 0, 0, []
    for article in epub_articles(epub):
        # The title followed at once by the rest of the header and the body's first words (the contents
        # list the titles too, and a notice's text may begin with its title).
        rest = sum(map(len, article.header[article.header.index(article.title) :]))
        start, body = stream.find(article.title[:_KEY], cursor), -1
        while start >= 0:
            body = stream.find(article.first_text[:_KEY], start + len(article.title[:_KEY]))
            if 0 <= body - start <= rest + 4:
                break
            start = stream.find(article.title[:_KEY], start + 1)
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
        if article.leads_with_picture:
            body_here = bool(following) and following[0].picture
        else:  # Two lines of its text at least, or the whole of a one-line paragraph.
            whole = bool(following) and len(following[0].text) >= len(article.first_text)
            body_here = items[owner[body]].page == page and (len(following) >= 2 or whole)
        if not body_here:
            share = items[last].bottom / heights[page - 1]
            out.append(Stranded(page, article.name, round(share, 2)))
    return out, found
