"""Export many issues: plan the books, skip what is current, write the rest in worker processes.

The order of a run:
1. plan: one book per issue, or per paper-month / per paper-range volume;
2. decide: a book whose outputs exist with the same manifest key is skipped (unless forced);
3. write: through an executor (exporter.pipeline.executors): in this process (--jobs 1), in
   long-lived local workers keeping fonts, parsed CSS and Jinja environment from book to book,
   or one book per task on a Dask cluster;
4. record: each written output goes into the manifest at once, so an interrupted run resumes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import signal
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from exporter.background import Helper
from exporter.book import Book, Bundle, book_stem, lay_out
from exporter.errors import EpaperError, OutputError
from exporter.missing import REPORT_RUNS, Run, days, listed, merged
from exporter.model import Issue, Notice
from exporter.pipeline.limits import Limits, OverBudget, time_budget
from exporter.pipeline.manifest import Manifest, build_key
from exporter.text import safe_filename
from exporter.writers import WriteOptions
from exporter.writers.atomic import folder_lock, remove_open_files, write_bytes

Format = Literal["epub", "pdf"]
FORMATS: tuple[Format, ...] = ("epub", "pdf")
Status = Literal["written", "skipped", "failed"]


@dataclass(frozen=True, slots=True)
class Job:
    """One book to write: one issue, or the issues of a month or range volume."""

    issues: tuple[Issue, ...]
    kind: Bundle
    span: tuple[dt.date, dt.date] | None  # A range volume's requested dates.

    def book(self) -> Book:
        return lay_out(list(self.issues), self.kind, self.span)

    @property
    def paper(self) -> str:
        return self.issues[0].paper.name

    @property
    def stem(self) -> str:
        first, last = self.span or (self.issues[0].date, self.issues[-1].date)
        return book_stem(self.kind, first, last)

    @property
    def label(self) -> str:
        """Name the book for progress lines: 宜春日报 2026-01-14."""
        return f"{self.paper} {self.stem}"


@dataclass(slots=True)
class Outcome:
    """What happened to one book: its report entry."""

    paper: str
    date: str  # 2026-01-14, 2026-01, or FROM_TO.
    pages: int
    articles: int
    outputs: list[str] = field(default_factory=list)
    status: Status = "written"
    error: str | None = None
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # Output path → manifest key, for what was written.

    @classmethod
    def for_job(cls, job: Job, **fields: object) -> Outcome:
        """Start the report entry of a book, counted from its issues."""
        pages = sum(len(i.pages) for i in job.issues)
        articles = sum(len(i.articles) for i in job.issues)
        return cls(job.paper, job.stem, pages, articles, **fields)  # type: ignore[arg-type]

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


@dataclass(frozen=True, slots=True)
class Task:
    """What a worker receives: the job, the formats to write and where."""

    job: Job
    # (format, output path, manifest key); no key yet for a book never built: its worker hashes it.
    targets: tuple[tuple[Format, str, str | None], ...]
    options: WriteOptions


def plan(
    issues: Sequence[Issue], bundle: Bundle, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[Job]:
    """Group issues into books: one per issue, per paper-month, or per paper for the range.

    A range volume spans --from/--to; a side left open is that paper's first or last issue.
    """
    if bundle == "issue":
        return [Job((issue,), "issue", None) for issue in issues]
    groups: dict[tuple[str, str], list[Issue]] = defaultdict(list)
    for issue in issues:
        key = issue.date.strftime("%Y-%m") if bundle == "month" else "range"
        groups[(issue.paper.name, key)].append(issue)
    jobs = []
    for _, members in sorted(groups.items()):
        members.sort(key=lambda i: i.date)
        job_span = None
        if bundle == "range":
            job_span = (date_from or members[0].date, date_to or members[-1].date)
        jobs.append(Job(tuple(members), bundle, job_span))
    return jobs


def output_path(out_dir: Path, paper: str, stem: str, fmt: Format) -> Path:
    """Return DIR/<paper>/<stem>.<fmt>, the paper name made safe as one path component."""
    return out_dir / safe_filename(paper) / f"{stem}.{fmt}"


@contextlib.contextmanager
def output_lock(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for this run: two runs into one folder would undo each other's manifest."""
    with folder_lock(out_dir, "another epaper export is writing here; wait for it to finish"):
        yield


def check_writable(out_dir: Path) -> None:
    """Fail once, before any book is made, when the output folder cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as exc:
        raise OutputError(f"{out_dir}: cannot write here: {exc.strerror or exc}") from None


def write_book(
    book: Book, fmt: Format, target: Path, options: WriteOptions, helper: Helper | None = None
) -> list[Notice]:
    """Write one format of one book; import the PDF machinery only when a PDF is asked for."""
    if fmt == "epub":
        from exporter.writers.epub import write_epub

        return write_epub(book, target, options, helper)
    from exporter.writers.pdf import write_pdf

    return write_pdf(book, target, options)


def run_task(task: Task, helper: Helper | None = None, limits: Limits | None = None) -> Outcome:
    """Write one book in the formats asked, within its limits; a failure is recorded, never raised."""
    started = time.perf_counter()
    outcome = Outcome.for_job(task.job)
    try:
        with time_budget(limits, len(task.job.issues)):
            book = task.job.book()
            for fmt, target, key in task.targets:
                notices = write_book(book, fmt, Path(target), task.options, helper)
                outcome.outputs.append(target)
                outcome.keys[target] = key or build_key(
                    task.job.issues, fmt, task.job.kind, task.job.span, task.options
                )
                outcome.warnings.extend(str(n) for n in notices)
    except EpaperError as exc:
        outcome.status = "failed"
        outcome.error = (limits or Limits()).memory_error() if _out_of_memory(exc) else str(exc)
    except OverBudget as exc:
        outcome.status = "failed"
        outcome.error = str(exc)
    except MemoryError:  # Over the worker's --max-memory cap: this book fails, the worker lives on.
        outcome.status = "failed"
        outcome.error = (limits or Limits()).memory_error()
    except Exception as exc:  # A bug must cost one book, not the batch (outputs are atomic: nothing half-written).
        outcome.status = "failed"
        outcome.error = f"internal error, please report it: {type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - started
    return outcome


_interrupted = False  # Set by SIGTERM in the main process, in case the exception lands in a __del__.


def _interrupt_on_term(signum: int, frame: object) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


def _out_of_memory(exc: BaseException) -> bool:
    """Say whether an error was, at bottom, a MemoryError (a template or image step wraps what it meets)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, MemoryError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def remove_stale_parts(out_dir: Path) -> None:
    """Delete temporary files a killed run (kill -9, power cut) left behind."""
    if not out_dir.is_dir():
        return
    for part in out_dir.glob("*/.*.part"):
        part.unlink(missing_ok=True)
    for part in out_dir.glob(".*.part"):
        part.unlink(missing_ok=True)


