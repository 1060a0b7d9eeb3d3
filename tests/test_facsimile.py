"""Facsimile 版面 in the EPUB: each 版面 opens with its page picture, every article region a link.

Issues are built from the model (tests/facsimiles.py): pictures drawn at the sites' size, regions in
the picture's pixels, so the expected documents, ids and coordinates come from the issue itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image

from exporter.book import lay_out
from exporter.model import Issue, Region
from exporter.pipeline.manifest import build_key
from exporter.writers import WriteOptions
from exporter.writers.epub import write_epub
from exporter.writers.facsimile import PICTURE_BUDGET, prepare_picture
from tests.conftest import EXAMPLES, run_cli
from tests.epubtools import NS, EpubFile, epubcheck, text_of
from tests.facsimiles import draw_page, layout, make_issue, rect, without_pictures

SPINE_PROPERTIES = {"rendition:layout-pre-paginated", "rendition:spread-none"}
XLINK = "{http://www.w3.org/1999/xlink}href"
SVG = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Issue:
    return make_issue(tmp_path_factory.mktemp("facsimile-src"), pages=3, articles=5)


@pytest.fixture(scope="module")
def books(issue: Issue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Write every EPUB the module checks, then run EPUBCheck on all of them in one JVM."""
    out = tmp_path_factory.mktemp("facsimile-epub")
    folder = tmp_path_factory.mktemp("dense-src")
    dense = make_issue(folder, pages=1, articles=300, paragraphs=1)
    written = {
        "issue": out / "issue.epub",
        "dense": out / "dense.epub",
        "off": out / "off.epub",
        "plain": out / "plain.epub",
        "month": out / "month.epub",
    }
    assert write_epub(lay_out([issue]), written["issue"]) == []
    assert write_epub(lay_out([dense]), written["dense"]) == []
    write_epub(lay_out([issue]), written["off"], WriteOptions(facsimile=False))
    write_epub(lay_out([without_pictures(issue)]), written["plain"])
    next_day = dataclasses.replace(issue, date=issue.date + dt.timedelta(days=1))
    assert write_epub(lay_out([issue, next_day], "month"), written["month"]) == []
    return written


@pytest.fixture(scope="module")
def epub(books: dict[str, Path]) -> EpubFile:
    return EpubFile(books["issue"])


def _articles_by_source(issue: Issue) -> dict[str, str]:
    return {a.origin.file: a.title for a in issue.articles}


def _facsimile_docs(epub: EpubFile) -> list[str]:
    return [href for href in epub.chapters if href.startswith("facsimile")]


def test_each_page_chapter_opens_with_its_fixed_layout_picture_document(epub: EpubFile, issue: Issue) -> None:
    spine = epub.opf.xpath("/opf:package/opf:spine/opf:itemref", namespaces=NS)
    by_id = {i.id: i for i in epub.manifest}
    chapters = [(by_id[r.get("idref")], set((r.get("properties") or "").split())) for r in spine][2:]
    assert [item.href for item, _ in chapters] == [
        "facsimile001.xhtml", "page001.xhtml", "facsimile002.xhtml", "page002.xhtml",
        "facsimile003.xhtml", "page003.xhtml",
    ]  # fmt: skip
    for item, properties in chapters:
        if item.href.startswith("facsimile"):
            assert properties == SPINE_PROPERTIES
            assert "svg" in item.properties
        else:
            assert properties == set()
    for href, page in zip(_facsimile_docs(epub), issue.pages, strict=True):
        doc = epub.doc(href)
        assert doc.xpath("string(//x:meta[@name='viewport']/@content)", namespaces=NS) == "width=1400, height=2013"
        svg = doc.xpath("//s:svg", namespaces=SVG)[0]
        assert svg.get("viewBox") == "0 0 1400 2013"
        image = svg.xpath("s:image", namespaces=SVG)[0]
        assert (image.get("width"), image.get("height")) == ("1400", "2013")
        embedded = epub.image(image.get(XLINK))
        assert embedded.size == (1400, 2013) and embedded.format == "JPEG"
        assert page.facsimile is not None


