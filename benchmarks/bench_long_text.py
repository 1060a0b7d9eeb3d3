"""PDF layout time of one long paragraph without punctuation: with breakable_runs (epaper) and without.

Issue 18: WeasyPrint re-encodes a text box's whole remaining text for every line, so one paragraph
of n characters costs O(n²). `exporter.text.breakable_runs` cuts long text nodes into boxes of
about 1,000 characters. This script renders the same book HTML both ways, in the same run, for
doubling sizes and prints the times, the growth ratio per doubling (2.0 is linear) and the load.

    .venv/bin/python benchmarks/bench_long_text.py [--sizes 20000,40000,80000,160000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time

import weasyprint

from exporter.text import breakable_runs

HAN = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定"
CSS = weasyprint.CSS(string="@page { size: A4; margin: 20mm } body { font: 11pt 'Noto Serif CJK SC' }")


def html_of(n: int, kind: str) -> str:
    rng = random.Random(n)
    text = "".join(rng.choice(HAN) for _ in range(n)) if kind == "han" else "abcdefghij" * (n // 10)
    return f"<html><head><title>t</title></head><body><p>{text}</p></body></html>"


def seconds(html: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        weasyprint.HTML(string=html).render(stylesheets=[CSS])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="20000,40000,80000,160000")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs; median of {args.runs} runs")
    for kind in ("han", "latin"):
        previous: dict[str, float] = {}
        for n in sizes:
            row = [f"{kind:5} {n:>7} chars"]
            for name, transform in (("plain", lambda h: h), ("epaper", breakable_runs)):
                if name == "plain" and kind == "latin":
                    continue  # One unbreakable line: fast, but runs off the page (the text is lost to the eye).
                t = seconds(transform(html_of(n, kind)), args.runs)
                growth = f" (×{t / previous[name]:.1f})" if name in previous else ""
                previous[name] = t
                row.append(f"{name} {t:6.2f} s{growth}")
            print("  ".join(row), flush=True)


if __name__ == "__main__":
    main()
