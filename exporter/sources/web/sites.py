"""Site families: what an e-paper system's URLs and page indexes look like, written once.

A family is data: the file names of its page indexes (版面导航) and article pages, and the folders
that carry the date. What a page index says — the page list with labels and names, the article
links in printed order, the page picture with its image map, the page PDF — is read here for every
family alike. `epaper fetch` follows these links on a site; the saved-page readers follow the same
links on disk (pageindex.py), so a new site family is added in this one place.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from posixpath import basename
from urllib.parse import unquote, urlsplit

from exporter.sources.web.html import HtmlElement, one_line

__all__ = [
    "FAMILIES",
    "Family",
    "PageLink",
    "PagePicture",
    "Region",
    "article_links",
    "canonical",
    "date_in_url",
    "family",
    "family_of",
    "is_article_name",
    "is_index_name",
    "page_label",
    "page_links",
    "page_pdf",
    "page_picture",
    "tighten",
]


@dataclass(frozen=True, slots=True)
class Family:
    """One e-paper system's URL layout."""

    name: str  # As `--family` takes it: founder, founder-pc, rmrb, gmrb.
    description: str  # One line for `epaper fetch --list-sites`.
    index: re.Pattern[str]  # File name of a page index: node_3.htm.
    article: re.Pattern[str]  # File name of an article page: content_548643.htm.
    example: str  # A first-page URL template, for --list-sites and the docs.

    def is_index(self, href: str) -> bool:
        return self.index.match(file_name(href)) is not None

    def is_article(self, href: str) -> bool:
        return self.article.match(file_name(href)) is not None


FAMILIES: tuple[Family, ...] = (
    Family(
        "founder",
        "Founder (方正) classic: html/YYYY-MM/DD/node_N.htm + content_ID.htm (hundreds of local papers, 经济日报 until 2021)",
        re.compile(r"^node_[A-Za-z]{0,3}\d+\.htm$", re.I),
        re.compile(r"^content_\d+(?:_\d+)?\.htm$", re.I),
        "https://paper.example.cn/html/{yyyy}-{mm}/{dd}/node_1.htm",
    ),
    Family(
        "founder-pc",
        "Founder (方正) pc: pc/layout/YYYYMM/DD/node_N.html + pc/con|content/YYYYMM/DD/content_ID.html "
        "(新华日报, 深圳特区报, 人民日报 and 光明日报 today)",
        re.compile(r"^node_[A-Za-z]{0,3}\d+\.html$", re.I),
        re.compile(r"^content_\w+\.html$", re.I),
        "https://paper.example.cn/pc/layout/{yyyymm}/{dd}/node_01.html",
    ),
    Family(
        "rmrb",
        "人民日报 until November 2024: html/YYYY-MM/DD/nbs.D110000renmrb_NN.htm + nw.D110000renmrb_…htm",
        re.compile(r"^nbs\.D\d+renmrb_[A-Za-z]?\d+\.htm$", re.I),
        re.compile(r"^nw\.D\d+renmrb_\d{8}_\d+-[A-Za-z]?\d+\.htm$", re.I),
        "http://paper.people.com.cn/rmrb/html/{yyyy}-{mm}/{dd}/nbs.D110000renmrb_01.htm",
    ),
    Family(
        "gmrb",
        "光明日报 until 2025: gmrb/html/YYYY-MM/DD/nbs.D110000gmrb_NN.htm + nw.D110000gmrb_…htm",
        re.compile(r"^nbs\.D\d+gmrb_[A-Za-z]?\d+\.htm$", re.I),
        re.compile(r"^nw\.D\d+gmrb_\d{8}_\d+-[A-Za-z]?\d+\.htm$", re.I),
        "https://epaper.gmw.cn/gmrb/html/{yyyy}-{mm}/{dd}/nbs.D110000gmrb_01.htm",
    ),
    Family(
        "mrdx",
        "新华每日电讯: content/YYYYMMDD/PageNNXX.htm + ArticelPPSSSXX.htm (article links in daoxiang attributes)",
        re.compile(r"^Page\d{2}[A-Za-z]{0,2}\.htm$", re.I),
        re.compile(r"^Articel\d{5}[A-Za-z]{0,2}\.htm$", re.I),
        "http://mrdx.cn/content/{yyyymmdd}/Page01DK.htm",
    ),
)
LINK_ATTRIBUTES = ("href", "daoxiang")  # 新华每日电讯 lists its articles in <a daoxiang="Articel…htm">.


