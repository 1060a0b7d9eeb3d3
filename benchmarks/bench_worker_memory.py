"""Memory of a long-lived PDF worker: does a Dask worker (or a --jobs worker) grow book after book?

A 1-worker LocalCluster (a process, 1 thread, as `dask worker` runs) writes the same issues again
and again (`epaper export --scheduler --force -f pdf`); after each round the worker's resident memory
(VmRSS) is read. The peer, in the same run: a second 1-worker cluster rendering plain HTML of the
same text with plain WeasyPrint the same number of times (the engine alone). Printed: RSS after each
round, the growth per book from round 2 on (median of the rounds), and the load average.

Run: .venv/bin/python benchmarks/bench_worker_memory.py [--issues 3] [--rounds 4] [--sample]
(--sample: the bundled sample archive's issues, small and quick; default: generated full-size issues.)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_scale import plain_html  # noqa: E402
from benchmarks.scale_archive import make_scale_archive  # noqa: E402

EPAPER = [sys.executable, "-m", "exporter"]


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) // 1024
    return 0


def _rss_trimmed() -> int:
    """VmRSS once freed memory is collected and handed back (what a leak keeps, not the allocator's slack)."""
    import ctypes
    import gc

    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    return _rss()


def _plain_pdf(html: str, target: str) -> None:
    import weasyprint

    weasyprint.HTML(filename=html).write_pdf(target)


def _worker_rss(client: object) -> tuple[int, int]:
    """The worker's VmRSS as it is, and after gc and malloc_trim."""
    (rss,) = client.run(_rss).values()  # type: ignore[attr-defined]
    (trimmed,) = client.run(_rss_trimmed).values()  # type: ignore[attr-defined]
    return int(rss), int(trimmed)


def rounds_on_one_worker(rounds: int, write_round: Callable[[Any, str], None]) -> list[tuple[int, int]]:
    """Start a 1-worker LocalCluster, run `write_round(client, scheduler address)` `rounds` times, and
    return the worker's RSS (as is, trimmed) idle and after each round."""
    from distributed import Client, LocalCluster

    rss = []
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40) as lc,
        Client(lc) as client,
    ):
        rss.append(_worker_rss(client))
        for _ in range(rounds):
            write_round(client, lc.scheduler_address)
            rss.append(_worker_rss(client))
    return rss


def epaper_rounds(src: Path, out: Path, rounds: int) -> list[tuple[int, int]]:
    def write_round(client: Any, scheduler: str) -> None:
        command = [*EPAPER, "export", str(src), "-f", "pdf", "-o", str(out), "--force", "-q", "--scheduler", scheduler]
        done = subprocess.run(command, cwd=ROOT, capture_output=True)
        if done.returncode != 0:
            raise SystemExit(f"epaper export failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}")

    return rounds_on_one_worker(rounds, write_round)


def plain_rounds(pages: list[Path], out: Path, rounds: int) -> list[tuple[int, int]]:
    def write_round(client: Any, scheduler: str) -> None:
        for page in pages:
            client.submit(_plain_pdf, str(page), str(out / f"{page.stem}.pdf"), pure=False).result()

    return rounds_on_one_worker(rounds, write_round)


def growth_per_book(rss: list[int], books: int) -> float:
    """Median growth a book from round 2 on (round 1 loads fonts, templates and caches)."""
    steps = [(b - a) / books for a, b in itertools.pairwise(rss[1:])]
    return statistics.median(steps) if steps else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--sample", action="store_true", help="the bundled sample archive's issues instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="epaper-worker-memory-") as tmp:
        work = Path(tmp)
        if args.sample:
            src = ROOT / "examples" / "archive"
        else:
            src = work / "src"
            make_scale_archive(src, args.issues)
        folders = sorted(p for p in src.iterdir() if p.is_dir() and p.name[:2] == "20")
        books = len(folders)
        (work / "html").mkdir()
        (work / "plain").mkdir()
        pages = [plain_html(d, work / "html" / f"{d.name}.html") for d in folders]
        load = os.getloadavg()[0]
        print(f"{books} issues ({src}), {args.rounds} rounds; load {load:.1f} at the start", flush=True)
        mine = epaper_rounds(src, work / "out", args.rounds)
        show("epaper", mine)
        theirs = plain_rounds(pages, work / "plain", args.rounds)
        show("plain WeasyPrint (peer)", theirs)
        print(
            "growth a book from round 2, after gc and malloc_trim: "
            f"epaper {growth_per_book([t for _, t in mine], books):.1f} MiB, "
            f"plain WeasyPrint {growth_per_book([t for _, t in theirs], books):.1f} MiB; "
            f"as they are: epaper {growth_per_book([r for r, _ in mine], books):.1f} MiB, "
            f"plain WeasyPrint {growth_per_book([r for r, _ in theirs], books):.1f} MiB; "
            f"load {os.getloadavg()[0]:.1f} at the end"
        )


def show(label: str, rss: list[tuple[int, int]]) -> None:
    print(f"{label} worker RSS, MiB, idle then after each round: {[r for r, _ in rss]}", flush=True)
    print(f"{label} worker RSS after gc and malloc_trim: {[t for _, t in rss]}", flush=True)


if __name__ == "__main__":
    main()
