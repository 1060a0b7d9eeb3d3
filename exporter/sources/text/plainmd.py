"""The plain shape of structured Markdown, read without markdown-it or PyYAML.

Most article files are `key: value` front matter, paragraphs, photo lines and # headings. For one
issue, importing and running the full parsers costs more time than writing the EPUB, so these two
functions read that shape directly and return None for anything else (emphasis, links, lists,
quotes, code, escapes in YAML …), which then goes to the full parsers. For what they accept they
give exactly what the full parsers give; tests/test_plainmd.py checks that on random input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import quote

# Characters outside YAML's printable set (PyYAML refuses them), and tab, BOM and YAML's line
# breaks U+0085, U+2028 and U+2029.
_YAML_UNSAFE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_FIELD_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]{0,127}):(?: +(.*))?")  # YAML refuses keys over 1024 characters.
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")

# Inline syntax the plain path does not handle: code, emphasis, links/images, autolinks/HTML;
# tab and control characters (markdown-it expands and replaces those); U+0085, which str.strip()
# trims and CommonMark does not.
_INLINE_SYNTAX_RE = re.compile("[`*_\\[<\x00-\x09\x0b-\x1f\x85]")
# A line that may open a block other than a paragraph or an ATX heading: quote, list, rule,
# setext underline, fence, or indented code.
_OTHER_BLOCK_RE = re.compile(r" {0,3}(?:[>\-+=~]|\d{1,9}[.)])| {4}")
_ATX_RE = re.compile(r" {0,3}(#{1,6})(?= |$)(.*)")
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~\n])")  # CommonMark's escapable characters: ASCII punctuation.
# A line that is one photo, `![caption](path "credit")`, in the forms whose parse is plain: no
# escapes, entities, nested brackets or URL schemes (markdown-it refuses some schemes).
_PHOTO_RE = re.compile(
    r" {0,3}!\[([^\[\]\\`*_<>&!\x00-\x1f\x7f\x85]*)\]"
    r'\( *(?!<?//)(?:<([^<>\s\\&:%"\'()\x00-\x1f\x7f]*)>|([^<>\s\\&:%"\'()\x00-\x1f\x7f]+))'
    r'(?: +"([^"\\&\x00-\x1f\x7f\x85]*)")? *\) *'
)
_URL_SAFE = ";/?:@&=+$,-_.!~*'()#"  # What markdown-it (mdurl.encode) leaves unencoded, with letters and digits.


def front_matter(lines: list[str]) -> dict[str, str] | None:
    """Return the fields of front matter made only of `key: value` lines, as PyYAML's BaseLoader would."""
    meta: dict[str, str] = {}
    for line in lines:
        if not line.strip(" "):
            continue
        m = _FIELD_RE.fullmatch(line)
        if not m:
            return None
        value = _scalar((m.group(2) or "").rstrip(" "))
        if value is None:
            return None
        meta[m.group(1)] = value  # A repeated key: the last one wins, as in PyYAML.
    return meta


def _scalar(value: str) -> str | None:
    """Return a one-line YAML scalar's text: plain, or quoted without escapes; None for anything else."""
    if _YAML_UNSAFE_RE.search(value):
        return None
    if not value:
        return ""
    quote = value[0]
    if quote in "\"'":
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != quote or quote in inner or (quote == '"' and "\\" in inner):
            return None
        return inner
    if value[0] in _PLAIN_START or ": " in value or value.endswith(":") or " #" in value:
        return None
    return value


@dataclass(slots=True)
class Token:
    """The part of a markdown-it token the body walker reads."""

    type: str
    tag: str = ""
    map: list[int] | None = None
    content: str = ""
    children: list[Token] | None = None
    attrs: dict[str, str] = field(default_factory=dict)

    def attrGet(self, name: str) -> str | None:  # markdown-it's name.
        return self.attrs.get(name)


def body_tokens(body: str) -> list[Token] | None:
    """Return markdown-it's block tokens for a body of paragraphs, photo lines and ATX headings, else None."""
    tokens: list[Token] = []
    lines = body.split("\n")
    photos: dict[int, re.Match[str]] = {}  # Line number → a line that is one photo.
    start: int | None = None  # First line of the paragraph being read.
    for n, line in enumerate([*lines, ""]):
        blank = not line.strip(" ")
        photo = None if blank else _PHOTO_RE.fullmatch(line)
        if photo:
            photos[n] = photo
        elif not blank and _INLINE_SYNTAX_RE.search(line):
            return None
        heading = None if blank or photo else _ATX_RE.match(line)
        if start is not None and (blank or heading):
            _paragraph(tokens, lines, start, n, photos)
            start = None
        if blank:
            continue
        if heading:
            level = len(heading.group(1))
            tag = f"h{level}"
            tokens.append(Token("heading_open", tag, [n, n + 1]))
            tokens.append(Token("inline", children=[_text(_heading_text(heading.group(2)))]))
            tokens.append(Token("heading_close", tag))
        elif not photo and _OTHER_BLOCK_RE.match(line):
            return None
        elif start is None:
            start = n
    return tokens


def _paragraph(tokens: list[Token], lines: list[str], start: int, end: int, photos: dict[int, re.Match[str]]) -> None:
    """Add a paragraph: runs of text lines and photo lines, as markdown-it's inline children."""
    children: list[Token] = []
    run: list[str] = []
    for n in range(start, end):
        photo = photos.get(n)
        if photo is None:
            run.append(lines[n])
            continue
        if run:  # The line break before the photo ends the text (and may be a backslash hard break).
            children.append(_text("\n".join(run) + "\n"))
            run = []
        children.append(_photo(photo))
        if n + 1 < end:
            children.append(Token("softbreak"))
    if run:
        children.append(_text("\n".join(run).strip()))
    tokens.append(Token("paragraph_open", "p", [start, end]))
    tokens.append(Token("inline", children=children))
    tokens.append(Token("paragraph_close", "p"))


def _photo(line: re.Match[str]) -> Token:
    alt, bracketed, bare, title = line.groups()
    destination = bracketed if bracketed is not None else bare
    # markdown-it percent-encodes the destination (normalizeLink); the image resolver decodes it.
    attrs = {"src": quote(destination, safe=_URL_SAFE)}
    if title is not None:
        attrs["title"] = title
    return Token("image", children=[Token("text", content=alt)] if alt else [], attrs=attrs)


def _heading_text(rest: str) -> str:
    """Cut an ATX heading's closing #s, which count only after a space."""
    rest = rest.rstrip(" ")
    body = rest.rstrip("#")
    if len(body) < len(rest) and body.endswith(" "):
        rest = body
    return rest.strip()


def _text(text: str) -> Token:
    """Return a text token of text without inline syntax: backslash escapes only."""
    return Token("text", content=_unescape(text))


def _unescape(text: str) -> str:
    # A backslash before ASCII punctuation escapes it; before a line break it is a hard break (the break stays).
    return _ESCAPE_RE.sub(r"\1", text) if "\\" in text else text
