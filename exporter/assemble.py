"""Group articles into issues (paper + date) and pages (版面), in reading order, once each."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from exporter.model import Article, Facsimile, Issue, Notice, Page, Paper
from exporter.papers import merge
from exporter.text import natural_key, page_key


@dataclass(frozen=True, slots=True)
class Selection:
    """Which issues the user asked for (--paper, --from, --to)."""

    paper: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def wants(self, article: Article) -> bool:
        if self.paper is not None and article.paper != self.paper:
            return False
        if self.date_from is not None and article.date < self.date_from:
            return False
        return self.date_to is None or article.date <= self.date_to


def fingerprint(article: Article) -> str:
    """Identify an article by what it says, so the same story found in two files counts once."""
    digest = hashlib.sha256()
    for part in (article.paper, article.date.isoformat(), *article.texts()):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def reading_order(article: Article) -> tuple[object, ...]:
    """Sort key on a page: explicit order first, then natural file-name order, then line."""
    return (
        article.order is None,
        article.order or 0,
        natural_key(article.origin.file),
        article.origin.line or 0,
    )


def assemble(
    articles: Iterable[Article],
    papers: Iterable[Paper] = (),
    selection: Selection | None = None,
    facsimiles: Iterable[Facsimile] = (),
) -> tuple[list[Issue], list[Notice]]:
    """Return the selected issues, ordered by paper and date, and warnings about duplicates."""
    selection = selection or Selection()
    known = merge(list(papers))
    notices: list[Notice] = []

    chosen = sorted(
        (a for a in articles if selection.wants(a)),
        key=lambda a: (natural_key(a.origin.file), a.origin.line or 0),
    )
    first_seen: dict[str, Article] = {}
    unique: list[Article] = []
    for article in chosen:
        key = fingerprint(article)
        if key in first_seen:
            kept = first_seen[key]
            if article.origin != kept.origin:
                message = f"duplicate of {kept.origin} ({article.title}); kept once"
            else:  # A copy that names the same source: a normalized JSON beside it, or a 转版 page.
                message = f"duplicate ({article.title}): a copy names this same source; kept once"
            notices.append(Notice(article.origin, message))
            continue
        first_seen[key] = article
        unique.append(article)

    by_issue: dict[tuple[str, dt.date], list[Article]] = defaultdict(list)
    for article in unique:
        by_issue[(article.paper, article.date)].append(article)

    shown: dict[tuple[str, dt.date, tuple[object, ...]], Facsimile] = {}
    for facsimile in facsimiles:  # The first index page showing a page wins (a site may save one twice).
        shown.setdefault((facsimile.paper, facsimile.date, page_key(facsimile.page)), facsimile)

    issues = []
    for (name, date), members in sorted(by_issue.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        paper = known.get(name) or Paper(name=name)
        pages = _pages(members, paper, notices)
        files = {article.origin.file for article in members}
        pages = tuple(
            _with_facsimile(page, shown.get((name, date, page_key(page.label))), files, notices) for page in pages
        )
        issues.append(Issue(paper=paper, date=date, pages=pages))
    return issues, notices


def _with_facsimile(page: Page, facsimile: Facsimile | None, files: set[str], notices: list[Notice]) -> Page:
    """Give a page its facsimile, keeping the regions whose article is in the issue."""
    if facsimile is None:
        return page
    kept = tuple(r for r in facsimile.regions if r.article in files)
    lost = sorted({r.article for r in facsimile.regions if r.article not in files})
    if lost:
        names = ", ".join(lost[:5]) + (f" and {len(lost) - 5} more" if len(lost) > 5 else "")
        notices.append(
            Notice(facsimile.origin, f"page picture regions whose article is not in the book, dropped: {names}")
        )
    return replace(page, facsimile=replace(facsimile, regions=kept))


def _pages(articles: list[Article], paper: Paper, notices: list[Notice]) -> tuple[Page, ...]:
    groups: dict[tuple[object, ...], list[Article]] = defaultdict(list)
    for article in articles:
        groups[page_key(article.page)].append(article)
    pages = []
    for key in sorted(groups, key=_sortable):
        members = sorted(groups[key], key=reading_order)
        label = members[0].page
        name = None
        for article in members:
            if article.page_name and name is None:
                name = article.page_name
            elif article.page_name and article.page_name != name:
                notices.append(
                    Notice(
                        article.origin,
                        f"page {label} is named {name!r} elsewhere; {article.page_name!r} ignored",
                    )
                )
        name = name or paper.page_names.get(label) or _toml_name(paper, key)
        pages.append(Page(label=label, name=name, articles=tuple(members)))
    return tuple(pages)


def _toml_name(paper: Paper, key: tuple[object, ...]) -> str | None:
    for label, name in paper.page_names.items():
        if page_key(label) == key:
            return name
    return None


def _sortable(key: tuple[object, ...]) -> tuple[object, ...]:
    # Pure numbers (2, 10) before lettered sections (A01, B01); both in natural order.
    return (not (len(key) == 1 and key[0][0] == 1), key)  # type: ignore[index]