@dataclass(slots=True)
class Batch:
    """A planned export: tasks to run, books already current."""

    tasks: list[Task]
    skipped: list[Outcome]
    manifest: Manifest


def prepare(
    jobs: Sequence[Job], formats: Sequence[Format], out_dir: Path, options: WriteOptions, force: bool = False
) -> Batch:
    """Decide per book and format what must be written; what is current becomes a skipped outcome."""
    manifest = Manifest.load(out_dir)
    tasks, skipped = [], []
    for job in jobs:
        stem = job.stem
        targets = []
        current = []
        for fmt in formats:
            target = output_path(out_dir, job.paper, stem, fmt)
            # Hashed here only when there is a built book to compare with: a first build hashes in its worker.
            recorded = None if force else manifest.recorded(target)
            key = build_key(job.issues, fmt, job.kind, job.span, options) if recorded else None
            if key is not None and key == recorded:
                current.append(str(target))
            else:
                targets.append((fmt, str(target), key))
        if targets:
            tasks.append(Task(job, tuple(targets), options))
        else:
            skipped.append(Outcome.for_job(job, outputs=current, status="skipped"))
    return Batch(tasks, skipped, manifest)


OnStart = Callable[[Task], None] | None


class Executor(Protocol):
    """Writes tasks' books somewhere and yields their outcomes as they finish."""

    limits: Limits

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...

    def results(self, tasks: list[Task], on_start: OnStart, helper: Helper | None) -> Generator[Outcome]: ...


def execute(
    batch: Batch,
    executor: Executor,
    on_start: Callable[[Task], None] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
    fail_fast: bool = False,
    helper: Helper | None = None,
) -> list[Outcome]:
    """Run the batch's tasks; record each written output in the manifest as soon as it is done.

    `executor` writes the books: exporter.pipeline.executors.LocalExecutor (this machine), or the Dask one.
    `helper` draws EPUB covers for books written in this process (see exporter.background).

    Ctrl-C or SIGTERM stops the workers (their temporary files are removed) and re-raises
    KeyboardInterrupt with the manifest consistent.
    """
    outcomes: list[Outcome] = []
    started: list[Task] = []

    def start(task: Task) -> None:
        started.append(task)
        if on_start:
            on_start(task)

    global _interrupted
    _interrupted = False
    previous = signal.signal(signal.SIGTERM, _interrupt_on_term)
    results = executor.results(batch.tasks, start, helper)
    try:
        for outcome in results:
            for target, key in outcome.keys.items():
                batch.manifest.record(Path(target), key)
            outcomes.append(outcome)
            if on_done:
                on_done(outcome)
            if _interrupted:
                raise KeyboardInterrupt
            if fail_fast and outcome.status == "failed":
                break
    except KeyboardInterrupt:
        remove_open_files()  # A book written here, interrupted as its temporary file was being made.
        raise
    finally:
        results.close()  # Stops the workers now, whatever ended the loop (fail-fast, interrupt, full disk).
        signal.signal(signal.SIGTERM, previous)
        batch.manifest.flush()
    # Books a worker was still writing when --fail-fast stopped the run are named, not forgotten.
    finished = {(o.paper, o.date) for o in outcomes}
    for task in started:
        if (task.job.paper, task.job.stem) not in finished:
            stopped = Outcome.for_job(task.job, status="failed", error="stopped by --fail-fast before it was done")
            outcomes.append(stopped)
    return sorted(outcomes, key=lambda o: (o.paper, o.date))


def write_report(
    path: Path, outcomes: Sequence[Outcome], missing: dict[str, list[Run]], refused: Sequence[str]
) -> None:
    """Write the JSON report (shape in DESIGN.md, plus missing dates per paper and refused sources).

    Missing dates are runs (`2017-04-24…2017-04-30`, a lone day as itself), at most REPORT_RUNS a list.
    """
    all_missing = merged(r for runs in missing.values() for r in runs)
    report = {
        "issues": [o.entry() for o in outcomes],
        "missing_dates": listed(all_missing, REPORT_RUNS),
        "missing_days": days(all_missing),
        "missing_dates_by_paper": {paper: listed(runs, REPORT_RUNS) for paper, runs in missing.items()},
        "refused_sources": list(refused),
    }
    text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    # A file name in undecodable bytes becomes a \udcff escape, which JSON reads back as the same name.
    write_bytes(path, text.encode("utf-8", "backslashreplace"))
