"""Classify the plain lines of an article body into blocks.

Used by readers whose sources carry no markup for structure (reader dumps, saved HTML
bodies). Every line ends up in exactly one block or header field: what cannot be
classified is a paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from exporter.model import Block, Figure, Heading, Highlights, Origin, Paragraph, Separator

Line = tuple[int, str]  # (1-based line number, cleaned text)

_SENTENCE_END = tuple("。！？；…，、!?;,.．")
_CLOSERS = "”’」』》)）\"'"
_HIGHLIGHT_END = ("；", ";")
_ELLIPSIS_RE = re.compile(r"^[…\.。·]{2,}$")
_SOURCE_RE = re.compile(r"^[（(]([^（）()]{1,40})[)）]$")
_CREDIT_RE = re.compile(
    r"^(?:(?:本报|新华社|人民日报|特约|实习)?记者|通讯员|摄影|图片|制图|图|视觉中国|人民视觉)?.{0,24}摄$"
)
_CREDIT_LABEL_RE = re.compile(r"^(?:摄影|图片|制图|图片来源|供图)[:：]")
# Spaces are matched only from the start of a run, and never given back: a line of spaces stays linear.
_CAPTION_CREDIT_RE = re.compile(
    r"^(?P<caption>.+?)(?:(?<![\s　])[\s　]++[（(]?|[（(])(?P<credit>(?:本报|新华社|特约|实习)?(?:记者|通讯员)[^。；]{1,24}摄)[)）]?$"
)
_PHOTO_CAPTION_RE = re.compile(r"^(?:图为|上图|下图|左图|右图|图[一二三四五六1-6][：:])")
# A credit printed in parentheses after a caption: （湖北日报全媒记者 柯皓 摄） （新华社发）
_PAREN_CREDIT_RE = re.compile(
    r"^(?P<caption>.*?)(?<![\s　])[\s　]*+[（(](?P<credit>[^（）()]{2,40}?(?:摄|摄影|发|供图|制图|绘))[)）]$"
)
_BYLINE_SUFFIX_RE = re.compile(r"评论员$")
_WORD_RE = re.compile(r"[^\W_]")

CAPTION_MAX = 90  # Longer lines at the top of a dump are lead paragraphs, not captions.
KICKER_MAX = 12
HEADING_MAX = 30
HIGHLIGHT_MAX = 160


@dataclass(frozen=True, slots=True)
class Body:
    """What a body's lines turned into."""

    blocks: tuple[Block, ...]
    byline: str | None
    source: str | None


def is_terminal(text: str) -> bool:
    """Say whether a line ends like a sentence (so it is no heading or caption).

    A closing quote or bracket ends a sentence only after sentence punctuation: 。” yes, “金字招牌” no.
    """
    core = text.rstrip(_CLOSERS)
    if core != text:
        return core.endswith(_SENTENCE_END)
    return text.endswith(_SENTENCE_END)


def is_separator(text: str) -> bool:
    """Say whether a line only marks a cut: …… or ……。"""
    return _ELLIPSIS_RE.match(text) is not None


def is_credit(text: str) -> bool:
    """Say whether a line is only a photo credit (本报记者 贺勇摄), not a caption ending in one."""
    if len(text) > 30 or text.endswith("拍摄") or split_credit(text)[1]:
        return False
    return _CREDIT_RE.match(text) is not None or _CREDIT_LABEL_RE.match(text) is not None


def is_highlight(text: str) -> bool:
    return text.endswith(_HIGHLIGHT_END) and len(text) <= HIGHLIGHT_MAX


@cache
def _byline_re() -> re.Pattern[str]:
    """A byline's start (compiled when first needed: the ideograph ranges take 2 ms)."""
    return re.compile(
        r"^[□■◎○●]?\s*[\u4e00-\u9fff]{0,8}?(?:全媒体?|首席|特约|实习)?(?:记者|通讯员|评论员)(?:\s|$|[\u4e00-\u9fff])"
    )


def is_byline(text: str) -> bool:
    if len(text) > 40 or is_terminal(text) or text.endswith("摄"):
        return False
    return _byline_re().match(text) is not None or _BYLINE_SUFFIX_RE.search(text) is not None


def is_caption(text: str) -> bool:
    """Say whether a line reads as a photo caption or credit: 图为…, …（新华社发）, 本报记者 贺勇摄."""
    if _PHOTO_CAPTION_RE.match(text) or _PAREN_CREDIT_RE.match(text) or is_credit(text):
        return True
    head, _, tail = text.rpartition("。")  # …作业。新华社记者 张三摄: a caption with its credit after it.
    return bool(head) and is_credit(tail.strip())


