"""Sources read by several processes (`--jobs` above 1): the same catalog, in the same order, as one process."""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from exporter.archive import open_archive
from exporter.pipeline.progress import Reading
from exporter.sources import pool
from tests.conftest import ROOT, run_cli
from tests.synth import make_archive


def _pid(_: int) -> int:
    time.sleep(0.002)  # As long as reading a source: both processes get chunks.
    return os.getpid()


def _square(n: int) -> int:
    return n * n


def test_ordered_map_keeps_the_order_and_shares_the_work_with_other_processes() -> None:
    items = list(range(pool.MIN_ITEMS * 3))
    assert list(pool.ordered_map(_square, items, 2)) == [n * n for n in items]
    pids = list(pool.ordered_map(_pid, items, 2))
    assert os.getpid() in pids and len(set(pids)) == 2  # This process reads a share, one forked reader the rest.
    assert 0.3 < pids.count(os.getpid()) / len(pids) < 0.7
    assert len(set(pool.ordered_map(_pid, items, 3))) == 3
    assert set(pool.ordered_map(_pid, items[: pool.MIN_ITEMS - 1], 2)) == {os.getpid()}  # Few: read here.
    assert set(pool.ordered_map(_pid, items, 1)) == {os.getpid()}


def test_a_reader_stopped_early_leaves_no_process() -> None:
    results = pool.ordered_map(_square, list(range(pool.MIN_ITEMS * 4)), 2)
    assert next(results) == 0
    results.close()  # As when the run is interrupted while reading.
    assert multiprocessing.active_children() == []


def _archive_with_troubles(root: Path) -> Path:
    make_archive(root, dt.date(2026, 2, 1), 4, pages=3, articles=9)
    day = root / "2026-02-02"
    (day / "broken.json").write_text("{ not json", encoding="utf-8")
    (day / "empty.md").write_text("", encoding="utf-8")
    (day / "binary.txt").write_bytes(b"\x00\xff" * 50)
    (day / "elsewhere.md").symlink_to(ROOT / "README.md")  # Outside the folder: skipped with a notice.
    return root


def test_two_processes_read_the_same_archive_as_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = _archive_with_troubles(tmp_path / "src")
    files = len(list(src.rglob("*.md"))) + len(list(src.rglob("*.txt"))) + len(list(src.rglob("*.json")))
    assert files > pool.MIN_ITEMS  # Read in parallel with the shipped threshold.
    one = open_archive([src, ROOT / "examples" / "archive"], workers=1)
    seen: list[tuple[int, int]] = []
    two = open_archive(
        [src, ROOT / "examples" / "archive"], progress=lambda f, done, total: seen.append((done, total)), workers=2
    )
    assert two.issues == one.issues
    assert two.notices == one.notices
    assert [str(e) for e in two.refused] == [str(e) for e in one.refused]
    assert len(one.refused) == 2 and any("outside the folder" in str(n) for n in one.notices)
    assert (two.files, two.unreadable, two.readers) == (one.files, one.unreadable, one.readers)
    assert [d for d, _ in seen] == list(range(1, len(seen) + 1)) and {t for _, t in seen} == {len(seen)}


def test_export_with_two_jobs_reads_in_parallel_and_writes_the_same_books(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", dt.date(2026, 3, 1), 3, pages=4, articles=9, paragraphs=2)
    assert len(list(src.rglob("*.md"))) > pool.MIN_ITEMS
    assert run_cli("export", src, "-o", tmp_path / "one", "-j", "1", "-q").returncode == 0
    assert run_cli("export", src, "-o", tmp_path / "two", "-j", "2", "-q").returncode == 0
    books = sorted((tmp_path / "one").rglob("*.epub"))
    assert len(books) == 3
    for book in books:
        assert book.read_bytes() == (tmp_path / "two" / book.relative_to(tmp_path / "one")).read_bytes()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_reading_bar_only_for_many_files_on_a_terminal() -> None:
    terminal = _Terminal()
    bar = Reading(stream=terminal, at_least=10)
    for done in range(1, 13):
        bar(None, done, 12)  # type: ignore[arg-type]
    bar.close()
    assert "reading sources" in terminal.getvalue()
    for stream, total, quiet in ((_Terminal(), 9, False), (_Terminal(), 12, True), (io.StringIO(), 12, False)):
        bar = Reading(quiet, stream=stream, at_least=10)
        bar(None, 1, total)  # type: ignore[arg-type]
        bar.close()
        assert stream.getvalue() == ""


def test_reading_postpones_full_collections_and_restores_the_thresholds(tmp_path: Path) -> None:
    import gc

    src = make_archive(tmp_path / "src", dt.date(2026, 3, 1), 2, pages=3, articles=9, paragraphs=2)
    full: list[int] = []
    reading = [False]  # Between the first file read and the last (discovery and assembly collect as ever).

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2 and reading[0]:
            full.append(1)

    def progress(source: object, done: int, total: int) -> None:
        reading[0] = done < total

    before = gc.get_threshold()
    # Low thresholds and an empty old generation (the rest frozen), so that reading without the pause
    # would surely collect in full: CPython waits until the survivors are a quarter of the old objects.
    gc.freeze()
    gc.collect()
    gc.set_threshold(50, 2, 2)
    gc.callbacks.append(seen)
    try:
        archive = open_archive([src], progress=progress)
        thresholds = gc.get_threshold()
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*before)
        gc.unfreeze()
    assert len(archive.issues) == 2
    assert full == []
    assert thresholds == (50, 2, 2)
