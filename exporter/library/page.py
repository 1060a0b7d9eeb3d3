"""The library page, OUT/index.html: papers → years → month calendars of issues, bound volumes apart.

Everything is in the HTML (calendars and links work without JavaScript); the search box reads a
small index written beside it as a script (a script, not fetched JSON, so it works from file://).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import quote

from exporter.library.catalog import ASSETS, Book

WEEKDAYS = ("一", "二", "三", "四", "五", "六", "日")


def href(path: str) -> str:
    """Percent-encode a path relative to OUT for use in a link (Chinese folder names included)."""
    return quote(path, safe="/")


def size_label(size: int) -> str:
    """1.2 MB, 830 KB: what the download costs."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    return f"{max(1, round(size / 1000))} KB"


@dataclass(slots=True)
class Month:
    year: int
    month: int
    weeks: list[list[tuple[int, Book | None] | None]]
    issues: list[Book]

    @property
    def anchor(self) -> str:
        return f"{self.year}-{self.month:02d}"


@dataclass(slots=True)
class Year:
    year: int
    months: list[Month] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(m.issues) for m in self.months)


@dataclass(slots=True)
class Paper:
    name: str
    folder: str
    issues: list[Book]
    volumes: list[Book]
    years: list[Year]

    @property
    def anchor(self) -> str:
        return "paper-" + quote(self.folder, safe="")

    @property
    def latest(self) -> Book | None:
        return self.issues[0] if self.issues else None


def shelves(books: list[Book]) -> list[Paper]:
    """Group books (newest first) by paper, then issues by year and month."""
    by_folder: dict[str, list[Book]] = defaultdict(list)
    for book in books:
        by_folder[book.folder].append(book)
    papers = []
    for folder, members in sorted(by_folder.items()):
        issues = [b for b in members if b.kind == "issue"]
        volumes = [b for b in members if b.kind != "issue"]
        name = issues[0].paper if issues else members[0].paper
        papers.append(Paper(name, folder, issues, volumes, _years(issues)))
    return papers


def _years(issues: list[Book]) -> list[Year]:
    months: dict[tuple[int, int], list[Book]] = defaultdict(list)
    for book in issues:
        months[(book.date.year, book.date.month)].append(book)
    years: dict[int, Year] = {}
    for (year, month), members in sorted(months.items(), reverse=True):
        by_day = {b.date.day: b for b in members}
        weeks = [
            [(day, by_day.get(day)) if day else None for day in week]
            for week in calendar.Calendar(firstweekday=0).monthdayscalendar(year, month)
        ]
        years.setdefault(year, Year(year)).months.append(Month(year, month, weeks, members))
    return list(years.values())


def search_index(books: list[Book]) -> list[dict[str, object]]:
    """What the search box looks through: paper, date, title and article titles, with the links."""
    entries = []
    for book in books:
        entry: dict[str, object] = {"p": book.paper, "d": book.stem, "t": book.title, "a": book.articles}
        for file in book.files:
            entry[file.format] = href(file.path)
            entry[f"{file.format}_size"] = size_label(file.size)
        entries.append(entry)
    return entries


def search_script(books: list[Book]) -> bytes:
    data = json.dumps(search_index(books), ensure_ascii=False, separators=(",", ":"))
    return f"window.EPAPER_LIBRARY = {data};\n".encode()


def context(books: list[Book], generated: dt.datetime, title: str) -> dict[str, object]:
    return {
        "title": title,
        "papers": shelves(books),
        "books": books,
        "weekdays": WEEKDAYS,
        "generated": generated,
        "assets": ASSETS,
        "href": href,
        "size_label": size_label,
    }
