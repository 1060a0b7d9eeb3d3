"""The Dask executor: one book per task on a dask.distributed cluster (or a LocalCluster started here).

Sources and the output folder must be on storage every worker sees at the same path (NFS, a
shared disk): tasks name files by absolute path. The workers write the books (atomically, as
locally); only this process records the manifest. A worker that dies is Dask's to handle: the
scheduler hands its books to other workers, and a book whose workers keep dying
(distributed.scheduler.allowed-failures, 3 by default) fails alone with one line.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Generator
from dataclasses import replace
from pathlib import Path
from typing import Any

from exporter.background import Helper
from exporter.errors import EpaperError
from exporter.pipeline.batch import OnStart, Outcome, Task, run_task
from exporter.pipeline.executors import remove_parts
from exporter.pipeline.limits import Limits

_ACTIVE = ("executing", "long-running", "cancelled", "resumed")  # Worker task states with a thread on it.


def write_on_worker(task: Task, limits: Limits) -> Outcome:
    """The task a worker runs: write one book (its failures come back as outcomes, never raised)."""
    return run_task(task, None, limits)


class DaskExecutor:
    """Send one book per task to the scheduler at `scheduler`, or to a LocalCluster of `workers` processes."""

    stop_wait = 10.0  # Seconds cancelled books get to finish or fail before their temporary files are removed.
    worker_wait = 60.0  # Seconds to wait for a first worker to join the scheduler.

    def __init__(self, scheduler: str | None = None, workers: int = 2, limits: Limits | None = None) -> None:
        self.scheduler = scheduler
        self.workers = workers
        self.limits = limits or Limits()
        self.client: Any = None
        self._cluster: Any = None

    def __enter__(self) -> DaskExecutor:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise EpaperError("--executor dask needs dask.distributed: pip install 'epaper[dask]'") from None
        logging.getLogger("distributed").setLevel(logging.ERROR)  # Its own INFO lines are not the user's business.
        if self.scheduler is None:
            memory = f"{self.limits.max_memory}MiB" if self.limits.max_memory else "auto"
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,  # One book at a time per process: PDF layout holds Python's lock.
                processes=True,
                memory_limit=memory,  # The nanny restarts a worker over it; its book is tried elsewhere.
                dashboard_address=":0",
                silence_logs=logging.ERROR,
            )
            self.client = Client(self._cluster)
            return self
        try:
            self.client = Client(self.scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise EpaperError(f"--scheduler {self.scheduler}: cannot connect: {exc}") from None
        try:  # A scheduler with no worker would take every book and write none.
            self.client.wait_for_workers(1, timeout=self.worker_wait)
        except TimeoutError:
            self.__exit__()
            raise EpaperError(
                f"--scheduler {self.scheduler}: no worker joined within {self.worker_wait:g} s "
                "(start some: dask worker SCHEDULER-ADDRESS)"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            if self.client is not None:
                self.client.close()
        with contextlib.suppress(Exception):
            if self._cluster is not None:
                self._cluster.close()
        self.client = self._cluster = None

    def _slots(self) -> int:
        """Books in flight at once: one per worker thread, so a book's clock starts when it does."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def results(self, tasks: list[Task], on_start: OnStart, helper: Helper | None) -> Generator[Outcome]:
        from distributed import wait

        if self.client is None:
            raise RuntimeError("DaskExecutor used outside its with-block")
        if helper is not None:
            helper.close()  # The workers draw their own covers.
        pending = list(range(len(tasks)))
        pending.reverse()
        inflight: dict[Any, tuple[Task, float]] = {}  # Future → (task, deadline).
        finished = False

        def submit() -> None:
            slots = self._slots()
            while pending and len(inflight) < slots:
                task = tasks[pending.pop()]
                if on_start:
                    on_start(task)
                future = self.client.submit(write_on_worker, _absolute(task), self.limits, pure=False)
                budget = self.limits.budget(len(task.job.issues))
                inflight[future] = (task, time.monotonic() + budget if budget else float("inf"))

        try:
            submit()
            while inflight:
                soonest = min(deadline for _, deadline in inflight.values())
                try:
                    done, _ = wait(
                        list(inflight),
                        timeout=None if soonest == float("inf") else max(0.1, soonest - time.monotonic()),
                        return_when="FIRST_COMPLETED",
                    )
                except TimeoutError:
                    done = set()
                now = time.monotonic()
                overdue = [f for f, (_, deadline) in inflight.items() if f not in done and deadline <= now]
                outcomes = [self._outcome(f, inflight.pop(f)[0]) for f in done]
                for future in overdue:
                    task, _ = inflight.pop(future)
                    self._stop_overdue(future, task)
                    outcomes.append(
                        Outcome.for_job(
                            task.job, status="failed", error=self.limits.timeout_error(len(task.job.issues))
                        )
                    )
                submit()  # The next books first: workers write them while the manifest is saved.
                yield from outcomes
            finished = True
        finally:
            if not finished:
                self._cancel(inflight)

    def _outcome(self, future: Any, task: Task) -> Outcome:
        """The book's outcome as reported by the worker, its paths as this process named them."""
        try:
            outcome: Outcome = future.result()
        except Exception as exc:
            remove_parts(task)
            return Outcome.for_job(task.job, status="failed", error=_explain(exc, self.limits))
        names = {str(Path(target).absolute()): target for _, target, _ in task.targets}
        outcome.outputs = [names.get(o, o) for o in outcome.outputs]
        outcome.keys = {names.get(o, o): key for o, key in outcome.keys.items()}
        return outcome

    def _stop_overdue(self, future: Any, task: Task) -> None:
        """Cancel an overdue book and restart the worker stuck in it (a thread cannot be stopped otherwise)."""
        with contextlib.suppress(Exception):
            where = [w for w, keys in self.client.processing().items() if future.key in keys]
            future.cancel()
            if where:
                self.client.restart_workers(where, timeout=30, raise_for_error=False)
        remove_parts(task)

    def _cancel(self, inflight: dict[Any, tuple[Task, float]]) -> None:
        """Ctrl-C or --fail-fast: cancel the books in flight, give them a moment, remove their temporary files."""
        futures = list(inflight)
        with contextlib.suppress(Exception):
            self.client.cancel(futures, force=True)
            keys = [f.key for f in futures]
            deadline = time.monotonic() + self.stop_wait
            while time.monotonic() < deadline and any(self.client.run(_busy_with, keys=keys).values()):
                time.sleep(0.1)
        for task, _ in inflight.values():
            remove_parts(task)


def _busy_with(keys: list[Any], dask_worker: Any = None) -> list[Any]:
    """On a worker: which of these tasks a thread is still running (cancelled tasks run to their end)."""
    tasks = dask_worker.state.tasks
    return [k for k in keys if k in tasks and tasks[k].state in _ACTIVE]


def _absolute(task: Task) -> Task:
    """The task with its outputs named by absolute path: a worker's working folder is not ours."""
    targets = tuple((fmt, str(Path(target).absolute()), key) for fmt, target, key in task.targets)
    return replace(task, targets=targets)


def _explain(exc: BaseException, limits: Limits) -> str:
    """One line for a book the cluster could not write."""
    name = type(exc).__name__
    if name == "KilledWorker":
        line = "the Dask workers writing it died each time it was tried (killed, or out of memory)"
        if limits.max_memory:
            line += f"; over --max-memory {limits.max_memory} MiB?"
        return line + "; nothing of it was kept"
    if name in ("CancelledError", "FutureCancelledError"):
        return "cancelled on the Dask cluster before it was done"
    return f"on the Dask worker: {name}: {exc}"
