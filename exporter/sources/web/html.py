"""Shared tools for saved e-paper pages: decode, parse, drop what is not text, read lines and names.

Only text ever leaves a page: scripts, styles, frames, forms, event handlers and
`javascript:` links are removed before any text is read, and attributes are never read
except `src` of images (resolved inside the sources) and `href` of page-index links.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from exporter.errors import InputError
from exporter.model import Notice, Origin
from exporter.papers import read_paper_toml
from exporter.sources.base import ReadOptions
from exporter.sources.decoding import decode, read_bytes
from exporter.sources.images import resolved_root
from exporter.text import clean_line

SUFFIXES = (".htm", ".html")


def saved_pages(folder: Path, root: Path) -> tuple[tuple[str, ...], int] | None:
    """List the saved pages of a folder (and its change stamp) that may be read beside an article.

    Hidden files and symlinks leading outside the source folder are left out, as read_all leaves
    them out: a page found this way must never pull text from elsewhere into the book.
    """
    try:
        stamp = folder.stat().st_mtime_ns
        names = []
        for name in sorted(os.listdir(folder)):
            path = folder / name
            if name.startswith(".") or not name.lower().endswith(SUFFIXES):
                continue
            if path.is_symlink() and not path.resolve().is_relative_to(resolved_root(root)):
                continue
            names.append(name)
    except OSError:
        return None
    return tuple(names), stamp


_HOSTILE = (
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
    "template", "svg", "math", "canvas", "video", "audio", "source", "track", "form", "input",
    "button", "select", "textarea", "link", "meta", "base", "param", "keygen",
)  # fmt: skip
# Empty elements the parser may wrongly let swallow the text after them (<embed> does): unwrap, keep that text.
_VOID = frozenset(("embed", "param", "source", "track", "input", "link", "meta", "base", "keygen"))
_BLOCK = frozenset((
    "p", "div", "li", "ul", "ol", "dl", "dd", "dt", "td", "th", "tr", "table", "tbody", "thead", "tfoot",
    "caption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article", "header",
    "footer", "center", "figure", "figcaption", "founder-content",
))  # fmt: skip
_BOLD = frozenset(("strong", "b", "h1", "h2", "h3", "h4", "h5", "h6"))
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_GB = {"gb2312", "gbk", "gb18030", "cp936", "euc_cn", "hz"}
# Western one-byte charsets decode any bytes: on a Chinese paper's page such a declaration is a template's lie.
_WESTERN = {"ascii", "iso8859-1", "cp1252", "iso8859-15"}
_ALIASES = {"x-gbk": "gbk", "gb_2312-80": "gb2312", "x-euc-cn": "gb2312"}  # Names browsers know, Python does not.
_META_CHARSET_RE = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)
_XML_DECL_RE = re.compile(r"^\ufeff?\s*<\?xml[^>]*\?>")
_HTML_START_RE = re.compile(r"<html[\s>]", re.I)
_DOCUMENT_END_RE = re.compile(r"</(?:html|body)\s*>", re.I)
_SCRIPT_URL_RE = re.compile(r"^(?:javascript|vbscript|data|livescript):", re.I)
_INVISIBLE_RE = re.compile(r"[\x00-\x20\x7f]+")
_SPACES_RE = re.compile(r"[ \t\r\n\f\v\xa0]+")
_HTML_RE = re.compile(r"<(?:!doctype\s+html|html|head|body|div|p|meta|title|table|font)\b", re.I)

# Paper names: 湖北日报, 科技日报, 人民日报海外版; not the site's own words (数字报, 电子版).
_PAPER_RE = re.compile(r"^[\u4e00-\u9fff]{1,12}(?:报|报海外版|电讯)$")  # 新华每日电讯 is a paper too.
_DAILY_RE = re.compile(r"(?:(?:日|晚|早|时|商|周|导|快|都市|青年|法治|经济|科技|农民|工人)报(?:海外版)?|每日电讯)$")
_SITE_SUFFIX_RE = re.compile(r"(?:多媒体)?(?:数字报刊?(?:平台)?|电子报|电子版|数字版|手机版|网络版)$")
_NOT_PAPER = {"数字报", "电子报", "手机报", "画报"}
_COPYRIGHT_RE = re.compile(
    r"(?:Copyright|版权所有)\s*(?:©|\(c\)|&copy;)?\s*(?:\d{4}(?:\s*-\s*\d{4})?\s*)?([\u4e00-\u9fff]{2,12}报)"
    r"|([\u4e00-\u9fff]{2,12}报)社?\s*版权所有",
    re.I,
)
_DATE_RE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


@dataclass(frozen=True, slots=True)
class Line:
    """A line of text as the page shows it."""

    text: str
    origin: Origin
    bold: bool = False  # All of it is <strong>, <b> or <hN>: the page marks it as a heading.


@dataclass(frozen=True, slots=True)
class Picture:
    """An <img> where the page places it."""

    src: str
    origin: Origin


Item = Line | Picture


def looks_like_html(head: str) -> bool:
    return _HTML_RE.search(head) is not None


def load_page(path: Path, display: str) -> tuple[HtmlElement, tuple[Notice, ...]]:
    """Read, decode and parse a saved page, with everything that is not text already removed."""
    return parse_bytes(read_bytes(path, display), display)


def parse_bytes(data: bytes, display: str) -> tuple[HtmlElement, tuple[Notice, ...]]:
    """Decode and parse a page's bytes (a saved file's or a response's) as load_page does."""
    text, notices = _decode(data, display)
    if len(_HTML_START_RE.findall(text)) > 1:  # Pages saved into one file: libxml2 stops at the first </html>.
        text = _DOCUMENT_END_RE.sub("", text)
    text, flattened = flatten_nesting(text)
    if flattened:
        message = f"elements nested deeper than {MAX_DEPTH} levels: {flattened} tag(s) below that removed, text kept"
        notices = (*notices, Notice(Origin(display), message))
    try:
        doc = lxml.html.document_fromstring(_XML_DECL_RE.sub("", text, count=1), parser=_parser())
    except (etree.ParserError, ValueError) as exc:
        raise InputError(display, f"not an HTML page: {exc}") from None
    drop_hostile(doc)
    return doc, notices


