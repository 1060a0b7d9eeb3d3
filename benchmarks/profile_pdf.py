"""Where the print template costs WeasyPrint extra layout: one issue rendered with parts of the CSS switched off.

Builds epaper's own HTML and stylesheets for one issue (exporter.writers.pdf), then renders them
in this process with WeasyPrint, each variant adding one override stylesheet after the built-in
ones (styles/ is not edited), and a plain-HTML peer of the same text. For each: the median
render (layout) time and write time of --repeat runs, pages, and how many times WeasyPrint laid
out a page (make_page calls: more than the page count means re-layouts for page-based counters).
Times are CPU seconds of this process (time.process_time), so a busy machine inflates them less.

Run: .venv/bin/python benchmarks/profile_pdf.py ISSUE_FOLDER [--repeat 3] [--profile]
     (an issue folder: e.g. one day of benchmarks/scale_archive.py's output)
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VARIANTS = {
    "epaper as shipped": "",
    "contents without page numbers (no target-counter, no leader)": (
        ".contents a::after, .contents a::before { content: none; }"
    ),
    'contents: the former leader(".") dots instead of the drawn rule (before issue 17)': (
        ".contents a { display: inline; position: static; } .contents a::before { content: none; }"
        " .contents a > span { background: none; padding: 0; }"
        ' .contents a::after { content: leader(".") target-counter(attr(href url), page); }'
    ),
    "no contents page": ".contents { display: none; }",
    "no running heads (margin boxes with string())": (
        "@page { @top-left { content: none; } @top-right { content: none; } } .page { string-set: none; }"
    ),
    "no page-number margin box": "@page { @bottom-center { content: none; } }",
    "no keep-together rules (break-inside/after: avoid, widows/orphans)": (
        "h1, h2, h3, .heading, .article-header, figure.photo, .cover-pages li"
        " { break-inside: auto; break-after: auto; page-break-after: auto; }"
        " p { widows: 1; orphans: 1; }"
    ),
    "all of the above off": "",  # Filled in below.
}


def build(issue_dir: Path) -> tuple[str, list[object], object]:
    from exporter.archive import open_archive
    from exporter.book import lay_out
    from exporter.writers import WriteOptions, build_time
    from exporter.writers.pdf import _ImageFetcher, build_html, build_images, build_stylesheets
    from exporter.writers.pdfsetup import check_page_size

    options = WriteOptions()
    (issue,) = open_archive([issue_dir]).issues
    book = lay_out([issue])
    refs, served = build_images(book, options, [])
    html = build_html(book, options, refs, build_time(book.sources, book.date_to))
    return html, build_stylesheets(options, *check_page_size(options.page_size)), _ImageFetcher(served)


def plain(html_of: Path) -> str:
    from benchmarks.bench_scale import plain_html

    target = Path(os.environ.get("TMPDIR", "/tmp")) / "epaper-plain.html"
    return plain_html(html_of, target).read_text(encoding="utf-8")


class PageCount:
    """Count WeasyPrint's page layouts (make_page) while rendering."""

    def __init__(self) -> None:
        from weasyprint.layout import page

        self.module, self.real, self.calls = page, page.make_page, 0

        def counted(*args: object, **kwargs: object) -> object:
            self.calls += 1
            return self.real(*args, **kwargs)

        page.make_page = counted

    def close(self) -> None:
        self.module.make_page = self.real


def render(html: str, sheets: list[object], fetcher: object, repeat: int) -> tuple[float, float, int, int]:
    import weasyprint

    renders, writes, layouts, pages = [], [], 0, 0
    for _ in range(repeat):
        count = PageCount()
        started = time.process_time()  # CPU time: one process, one thread; robust on a loaded machine.
        fetch = {"url_fetcher": fetcher} if fetcher else {}
        document = weasyprint.HTML(string=html, base_url="about:blank", **fetch).render(stylesheets=sheets)
        renders.append(time.process_time() - started)
        count.close()
        started = time.process_time()
        document.write_pdf(io.BytesIO())
        writes.append(time.process_time() - started)
        layouts, pages = count.calls, len(document.pages)
    return statistics.median(renders), statistics.median(writes), layouts, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("issue", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top functions of the shipped render")
    parser.add_argument("--only", help="run only the variants whose name contains this text (and the shipped one)")
    args = parser.parse_args()
    import weasyprint

    html, sheets, fetcher = build(args.issue)
    VARIANTS["all of the above off"] = " ".join(v for k, v in VARIANTS.items() if v and "former" not in k)
    print(f"load {os.getloadavg()[0]:.1f}; WeasyPrint {weasyprint.__version__}; medians of {args.repeat}")
    print("| variant | layout (render), CPU | write, CPU | pages | page layouts | load |")
    print("|---|---|---|---|---|---|")
    base = None
    for name, extra in VARIANTS.items():
        if args.only and name != "epaper as shipped" and args.only not in name:
            continue
        extra_sheets = [weasyprint.CSS(string=extra)] if extra else []
        load = os.getloadavg()[0]
        took, wrote, layouts, pages = render(html, [*sheets, *extra_sheets], fetcher, args.repeat)
        base = base or took
        print(f"| {name} | {took:.2f} s ({took / base:.2f}×) | {wrote:.2f} s | {pages} | {layouts} | {load:.1f} |")
    load = os.getloadavg()[0]
    took, wrote, layouts, pages = render(plain(args.issue), [], None, args.repeat)
    print(
        f"| plain HTML of the same text (peer) | {took:.2f} s ({took / base:.2f}×) | {wrote:.2f} s | {pages} | {layouts} | {load:.1f} |"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        weasyprint.HTML(string=html, base_url="about:blank", url_fetcher=fetcher).render(stylesheets=sheets)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


if __name__ == "__main__":
    main()
