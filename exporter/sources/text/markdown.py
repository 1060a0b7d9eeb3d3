"""Reader for structured articles: Markdown with YAML front matter.

---
paper: 青川晚报
date: 2026-03-02
page: "03"
page_name: 经济
order: 1
kicker: …   title: …   subtitle: …   byline: …   source: …
---
![caption](images/a.jpg "credit")     a figure (path relative to this file, inside the sources)
## kicker line                         a heading; a ### right under a ## is the heading itself,
### heading                             the ## line its kicker
- item；                               highlights
……                                    a separator
Anything else is a paragraph.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.errors import InputError
from exporter.model import Article, Block, Figure, Heading, Highlights, Notice, Origin, Paragraph, Separator
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.body import is_separator, split_credit
from exporter.sources.decoding import read_text
from exporter.sources.images import resolve_image
from exporter.sources.text.plainmd import body_tokens, front_matter
from exporter.text import join_lines

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token as FullToken

    from exporter.sources.text.plainmd import Token as PlainToken

    Token = FullToken | PlainToken

NAME = "structured Markdown"

FIELDS = ("paper", "date", "page", "page_name", "order", "kicker", "title", "subtitle", "byline", "source")
_PAGE_RE = re.compile(r"^(?:第\s*)?([A-Za-z]?\d+[A-Za-z]?)(?:\s*版)?$")


@cache
def markdown_parser() -> MarkdownIt:
    """CommonMark where raw HTML and entities stay literal text: `<script>` and `&amp;` print as typed."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).disable("entity")


def sniff(head: str) -> bool:
    return head.lstrip("\ufeff").startswith("---")


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    text = read_text(path, display).lstrip("\ufeff")
    front, body, body_line = _front_matter(text, display)
    notices: list[Notice] = []
    for key in front.meta:
        if key not in FIELDS:
            notices.append(Notice(Origin(display, front.line(key)), f"unknown front-matter field {key!r} ignored"))

    walker = BodyWalker(display, path.parent, root, body_line, notices)
    blocks, h1 = walker.walk(body)
    title = front.text("title") or (h1.text if h1 else None)
    if h1 and h1.text and h1.text != title:  # A # line other than the title is content: keep it.
        blocks.insert(0, h1)
    if not title:
        raise InputError(display, "front matter has no title (and the body no # heading)", line=1)
    paper = front.text("paper") or options.paper
    if not paper:
        raise InputError(display, "front matter has no paper", line=1)
    if not blocks:
        notices.append(Notice(Origin(display, body_line), "article has a title but no body"))

    article = Article(
        paper=paper,
        date=front.date(),
        page=front.page(),
        page_name=front.text("page_name"),
        order=front.order(),
        kicker=front.text("kicker"),
        title=title,
        subtitle=front.text("subtitle"),
        byline=front.text("byline"),
        source=_strip_parens(front.text("source")),
        blocks=tuple(blocks),
        origin=Origin(display, 1),
    )
    return ReadResult((article,), tuple(notices))


class _FrontMatter:
    """The front-matter fields, each checked, with the line it is on for messages."""

    def __init__(self, meta: dict[str, Any], lines: list[str], display: str) -> None:
        self.meta = meta
        self.display = display
        self.lines: dict[str, int] = {}
        for n, line in enumerate(lines, start=2):  # Line 1 is the opening ---.
            if m := re.match(r"^([A-Za-z_][\w-]*)\s*:", line):
                self.lines.setdefault(m.group(1), n)

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def fail(self, key: str, message: str) -> InputError:
        return InputError(self.display, message, line=self.line(key))

    def text(self, key: str) -> str | None:
        value = self.meta.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(key, f"bad front matter: {key} must be text, not a list or mapping")
        return " ".join(value.split()) or None

    def date(self) -> dt.date:
        value = self.text("date")
        if not value:
            raise InputError(self.display, "front matter has no date (YYYY-MM-DD)", line=1)
        m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if not m:
            raise self.fail("date", f"bad date {value!r} in front matter (expected YYYY-MM-DD)")
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise self.fail("date", f"impossible date {value} in front matter") from None

    def page(self) -> str:
        value = self.text("page")
        if not value:
            raise InputError(self.display, "front matter has no page (the 版面 label, e.g. 02 or A01)", line=1)
        m = _PAGE_RE.match(value)
        if not m:
            raise self.fail("page", f"bad page {value!r} in front matter (expected a label like 02 or A01)")
        return m.group(1).upper()

    def order(self) -> int | None:
        value = self.text("order")
        if value is None:
            return None
        if not value.isdigit():
            raise self.fail("order", f"bad order {value!r} in front matter (expected a whole number)")
        return int(value)