def test_every_region_links_to_its_article_in_a_document_that_exists(epub: EpubFile, issue: Issue) -> None:
    titles = _articles_by_source(issue)
    manifest = {i.href for i in epub.manifest}
    for href, page in zip(_facsimile_docs(epub), issue.pages, strict=True):
        assert page.facsimile is not None
        links = epub.doc(href).xpath("//s:svg/s:a", namespaces=SVG)
        assert len(links) == len(page.facsimile.regions) == 5
        for link, region in zip(links, page.facsimile.regions, strict=True):
            target = link.get(XLINK)
            assert target.split("#")[0] in manifest
            article = epub.target(target)
            assert article.tag == f"{{{NS['x']}}}article"
            assert text_of(article.xpath("x:header/x:h2", namespaces=NS)[0]) == titles[region.article]
            polygon = link.xpath("s:polygon", namespaces=SVG)[0]
            points = [tuple(float(v) for v in p.split(",")) for p in polygon.get("points").split()]
            assert points == [(round(x, 1), round(y, 1)) for x, y in region.points]  # 1400 px: not scaled.
    lead = epub.doc("facsimile001.xhtml").xpath("//s:polygon", namespaces=SVG)[0]
    assert len(lead.get("points").split()) == 6  # The L-shaped lead story keeps its six corners.


def test_the_picture_document_lists_the_articles_for_readers_without_svg_links(epub: EpubFile, issue: Issue) -> None:
    for href, page in zip(_facsimile_docs(epub), issue.pages, strict=True):
        items = epub.doc(href).xpath("//x:nav[@class='facsimile-articles']//x:li/x:a", namespaces=NS)
        assert [text_of(a) for a in items] == [a.title for a in page.articles]
        for link in items:
            assert epub.target(link.get("href")).tag == f"{{{NS['x']}}}article"


def test_each_article_links_back_to_its_page_picture(epub: EpubFile, issue: Issue) -> None:
    for n, page in enumerate(issue.pages, start=1):
        doc = epub.doc(f"page{n:03d}.xhtml")
        articles = doc.xpath("//x:article", namespaces=NS)
        assert len(articles) == len(page.articles)
        for article in articles:
            backs = article.xpath(".//x:p[@class='facsimile-link']/x:a/@href", namespaces=NS)
            assert backs == [f"facsimile{n:03d}.xhtml"]


def test_nav_lists_pages_then_articles_with_the_page_entry_on_its_picture(epub: EpubFile, issue: Issue) -> None:
    toc = epub.toc
    assert [e.href for e in toc] == ["facsimile001.xhtml", "facsimile002.xhtml", "facsimile003.xhtml"]
    for entry, page in zip(toc, issue.pages, strict=True):
        assert [c.title for c in entry.children] == [a.title for a in page.articles]
        assert all(c.href.startswith(entry.href.replace("facsimile", "page")) for c in entry.children)
    assert [e.href for e in epub.ncx_toc] == [e.href for e in toc]


def test_a_month_volume_opens_each_issue_and_page_on_its_picture(books: dict[str, Path], issue: Issue) -> None:
    epub = EpubFile(books["month"])
    toc = epub.toc
    assert [e.title for e in toc] == ["人民日报 2024年12月25日 星期三", "人民日报 2024年12月26日 星期四"]
    assert [e.href for e in toc] == ["facsimile001.xhtml", "facsimile004.xhtml"]
    assert [p.href for p in toc[1].children] == ["facsimile004.xhtml", "facsimile005.xhtml", "facsimile006.xhtml"]
    assert [c.title for c in toc[1].children[0].children] == [a.title for a in issue.pages[0].articles]
    links = epub.doc("facsimile004.xhtml").xpath("//s:svg/s:a", namespaces=SVG)
    assert [link.get(XLINK) for link in links] == [f"page004.xhtml#i2p1a{n}" for n in range(1, 6)]


