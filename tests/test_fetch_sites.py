"""`epaper fetch` of the saved site layouts of tests/fixtures/html/sites, served as if they were the sites.

The fetch code was written without these trees: each is served by a real HTTP server in a thread, fetched
from its first page with the family the URL names, and the fetched tree must read exactly as the saved tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from exporter.archive import open_archive
from exporter.fetch.crawl import Tally
from exporter.fetch.dates import FetchOptions, fetch_dates
from exporter.fetch.preset import from_template
from exporter.sources import ReadOptions
from tests.fetchsite import Site
from tests.test_fetch import FAST

SITES = Path(__file__).parent / "fixtures" / "html" / "sites"

# tree, first-page URL template, family, paper, date
LAYOUTS = [
    ("founder-classic-letters", "/html/{yyyy}-{mm}/{dd}/node_187.htm", "founder", "东江日报", dt.date(2023, 5, 6)),
    ("founder-classic-numbers", "/html/{yyyy}-{mm}/{dd}/node_1.htm", "founder", None, None),
    ("founder-cms", "/html/{yyyy}-{mm}/{dd}/node_3.htm", "founder", None, None),
    ("founder-pc", "/pc/layout/{yyyymm}/{dd}/node_1.html", "founder-pc", None, None),
    ("gmrb-old", "/gmrb/html/{yyyy}-{mm}/{dd}/nbs.D110000gmrb_01.htm", "gmrb", "光明日报", dt.date(2025, 6, 18)),
    ("gmrb-new", "/gmrb/html/layout/{yyyymm}/{dd}/node_01.html", "founder-pc", "光明日报", dt.date(2026, 3, 5)),
    ("jjrb", "/jjrb/html/{yyyy}-{mm}/{dd}/node_2.htm", "founder", "经济日报", dt.date(2019, 12, 5)),
    ("mrdx", "/content/{yyyymmdd}/Page01DK.htm", "mrdx", "新华每日电讯", dt.date(2020, 3, 20)),
]


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site().start()
    yield server
    server.stop()


def pages(root: Path) -> tuple[str, dt.date, list[tuple[str, str | None, list[str]]]]:
    archive = open_archive([root], ReadOptions())
    assert not archive.refused, archive.refused
    (issue,) = archive.issues
    return issue.paper.name, issue.date, [(p.label, p.name, [a.title for a in p.articles]) for p in issue.pages]


@pytest.mark.parametrize(("tree", "first", "family", "paper", "day"), LAYOUTS, ids=[t[0] for t in LAYOUTS])
def test_fetched_tree_reads_as_the_saved_one(
    site: Site, tmp_path: Path, tree: str, first: str, family: str, paper: str | None, day: dt.date | None
) -> None:
    root = SITES / tree
    for file in root.rglob("*"):
        if file.is_file() and file.name != "ATTRIBUTION.md":
            site.files["/" + file.relative_to(root).as_posix()] = file.read_bytes()
    name, date, expected = pages(root)  # The saved tree as the readers see it.
    assert (paper or name, day or date) == (name, date)
    preset = from_template(site.base + first, family, name)
    (result,) = fetch_dates(preset, [date], tmp_path, FetchOptions(FAST, False), tally=Tally())
    # The trees keep no page pictures or PDFs: their links are the only failures (404), reported, not fatal.
    lost = [f["url"] for f in result.failed if urlsplit(f["url"]).path in site.files]
    assert lost == [] and result.state in ("complete", "partial")
    assert all(Path(urlsplit(f["url"]).path).suffix in (".jpg", ".pdf") for f in result.failed)
    assert pages(tmp_path / name / date.isoformat())[2] == expected
