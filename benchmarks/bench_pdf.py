"""PDF benchmark: the largest 人民日报 issue of rmrb.db (most articles), three ways, in one run.

- `epaper export -f pdf` (the whole process: start-up, reading, assembly, rendering, writing),
  as users run it (default --jobs) and with --jobs 1 (no worker pool);
- raw `weasyprint in.html out.pdf` on the very HTML and CSS epaper renders
  (exporter.writers.pdf.build_html / build_stylesheets, written to files);
- `pandoc --pdf-engine=weasyprint` on Markdown generated from the same model (with a contents page).

Each is timed as a whole process, best of N (default 3) after one warm-up run, the commands taking
turns. Target: epaper ≤ 1.10× raw WeasyPrint. Also prints where epaper's time goes in one process.
Prints the times, the ratios, pages and PDF size per page, and the machine (nproc, CPU, load).

Run by hand (not by pytest): .venv/bin/python benchmarks/bench_pdf.py [--runs 3] [--keep DIR]
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
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.pandoc_markdown import issue_markdown  # noqa: E402
from tests.conftest import RMRB_DB  # noqa: E402
from tests.corpus import rmrb_expected, rmrb_sources  # noqa: E402

BIN = Path(sys.executable).parent
EPAPER = [sys.executable, "-m", "exporter"]
WEASYPRINT = str(BIN / "weasyprint")


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    return f"nproc {os.cpu_count()}, CPU {cpu}, {platform.system()} {platform.release()}, load average {load}"


def run_once(command: list[str], env: dict[str, str], fresh: Path) -> float:
    """Return the wall time of one whole process (its output folder emptied first)."""
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir(parents=True)
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env})
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(command)}\n{proc.stderr[-2000:]}")
    return elapsed


def best_of(runs: int, commands: dict[str, list[str]], env: dict[str, str], outputs: dict[str, Path]) -> dict:
    """Return each command's best time of `runs`, after one warm-up each; the commands take turns
    (round robin), so that a load change on a shared machine hits all of them alike."""
    for name, command in commands.items():
        run_once(command, env, outputs[name])
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            times[name].append(run_once(command, env, outputs[name]))
    return {name: min(values) for name, values in times.items()}


SPLIT = """
import time
t0 = time.perf_counter()
import weasyprint
t1 = time.perf_counter()
from pathlib import Path
from exporter.archive import open_archive
from exporter.book import lay_out
from exporter.writers import WriteOptions
from exporter.writers.pdf import write_pdf
from exporter.writers.pdfsetup import preflight
t2 = time.perf_counter()
preflight()
t3 = time.perf_counter()
(issue,) = open_archive([Path({sources!r})]).issues
book = lay_out([issue])
t4 = time.perf_counter()
write_pdf(book, Path({target!r}), WriteOptions())
t5 = time.perf_counter()
print(f"import weasyprint {{t1 - t0:.2f}} s, import exporter {{t2 - t1:.2f}} s, font check {{t3 - t2:.2f}} s, "
      f"read + assemble {{t4 - t3:.2f}} s, write_pdf {{t5 - t4:.2f}} s")