@lru_cache(maxsize=1)
def _parser() -> lxml.html.HTMLParser:
    # huge_tree: without it libxml2 silently drops a text node over 10 MB (and all that follows it).
    return lxml.html.HTMLParser(huge_tree=True)


MAX_DEPTH = 200  # libxml2 drops everything below 256 levels (2048 with huge_tree), text after it too.
# A tag, or the start of a comment; `[^<>]` so that a `<` never scans past the next one (linear time).
_TAG_RE = re.compile(r"<!--|<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
_RAW_TEXT = frozenset(("script", "style", "textarea", "title", "xmp"))  # Their content holds no tags.
_RAW_END = {name: re.compile(f"</{name}", re.I) for name in _RAW_TEXT}
_VOID_TAGS = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "keygen", "basefont", "frame", "isindex",
))  # fmt: skip
_DOCUMENT_TAGS = frozenset(("html", "head", "body"))  # One each, whatever the page repeats (pages saved as one).
_SELF_CLOSING = frozenset(("p", "li", "dt", "dd", "tr", "td", "th", "option"))  # A second one closes the first.


def flatten_nesting(text: str) -> tuple[str, int]:
    """Remove the tags of elements nested deeper than MAX_DEPTH, keeping their text; return (text, tags removed).

    libxml2 stops building the tree at a fixed depth and silently loses the rest of the page; a
    page nested that deep is built to break parsers, so its deep tags go (a block one becomes a
    <br>, so its lines stay lines) and nothing of its text does. Pages within the limit are
    returned as they are.
    """
    stack: list[tuple[str, bool]] = []
    open_count: dict[str, int] = {}
    removed: list[tuple[int, int, str]] = []
    position = 0
    while (match := _TAG_RE.search(text, position)) is not None:
        position = match.end()
        if match.group(0) == "<!--":  # Skip the comment whole; an unclosed one runs to the end.
            end = text.find("-->", position)
            if end < 0:
                break
            position = end + 3
            continue
        name = match.group(2).lower()
        if name in _VOID_TAGS or name in _DOCUMENT_TAGS or match.group(3):
            continue
        if match.group(1):  # A closing tag: pop to its opening tag, if it is open at all.
            if not open_count.get(name):
                continue
            while stack:
                top, kept = stack.pop()
                open_count[top] -= 1
                if top == name:
                    if not kept:
                        removed.append((match.start(), match.end(), name))
                    break
            continue
        if name in _RAW_TEXT:  # No nesting inside: jump to its end tag (an unclosed one runs to the end).
            closing = _RAW_END[name].search(text, position)
            if closing is None:
                break
            position = closing.start()
            continue
        if name in _SELF_CLOSING and stack and stack[-1][0] == name:
            stack.pop()
            open_count[name] -= 1
        kept = len(stack) < MAX_DEPTH
        if not kept:
            removed.append((match.start(), match.end(), name))
        stack.append((name, kept))
        open_count[name] = open_count.get(name, 0) + 1
    if not removed:
        return text, 0
    pieces: list[str] = []
    last = 0
    for start, end, name in removed:
        pieces.append(text[last:start])
        pieces.append("<br>" if name in _BLOCK else "")
        last = end
    pieces.append(text[last:])
    return "".join(pieces), len(removed)


