"""Export many issues: plan the books, write each format, isolate failures, report.

The order of a run: read and assemble the sources; plan one book per issue (or per month /
range volume); write each planned output; collect a report entry per book.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from exporter.book import Book, Bundle, lay_out
from exporter.errors import EpaperError
from exporter.model import Issue, Notice
from exporter.text import safe_filename
from exporter.writers import WriteOptions
from exporter.writers.atomic import write_bytes

Format = Literal["epub", "pdf"]
FORMATS: tuple[Format, ...] = ("epub", "pdf")
Status = Literal["written", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class Job:
    """One book to write in one or more formats."""

    issues: tuple[Issue, ...]
    kind: Bundle
    span: tuple[dt.date, dt.date] | None  # A range volume's requested dates.

    def book(self) -> Book:
        return lay_out(list(self.issues), self.kind, self.span)


@dataclass(slots=True)
class Outcome:
    """What happened to one book: the report entry."""

    paper: str
    date: str  # 2026-01-14, 2026-01, or FROM_TO.
    pages: int
    articles: int
    outputs: list[str] = field(default_factory=list)
    status: Status = "written"
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def entry(self) -> dict[str, object]:
        return {
            "paper": self.paper,
            "date": self.date,
            "pages": self.pages,
            "articles": self.articles,
            "outputs": self.outputs,
            "status": self.status,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "warnings": self.warnings,
        }


def plan(issues: Sequence[Issue], bundle: Bundle, span: tuple[dt.date, dt.date] | None = None) -> list[Job]:
    """Group issues into books: one per issue, per paper-month, or per paper for the range."""
    if bundle == "issue":
        return [Job((issue,), "issue", None) for issue in issues]
    groups: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        key = issue.date.strftime("%Y-%m") if bundle == "month" else "range"
        groups[(issue.paper.name, key)].append(issue)
    jobs = []
    for (_, _), members in sorted(groups.items()):
        members.sort(key=lambda i: i.date)
        job_span = None
        if bundle == "range":
            job_span = span if span else (members[0].date, members[-1].date)
        jobs.append(Job(tuple(members), bundle, job_span))
    return jobs


def output_path(out_dir: Path, book: Book, fmt: Format) -> Path:
    """Return DIR/<paper>/<stem>.<fmt>, the paper name made safe as one path component."""
    return out_dir / safe_filename(book.paper.name) / f"{book.stem}.{fmt}"


def write_book(book: Book, fmt: Format, target: Path, options: WriteOptions) -> list[Notice]:
    """Write one format of one book; import the PDF machinery only when a PDF is asked for."""
    if fmt == "epub":
        from exporter.writers.epub import write_epub

        return write_epub(book, target, options)
    from exporter.writers.pdf import write_pdf

    return write_pdf(book, target, options)


def run_job(job: Job, formats: Sequence[Format], out_dir: Path, options: WriteOptions) -> Outcome:
    """Write one book in every format; a failure is recorded, never raised."""
    started = time.perf_counter()
    book = job.book()
    outcome = Outcome(
        paper=book.paper.name,
        date=book.stem,
        pages=len(book.pages),
        articles=len(book.articles),
    )
    try:
        for fmt in formats:
            target = output_path(out_dir, book, fmt)
            notices = write_book(book, fmt, target, options)
            outcome.outputs.append(str(target))
            outcome.warnings.extend(str(n) for n in notices)
    except EpaperError as exc:
        outcome.status = "failed"
        outcome.error = str(exc)
    outcome.seconds = time.perf_counter() - started
    return outcome


def missing_dates(issues: Sequence[Issue], date_from: dt.date | None, date_to: dt.date | None) -> list[str]:
    """Return the dates in the range (or between the first and last issue) that have no issue."""
    if not issues:
        return []
    have = {i.date for i in issues}
    start = date_from or min(have)
    end = date_to or max(have)
    out = []
    day = start
    while day <= end:
        if day not in have:
            out.append(day.isoformat())
        day += dt.timedelta(days=1)
    return out


def write_report(path: Path, outcomes: Sequence[Outcome], missing: list[str], refused: Sequence[str]) -> None:
    report = {
        "issues": [o.entry() for o in outcomes],
        "missing_dates": missing,
        "refused_sources": list(refused),
    }
    write_bytes(path, (json.dumps(report, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))


def export(
    jobs: Sequence[Job],
    formats: Sequence[Format],
    out_dir: Path,
    options: WriteOptions,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Write every planned book, in order; failures are isolated per book."""
    outcomes = []
    for job in jobs:
        outcome = run_job(job, formats, out_dir, options)
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)
    return outcomes
