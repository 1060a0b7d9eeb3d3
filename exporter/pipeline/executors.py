"""Executors: where a batch's books are written. One small interface, two engines.

- LocalExecutor: this process (one job) or long-lived forked worker processes on this machine;
- DaskExecutor (exporter.pipeline.cluster): one book per task on a dask.distributed cluster.

Both yield one Outcome per task as books finish; the caller records the manifest and shows
progress, so a run looks the same whatever wrote its books. Closing the generator (Ctrl-C,
--fail-fast) stops the work and leaves no temporary file.
"""

from __future__ import annotations

import gc
import os
import signal
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from exporter.background import Helper
from exporter.pipeline.batch import Outcome, Task, run_task
from exporter.pipeline.limits import Limits, cap_memory
from exporter.writers.atomic import remove_open_files

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

from exporter.pipeline.batch import OnStart


class LocalExecutor:
    """This machine: in this process for one job, else `jobs` forked worker processes."""

    def __init__(self, jobs: int, limits: Limits | None = None) -> None:
        self.jobs = jobs
        self.limits = limits or Limits()

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None  # Workers live for one results() call: nothing is kept between batches.

    def results(self, tasks: list[Task], on_start: OnStart, helper: Helper | None) -> Generator[Outcome]:
        # A memory cap needs a worker process to hold it: the cap is never put on the command itself.
        if (self.jobs <= 1 or len(tasks) <= 1) and not self.limits.max_memory:
            for task in tasks:
                if on_start:
                    on_start(task)
                yield run_task(task, helper, self.limits)
            return
        if helper is not None:
            helper.close()  # Each worker draws its own covers.
        yield from _Workers(max(1, min(self.jobs, len(tasks))), tasks, self.limits).run(on_start)


