"""Batch benchmark: a synthetic month (31 issues × 8 pages × 6 articles, some photos).

Measures whole processes, all in one run on this machine:
- EPUB batch (`epaper export -f epub`) against a loop of `pandoc` over the same content;
- PDF batch with --jobs 1 against --jobs 2;
- a re-run with nothing changed;
- peak memory (VmHWM) of each worker process, and its resident size over time (flat or growing).

Run: .venv/bin/python benchmarks/bench_batch.py [--days 31] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pandoc_markdown import issue_markdown  # noqa: E402
from tests.synth import make_archive  # noqa: E402

EPAPER = [sys.executable, "-m", "exporter"]


class MemoryWatch(threading.Thread):
    """Poll /proc for the process tree under `pid`: peak and sampled resident size per process."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak: dict[int, int] = {}  # pid → VmHWM (KiB)
        self.samples: dict[int, list[int]] = {}  # pid → VmRSS samples (KiB)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in self._tree():
                if not _is_python(pid):  # fc-list, run once at start, is no worker.
                    continue
                status = _status(pid)
                if "VmHWM" in status:
                    self.peak[pid] = max(self.peak.get(pid, 0), status["VmHWM"])
                    self.samples.setdefault(pid, []).append(status["VmRSS"])
            time.sleep(0.25)

    def _tree(self) -> list[int]:
        """Walk /proc/PID/task/*/children: cheap, unlike scanning all of /proc while being timed."""
        out, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            out.append(pid)
            for children in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo.extend(int(c) for c in children.read_text().split())
                except OSError:
                    continue
        return out


def _is_python(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/comm").read_text().startswith("python")
    except OSError:
        return False


def _status(pid: int) -> dict[str, int]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    out = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            out[key] = int(value.split()[0])
    return out


def timed(args: list[str], watch: bool = False) -> tuple[float, MemoryWatch | None]:
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watcher = MemoryWatch(proc.pid) if watch else None
    if watcher:
        watcher.start()
    _, err = proc.communicate()
    elapsed = time.perf_counter() - started
    if watcher:
        watcher.stop.set()
        watcher.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err[-2000:]}")
    return elapsed, watcher


def pandoc_sources(src: Path, folder: Path) -> list[Path]:
    """Write each issue as one Markdown file pandoc understands, photos included."""
    from exporter.archive import open_archive

    out = []
    for issue in open_archive([src]).issues:
        path = folder / f"{issue.date.isoformat()}.md"
        path.write_text(issue_markdown(issue), encoding="utf-8")
        out.append(path)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=int, default=31)
    parser.add_argument("--keep", type=Path, help="keep the generated archive and outputs here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="epaper-bench-"))
    src = work / "src"
    if not src.exists():
        print(f"generating {args.days} issues × 8 pages × 6 articles in {src} …", flush=True)
        make_archive(src, dt.date(2026, 1, 1), args.days, pages=8, articles=6, images=8, paragraphs=8)
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )
    print(f"machine: {os.cpu_count()} CPUs, {cpu}")

    rows: list[tuple[str, str]] = []
    for name in ("epub", "pdf1", "pdf2"):
        shutil.rmtree(work / name, ignore_errors=True)

    epub_time, _ = timed([*EPAPER, "export", str(src), "-f", "epub", "-o", str(work / "epub"), "-q"])
    pandoc = shutil.which("pandoc")
    if pandoc:
        md_dir = work / "pandoc-src"
        md_dir.mkdir(exist_ok=True)
        sources = pandoc_sources(src, md_dir)
        started = time.perf_counter()
        for path in sources:
            subprocess.run(
                [pandoc, str(path), "-o", str(path.with_suffix(".epub")), "--resource-path", str(src)],
                check=True,
                capture_output=True,
            )
        pandoc_time = time.perf_counter() - started
        rows.append(
            (
                "EPUB month: epaper / pandoc loop",
                f"{epub_time:.1f} s / {pandoc_time:.1f} s = {epub_time / pandoc_time:.2f}× (target ≤ 0.3×)",
            )
        )
    else:
        rows.append(("EPUB month: epaper", f"{epub_time:.1f} s (pandoc not installed: no ratio)"))

    pdf1, _ = timed([*EPAPER, "export", str(src), "-f", "pdf", "-o", str(work / "pdf1"), "-q", "-j", "1"])
    pdf2, _ = timed([*EPAPER, "export", str(src), "-f", "pdf", "-o", str(work / "pdf2"), "-q", "-j", "2"])
    rows.append(
        ("PDF month: --jobs 1 / --jobs 2", f"{pdf1:.1f} s / {pdf2:.1f} s = {pdf1 / pdf2:.2f}× faster (target ≥ 1.8×)")
    )

    both = work / "pdf2"
    timed([*EPAPER, "export", str(src), "-f", "epub", "-o", str(both), "-q"])
    reruns = [timed([*EPAPER, "export", str(src), "-f", "epub,pdf", "-o", str(both), "-q"])[0] for _ in range(3)]
    rows.append(("re-run, nothing changed (epub+pdf)", f"{min(reruns):.2f} s best of 3 (target ≤ 2 s)"))

    # Memory in a run of its own, so polling /proc never slows the timed runs.
    shutil.rmtree(work / "pdf-mem", ignore_errors=True)
    _, watch = timed(
        [*EPAPER, "export", str(src), "-f", "pdf", "-o", str(work / "pdf-mem"), "-q", "-j", "2"], watch=True
    )

    if watch:
        # Workers are the main process's children that render (helpers like fc-list stay tiny).
        workers = {pid: kib for pid, kib in watch.peak.items() if pid != watch.pid and kib > 20 * 1024}
        main_kib = watch.peak.get(watch.pid, 0)
        rows.append(
            (
                "peak memory per PDF worker (VmHWM)",
                ", ".join(f"{kib / 1024:.0f} MiB" for kib in workers.values()) + " (target ≤ 250 MiB)",
            )
        )
        rows.append(("peak memory, main process", f"{main_kib / 1024:.0f} MiB"))
        for pid in workers:
            samples = watch.samples.get(pid, [])
            if len(samples) >= 10:
                tenth = max(1, len(samples) // 10)
                early, late = max(samples[: tenth * 3]), max(samples[-tenth * 3 :])
                rows.append(
                    (
                        f"worker {pid} RSS first 30% / last 30% of the run",
                        f"{early / 1024:.0f} MiB / {late / 1024:.0f} MiB",
                    )
                )

    pages = len(list((work / "pdf1").rglob("*.pdf")))
    print(f"\n{args.days} issues, {pages} PDFs; outputs in {work}\n")
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
