"""Reader for the text an e-paper reader app exports for one article (the seed format).

电子报阅读机                 app name (dropped)
2026-01-23                  date the article was read (gives the year)
星期五                       weekday of that date (dropped)
当前报纸名称:宜春日报          paper
<title>
日期:01-14                   article date, month-day only
字号:                        UI (dropped)
版面:第14版:  上一篇 下一篇    page label, optional page name; navigation UI (dropped)
<body>
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Article, Notice, Origin
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.body import Line, classify
from exporter.sources.decoding import read_text
from exporter.text import clean_line, restore_punctuation

NAME = "reader dump"

_COLON = r"\s*[:：]\s*"
_READ_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_PAPER_RE = re.compile(rf"^(?:当前)?报纸名称{_COLON}(.*)$")
_DATE_RE = re.compile(rf"^日期{_COLON}(.*)$")
_MONTH_DAY_RE = re.compile(r"^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?$")
_SIZE_RE = re.compile(rf"^字号{_COLON}?.*$")
_PAGE_RE = re.compile(rf"^版面{_COLON}第?\s*([A-Za-z]?\d+[A-Za-z]?)\s*版(?:{_COLON}(.*))?$")
_NAV_WORDS = ("上一篇", "下一篇", "返回目录")
_WEEKDAY_RE = re.compile(r"^(?:星期|周)[一二三四五六日天]$")
HEADER_SCAN = 40  # The header fits in the first lines; a file without it there is no dump.


def sniff(head: str) -> bool:
    """Say whether text looks like a reader dump, whole or with a broken header."""
    return bool(re.search(r"报纸名称\s*[:：]|电子报|^日期\s*[:：]|^版面\s*[:：]", head, re.MULTILINE))


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    text = read_text(path, display)
    return parse(text, display, options)


def parse(text: str, display: str, options: ReadOptions) -> ReadResult:
    """Parse one dump; raise InputError when its header is broken."""
    raw = text.split("\n")
    lines: list[Line] = [(n, clean_line(t)) for n, t in enumerate(raw, start=1)]
    notices: list[Notice] = []

    paper_at = _find(lines, _PAPER_RE, 0, HEADER_SCAN)
    if paper_at is None:
        raise InputError(display, "broken header: no 当前报纸名称: line in the first lines", line=1)
    paper = _PAPER_RE.match(lines[paper_at][1]).group(1).strip()  # type: ignore[union-attr]
    if not paper:
        raise InputError(display, "broken header: the paper name is empty", line=lines[paper_at][0])

    read_date = _read_date(lines[:paper_at], display)
    for n, t in lines[:paper_at]:
        if t and not (_READ_DATE_RE.match(t) or _WEEKDAY_RE.match(t) or n == lines[0][0]):
            notices.append(Notice(Origin(display, n), f"line before the paper name is not content, dropped: {t!r}"))

    date_at = _find(lines, _DATE_RE, paper_at + 1, paper_at + HEADER_SCAN)
    if date_at is None:
        raise InputError(display, "broken header: no 日期: line after the paper name", line=lines[paper_at][0])
    date = _article_date(lines[date_at], read_date, display)

    page_at = _find(lines, re.compile(r"^版面"), date_at + 1, date_at + 6)
    if page_at is None:
        raise InputError(display, "broken header: no 版面: line after the 日期: line", line=lines[date_at][0])
    page_match = _PAGE_RE.match(_strip_nav(lines[page_at][1]))
    if page_match is None:
        raise InputError(
            display,
            f"broken header: cannot read the page label in {lines[page_at][1]!r}",
            line=lines[page_at][0],
        )
    page = page_match.group(1).upper()
    page_name = (page_match.group(2) or "").strip() or None

    for n, t in lines[date_at + 1 : page_at]:
        if t and not _SIZE_RE.match(t):
            notices.append(Notice(Origin(display, n), f"unexpected header line kept as a paragraph: {t!r}"))
    title_lines = [(n, t) for n, t in lines[paper_at + 1 : date_at] if t]
    if not title_lines:
        raise InputError(
            display,
            "broken header: no title between the paper name and the 日期: line",
            line=lines[paper_at][0],
        )

    fix = (lambda s: s) if options.keep_punctuation else restore_punctuation
    kicker, title, subtitle = _split_title([(n, fix(t)) for n, t in title_lines])
    extra = [(n, t) for n, t in lines[date_at + 1 : page_at] if t and not _SIZE_RE.match(t)]
    body_lines = [(n, fix(t)) for n, t in extra + lines[page_at + 1 :] if t]
    body = classify(body_lines, display, captions_first=True)
    if not body.blocks and not body.source:
        notices.append(Notice(Origin(display, lines[page_at][0]), "article has a title but no body"))

    article = Article(
        paper=paper,
        date=date,
        page=page,
        page_name=page_name,
        title=title,
        kicker=kicker,
        subtitle=subtitle,
        byline=body.byline,
        source=body.source,
        blocks=body.blocks,
        origin=Origin(display, title_lines[0][0]),
    )
    return ReadResult((article,), tuple(notices))


def _strip_nav(text: str) -> str:
    """Drop the app's navigation words at the end of the page line: 第14版:  上一篇 下一篇."""
    # A loop, not a regex: `\s*(?:上一篇|\s)+$` takes cubic time on a line of spaces.
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        word = next((w for w in _NAV_WORDS if text.endswith(w, 0, end)), None)
        if word is None:
            return text[:end]
        end -= len(word)


def _find(lines: list[Line], pattern: re.Pattern[str], start: int, stop: int) -> int | None:
    for i in range(start, min(stop, len(lines))):
        if pattern.match(lines[i][1]):
            return i
    return None


def _read_date(header: list[Line], display: str) -> dt.date:
    for n, t in header:
        if m := _READ_DATE_RE.match(t):
            try:
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                raise InputError(display, f"impossible read date {t}", line=n) from None
    raise InputError(display, "broken header: no read date (YYYY-MM-DD) before the paper name", line=1)


def _article_date(line: Line, read_date: dt.date, display: str) -> dt.date:
    """Give the month-day its year: the latest such date not after the read date."""
    n, text = line
    value = _DATE_RE.match(text).group(1).strip()  # type: ignore[union-attr]
    m = _MONTH_DAY_RE.match(value)
    if not m:
        raise InputError(display, f"cannot read the date {value!r} (expected MM-DD)", line=n)
    month, day = int(m.group(2)), int(m.group(3))
    if m.group(1):
        try:
            return dt.date(int(m.group(1)), month, day)
        except ValueError:
            raise InputError(display, f"impossible date {value}", line=n) from None
    # 02-29 needs a leap year; look back far enough to find one.
    for year in range(read_date.year, read_date.year - 9, -1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= read_date:
            return candidate
    raise InputError(display, f"impossible date {value}", line=n)


def _split_title(lines: list[Line]) -> tuple[str | None, str, str | None]:
    """Split the header's title lines into kicker, title and subtitle (a line starting with ——)."""
    texts = [t for _, t in lines]
    subtitle = None
    if len(texts) > 1 and texts[-1].startswith(("——", "—", "--")):
        subtitle = texts.pop()
    title = texts.pop()
    kicker = " ".join(texts) or None
    return kicker, title, subtitle
