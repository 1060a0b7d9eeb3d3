"""The real 人民日报 2024-12-25 page index (../shared/corpus) exported by the CLI, as a user would:
its page picture (generated at the size the page implies, 1000×1438) opens the 版面, every region of
its image map links to its article, EPUBCheck finds nothing, and the options reach the writers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from exporter.checks.pdf import read_facts
from tests.conftest import run_cli
from tests.epubtools import NS, EpubFile, epubcheck
from tests.facsimiles import draw_page, page_pdf
from tests.test_html_readers import RMRB_INDEX, needs_corpus
from tests.test_page_pictures import DAY, IDS, PDF, PICTURE, rmrb_site

pytestmark = needs_corpus
SVG = {"s": "http://www.w3.org/2000/svg"}
XLINK = "{http://www.w3.org/1999/xlink}href"
SCALE = 2.5  # The index shows the picture at 400×575; the file is 1000×1438 (2.5 times, rounded).


def _index_regions() -> dict[int, list[tuple[float, float]]]:
    """Return each article's polygon as the index's map gives it (displayed pixels)."""
    html = RMRB_INDEX.read_text(encoding="utf-8", errors="replace")
    out = {}
    for coords, number in re.findall(r'<Area coords="([^"]+)" shape="polygon" href="[^"]*content_(\d+)\.html"', html):
        values = [float(v) for v in coords.split(",")]
        out[int(number)] = list(zip(values[::2], values[1::2], strict=True))
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The saved day with a picture drawn like the printed page and a real one-page PDF."""
    root = rmrb_site(tmp_path_factory.mktemp("rmrb-facsimile"))
    regions = _index_regions()
    areas = [tuple((x * SCALE, y * SCALE) for x, y in regions[n]) for n in IDS]
    picture = root / DAY / PICTURE
    draw_page(picture, (1000, 1438), "01", areas, [f"第{n}篇" for n in IDS])
    page_pdf(picture, picture.with_suffix(".pdf"))
    (root / DAY / PDF).write_bytes(picture.with_suffix(".pdf").read_bytes())
    picture.with_suffix(".pdf").unlink()
    return root


@pytest.fixture(scope="module")
def exported(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("rmrb-out")
    result = run_cli("export", site, "-f", "epub,pdf", "--pdf-profile", "archive", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    return out


def _book(out: Path, suffix: str) -> Path:
    (book,) = out.rglob(f"2024-12-25{suffix}")
    return book


def test_every_region_of_the_real_map_links_to_its_article(exported: Path) -> None:
    epub = EpubFile(_book(exported, ".epub"))
    assert epub.chapters[:2] == ["facsimile001.xhtml", "page001.xhtml"]
    svg = epub.doc("facsimile001.xhtml").xpath("//s:svg", namespaces=SVG)[0]
    assert svg.get("viewBox") == "0 0 1000 1438"
    expected = _index_regions()
    links = svg.xpath("s:a", namespaces=SVG)
    assert len(links) == len(IDS) == 7
    for link, number in zip(links, IDS, strict=True):
        article = epub.target(link.get(XLINK))
        assert "".join(article.xpath("x:header/x:h2//text()", namespaces=NS)) == f"第{number}篇"
        polygon = link.xpath("string(s:polygon/@points)", namespaces=SVG)
        points = [float(v) for corner in polygon.split() for v in corner.split(",")]
        # The index's coordinates scaled to the file (1000/400 across, 1438/575 down), to the 0.1 px written.
        scaled = [v for x, y in expected[number] for v in (x * 1000 / 400, y * 1438 / 575)]
        assert points == pytest.approx(scaled, abs=0.051)
    assert epubcheck([_book(exported, ".epub")])[_book(exported, ".epub")].problems == []


def test_the_archive_pdf_opens_on_the_picture_and_keeps_the_page_pdf(exported: Path, site: Path) -> None:
    pdf = _book(exported, ".pdf")
    facts = read_facts(pdf)
    assert facts.attachments["2024-12-25_01.pdf"] == (site / DAY / PDF).read_bytes()
    (entry,) = [page for level, title, page in facts.outline if level == 1 and title.startswith("第01版")]
    assert entry is not None
    reader = PdfReader(pdf)
    links = [a.get_object() for a in reader.pages[entry].get("/Annots") or []]
    assert len(links) == 7


def test_no_facsimile_exports_the_book_of_a_site_without_picture(site: Path, tmp_path: Path) -> None:
    when = {"SOURCE_DATE_EPOCH": "1735084800"}  # The two sites were saved at different times.
    off = run_cli("export", site, "-f", "epub", "--no-facsimile", "-o", tmp_path / "off", "-q", env=when)
    assert off.returncode == 0, off.stderr
    bare = rmrb_site(tmp_path / "bare", picture=False)
    plain = run_cli("export", bare, "-f", "epub", "-o", tmp_path / "plain", "-q", env=when)
    assert plain.returncode == 0, plain.stderr
    assert _book(tmp_path / "off", ".epub").read_bytes() == _book(tmp_path / "plain", ".epub").read_bytes()


def test_original_pages_append_puts_the_page_pdf_after_the_book(site: Path, tmp_path: Path) -> None:
    result = run_cli("export", site, "-f", "pdf", "--original-pages", "append", "-o", tmp_path, "-q")
    assert result.returncode == 0, result.stderr
    facts = read_facts(_book(tmp_path, ".pdf"))
    assert facts.outline[-2:] == [(1, "原版版面", facts.pages - 1), (2, "第01版 · 要闻（原版）", facts.pages - 1)]
    assert facts.attachments == {}


def test_volumes_leave_the_pictures_out_unless_asked(site: Path, tmp_path: Path) -> None:
    def facsimile_documents(out: Path) -> list[str]:
        (book,) = out.rglob("*.epub")
        import zipfile

        return [n for n in zipfile.ZipFile(book).namelist() if "facsimile" in n and n.endswith(".xhtml")]

    plain = run_cli("export", site, "--bundle", "month", "-o", tmp_path / "plain", "-q")
    asked = run_cli("export", site, "--bundle", "month", "--facsimile", "-o", tmp_path / "asked", "-q")
    assert plain.returncode == 0 and asked.returncode == 0, (plain.stderr, asked.stderr)
    assert facsimile_documents(tmp_path / "plain") == []
    assert len(facsimile_documents(tmp_path / "asked")) == 1