def _load_yaml(text: str) -> Any:
    """Parse with libyaml; on any complaint re-parse in pure Python, whose rules and messages are the reference."""
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CBaseLoader", yaml.BaseLoader))  # libyaml: 10x faster.
    except yaml.YAMLError:
        return yaml.load(text, Loader=yaml.BaseLoader)


def _front_matter(text: str, display: str) -> tuple[_FrontMatter, str, int]:
    """Split `---` front matter from the body; return (fields, body, first body line)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise InputError(display, "bad front matter: the file must start with a --- line", line=1)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        raise InputError(display, "bad front matter: no closing --- line", line=1)
    meta = front_matter(lines[1:end])
    if meta is None:
        meta = _parse_yaml(lines[1:end], display)
    return _FrontMatter(meta, lines[1:end], display), "\n".join(lines[end + 1 :]), end + 2


MAX_YAML_DEPTH = 64  # Front matter holds a few fields; PyYAML recurses once per level (RecursionError at ~1000).


def _too_deep(lines: list[str]) -> int | None:
    """Return the index of the first line nested deeper than MAX_YAML_DEPTH (indents, `- ` and brackets)."""
    indents: list[int] = []
    flow = 0
    for n, line in enumerate(lines):
        content = line.lstrip(" ")
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(content)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        dashes = len(content) - len(content.lstrip("- ")) if content.startswith("- ") else 0
        quote = ""
        for c in content:  # Brackets inside quoted text do not nest.
            if quote:
                quote = "" if c == quote else quote
            elif c in "\"'":
                quote = c
            elif c in "[{":
                flow += 1
                if len(indents) + dashes + flow > MAX_YAML_DEPTH:
                    return n
            elif c in "]}":
                flow = max(0, flow - 1)
        if len(indents) + dashes + flow > MAX_YAML_DEPTH:
            return n
    return None


def _parse_yaml(lines: list[str], display: str) -> dict[str, Any]:
    """Parse front matter with PyYAML (what the plain reader declines)."""
    import yaml

    if (deep := _too_deep(lines)) is not None:
        raise InputError(display, f"bad front matter: nested more than {MAX_YAML_DEPTH} levels deep", line=deep + 2)
    try:
        # BaseLoader keeps every value a string: page 02 stays "02", never the number 2.
        meta = _load_yaml("\n".join(lines))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(display, f"bad front matter: {problem}", line=line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise InputError(display, "bad front matter: expected `field: value` lines", line=2)
    return meta


def _strip_parens(value: str | None) -> str | None:
    if value and value[0] in "（(" and value[-1] in "）)":
        return value[1:-1].strip() or None
    return value


class BodyWalker:
    """Turn block tokens (markdown-it's or the plain reader's) into model blocks, keeping source line numbers."""

    def __init__(self, display: str, folder: Path, root: Path, first_line: int, notices: list[Notice]) -> None:
        self.display = display
        self.folder = folder  # Image paths are relative to the Markdown file.
        self.root = root  # … and must stay inside the source folder.
        self.first_line = first_line
        self.notices = notices

    def origin(self, token: Token) -> Origin:
        line = token.map[0] + self.first_line if token.map else self.first_line
        return Origin(self.display, line)

    def walk(self, body: str) -> tuple[list[Block], Heading | None]:
        plain = body_tokens(body)
        return self.walk_tokens(markdown_parser().parse(body) if plain is None else plain)

    def walk_tokens(self, tokens: Sequence[Token]) -> tuple[list[Block], Heading | None]:
        blocks: list[Block] = []
        h1: Heading | None = None
        pending_kicker: tuple[str, Origin, int] | None = None  # A ## waiting to see if a ### follows.
        i = 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type == "heading_open":
                text = _inline_text(tokens[i + 1])
                origin = self.origin(tok)
                end_line = tok.map[1] if tok.map else 0
                if pending_kicker and tok.tag == "h3" and tok.map and tok.map[0] == pending_kicker[2]:
                    blocks.append(Heading(text, pending_kicker[1], kicker=pending_kicker[0]))
                    pending_kicker = None
                else:
                    self._flush(blocks, pending_kicker)
                    pending_kicker = None
                    if tok.tag == "h1" and h1 is None and not blocks:
                        h1 = Heading(text, origin)
                    elif tok.tag == "h2":
                        pending_kicker = (text, origin, end_line)
                    elif text:
                        blocks.append(Heading(text, origin))
                i += 3
                continue
            self._flush(blocks, pending_kicker)
            pending_kicker = None
            if tok.type == "paragraph_open":
                self._paragraph(tokens[i + 1], self.origin(tok), blocks)
                i += 3
                continue
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                i = self._list(tokens, i, blocks)
                continue
            if tok.type in ("fence", "code_block"):
                for offset, line in enumerate(tok.content.rstrip("\n").split("\n")):
                    if line.strip():
                        origin = self.origin(tok)
                        blocks.append(Paragraph(line.strip(), Origin(self.display, (origin.line or 0) + offset)))
            elif tok.type == "hr":
                blocks.append(Separator("* * *", self.origin(tok)))
            i += 1
        self._flush(blocks, pending_kicker)
        return blocks, h1

    @staticmethod
    def _flush(blocks: list[Block], pending: tuple[str, Origin, int] | None) -> None:
        if pending and pending[0]:
            blocks.append(Heading(pending[0], pending[1]))

    def _list(self, tokens: Sequence[Token], i: int, blocks: list[Block]) -> int:
        """Read a list (nested items flattened) as one Highlights block."""
        origin = self.origin(tokens[i])
        ordered = tokens[i].type == "ordered_list_open"
        depth = 0
        items: list[str] = []
        number = int(tokens[i].attrGet("start") or 1) if ordered else 0
        while i < len(tokens):
            tok = tokens[i]
            if tok.type.endswith("_list_open"):
                depth += 1
            elif tok.type.endswith("_list_close"):
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            elif tok.type == "inline":
                text = _inline_text(tok)
                if text:
                    if ordered and depth == 1:
                        text = f"{number}. {text}"
                        number += 1
                    items.append(text)
            elif tok.type in ("fence", "code_block"):  # Code inside an item is text too: never drop it.
                items.extend(line.strip() for line in tok.content.split("\n") if line.strip())
            i += 1
        if items:
            blocks.append(Highlights(tuple(items), origin))
        return i

    def _paragraph(self, inline: Token, origin: Origin, blocks: list[Block]) -> None:
        """A paragraph is text, figures, or both; images become figures in place."""
        text_parts: list[str] = []
        for child in inline.children or []:
            if child.type == "image":
                self._flush_text(text_parts, origin, blocks)
                blocks.append(self._figure(child, origin))
            elif child.type in ("softbreak", "hardbreak"):
                text_parts.append("\n")
            elif child.type in ("text", "code_inline"):
                text_parts.append(child.content)
        self._flush_text(text_parts, origin, blocks)

    @staticmethod
    def _flush_text(parts: list[str], origin: Origin, blocks: list[Block]) -> None:
        text = _join("".join(parts))
        parts.clear()
        if not text:
            return
        blocks.append(Separator(text, origin) if is_separator(text) else Paragraph(text, origin))

    def _figure(self, token: Token, origin: Origin) -> Figure:
        caption = _join("".join(c.content for c in token.children or []))
        credit = str(token.attrGet("title") or "").strip() or None
        if credit is None:
            caption, credit = split_credit(caption)
        src = str(token.attrGet("src") or "").strip()
        image = None
        if src:
            image, problem = resolve_image(src, self.folder, self.root)
            if problem:
                self.notices.append(Notice(origin, f"{problem}; caption kept without the photo"))
        return Figure(caption, origin, credit=credit, image=image)


def _inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append("".join(c.content for c in child.children or []))
        else:
            parts.append(child.content)
    return _join("".join(parts))


def _join(text: str) -> str:
    """Join a paragraph's source lines (markdown-it keeps them apart with newlines)."""
    return join_lines(text.split("\n"))