def family(name: str) -> Family:
    """Return the family called `name`; raise KeyError naming the known ones."""
    for candidate in FAMILIES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"unknown site family {name!r} (known: {', '.join(f.name for f in FAMILIES)})")


def family_of(href: str) -> Family | None:
    """Return the family whose page index or article page `href` names."""
    for candidate in FAMILIES:
        if candidate.is_index(href) or candidate.is_article(href):
            return candidate
    return None


def is_index_name(href: str) -> bool:
    return any(f.is_index(href) for f in FAMILIES)


def is_article_name(href: str) -> bool:
    return any(f.is_article(href) for f in FAMILIES)


# --- links ---------------------------------------------------------------------------


def canonical(href: str) -> str:
    """Return a link without query and fragment: content_1.htm?div=-1 and content_1.htm#a are one page."""
    return href.strip().split("#", 1)[0].split("?", 1)[0].replace("\\", "/")


def file_name(href: str) -> str:
    """Return the file a link names: ../../content/202302/11/content_5.htm?div=0 → content_5.htm."""
    return basename(unquote(urlsplit(canonical(href)).path))


# --- page labels ---------------------------------------------------------------------

_LABEL = r"([A-Za-z]?\s?\d{1,3}[A-Za-z]?)"
# 第A01版：头版 · 第1版 要闻 · 01版:要闻 · 第01版 要闻 · 第02版：综 合 · 第03版
_ENTRY_RE = re.compile(rf"^第?\s*{_LABEL}\s*版(?:\s*[:：]\s*|\s+|$)(.*)$")
# A1 要闻 · 05 · A01：头版 — only when the link leads to a page index.
_BARE_RE = re.compile(rf"^{_LABEL}(?:\s*[:：]\s*|\s+|$)(.*)$")
_LABEL_RE = re.compile(r"([A-Za-z]?)\s?0*(\d{1,3})([A-Za-z]?)")


def page_label(text: str | None) -> str | None:
    """Return a page label as printed, digits at least two: 1 → 01, A1 → A01, 第B03版 → B03, 14 → 14."""
    match = _LABEL_RE.search(text or "")
    if match is None:
        return None
    letter, digits, suffix = match.groups()
    return f"{letter.upper()}{int(digits):02d}{suffix.upper()}"


@dataclass(frozen=True, slots=True)
class PageLink:
    """A 版面 as a page index lists it."""

    label: str  # 01, A01.
    name: str  # 要闻; empty when the link says none.
    href: str  # The link to that page's index, as written (may be empty).


def page_links(doc: HtmlElement) -> list[PageLink]:
    """Return the pages a page index lists, in its order, each label once.

    A link counts when its text is a page label with 版 (第01版：要闻) and it has a name, leads to a page
    index or is marked #pageLink; a bare label (A1 要闻) counts only when it leads to a page index.
    """
    out: dict[str, PageLink] = {}
    for link in doc.iter("a"):
        href = link.get("href") or ""
        text = one_line(link) or ""
        to_index = is_index_name(href)
        match = _ENTRY_RE.match(text)
        if match is None and to_index:
            match = _BARE_RE.match(text)
        if match is None:
            continue
        name = tighten(match.group(2) or "")
        if not (name or to_index or link.get("id") == "pageLink"):
            continue
        label = page_label(match.group(1))
        if label and label not in out:
            out[label] = PageLink(label, name, canonical(href))
    return list(out.values())


def tighten(name: str) -> str:
    """Remove the letter-spacing of short names: 综 合 → 综合; keep a name's own words apart otherwise."""
    return re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", name).strip()


# --- articles, page picture and PDF ----------------------------------------------------


def article_links(doc: HtmlElement) -> list[str]:
    """Return the article pages a page index links to (canonical hrefs), in printed order, each once.

    The title list gives the order; articles reached only from the image map follow it.
    """
    listed = [_target(a) for a in doc.xpath("//li//a | //td//a | //div//a | //h3//a")]
    mapped = [canonical(a.get("href") or "") for a in doc.iter("area")]
    seen: dict[str, str] = {}
    for href in (*listed, *mapped):
        if is_article_name(href):
            seen.setdefault(file_name(href), href)  # content_1.htm and ./content_1.htm are one article.
    return list(seen.values())


