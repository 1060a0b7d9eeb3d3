"""Scale benchmark: full-size issues (24 pages, 150 articles, 30 photos) from the corpus's 人民日报 text.

For N = 1 and 30 issues (365 with --year), each configuration in the same run:
- epaper --jobs 1, --jobs 2, and --executor dask on a standing 2-worker LocalCluster (processes);
- peers on the same issues: a pandoc loop (EPUB, when pandoc is installed) and plain WeasyPrint
  on plain HTML of the same text (PDF: the engine's own speed, no print template);
- a no-op re-run (nothing changed) against the build it follows.
Each figure is the median of --repeat rounds (default 3), each round running every configuration
once (the peer beside epaper, minute by minute), printed with the 1-minute load average taken as
the runs started (2 CPUs: a load above 2 means other work was competing). Byte-code is cached
(PYTHONPYCACHEPREFIX), as for an installed epaper.
Wall time, CPU time (this process's children; for Dask, the workers' own), peak RSS per worker
(VmHWM), books per minute.

Run: .venv/bin/python benchmarks/bench_scale.py [--issues 1,30] [--year] [--repeat 3] [--pdf-issues 1] [--keep DIR]
The killed-worker run (a cluster against a local run, byte for byte): benchmarks/scale_cluster_run.py.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import MemoryWatch  # noqa: E402
from benchmarks.pandoc_markdown import esc, issue_markdown  # noqa: E402
from benchmarks.scale_archive import make_scale_archive  # noqa: E402

EPAPER = [sys.executable, "-m", "exporter"]
WEASYPRINT = str(Path(sys.executable).parent / "weasyprint")


@dataclass
class Sample:
    wall: float
    cpu: float
    load: float
    rss: list[float] = field(default_factory=list)  # MiB per worker process.


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str], watch: bool = True, cluster: object = None) -> Sample:
    """Run a command to its end; wall, CPU (children, or the Dask workers'), load, peak RSS per worker."""
    load = os.getloadavg()[0]
    cpu0 = children_cpu() + (_workers_cpu(cluster) if cluster else 0.0)
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    watcher = MemoryWatch(proc.pid) if watch and not cluster else None
    if watcher:
        watcher.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    if watcher:
        watcher.stop.set()
        watcher.join()
    if proc.returncode not in (0,):
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{err[-2000:]}")
    cpu = children_cpu() + (_workers_cpu(cluster) if cluster else 0.0) - cpu0
    rss: list[float] = []
    if watcher:
        # The main process first, then its workers (helpers such as fc-list stay under 20 MiB).
        others = [k for p, k in watcher.peak.items() if p != watcher.pid and k > 20 * 1024]
        rss = [k / 1024 for k in [watcher.peak.get(watcher.pid, 0), *others]]
    elif cluster:  # The standing workers' peak so far (over every run they served).
        rss = [v / 1024 for v in cluster.run(_vmhwm).values()]  # type: ignore[attr-defined]
    return Sample(wall, cpu, load, rss)


def _workers_cpu(cluster: object) -> float:
    return sum(cluster.run(_self_cpu).values())  # type: ignore[attr-defined]


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _vmhwm() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def median(samples: list[Sample]) -> Sample:
    return Sample(
        statistics.median(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        statistics.median(s.load for s in samples),
        [max(rss) for rss in zip(*(s.rss for s in samples), strict=False)] if all(s.rss for s in samples) else [],
    )


def plain_html(issue_dir: Path, target: Path) -> Path:
    """The issue's text as plain HTML (headings, paragraphs, photos), with one CJK font and A4 pages."""
    from exporter.archive import open_archive
    from exporter.model import Figure, Heading, Paragraph

    (issue,) = open_archive([issue_dir]).issues
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><style>",
        "@page { size: A4; margin: 20mm } body { font-family: 'Noto Serif CJK SC'; font-size: 10.5pt; }",
        "img { max-width: 100% } h1 { page-break-before: always }",
        "</style></head><body>",
    ]
    for page in issue.pages:
        parts.append(f"<h1>{esc(page.heading)}</h1>")
        for article in page.articles:
            parts.append(f"<h2>{article.title}</h2>")
            for block in article.blocks:
                if isinstance(block, Figure) and block.image:
                    parts.append(
                        f"<figure><img src='file://{block.image}'><figcaption>{block.caption}</figcaption></figure>"
                    )
                elif isinstance(block, Heading):
                    parts.append(f"<h3>{block.text}</h3>")
                elif isinstance(block, Paragraph):
                    parts.append(f"<p>{block.text}</p>")
    target.write_text("".join(parts) + "</body></html>", encoding="utf-8")
    return target


def epub_sizes(label: str, ours: Path, theirs: Path) -> str:
    """Median size of epaper's EPUBs against pandoc's, photos (and the cover) set apart: the target is
    epaper's text, styles and navigation at most 1.3× pandoc's."""
    import zipfile

    def split(path: Path) -> tuple[int, int]:
        with zipfile.ZipFile(path) as book:
            photos = sum(i.compress_size for i in book.infolist() if i.filename.lower().endswith(_PHOTOS))
        return path.stat().st_size, photos

    pairs = [
        (split(a), split(b)) for a, b in zip(sorted(ours.rglob("*.epub")), sorted(theirs.glob("*.epub")), strict=True)
    ]
    ratio = statistics.median((a - ap) / (b - bp) for (a, ap), (b, bp) in pairs)
    (a, ap), (b, bp) = pairs[0]
    return (
        f"| {label}: size without photos vs pandoc's | {ratio:.2f}× (median); first: {a / 1e3:.0f} KB with "
        f"{ap / 1e3:.0f} KB of photos and cover, pandoc {b / 1e3:.0f} KB with {bp / 1e3:.0f} KB | | | | | |"
    )


_PHOTOS = (".jpg", ".jpeg", ".png", ".gif", ".webp")


def row(name: str, n: int, s: Sample, base: Sample | None = None) -> str:
    per_min = n / s.wall * 60 if s.wall else 0.0
    rss = ", ".join(f"{r:.0f}" for r in s.rss) if s.rss else "–"
    ratio = f"{s.wall / base.wall:.2f}×" if base else ""
    return f"| {name} | {s.wall:.2f} s | {s.cpu:.2f} s | {rss} MiB | {per_min:.1f} | {ratio} | {s.load:.1f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--issues", default="1,30", help="comma-separated issue counts (default 1,30)")
    parser.add_argument("--year", action="store_true", help="also 365 issues (hours on 2 CPUs)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pdf-issues", default="1", help="issue counts also exported as PDF (default 1)")
    parser.add_argument("--keep", type=Path, help="keep the generated archives and outputs here")
    args = parser.parse_args()
    counts = [int(n) for n in args.issues.split(",")] + ([365] if args.year else [])
    pdf_counts = {int(n) for n in args.pdf_issues.split(",") if n}
    work = args.keep or Path(tempfile.mkdtemp(prefix="epaper-scale-"))
    # Byte-code cached, as for an installed epaper: PYTHONDONTWRITEBYTECODE (set in some sandboxes) would
    # make every run compile exporter/ again. The commands and the cluster's workers inherit this.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "exporter")], check=True)
    from distributed import Client, LocalCluster

    cluster = Client(
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40)
    )
    print(f"machine: {os.cpu_count()} CPUs; load now {os.getloadavg()[0]:.1f}; {args.repeat} runs each, medians")
    print("| run | wall | CPU | peak RSS: main, workers (Dask: workers) | books/min | vs peer | load |")
    print("|---|---|---|---|---|---|---|")
    pandoc = shutil.which("pandoc")
    for n in counts:
        src = work / f"src-{n}"
        if not src.exists():
            make_scale_archive(src, n)
        for fmt in ["epub"] + (["pdf"] if n in pdf_counts else []):
            label = f"{n} issue{'s' if n > 1 else ''} {fmt.upper()}"
            # Every configuration once per round, rounds repeated: the machine's speed drifts by tens of
            # percent from minute to minute, so each figure's median spans the same minutes as its peer's.
            runs: dict[str, Callable[[], Sample]] = {}
            peer = ""
            if fmt == "epub" and pandoc:
                md = work / f"md-{n}"
                if not md.exists():
                    md.mkdir()
                    from exporter.archive import open_archive

                    for issue in open_archive([src]).issues:
                        (md / f"{issue.date}.md").write_text(issue_markdown(issue), encoding="utf-8")
                loop = [
                    "sh",
                    "-c",
                    f'for f in {md}/*.md; do {pandoc} "$f" -o "${{f%.md}}.epub" --resource-path {src} || exit 1; done',
                ]
                peer = "pandoc loop (peer)"
                runs[peer] = partial(run, loop, watch=False)
            if fmt == "pdf":
                html_dir = work / f"html-{n}"
                html_dir.mkdir(exist_ok=True)
                pages = [plain_html(d, html_dir / f"{d.name}.html") for d in sorted(src.glob("20*"))]
                loop = ["sh", "-c", " && ".join(f"{WEASYPRINT} {p} {p.with_suffix('.pdf')}" for p in pages)]
                peer = "plain WeasyPrint, plain HTML (peer)"
                runs[peer] = partial(run, loop, watch=False)
                if n > 1:  # What two processes gain on this machine for the engine's own work: --jobs 2's ceiling.
                    pairs = " ".join(f"{p} {p.with_suffix('.pdf')}" for p in pages)
                    both = ["sh", "-c", f"echo {pairs} | xargs -n 2 -P 2 {WEASYPRINT}"]  # Two at a time.
                    runs["plain WeasyPrint, two at a time (peer)"] = partial(run, both, watch=False)
            for name, extra, dask in (
                ("--jobs 1", ["-j", "1"], False),
                ("--jobs 2", ["-j", "2"], False),
                ("Dask, 2 workers", ["--scheduler", cluster.scheduler.address], True),
            ):
                out = work / f"out-{n}-{fmt}-{name.split()[-1]}"
                command = [*EPAPER, "export", str(src), "-f", fmt, "-o", str(out), "-q", *extra]

                def build(out: Path = out, command: list[str] = command, dask: bool = dask) -> Sample:
                    shutil.rmtree(out, ignore_errors=True)
                    return run(command, cluster=cluster if dask else None)

                runs[f"epaper {name}"] = build
                if name == "--jobs 2":  # Right after its build: nothing changed since.
                    runs["no-op re-run (vs its build)"] = partial(run, command, watch=False)
            samples: dict[str, list[Sample]] = {name: [] for name in runs}
            for _ in range(args.repeat):
                for name, once in runs.items():
                    samples[name].append(once())
            got = {name: median(found) for name, found in samples.items()}
            versus = {name: got[peer] for name in got if name.startswith("epaper") and peer}
            versus["no-op re-run (vs its build)"] = got["epaper --jobs 2"]
            if "plain WeasyPrint, two at a time (peer)" in got:
                versus["plain WeasyPrint, two at a time (peer)"] = got[peer]
            for name, sample in got.items():
                print(row(f"{label}: {name}", n, sample, versus.get(name)), flush=True)
            if "plain WeasyPrint, two at a time (peer)" in got:
                one, two = got[peer], got["plain WeasyPrint, two at a time (peer)"]
                print(
                    f"| {label}: plain WeasyPrint, two at a time over one after another | "
                    f"{one.wall / two.wall:.2f}× faster | | | | | {two.load:.1f} |",
                    flush=True,
                )
            if fmt == "epub" and pandoc:
                print(epub_sizes(label, work / f"out-{n}-epub-1", work / f"md-{n}"), flush=True)
            one, two = got["epaper --jobs 1"], got["epaper --jobs 2"]
            print(
                f"| {label}: --jobs 2 over --jobs 1 | {one.wall / two.wall:.2f}× faster | | | | | {two.load:.1f} |",
                flush=True,
            )
    entry = Path(sys.executable).parent / "epaper"
    help_runs = [run([str(entry), "--help"], watch=False) for _ in range(9)]
    print(
        f"\n`epaper --help`: median {statistics.median(s.wall for s in help_runs) * 1000:.0f} ms wall, "
        f"{statistics.median(s.cpu for s in help_runs) * 1000:.0f} ms CPU "
        f"(load {statistics.median(s.load for s in help_runs):.1f})"
    )
    cluster.close()
    print(f"outputs in {work}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
