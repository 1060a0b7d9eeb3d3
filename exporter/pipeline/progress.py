"""Show a batch's progress: a rich bar with ETA on a terminal, plain lines otherwise, or nothing."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from exporter.errors import printable
from exporter.pipeline.batch import Outcome, Task

if TYPE_CHECKING:
    from exporter.sources import SourceFile


class Progress:
    """Report each finished book and print its warnings and failures (print_summary ends the run)."""

    def __init__(self, total: int, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.total = total
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.done = 0
        self.written = 0  # Books finished without failure, for the interrupt message.
        self.started = time.perf_counter()
        self._bar = None
        self._task_id = None
        if not quiet and total and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self.stream),
                transient=False,
            )
            self._bar.start()
            self._task_id = self._bar.add_task("exporting", total=total)

    def start(self, task: Task) -> None:
        """Name the book just handed to a worker (with --jobs 2, the newer of the two being written)."""
        if self._bar is not None and self._task_id is not None:
            self._bar.update(self._task_id, description=f"exporting {task.job.label}")

    def finish(self, outcome: Outcome) -> None:
        self.done += 1
        self.written += outcome.status == "written"
        if outcome.status == "failed":
            self._print(f"epaper: failed: {outcome.paper} {outcome.date}: {outcome.error}")
        elif not self.quiet:
            for warning in outcome.warnings:
                self._print(f"epaper: warning: {warning}")
            if self._bar is None:
                self._print(f"[{self.done}/{self.total}] wrote {', '.join(outcome.outputs)} ({outcome.seconds:.1f} s)")
        if self._bar is not None and self._task_id is not None:
            self._bar.update(self._task_id, advance=1)
            if self.done == self.total:
                self._bar.update(self._task_id, description="done")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _print(self, line: str) -> None:
        line = printable(line)  # A paper or file name with a bidi override must not spoof the line.
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream, flush=True)


class Reading:
    """A bar while the sources are read, when they are many (a decade of an archive is minutes of reading).

    Called with each file read; shown on a terminal only, and gone once the books start."""

    def __init__(self, quiet: bool = False, stream: TextIO | None = None, at_least: int = 1000) -> None:
        self.stream = stream or sys.stderr
        self.shown = not quiet and self.stream.isatty()
        self.at_least = at_least
        self._bar: Any = None
        self._task_id: Any = None

    def __call__(self, source: SourceFile, done: int, total: int) -> None:
        if self._bar is None:
            if not self.shown or total < self.at_least:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            columns = (TextColumn("reading sources"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            self._bar = RichProgress(*columns, console=Console(file=self.stream), transient=True)
            self._bar.start()
            self._task_id = self._bar.add_task("reading", total=total)
        self._bar.update(self._task_id, completed=done)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def summary(outcomes: Sequence[Outcome], refused: int, missing: int, seconds: float) -> list[tuple[str, str]]:
    """Return the summary table's rows: issues, pages, articles, files, time, failures."""
    written = [o for o in outcomes if o.status == "written"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    failed = [o for o in outcomes if o.status == "failed"]
    partly = sum(1 for o in failed if o.outputs)  # One format written (and recorded) before another failed.
    books = f"{len(outcomes)} ({len(written)} written, {len(skipped)} unchanged, {len(failed)} failed"
    books += f", {partly} of them partly written)" if partly else ")"
    rows = [
        ("books", books),
        ("pages", str(sum(o.pages for o in outcomes))),
        ("articles", str(sum(o.articles for o in outcomes))),
        ("files written", str(sum(len(o.outputs) for o in [*written, *failed]))),
        ("time", f"{seconds:.1f} s"),
    ]
    if refused:
        rows.append(("sources refused", str(refused)))
    if missing:
        rows.append(("dates without an issue", str(missing)))
    return rows


def print_summary(rows: list[tuple[str, str]], stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title="epaper export", show_header=False)
        for name, value in rows:
            table.add_row(name, value)
        Console(file=stream).print(table)
    else:
        for name, value in rows:
            print(f"{name}: {value}", file=stream)