"""


def pages(pdf: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
    return int(m.group(1)) if m else 0


def epaper_html(sources: Path, folder: Path) -> tuple[Path, list[Path]]:
    """Write the HTML and CSS epaper renders for the issue (photos as files beside them)."""
    from exporter.archive import open_archive
    from exporter.book import lay_out
    from exporter.resources import styles_dir
    from exporter.writers import WriteOptions, build_time
    from exporter.writers.pdf import IMAGE_SCHEME, build_html, build_images
    from exporter.writers.pdfsetup import check_page_size

    options = WriteOptions()
    (issue,) = open_archive([sources]).issues
    book = lay_out([issue])
    refs, served = build_images(book, options, [])
    when = build_time([a.article.origin.file for a in book.articles], book.date_to)
    html = build_html(book, options, refs, when)
    for name, (data, _media_type) in served.items():
        (folder / name).write_bytes(data)
        html = html.replace(f"{IMAGE_SCHEME}:{name}", name)
    page = folder / "book.html"
    page.write_text(html, encoding="utf-8")
    # The same stylesheets, in the same order, as build_stylesheets: built-in, profile, page size.
    width, height = check_page_size(options.page_size)
    sheets = []
    for name in ("print.css", f"print-{options.pdf_profile}.css"):
        shutil.copy(styles_dir() / name, folder / name)
        sheets.append(folder / name)
    size = folder / "size.css"
    size.write_text(f"@page {{ size: {width}mm {height}mm; }} .cover {{ height: {height}mm; }}", encoding="utf-8")
    sheets.append(size)
    return page, sheets


def markdown(sources: Path, target: Path) -> Path:
    """Write the issue as pandoc Markdown: 版面 as chapters, articles as sections, the same texts."""
    from exporter.archive import open_archive

    (issue,) = open_archive([sources]).issues
    target.write_text(issue_markdown(issue, mainfont="Noto Serif CJK SC"), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="Keep the sources and PDFs in this folder.")
    args = parser.parse_args()
    if not RMRB_DB.exists():
        raise SystemExit(f"{RMRB_DB} is absent (the shared corpus)")
    for tool in ("pdfinfo", "pandoc"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed")

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    work.mkdir(parents=True, exist_ok=True)
    per_date = Counter()
    for (date, _page), count in rmrb_expected(RMRB_DB).items():
        per_date[date] += count
    date, articles = max(per_date.items(), key=lambda kv: (kv[1], kv[0]))
    all_sources = rmrb_sources(RMRB_DB, work / "sources")
    sources = all_sources / date  # Only this issue's files: every tool reads the same content.

    html_dir = work / "html"
    html_dir.mkdir(exist_ok=True)
    page, sheets = epaper_html(sources, html_dir)
    md = markdown(sources, work / "issue.md")
    outputs = {
        "epaper": work / "epaper",
        "epaper -j 1": work / "epaper-j1",
        "weasyprint": work / "weasyprint",
        "pandoc": work / "pandoc",
    }
    export = [*EPAPER, "export", str(sources), "-f", "pdf", "--force", "-q", "-o"]
    commands = {
        "epaper": [*export, str(outputs["epaper"])],
        "epaper -j 1": [*export, str(outputs["epaper -j 1"]), "--jobs", "1"],  # No worker pool.
        "weasyprint": [
            WEASYPRINT,
            *[a for s in sheets for a in ("-s", str(s))],
            str(page),
            str(outputs["weasyprint"] / "out.pdf"),
        ],
        "pandoc": [
            "pandoc",
            str(md),
            "--toc",
            "--pdf-engine=weasyprint",
            "-o",
            str(outputs["pandoc"] / "out.pdf"),
        ],
    }
    env = {"PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}  # pandoc finds the venv's weasyprint.

    print(f"machine: {machine()}")
    print(f"issue: 人民日报 {date}, {articles} articles; best of {args.runs} whole-process runs")
    times = best_of(args.runs, commands, env, outputs)
    raw = times["weasyprint"]
    print(f"{'':13}{'seconds':>9}{'× raw':>8}{'pages':>7}{'KiB':>8}{'KiB/page':>10}")
    for name in commands:
        pdf = next(outputs[name].rglob("*.pdf"))
        n = pages(pdf)
        size = pdf.stat().st_size / 1024
        print(f"{name:13}{times[name]:9.2f}{times[name] / raw:8.2f}{n:7}{size:8.0f}{size / max(n, 1):10.1f}")
    for name in ("epaper", "epaper -j 1"):
        verdict = "meets" if times[name] <= 1.10 * raw else "misses"
        print(f"{name} / raw WeasyPrint = {times[name] / raw:.2f} ({verdict} the ≤ 1.10 target)")
    split = subprocess.run(
        [sys.executable, "-c", SPLIT.format(sources=str(sources), target=str(work / "split.pdf"))],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    print(f"epaper in one process: {split}")
    print(f"load average after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
