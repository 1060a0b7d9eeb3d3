"""Show a fetch's progress: a rich bar on a terminal (dates, pages, articles, images, bytes, retries), else lines."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from exporter.fetch.crawl import DateResult, Tally


class FetchProgress:
    def __init__(self, total: int, tally: Tally, quiet: bool = False, stream: TextIO | None = None) -> None:
        self.total = total
        self.tally = tally
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.started = time.perf_counter()
        self.current = ""
        self._bar = None
        self._task = None
        self._shown = 0.0
        if not quiet and total and self.stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(bar_width=10),  # Narrow: the counts need the room on an 80-column terminal.
                MofNCompleteColumn(),
                TextColumn("{task.fields[counts]}"),
                console=Console(file=self.stream),
            )
            self._bar.start()
            self._task = self._bar.add_task("fetching", total=total, counts="")

    def date_started(self, label: str) -> None:
        self.current = label
        self.changed(force=True)

    def changed(self, force: bool = False) -> None:
        """Refresh the counts (at most ten times a second: a crawl changes them hundreds of times)."""
        if self._bar is None or self._task is None:
            return
        now = time.perf_counter()
        if not force and now - self._shown < 0.1:
            return
        self._shown = now
        self._bar.update(self._task, description=self.current, counts=counts(self.tally))

    def date_done(self, result: DateResult) -> None:
        line = describe(result)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, counts=counts(self.tally))
            self._bar.console.print(line, markup=False, highlight=False)
        elif not self.quiet or result.failed:  # Quiet still names what failed.
            print(line, file=self.stream, flush=True)

    def say(self, line: str) -> None:
        if self._bar is not None:
            self._bar.console.print(line, markup=False, highlight=False)
        else:
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def counts(tally: Tally) -> str:
    f = tally.files
    return (
        f"{f['index']} pages {f['article']} articles {f['image'] + f['picture']} images {f['pdf']} PDFs"
        f" {size(tally.bytes)} {tally.retries} retries"
    )


def describe(result: DateResult) -> str:
    """One line for a finished date."""
    day = result.date.isoformat()
    if result.state == "no issue":
        return f"{day}: no issue" + (f" ({result.note})" if result.note else " (its first page is not on the site)")
    if result.state == "unchanged":
        return f"{day}: complete before, not fetched again (--refresh asks again)"
    f = result.files
    line = (
        f"{day}: {result.state} — {f['index']} pages, {f['article']} articles, "
        f"{f['image'] + f['picture']} images, {f['pdf']} PDFs, {size(result.bytes)} new"
    )
    for failure in result.failed[:10]:
        line += f"\n  failed: {failure['url']}: {failure['reason']}"
    if len(result.failed) > 10:
        line += f"\n  … and {len(result.failed) - 10} more (see --report)"
    for url in result.disallowed[:5]:
        line += f"\n  disallowed by robots.txt: {url}"
    return line


def size(count: int) -> str:
    if count < 1024 * 1024:
        return f"{count / 1024:.0f} KB"
    return f"{count / 1024 / 1024:.1f} MB"


def summary(results: list[DateResult], tally: Tally, seconds: float) -> str:
    """The last line of a run."""
    states = {s: sum(1 for r in results if r.state == s) for s in ("complete", "unchanged", "partial", "no issue")}
    f = tally.files
    text = (
        f"fetched {len(results)} dates ({states['complete'] + states['unchanged']} complete, "
        f"{states['no issue']} without an issue, {states['partial']} with failures): {f['index']} pages, "
        f"{f['article']} articles, {f['image'] + f['picture']} images, {f['pdf']} PDFs "
        f"({tally.kept} already saved), {size(tally.bytes)} downloaded, {tally.retries} retries, {seconds:.1f} s"
    )
    failed = [r.date.isoformat() for r in results if not r.ok]
    if failed:
        text += f"\nincomplete: {', '.join(failed)} — run again to fetch what is missing"
    return text