def test_epubcheck_reports_nothing(books: dict[str, Path]) -> None:
    reports = epubcheck([books["issue"], books["dense"], books["off"], books["month"]])
    for path, report in reports.items():
        assert report.problems == [], path
        assert "0 fatal, 0 errors, 0 warnings" in report.facts[0]


def test_no_facsimile_gives_the_book_of_a_source_without_pictures(books: dict[str, Path]) -> None:
    assert books["off"].read_bytes() == books["plain"].read_bytes()
    names = EpubFile(books["plain"]).names
    assert not [n for n in names if "facsimile" in n]


def test_a_book_with_pictures_is_reproducible(books: dict[str, Path], issue: Issue, tmp_path: Path) -> None:
    write_epub(lay_out([issue]), tmp_path / "again.epub")
    assert (tmp_path / "again.epub").read_bytes() == books["issue"].read_bytes()


def test_three_hundred_regions_on_a_page(books: dict[str, Path]) -> None:
    epub = EpubFile(books["dense"])
    links = epub.doc("facsimile001.xhtml").xpath("//s:svg/s:a", namespaces=SVG)
    assert len(links) == 300
    targets = [link.get(XLINK) for link in links]
    assert len(set(targets)) == 300
    ids = set(epub.doc("page001.xhtml").xpath("//x:article/@id", namespaces=NS))
    assert {t.split("#")[1] for t in targets} == ids


def test_a_large_picture_is_downscaled_to_2400_px_with_its_regions(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=1, articles=2, pdfs=False)
    page = issue.pages[0]
    assert page.facsimile is not None
    big = tmp_path / "big.jpg"
    Image.radial_gradient("L").resize((4000, 5750)).save(big)  # The size is what counts here.
    regions = (Region(page.articles[0].origin.file, rect(400, 575, 2000, 2875)),)
    facsimile = dataclasses.replace(page.facsimile, image=str(big), width=4000, height=5750, regions=regions)
    issue = dataclasses.replace(issue, pages=(dataclasses.replace(page, facsimile=facsimile),))
    view = lay_out([issue]).pages[0].facsimile
    assert view is not None
    # 4000×5750 → long side 2400: 2400 / 5750 × 4000 = 1669.6.
    assert (view.width, view.height) == (1670, 2400)
    assert view.regions[0].points == ((167.0, 240.0), (835.0, 240.0), (835.0, 1200.0), (167.0, 1200.0))
    write_epub(lay_out([issue]), tmp_path / "big.epub")
    epub = EpubFile(tmp_path / "big.epub")
    assert epub.image("images/facsimile001.jpg").size == (1670, 2400)
    svg = epub.doc("facsimile001.xhtml").xpath("//s:svg", namespaces=SVG)[0]
    assert svg.get("viewBox") == "0 0 1670 2400"
    assert svg.xpath("string(s:a/s:polygon/@points)", namespaces=SVG) == "167,240 835,240 835,1200 167,1200"


def test_page_pictures_stay_within_the_budget_of_a_24_page_issue(tmp_path: Path) -> None:
    # A dense page drawn losslessly at the embedded size: the encoder has to choose the quality.
    size = (1670, 2400)
    draw_page(tmp_path / "p.jpg", size, "01", layout(size, 6), [f"标题{n}" for n in range(6)])
    with Image.open(tmp_path / "p.jpg") as image:
        image.save(tmp_path / "p.png")
    prepared = prepare_picture(str(tmp_path / "p.png"), (1670, 2400))
    assert len(prepared.data) <= PICTURE_BUDGET
    assert 24 * PICTURE_BUDGET < 30_000_000 - 2_000_000  # Room left for the text, cover and photos.
    with Image.open(io.BytesIO(prepared.data)) as embedded:
        assert embedded.size == (1670, 2400) and embedded.format == "JPEG"
        assert not embedded.info.get("progressive") and "exif" not in embedded.info