def _init_worker() -> None:
    """Workers leave Ctrl-C to the parent, and turn SIGTERM into an exit that removes temp files."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)


def _exit_on_term(signum: int, frame: object) -> None:
    # Exit at once: an exception could land in a __del__ (WeasyPrint has some) and be swallowed.
    remove_open_files()
    os._exit(128 + signum)


def _serve(conn: Connection, tasks: list[Task], limits: Limits) -> None:
    """A worker: write the books it is told (by their place in `tasks`), one at a time, until told to stop."""
    _init_worker()
    cap_memory(limits)
    in_place = Helper(fork=False)  # The other CPUs run workers too: covers are drawn here (Pillow kept loaded).
    while True:
        try:
            index = conn.recv()
        except (EOFError, OSError):
            return
        if index is None:
            return
        conn.send(run_task(tasks[index], in_place, limits))


class _Workers:
    """Long-lived worker processes fed one book at a time over a pipe each.

    Not multiprocessing.Pool: its terminate() can deadlock on the queue lock an idle worker holds,
    and a worker that dies (killed, out of memory) would hang it. Here an interrupt stops every
    worker (their temporary files are removed by their SIGTERM handler) and a dead worker costs only
    the book it was writing.
    """

    stop_wait = 10.0  # Seconds an interrupted worker gets to remove its files before it is killed.
    overdue_grace = 15.0  # A worker whose own alarm did not stop its book (stuck in C) is killed this much later.

    def __init__(self, size: int, tasks: list[Task], limits: Limits | None = None) -> None:
        import multiprocessing  # Only batches of several books need it: one book starts faster.

        self.size = size
        # Forked workers find the books in the memory they inherit: only a book's number goes down
        # the pipe, not its pickled text (pickling a month's articles took the main process 0.1 s).
        self.tasks = tasks
        self.limits = limits or Limits(book_timeout=None)
        self.context: Any = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self.busy: dict[Connection, tuple[BaseProcess, Task]] = {}
        self.deadlines: dict[Connection, float] = {}
        self.processes: list[BaseProcess] = []
        self.conns: list[Connection] = []

    def _start(self) -> Connection:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child, self.tasks, self.limits), daemon=True)
        # Frozen for the fork: the worker's collections skip the inherited archive instead of walking
        # (and copying) it again and again: a month's EPUBs took 10-20 % more CPU per book without.
        gc.freeze()
        try:
            process.start()
        finally:
            gc.unfreeze()
        child.close()
        self.processes.append(process)
        self.conns.append(parent)
        return parent

    def _give(self, conn: Connection, process: BaseProcess, pending: list[int], on_start: OnStart) -> None:
        index = pending.pop(0)
        task = self.tasks[index]
        if on_start:
            on_start(task)
        self.busy[conn] = (process, task)  # Before sending: an interrupt from here on removes its files.
        try:
            conn.send(index)
        except OSError:  # The worker died between two books: hand the book to a fresh one.
            del self.busy[conn]
            conn.close()
            conn = self._start()
            self.busy[conn] = (self.processes[-1], task)
            conn.send(index)
        budget = self.limits.budget(len(task.job.issues))
        if budget:
            self.deadlines[conn] = time.monotonic() + budget + self.overdue_grace

    def run(self, on_start: OnStart) -> Iterator[Outcome]:
        from multiprocessing.connection import wait

        pending = list(range(len(self.tasks)))
        finished = False
        try:
            for _ in range(self.size):
                conn = self._start()
                self._give(conn, self.processes[-1], pending, on_start)
            while self.busy:
                ready = wait(list(self.busy), timeout=self._until_overdue())
                for conn in [cast("Connection", c) for c in ready] or self._overdue():
                    process, task = self.busy.pop(conn)
                    self.deadlines.pop(conn, None)
                    try:
                        if not ready:  # Overdue: its alarm could not stop it; the worker goes, the run does not.
                            process.kill()
                            process.join(5)
                            raise EOFError
                        outcome = conn.recv()
                    except (EOFError, OSError):
                        process.join(5)
                        outcome = _died(task, process.exitcode, self.limits, overdue=not ready)
                        conn.close()
                        if pending:
                            conn = self._start()
                            process = self.processes[-1]
                    if pending:  # The next book first: the worker writes it while the manifest is saved.
                        self._give(conn, process, pending, on_start)
                    yield outcome
            finished = True
        finally:
            self._stop(graceful=finished)

    def _until_overdue(self) -> float | None:
        if not self.deadlines:
            return None
        return max(0.0, min(self.deadlines.values()) - time.monotonic())

    def _overdue(self) -> list[Connection]:
        now = time.monotonic()
        return [conn for conn, deadline in self.deadlines.items() if deadline <= now and conn in self.busy]

    def _stop(self, graceful: bool) -> None:
        for conn in self.conns:
            try:
                if graceful:
                    conn.send(None)  # Forked siblings hold copies of this end: say "stop", do not rely on EOF.
                conn.close()
            except OSError:
                continue
        for process in self.processes:
            if process.is_alive() and not graceful:
                process.terminate()
        for process in self.processes:
            process.join(30 if graceful else self.stop_wait)
            if process.is_alive():
                process.kill()
                process.join()
        # A worker stuck in a long C call is killed before its handler runs: its files are removed here.
        for _, task in self.busy.values():
            remove_parts(task)


def _died(task: Task, exitcode: int | None, limits: Limits, overdue: bool = False) -> Outcome:
    """Report the book of a worker that died, and remove the temporary files it could not."""
    remove_parts(task)
    if overdue:
        error = limits.timeout_error(len(task.job.issues))
    else:
        how = f"signal {-exitcode}" if exitcode is not None and exitcode < 0 else f"exit code {exitcode}"
        error = f"the worker process writing it died ({how}); nothing of it was kept"
        if limits.max_memory:
            error += f" (over --max-memory {limits.max_memory} MiB?)"
    return Outcome.for_job(task.job, status="failed", error=error)


def remove_parts(task: Task) -> None:
    """Delete the temporary files of a book whose writer is gone (the output folder is locked: they are its)."""
    for _, target, _ in task.targets:
        path = Path(target)
        for part in path.parent.glob(f".{path.name}.*.part"):
            part.unlink(missing_ok=True)
