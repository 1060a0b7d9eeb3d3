"""EPUB benchmark: one 人民日报 issue, `epaper export -f epub` against pandoc, in the same run.

For the largest issue of the shared corpus's rmrb.db (most articles), measures the whole-process
wall time (best of N) of
- `epaper export ISSUE -f epub` (a fresh output folder each time, so nothing is skipped), and
- `pandoc issue.md -o issue.epub`, the same content as one Markdown file generated from the model
  (title, 版面 and article headings, kicker/subtitle/byline, paragraphs, captions, headings, lists);
then prints both, their ratio (target ≤ 1.5× pandoc), the import time of `exporter.cli`, and
which heavy modules (WeasyPrint and its stack) an EPUB-only export imports.

Run by hand, not by pytest: .venv/bin/python benchmarks/bench_epub.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pandoc_markdown import issue_markdown  # noqa: E402
from exporter.archive import open_archive  # noqa: E402
from tests.conftest import RMRB_DB  # noqa: E402
from tests.corpus import rmrb_sources  # noqa: E402

# The console script users run (its shebang is this interpreter); `python -m exporter` elsewhere.
_SCRIPT = Path(sys.executable).with_name("epaper")
EPAPER = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "exporter"]
TARGET = 1.5  # epaper may take at most this many times pandoc's time.
# Python as users run it: byte-code cached (here in a temporary folder, not in the checkout).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
HEAVY = ("weasyprint", "pydyf", "fontTools", "cffi", "tinycss2", "cssselect2", "tinyhtml5", "pypdf", "rich", "pydantic")


def best_of(runs: int, command: list[str], cwd: Path, fresh: Path | None = None) -> float:
    """Return the fastest wall time of `runs` runs of a command (emptying `fresh` before each)."""
    return min(timed(command, cwd, fresh) for _ in range(runs))


def timed(command: list[str], cwd: Path, fresh: Path | None = None) -> float:
    """Return the wall time of one run of a command (emptying `fresh` first); exit if it fails."""
    if fresh is not None:
        shutil.rmtree(fresh, ignore_errors=True)
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=ENV)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    return elapsed


def race(runs: int, ours: list[str], theirs: list[str], cwd: Path, fresh: Path) -> tuple[list[float], list[float]]:
    """Time both commands alternately, `runs` rounds: a busy moment of a shared machine hits both."""
    mine, peer = [], []
    for _ in range(runs):
        mine.append(timed(ours, cwd, fresh))
        peer.append(timed(theirs, cwd))
    return mine, peer


def import_profile(command: list[str], cwd: Path) -> tuple[float, list[str]]:
    """Return (seconds to import everything, heavy top-level packages imported) from -X importtime."""
    arguments = command[len(EPAPER) :]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "exporter", *arguments], cwd=cwd, capture_output=True, text=True
    )
    total = 0
    heavy = set()
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        if len(m.group(2)) == 1:  # Top-level imports: their cumulative times add up to the whole.
            total += int(m.group(1))
        package = m.group(3).split(".")[0]
        if package in HEAVY:
            heavy.add(package)
    return total / 1e6, sorted(heavy)


_PHASES = """
import sys, time
t = [time.perf_counter()]
import exporter.cli
t.append(time.perf_counter())
from pathlib import Path
from exporter.archive import open_archive
from exporter.book import lay_out
from exporter.writers.epub import write_epub
t.append(time.perf_counter())
issues = open_archive([sys.argv[1]]).issues
t.append(time.perf_counter())
book = lay_out(list(issues))
write_epub(book, Path(sys.argv[2]))
t.append(time.perf_counter())
print(" ".join(f"{b - a:.6f}" for a, b in zip(t, t[1:])))
"""


def phase_times(source: Path, target: Path) -> list[tuple[str, float]]:
    """Return where one export's time goes, measured inside one process."""
    proc = subprocess.run(
        [sys.executable, "-c", _PHASES, str(source), str(target)], capture_output=True, text=True, env=ENV, check=True
    )
    names = ("import exporter.cli", "import readers and EPUB writer", "read and assemble", "lay out and write EPUB")
    return list(zip(names, map(float, proc.stdout.split()), strict=True))


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="rounds of both commands; the best of each counts")
    args = parser.parse_args()
    if not RMRB_DB.exists():
        sys.exit(f"{RMRB_DB} is absent: the benchmark needs the shared corpus")
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed")

    with tempfile.TemporaryDirectory(prefix="bench-epub-") as tmp:
        work = Path(tmp)
        ENV["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        corpus = rmrb_sources(RMRB_DB, work / "rmrb")
        issues = open_archive([corpus]).issues
        issue = max(issues, key=lambda i: len(i.articles))
        source = corpus / issue.date.isoformat()  # rmrb_sources writes one folder per date.
        (only,) = open_archive([source]).issues
        assert len(only.articles) == len(issue.articles)
        markdown = work / "issue.md"
        markdown.write_text(issue_markdown(issue), encoding="utf-8")

        out = work / "out"
        epaper_cmd = [*EPAPER, "export", str(source), "-f", "epub", "-o", str(out), "--force", "-q"]
        pandoc_cmd = ["pandoc", str(markdown), "-o", str(work / "pandoc.epub")]
        # One warm-up of each (disk cache, .pyc files), not counted.
        best_of(1, epaper_cmd, ROOT, fresh=out)
        best_of(1, pandoc_cmd, ROOT)
        mine, peer = race(args.runs, epaper_cmd, pandoc_cmd, ROOT, out)
        epaper, pandoc = min(mine), min(peer)
        paired = sorted(m / p for m, p in zip(mine, peer, strict=True))
        cli_import = best_of(args.runs, [sys.executable, "-c", "import exporter.cli"], ROOT)
        bare = best_of(args.runs, [sys.executable, "-c", "pass"], ROOT)
        shutil.rmtree(out)
        imports, heavy = import_profile(epaper_cmd, ROOT)
        book = next(out.rglob("*.epub"))
        phases = phase_times(source, work / "phases.epub")

        ratio = epaper / pandoc
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}, load {load}")
        print(
            f"issue: {issue.title} ({len(issue.pages)} 版, {len(issue.articles)} articles, "
            f"{sum(len(''.join(a.texts())) for a in issue.articles)} characters); "
            f"EPUB {book.stat().st_size // 1024} KiB, pandoc EPUB {(work / 'pandoc.epub').stat().st_size // 1024} KiB"
        )
        print(f"epaper export -f epub : {epaper:.3f} s (best of {args.runs})")
        print(f"pandoc md → epub      : {pandoc:.3f} s (best of {args.runs})")
        verdict = "OK" if ratio <= TARGET else "OVER TARGET"
        print(f"ratio                 : {ratio:.2f}× pandoc, best against best (target ≤ {TARGET}×: {verdict})")
        print(
            f"ratio per round       : median {paired[len(paired) // 2]:.2f}×, range {paired[0]:.2f}–{paired[-1]:.2f}×"
        )
        print(f"python -c 'pass'      : {bare:.3f} s;  python -c 'import exporter.cli': {cli_import:.3f} s")
        print(f"imports during the export (-X importtime, cumulative): {imports:.3f} s")
        print("in one process: " + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in phases))
        print(f"heavy packages imported by an EPUB-only export: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
