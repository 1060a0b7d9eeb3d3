"""Text helpers shared by readers and writers: punctuation, XML safety, natural order."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache

# Han ideographs (BMP and the common extension planes) and CJK punctuation/full-width forms.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_CJK_PUNCT = r"\u3000-\u303f\u2018-\u201f\u2026\u2014\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
_CJK = f"[{_HAN}{_CJK_PUNCT}]"

_HAN_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))  # The same, as numbers.
# An e-mail address is tried only where a word starts: `\S+@` tried everywhere is quadratic on Chinese lines.
_URL_RE = re.compile(r"(?:https?|ftp)://\S+|www\.\S+|(?<!\S)\S[^\s@]*@\S+\.\w+", re.IGNORECASE)
_SENTENCE = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}
_PARENS_RE = re.compile(r"\(([^()\n]*)\)")


def has_han(text: str) -> bool:
    # Compared as numbers: a regex of these ranges takes milliseconds to compile at every start.
    return any(low <= ord(c) <= high for c in text for low, high in _HAN_RANGES)


@cache
def _sentence_re() -> re.Pattern[str]:
    """ASCII sentence punctuation touching CJK text (compiled when first needed: it takes 2 ms)."""
    return re.compile(rf"(?<={_CJK})[,;:?!]|[,;:?!](?={_CJK})")


def restore_punctuation(text: str) -> str:
    """Turn the ASCII punctuation reader apps write back into full-width where it touches Chinese.

    `,;:?!` become full-width when a neighbour is a CJK character; `( )` when they enclose Chinese.
    Numbers (1,000  1.5  10:30), Latin words and URLs are left alone.
    """
    pieces: list[str] = []
    last = 0
    for match in _URL_RE.finditer(text):
        pieces.append(_restore_plain(text[last : match.start()]))
        pieces.append(match.group())
        last = match.end()
    pieces.append(_restore_plain(text[last:]))
    return "".join(pieces)


def _restore_plain(text: str) -> str:
    text = _PARENS_RE.sub(lambda m: f"（{m.group(1)}）" if has_han(m.group(1)) else m.group(), text)
    return _sentence_re().sub(lambda m: _SENTENCE[m.group()], text)


# XML 1.0 allows #x9 #xA #xD, #x20-#xD7FF, #xE000-#xFFFD, #x10000-#x10FFFF.
_XML_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_forbidden(text: str) -> list[str]:
    """Return the characters of `text` that XML 1.0 forbids."""
    return _XML_FORBIDDEN_RE.findall(text)


def xml_clean(text: str) -> str:
    """Remove characters that XML 1.0 forbids."""
    return _XML_FORBIDDEN_RE.sub("", text)


def clean_line(text: str) -> str:
    """Normalize one line of source text: NFC, no stray spaces at either end (U+3000 included)."""
    text = unicodedata.normalize("NFC", text)
    return text.strip(" \t\r\n\u3000\u00a0\ufeff")


def join_lines(lines: list[str]) -> str:
    """Join the lines of one text: no space between Chinese lines, one between Latin words."""
    out = ""
    for line in (line.strip() for line in lines):
        if not line:
            continue
        joiner = "" if not out or has_han(out[-1]) or has_han(line[0]) else " "
        out += joiner + line
    return out


_NATURAL_RE = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders digits numerically: p2 < p10, A01 < A02 < B01."""
    parts = _NATURAL_RE.split(text)
    # isdecimal, not isdigit: ① and ² are digits that int() refuses.
    return tuple((1, int(p)) if p.isdecimal() else (0, p.lower()) for p in parts if p != "")


def page_key(label: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key for page labels: 2 < 10, A01 < A02 < B01, 02 == 2 in order."""
    return natural_key(label)


def safe_filename(name: str) -> str:
    """Make a paper name usable as one path component: no separators, dots-only or control chars.

    A name that had to change gets a hash of the original, so two papers never share a folder.
    """
    cleaned = "".join("_" if (c in '/\\:*?"<>|' or unicodedata.category(c)[0] == "C") else c for c in name)
    cleaned = cleaned.strip().strip(".")
    # File systems limit a name to 255 bytes, not characters: 120 Chinese characters are 360.
    short = cleaned.encode("utf-8")[:180].decode("utf-8", "ignore")
    if short and short == name:
        return name
    digest = hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{short or '_'}-{digest}"


# --- long runs of text in the PDF's HTML ---------------------------------------------------------------

RUN_CHUNK = 1000  # Characters per text box: WeasyPrint re-encodes a box's whole remaining text for each line.
_WORD_MAX = 40  # A run without a break opportunity gets one every this many characters.
_LONG_TEXT_RE = re.compile(rf"<(style|script|title)\b[^>]*>.*?</\1\s*>|(?<=>)([^<]{{{RUN_CHUNK},}})(?=<)", re.S | re.I)
# Runs with no space, ideograph or CJK punctuation: nowhere a line may break.
_UNBROKEN_RE = re.compile(
    rf"[^\s\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]{{{2 * _WORD_MAX},}}"
)


def breakable_runs(html: str) -> str:
    """Cut text nodes of the PDF's HTML into boxes of about RUN_CHUNK characters, breakable where cut.

    WeasyPrint lays out a line by encoding the rest of its text box to UTF-8, so one paragraph of n
    characters costs O(n²): 160,000 characters without punctuation took 55 s instead of 7. Spans
    bound each box; a <wbr> where they meet keeps a line break possible there (WeasyPrint drops text
    at a box boundary that cannot break). A run without any break opportunity (a 5 MB "word")
    gets a <wbr> every 40 characters, so it wraps instead of running off the page. Only text nodes
    longer than RUN_CHUNK are touched: every ordinary page is laid out as before.
    """
    return _LONG_TEXT_RE.sub(lambda m: m.group(0) if m.group(1) else _chunked(m.group(2)), html)


def _chunked(text: str) -> str:
    text = _UNBROKEN_RE.sub(lambda m: "<wbr>".join(_cut(m.group(0), _WORD_MAX)), text)
    return "".join(f"<span>{piece}</span><wbr>" for piece in _cut(text, RUN_CHUNK, "<wbr>"))


def _cut(text: str, size: int, prefer: str = "") -> list[str]:
    """Cut `text` into pieces of about `size` characters, never inside an entity or a tag (or
    combining sequence); at `prefer` (an existing <wbr>), a space or between two ideographs when one is near."""
    pieces = []
    start = 0
    while len(text) - start > size:
        end = start + size
        window = text[end : end + size // 4]
        near = [i for i in (window.find(prefer) if prefer else -1, window.find(" "), _between_han(window)) if i >= 0]
        if near:
            end += min(near)
        else:
            end = _safe_cut(text, end)
        if end <= start:
            end = start + size
        pieces.append(text[start:end])
        start = end
    pieces.append(text[start:])
    return [p for p in pieces if p]


def _between_han(window: str) -> int:
    """Return the first place in `window` between two ideographs (a line may always break there), or -1."""
    return next((i for i in range(1, len(window)) if has_han(window[i - 1]) and has_han(window[i])), -1)


def _safe_cut(text: str, end: int) -> int:
    """Move a cut back out of an HTML entity or tag, and off a combining mark or joiner."""
    amp, semi = text.rfind("&", end - 12, end), text.rfind(";", end - 12, end)
    if amp > semi:
        end = amp
    lt, gt = text.rfind("<", end - 8, end), text.rfind(">", end - 8, end)
    if lt > gt:
        end = lt
    while end > 1 and (unicodedata.category(text[end]).startswith("M") or text[end] in "\u200d\ufe0f"):
        end -= 1
    return end
