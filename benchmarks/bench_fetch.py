"""Time `epaper fetch` of one big issue from a local replica: bounded by the network, not by parsing?

The replica (tests.fetchsite, a stdlib HTTP server in a thread of this process) serves a Founder
classic issue of 24 pages, 150 articles and 100 article images, plus 24 page pictures and 24 page
PDFs (322 files). Each round times whole processes against the same server:

- `epaper fetch URL-TEMPLATE --paper … --date … -o FRESH --rate 0 -q`: Python start-up, imports,
  robots.txt, every request, parsing every page, saving every file;
- `curl --parallel --parallel-max 4` of the same 322 URLs, named in advance: the transfer alone,
  no discovery, no parsing — the floor a crawler cannot beat;
- `wget --recursive --page-requisites` from the first page, when wget is installed: another
  crawler, single connection, following every link (it also follows the off-date links).

Target (issue 12): under 3 s on 2 CPUs. Run: .venv/bin/python benchmarks/bench_fetch.py [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exporter.sources.web import sites  # noqa: E402
from tests.fetchsite import Site, founder_issue  # noqa: E402

DAY = dt.date(2024, 1, 5)
EPAPER = ROOT / ".venv" / "bin" / "epaper"


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return its wall time and the CPU time (user + system) it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if result.returncode not in (0, 8):  # wget says 8 for the 404 of the off-date link.
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-500:]}")
    return seconds, cpu


def parsing_seconds(folder: Path) -> float:
    """CPU time of what the crawl does with the pages of one saved issue: check, parse, find links."""
    from exporter.fetch import crawl

    pages = [(p, "index" if p.name.startswith("node_") else "article") for p in folder.rglob("*.htm")]
    started = time.process_time()
    for path, kind in pages:
        _, doc = crawl._check(path.read_bytes(), str(path), kind)
        assert doc is not None
        if kind == "index":
            crawl._page_links(doc)
            sites.article_links(doc)
            sites.page_picture(doc)
            sites.page_pdf(doc)
        else:
            [img.get("src") for img in doc.iter("img")]
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    issue = founder_issue(DAY, pages=24, article_count=150, image_count=100)
    site = Site()
    site.files.update(issue.files)
    site.start()
    template = site.base + "/html/{yyyy}-{mm}/{dd}/node_1.htm"
    work = Path(tempfile.mkdtemp(prefix="bench-fetch-"))
    curl_config = work / "urls.curl"
    curl_config.write_text(
        "".join(f'url = "{site.base}{p}"\noutput = "got/{i}"\n' for i, p in enumerate(issue.files)), "utf-8"
    )
    commands = {
        "epaper fetch": [str(EPAPER), "fetch", template, "--paper", "青山日报", "--date", DAY.isoformat(),
                         "-o", "OUT", "--rate", "0", "-q"],
        "curl (URLs known)": ["curl", "-s", "--parallel", "--parallel-max", "4", "--create-dirs", "-K", str(curl_config)],
    }  # fmt: skip
    if shutil.which("wget"):
        commands["wget -r -p"] = ["wget", "-q", "-r", "-l", "inf", "-p", "-P", "OUT", site.base + issue.first_page]
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    try:
        for round_number in range(args.runs + 1):  # The first round warms the caches and is not counted.
            for name, command in commands.items():
                folder = work / f"run-{round_number}-{len(times[name])}-{name.split()[0]}"
                folder.mkdir()
                seconds, used = timed([c.replace("OUT", str(folder / "out")) for c in command], folder)
                if round_number:
                    times[name].append(seconds)
                    cpu[name].append(used)
        saved = list((work / "run-0-0-epaper" / "out").rglob("*"))
        files = sum(1 for p in saved if p.is_file() and p.name not in ("fetch.json", "paper.toml"))
        parse = statistics.median(parsing_seconds(work / "run-0-0-epaper" / "out") for _ in range(3))
    finally:
        site.stop()
        shutil.rmtree(work, ignore_errors=True)

    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"issue: 24 pages, 150 articles, 100 images, 24 page pictures, 24 PDFs = {len(issue.files)} files; "
          f"epaper fetch saved {files}")  # fmt: skip
    floor = statistics.median(times["curl (URLs known)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"{name:<18} median {median:5.2f} s  (min {min(values):.2f}, max {max(values):.2f}, {len(values)} runs)"
            f"  {median / floor:5.2f}× curl   CPU {statistics.median(cpu[name]):.2f} s"
        )
    startup = statistics.median(
        timed([sys.executable, "-c", "import exporter.cli, exporter.fetch.crawl"], ROOT)[0] for _ in range(3)
    )
    print(f"of epaper fetch: start-up (imports) {startup:.2f} s, parsing and link finding {parse:.2f} s CPU; "
          "the rest is the HTTP client and waiting")  # fmt: skip
    verdict = "OK" if statistics.median(times["epaper fetch"]) < 3.0 else "OVER"
    print(f"target: epaper fetch under 3 s — {verdict}")


if __name__ == "__main__":
    main()