def test_regions_of_articles_outside_the_book_are_dropped(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=1, articles=2, pdfs=False)
    page = issue.pages[0]
    assert page.facsimile is not None
    stray = Region(str(tmp_path / "src" / "content_not_saved.html"), rect(10, 10, 100, 100))
    flat = Region(page.articles[1].origin.file, ((5.0, 5.0), (50.0, 5.0)))  # Two points: no area.
    regions = (*page.facsimile.regions, stray, flat)
    issue = dataclasses.replace(
        issue, pages=(dataclasses.replace(page, facsimile=dataclasses.replace(page.facsimile, regions=regions)),)
    )
    view = lay_out([issue]).pages[0].facsimile
    assert view is not None
    assert [r.article.article.title for r in view.regions] == [a.title for a in page.articles]


def test_corners_outside_the_picture_are_clipped_to_it(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=1, articles=1, pdfs=False)
    page = issue.pages[0]
    assert page.facsimile is not None
    regions = (Region(page.articles[0].origin.file, rect(-30, 1500, 1500, 2100)),)  # Picture: 1400×2013.
    facsimile = dataclasses.replace(page.facsimile, regions=regions)
    view = lay_out([dataclasses.replace(issue, pages=(dataclasses.replace(page, facsimile=facsimile),))]).pages[0]
    assert view.facsimile is not None
    region = view.facsimile.regions[0]
    assert region.points == ((0, 1500), (1400, 1500), (1400, 2013), (0, 2013))
    assert region.box == (0, round(1500 / 2013 * 100, 3), 100, round(513 / 2013 * 100, 3))


def test_a_page_without_picture_is_a_chapter_without_facsimile(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=2, articles=2, pdfs=False)
    first = issue.pages[0]
    assert first.facsimile is not None
    no_image = dataclasses.replace(first, facsimile=dataclasses.replace(first.facsimile, image=None))
    issue = dataclasses.replace(issue, pages=(no_image, issue.pages[1]))
    notices = write_epub(lay_out([issue]), tmp_path / "a.epub")
    assert notices == []
    epub = EpubFile(tmp_path / "a.epub")
    assert epub.chapters == ["page001.xhtml", "facsimile002.xhtml", "page002.xhtml"]
    assert not epub.doc("page001.xhtml").xpath("//x:p[@class='facsimile-link']", namespaces=NS)
    assert [e.href for e in epub.toc] == ["page001.xhtml", "facsimile002.xhtml"]


def test_a_picture_gone_from_disk_leaves_the_chapter_without_facsimile_and_one_warning(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=2, articles=2, pdfs=False)
    picture = issue.pages[1].facsimile.image  # type: ignore[union-attr]
    assert picture is not None
    Path(picture).unlink()
    notices = write_epub(lay_out([issue]), tmp_path / "a.epub")
    assert len(notices) == 1
    assert picture in str(notices[0]) and "第02版" in notices[0].message
    epub = EpubFile(tmp_path / "a.epub")
    assert epub.chapters == ["facsimile001.xhtml", "page001.xhtml", "page002.xhtml"]
    assert [e.href for e in epub.toc] == ["facsimile001.xhtml", "page002.xhtml"]


def test_the_options_and_the_picture_are_part_of_the_rebuild_key(tmp_path: Path) -> None:
    issue = make_issue(tmp_path / "src", pages=1, articles=2)
    key = build_key((issue,), "epub", "issue", None, WriteOptions())
    assert build_key((issue,), "epub", "issue", None, WriteOptions(facsimile=False)) != key
    assert build_key((issue,), "pdf", "issue", None, WriteOptions(original_pages="append")) != build_key(
        (issue,), "pdf", "issue", None, WriteOptions()
    )
    picture = Path(issue.pages[0].facsimile.image)  # type: ignore[arg-type, union-attr]
    picture.write_bytes(picture.read_bytes() + b"\0")
    assert build_key((issue,), "epub", "issue", None, WriteOptions()) != key


def test_cli_refuses_an_unknown_original_pages_value() -> None:
    result = run_cli("export", EXAMPLES, "-f", "pdf", "--original-pages", "keep", "-o", "/nonexistent/out")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "epaper: error: --original-pages 'keep': expected embed, append or none"
    ]
