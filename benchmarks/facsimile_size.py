"""Size of a 24-版 issue with and without its facsimile 版面 (issue 13: under 30 MB with them).

Builds the issue from the model (tests/facsimiles.py): 24 pages of 6 articles, each page with a
picture drawn like a printed page (headlines, body text, photos) at the size e-paper sites publish
(1400×2013; --picture 2800x4026 for sites with larger scans, downscaled to 2400 px) and its page PDF.
Writes the EPUB and the PDF (screen profile) with and without the pictures, and the archive PDF with
the page PDFs embedded, then prints the file sizes.

Run by hand, not by pytest: .venv/bin/python benchmarks/facsimile_size.py [--picture 1400x2013]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from exporter.book import lay_out  # noqa: E402
from exporter.writers import WriteOptions  # noqa: E402
from exporter.writers.epub import write_epub  # noqa: E402
from exporter.writers.pdf import write_pdf  # noqa: E402
from tests.facsimiles import make_issue  # noqa: E402

LIMIT = 30_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picture", default="1400x2013", help="page picture size in pixels, WxH")
    parser.add_argument("--pages", type=int, default=24)
    args = parser.parse_args()
    width, height = (int(v) for v in args.picture.lower().split("x"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        issue = make_issue(folder / "src", pages=args.pages, articles=6, size=(width, height), paragraphs=8)
        pictures = sum(Path(p.facsimile.image).stat().st_size for p in issue.pages if p.facsimile and p.facsimile.image)
        pdfs = sum(Path(p.facsimile.pdf).stat().st_size for p in issue.pages if p.facsimile and p.facsimile.pdf)
        print(f"{args.pages} pages of 6 articles, pictures {width}×{height} ({pictures / 1e6:.1f} MB as drawn), "
              f"page PDFs {pdfs / 1e6:.1f} MB, built in {time.perf_counter() - started:.0f} s")  # fmt: skip
        book = lay_out([issue])
        runs = [
            ("EPUB with facsimile", "epub", WriteOptions()),
            ("EPUB without", "epub", WriteOptions(facsimile=False)),
            ("PDF (screen) with facsimile", "pdf", WriteOptions()),
            ("PDF (screen) without", "pdf", WriteOptions(facsimile=False)),
            ("PDF (archive) with facsimile and page PDFs", "pdf", WriteOptions(pdf_profile="archive")),
        ]
        for n, (label, fmt, options) in enumerate(runs):
            target = folder / f"{n}.{fmt}"
            started = time.perf_counter()
            (write_epub if fmt == "epub" else write_pdf)(book, target, options)
            size = target.stat().st_size
            verdict = "ok" if size < LIMIT else "OVER 30 MB"
            print(f"{label:45} {size / 1e6:6.1f} MB  {verdict:10} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