def _decode(data: bytes, display: str) -> tuple[str, tuple[Notice, ...]]:
    """Decode as the page's <meta charset> says; a byte-order mark or bad bytes fall back to sniffing."""
    match = _META_CHARSET_RE.search(data[:4096])
    if match is None or data.startswith(_BOMS):
        return decode(data, display), ()
    declared = match.group(1).decode("ascii", "replace").lower()
    try:
        info = codecs.lookup(_ALIASES.get(declared, declared))
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):  # hex, rot13 … are no charsets.
        return decode(data, display), (Notice(Origin(display), f"unknown charset {declared!r}; decoded by content"),)
    codec = info.name
    # The HTML standard reads a page that declares UTF-16/32 in a <meta> as UTF-8 (a BOM would say otherwise).
    if codec == "utf-8" or codec in _WESTERN or codec.startswith(("utf-16", "utf-32")):
        return decode(data, display), ()
    try:
        text = data.decode("gb18030" if codec in _GB else codec)  # GB18030 reads GB2312 and GBK pages alike.
    except (UnicodeDecodeError, LookupError):
        notice = Notice(Origin(display), f"page says charset {declared} but its bytes are not; decoded by content")
        return decode(data, display), (notice,)
    return decode(text.encode("utf-8"), display), ()  # Same checks (empty, binary) as every other source.


def drop_hostile(doc: HtmlElement) -> None:
    """Remove active and embedded content, script links and event handlers, in place."""
    for element in list(doc.iter(*_HOSTILE)):
        if element.tag in _VOID and (len(element) or element.text):  # libxml2 may nest text in HTML5 voids.
            element.drop_tag()  # Keeps that text; linear in the siblings, so only where needed.
        else:
            element.drop_tree()
    for link in list(doc.iter("a", "area")):
        if _SCRIPT_URL_RE.match(_INVISIBLE_RE.sub("", link.get("href") or "")):
            link.drop_tag()  # The link goes, its words stay: they are the article's text.
    for element in doc.iter(etree.Element):
        for name in [a for a in element.attrib if a.lower().startswith("on")]:
            del element.attrib[name]


def by_id(doc: HtmlElement, name: str) -> HtmlElement | None:
    found = doc.xpath("descendant-or-self::*[@id=$name]", name=name)  # Within `doc`: it may be one block.
    return found[0] if found else None


def by_class(scope: HtmlElement, name: str) -> list[HtmlElement]:
    return list(scope.xpath(".//*[contains(concat(' ', normalize-space(@class), ' '), $c)]", c=f" {name} "))


def walk(element: HtmlElement, display: str, skip: frozenset[HtmlElement] = frozenset()) -> list[Item]:
    """Return the lines and pictures of an element in reading order (<br> and blocks end a line)."""
    return _Walker(display, skip).run(element)


def walk_all(elements: list[HtmlElement], display: str) -> list[Item]:
    return [item for element in elements for item in walk(element, display)]


def one_line(element: HtmlElement | None, display: str = "") -> str | None:
    """Return an element's text as one line (a title printed on two lines gets a space)."""
    if element is None:
        return None
    text = " ".join(i.text for i in walk(element, display) if isinstance(i, Line))
    return text or None


