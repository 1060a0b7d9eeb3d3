"""Bounded work per book: a time budget (--book-timeout) and a memory cap for worker processes (--max-memory)."""

from __future__ import annotations

import contextlib
import resource
import signal
import threading
from collections.abc import Iterator
from dataclasses import dataclass

DEFAULT_BOOK_TIMEOUT = 600.0  # Seconds: a month volume of PDF takes minutes; a stuck book should not take hours.


class OverBudget(BaseException):
    """A book took longer than its time budget.

    Not an Exception: no `except Exception` on the way (template rendering, image decoding) may
    turn it into an ordinary error of that step, or swallow it.
    """


@dataclass(frozen=True, slots=True)
class Limits:
    """What one book may cost; None means unbounded."""

    book_timeout: float | None = DEFAULT_BOOK_TIMEOUT  # Seconds of wall time per issue in a book.
    max_memory: int | None = None  # MiB of address space per worker process.

    def budget(self, issues: int = 1) -> float | None:
        """Seconds a book of `issues` issues may take: a month volume gets a month's worth."""
        return self.book_timeout * max(1, issues) if self.book_timeout else None

    def timeout_error(self, issues: int = 1) -> str:
        if issues > 1:
            what = f"{self.budget(issues):g} s (--book-timeout {self.book_timeout:g} s × {issues} issues)"
        else:
            what = f"--book-timeout {self.book_timeout:g} s"
        return f"took longer than {what}; stopped (nothing of it was kept)"

    def memory_error(self) -> str:
        return f"needed more than --max-memory {self.max_memory} MiB; stopped (nothing of it was kept)"


@contextlib.contextmanager
def time_budget(limits: Limits | None, issues: int = 1) -> Iterator[None]:
    """Raise OverBudget in this block once the book's time is up (a SIGALRM: main thread only)."""
    seconds = limits.budget(issues) if limits else None
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    assert limits is not None

    def expire(signum: int, frame: object) -> None:
        raise OverBudget(limits.timeout_error(issues))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def cap_memory(limits: Limits | None) -> None:
    """Cap this (worker) process's address space: a book over it fails with MemoryError, alone."""
    if limits is None or not limits.max_memory:
        return
    cap = limits.max_memory * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
