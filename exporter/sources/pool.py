"""Read many files on several CPUs: an ordered map over forked processes, for runs with --jobs above 1.

This process reads every `workers`-th chunk itself and `workers - 1` forked readers read the others:
a reader's results come back pickled (about a third of what reading costs), so this process, which
would only wait and unpickle, reads too. Forked readers inherit the loaded readers and caches; chunks
are yielded in order, so a run reads the same catalog whatever the number of processes.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Generator, Sequence
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MIN_ITEMS = 96  # Below this a fork costs more than it saves (a source is read in about a millisecond).
CHUNKS_PER_WORKER = 8  # Small enough to keep both CPUs busy to the end, large enough to pickle in bulk.


def _ignore_interrupt() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's: it stops the pool.


def _run_chunk(func: Callable[[Item], Result], chunk: Sequence[Item]) -> list[Result]:
    return [func(item) for item in chunk]


def ordered_map(func: Callable[[Item], Result], items: Sequence[Item], workers: int) -> Generator[Result]:
    """Yield func(item) for each item in order; shared with `workers - 1` forked processes when there are enough."""
    if workers <= 1 or len(items) < MIN_ITEMS or os.name != "posix":
        yield from map(func, items)
        return
    import multiprocessing
    from concurrent.futures import Future, ProcessPoolExecutor

    size = max(1, len(items) // (workers * CHUNKS_PER_WORKER))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    pool = ProcessPoolExecutor(
        workers - 1, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_interrupt
    )
    try:  # Chunk 0, workers, 2 × workers … are read here, the others by the pool, all queued at once.
        theirs: dict[int, Future[list[Result]]] = {
            n: pool.submit(_run_chunk, func, chunk) for n, chunk in enumerate(chunks) if n % workers
        }
        for n, chunk in enumerate(chunks):
            yield from theirs.pop(n).result() if n in theirs else map(func, chunk)
    finally:  # Also when the caller stops early or is interrupted: drop what is queued.
        pool.shutdown(wait=True, cancel_futures=True)