def squeeze(text: str) -> str:
    """Collapse HTML white space to single spaces and trim the line as every source is trimmed."""
    return clean_line(_SPACES_RE.sub(" ", text))


class _Walker:
    def __init__(self, display: str, skip: frozenset[HtmlElement]) -> None:
        self.display = display
        self.skip = skip
        self.items: list[Item] = []
        self.parts: list[tuple[str, bool]] = []
        self.line: int | None = None

    def run(self, element: HtmlElement) -> list[Item]:
        self._element(element, False)
        self._flush()
        return self.items

    def _element(self, element: HtmlElement, bold: bool) -> None:
        tag = element.tag if isinstance(element.tag, str) else None
        if tag is None or element in self.skip:  # Comments and processing instructions carry no text.
            return
        if tag == "br":
            self._flush()
            return
        if tag == "img":
            self._flush()
            src = (element.get("src") or "").strip()
            if src:
                self.items.append(Picture(src, Origin(self.display, element.sourceline)))
            return
        block = tag in _BLOCK
        if block:
            self._flush()
        inner = bold or tag in _BOLD
        self._text(element.text, inner, element.sourceline)
        for child in element:
            self._element(child, inner)
            self._text(child.tail, inner, child.sourceline)
        if block:
            self._flush()

    def _text(self, text: str | None, bold: bool, line: int | None) -> None:
        if not text:
            return
        self.parts.append((text, bold))
        if self.line is None and text.strip():
            self.line = line

    def _flush(self) -> None:
        text = squeeze("".join(t for t, _ in self.parts))
        if text:
            bold = all(b for t, b in self.parts if t.strip())
            self.items.append(Line(text, Origin(self.display, self.line), bold))
        self.parts = []
        self.line = None


# --- paper, date and page label -----------------------------------------------------


def paper_on_page(doc: HtmlElement) -> str | None:
    """Return the paper name the page states in its <title> or copyright line."""
    title = doc.find(".//title")
    if title is not None:
        tokens = [t for t in re.split(r"[-_|—–·:：\s]+", title.text_content()) if t]
        names = [_SITE_SUFFIX_RE.sub("", t) for t in tokens]
        names = [n for n in names if _PAPER_RE.match(n) and n not in _NOT_PAPER]
        names.sort(key=lambda n: _DAILY_RE.search(n) is None)  # 湖北日报 before an article's 工作汇报.
        if names:
            return names[0]
    body = doc.find("body")
    text = (body if body is not None else doc).text_content()
    for match in _COPYRIGHT_RE.finditer(text):
        name = match.group(1) or match.group(2)
        if name not in _NOT_PAPER:
            return str(name)
    return None


def paper_for(
    doc: HtmlElement, path: Path, display: str, options: ReadOptions, root: Path, hint: str | None = None
) -> str:
    """Return the paper name: from the page, --paper or paper.toml; refuse the page otherwise."""
    name = paper_on_page(doc) or hint or options.paper or toml_paper(path.parent, root)
    if not name:
        raise InputError(
            display,
            "the page does not name its paper: pass --paper NAME, or put a paper.toml "
            '(name = "…") in the source folder',
        )
    return name


def toml_paper(folder: Path, root: Path) -> str | None:
    """Return the name in the nearest paper.toml from the page's folder up to the source root."""
    try:
        here, top = folder.resolve(), root.resolve()
    except OSError:
        return None
    while here.is_relative_to(top):
        candidate = here / "paper.toml"
        try:
            return _toml_name(candidate, candidate.stat().st_mtime_ns)
        except OSError:
            pass
        if here == top or here.parent == here:
            break
        here = here.parent
    return None


@lru_cache(maxsize=16)
def _toml_name(path: Path, stamp: int) -> str | None:
    try:
        return read_paper_toml(path, str(path)).name
    except InputError:
        return None  # read_all reports a broken paper.toml itself.


def date_in_text(text: str | None) -> dt.date | None:
    """Return the first 2023年02月11日 or 2023-02-11 date in a text."""
    if not text:
        return None
    for pattern in (_DATE_RE, _ISO_DATE_RE):
        if match := pattern.search(text.strip()):
            day = _date(match)
            if day:
                return day
    return None


def _date(match: re.Match[str]) -> dt.date | None:
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