def _target(link: HtmlElement) -> str:
    for name in LINK_ATTRIBUTES:
        href = canonical(link.get(name) or "")
        if href and is_article_name(href):
            return href
    return canonical(link.get("href") or "")


@dataclass(frozen=True, slots=True)
class Region:
    """An article's area on the page picture, in the picture's displayed pixels."""

    href: str  # Canonical link to the article page.
    points: tuple[tuple[float, float], ...]  # Polygon corners; a rect becomes four.


@dataclass(frozen=True, slots=True)
class PagePicture:
    """The picture of the printed page and its image map."""

    src: str
    width: float | None  # Displayed size the map's coordinates refer to (img width/height attributes).
    height: float | None
    regions: tuple[Region, ...]


def page_picture(doc: HtmlElement) -> PagePicture | None:
    """Return the page picture (<img usemap>) with its regions, or None when the index shows none."""
    for img in doc.iter("img"):
        usemap = (img.get("usemap") or "").strip()
        src = (img.get("src") or "").strip()
        if not usemap or not src:
            continue
        wanted = usemap.lstrip("#").lower()
        regions: list[Region] = []
        for element in doc.iter("map"):
            if (element.get("name") or element.get("id") or "").lower() != wanted:
                continue
            for area in element.iter("area"):
                region = _region(area)
                if region is not None:
                    regions.append(region)
        return PagePicture(src, _number(img.get("width")), _number(img.get("height")), tuple(regions))
    return None


def _region(area: HtmlElement) -> Region | None:
    href = canonical(area.get("href") or "")
    if not is_article_name(href):
        return None
    try:
        values = [float(v) for v in re.split(r"[\s,]+", (area.get("coords") or "").strip()) if v]
    except ValueError:
        return None
    shape = (area.get("shape") or "rect").lower()
    if shape.startswith("rect") and len(values) == 4:
        x1, y1, x2, y2 = values
        return Region(href, ((x1, y1), (x2, y1), (x2, y2), (x1, y2)))
    if shape.startswith("poly") and len(values) >= 6 and len(values) % 2 == 0:
        return Region(href, tuple(zip(values[::2], values[1::2], strict=True)))
    return None


def _number(value: str | None) -> float | None:
    try:
        number = float((value or "").strip().removesuffix("px"))
    except ValueError:
        return None
    return number if number > 0 else None


def page_pdf(doc: HtmlElement, own: str | None = None) -> str | None:
    """Return the link to the printed page as PDF (PDF下载, attachement/…/x.pdf), if the index has one.

    A page list may give every page's PDF in its rows: the one in the row of the link to `own` (this
    index's file name) is this page's; a PDF link in no page's row comes next.
    """
    links = [link for link in doc.iter("a") if canonical(link.get("href") or "").lower().endswith(".pdf")]
    if not links:
        return None
    rowless = None
    for link in links:
        owner = _row_page(link)
        if own is not None and owner == own:
            return canonical(link.get("href") or "")
        if owner is None and rowless is None:
            rowless = link
    chosen = rowless if rowless is not None else (links[0] if own is None else None)
    return canonical(chosen.get("href") or "") if chosen is not None else None


def _row_page(link: HtmlElement) -> str | None:
    """Return the page index that a link's row (its table row or list item) names, if any."""
    for row in link.iterancestors("tr", "li", "h4"):
        for other in row.iter("a"):
            if is_index_name(other.get("href") or ""):
                return file_name(other.get("href") or "")
        return None
    return None


# --- dates in URLs -----------------------------------------------------------------------

_URL_DATE_RES = (
    re.compile(r"(?:^|/)(\d{4})(\d{2})/(\d{2})(?:/|$)"),  # Founder pc: layout/202302/11/
    re.compile(r"(?:^|/)(\d{4})-(\d{2})/(\d{2})(?:/|$)"),  # Founder classic, 人民日报: html/2017-04/23/
    re.compile(r"(?<!\d)(20\d{2}|19\d{2})(\d{2})(\d{2})(?!\d)"),  # nw.D110000renmrb_20170423_1-01.htm
)


def date_in_url(path: str) -> dt.date | None:
    """Return the issue date a URL's or saved file's path spells (202302/11, 2017-04/23, 20170423)."""
    text = path.replace("\\", "/")
    for pattern in _URL_DATE_RES:
        for match in pattern.finditer(text):
            try:
                return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                continue
    return None