def split_credit(text: str) -> tuple[str, str | None]:
    """Split a trailing photo credit off a caption: 工厂 本报记者 贺勇摄 → (工厂, 本报记者 贺勇摄)."""
    if paren := _PAREN_CREDIT_RE.match(text):
        return paren.group("caption"), paren.group("credit").strip()
    match = _CAPTION_CREDIT_RE.match(text)
    if not match or len(match.group("caption")) < 2:
        return text, None
    return match.group("caption").rstrip(" 　（("), match.group("credit")


def _wordy(text: str) -> bool:
    """Say whether a line has words at all: ◆◆◆ or ★★★ is an ornament, never a heading or caption."""
    return _WORD_RE.search(text) is not None


def _heading_like(text: str, limit: int = HEADING_MAX) -> bool:
    return 0 < len(text) <= limit and _wordy(text) and not is_terminal(text) and not text.endswith(("：", ":"))


def _kicker_like(text: str) -> bool:
    stripped = text.rstrip("：:")
    return 0 < len(stripped) <= KICKER_MAX and _wordy(stripped) and not is_terminal(stripped)


def _paragraph_like(text: str, than: str) -> bool:
    return is_terminal(text) or len(text) > max(len(than), HEADING_MAX)


def classify(lines: list[Line], file: str, *, captions_first: bool) -> Body:
    """Turn body lines into blocks, finding the byline, source line, captions and headings."""
    lines = [(n, t) for n, t in lines if t]
    source = None
    if lines and (m := _SOURCE_RE.match(lines[-1][1])):
        source = m.group(1).strip()
        lines = lines[:-1]

    blocks: list[Block] = []
    start = 0
    if captions_first:
        start = _leading_captions(lines, file, blocks)

    byline = None
    if start < len(lines) and is_byline(lines[start][1]):
        byline = lines[start][1]
        start += 1

    i = start
    while i < len(lines):
        n, text = lines[i]
        origin = Origin(file, n)
        nxt = lines[i + 1][1] if i + 1 < len(lines) else None
        after = lines[i + 2][1] if i + 2 < len(lines) else None
        if _ELLIPSIS_RE.match(text):
            blocks.append(Separator(text, origin))
        elif is_highlight(text) and nxt is not None and is_highlight(nxt):
            j = i
            while j < len(lines) and is_highlight(lines[j][1]):
                j += 1
            blocks.append(Highlights(tuple(t for _, t in lines[i:j]), origin))
            i = j
            continue
        elif is_credit(text):
            _attach_credit(blocks, text, origin)
        elif _PHOTO_CAPTION_RE.match(text):
            caption, credit = split_credit(text)
            blocks.append(Figure(caption, origin, credit=credit))
        elif (
            nxt is not None
            and _kicker_like(text)
            and _heading_like(nxt)
            and len(nxt) > len(text.rstrip("：:"))
            and (after is None or _paragraph_like(after, nxt))
        ):
            blocks.append(Heading(nxt, origin, kicker=text))
            i += 2
            continue
        elif (
            blocks
            and nxt is not None
            and _heading_like(text, 25)
            and _paragraph_like(nxt, text)
            and not isinstance(blocks[-1], Heading)
        ):
            blocks.append(Heading(text, origin))
        else:
            blocks.append(Paragraph(text, origin))
        i += 1
    return Body(tuple(blocks), byline, source)


def _leading_captions(lines: list[Line], file: str, blocks: list[Block]) -> int:
    """Take the photo captions a reader app prints before the lead; return where the lead starts."""
    end = 0
    while end < len(lines):
        text = lines[end][1]
        if is_credit(text):
            end += 1
            continue
        if len(text) > CAPTION_MAX or is_terminal(text) or is_highlight(text) or is_byline(text) or not _wordy(text):
            break
        if _ELLIPSIS_RE.match(text):
            break
        end += 1
    # A heading pair opening an article without photos looks like two captions; keep it a heading.
    if end >= 2 and end < len(lines):
        kicker, heading, following = lines[end - 2][1], lines[end - 1][1], lines[end][1]
        if len(kicker) <= 6 and len(heading) > len(kicker) and _paragraph_like(following, heading):
            end -= 2
    for n, text in lines[:end]:
        if is_credit(text):
            _attach_credit(blocks, text, Origin(file, n))
        else:
            caption, credit = split_credit(text)
            blocks.append(Figure(caption, Origin(file, n), credit=credit))
    return end


def _attach_credit(blocks: list[Block], credit: str, origin: Origin) -> None:
    """Give a credit line to the photo just before it, or make it a photo of its own."""
    last = blocks[-1] if blocks else None
    if isinstance(last, Figure) and last.credit is None:
        blocks[-1] = Figure(last.caption, last.origin, credit=credit, image=last.image)
    else:
        blocks.append(Figure("", origin, credit=credit))
