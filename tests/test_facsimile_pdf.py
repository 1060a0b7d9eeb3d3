"""Facsimile 版面 in the PDF: the page picture on its own page, a link annotation over each article
region pointing at the article's first page; the site's page PDFs embedded or appended."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from exporter.book import lay_out
from exporter.checks.pdf import read_facts
from exporter.model import Issue
from exporter.writers import WriteOptions
from exporter.writers.facsimile import PRINT_PICTURE_BUDGET
from exporter.writers.pdf import write_pdf
from tests.facsimiles import make_issue
from tests.pdftools import image_pages, need_tools, page_texts, pdfimages, squash

PT = 72 / 25.4
A4 = (210.0, 297.0)
MARGIN = 8.0  # styles/print-facsimile.css: @page facsimile { margin: 8mm }


@pytest.fixture(scope="module")
def issue(tmp_path_factory: pytest.TempPathFactory) -> Issue:
    need_tools()
    return make_issue(tmp_path_factory.mktemp("facsimile-pdf-src"), pages=3, articles=5)


@pytest.fixture(scope="module")
def pdfs(issue: Issue, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("facsimile-pdf")
    written = {"screen": out / "screen.pdf", "archive": out / "archive.pdf", "append": out / "append.pdf"}
    book = lay_out([issue])
    assert write_pdf(book, written["screen"]) == []
    assert write_pdf(book, written["archive"], WriteOptions(pdf_profile="archive")) == []
    assert write_pdf(book, written["append"], WriteOptions(original_pages="append")) == []
    return written


def _links(reader: PdfReader, index: int) -> list[tuple[tuple[float, ...], str]]:
    out = []
    for annotation in reader.pages[index].get("/Annots") or []:
        annotation = annotation.get_object()
        if annotation.get("/Subtype") != "/Link":
            continue
        dest: Any = annotation.get("/Dest")
        if dest is None and annotation.get("/A") is not None:
            dest = annotation["/A"].get("/D")
        x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
        out.append(((min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)), str(dest)))
    return out


def _destination_page(reader: PdfReader, name: str) -> int:
    page = reader.get_destination_page_number(reader.named_destinations[name])
    assert page is not None
    return page


def _expected_rect(points: tuple[tuple[float, float], ...], size: tuple[int, int]) -> tuple[float, ...]:
    """Where a region lands on an A4 page: the picture fitted into the page less 8 mm margins, centred."""
    box_w, box_h = A4[0] - 2 * MARGIN, A4[1] - 2 * MARGIN
    scale = min(box_w / size[0], box_h / size[1])  # mm per picture pixel.
    left = (A4[0] - size[0] * scale) / 2
    top = MARGIN + (box_h - size[1] * scale) / 2
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x0, x1 = (left + min(xs) * scale) * PT, (left + max(xs) * scale) * PT
    y0, y1 = A4[1] * PT - (top + max(ys) * scale) * PT, A4[1] * PT - (top + min(ys) * scale) * PT
    return (x0, y0, x1, y1)


def _picture_pages(path: Path, issue: Issue) -> list[int]:
    """Return the page index of each 版面's outline entry."""
    headings = [p.heading for p in issue.pages]
    entries = [(title, page) for level, title, page in read_facts(path).outline if level == 1 and title in headings]
    assert [title for title, _ in entries] == headings
    return [page for _, page in entries if page is not None]


def test_every_region_is_a_link_to_the_first_page_of_its_article(pdfs: dict[str, Path], issue: Issue) -> None:
    reader = PdfReader(pdfs["screen"])
    texts = [squash(t) for t in page_texts(pdfs["screen"])]
    titles = {a.origin.file: a.title for a in issue.articles}
    anchors = {
        a.origin.file: f"i1p{p}a{n}" for p, page in enumerate(issue.pages, 1) for n, a in enumerate(page.articles, 1)
    }
    for index, page in zip(_picture_pages(pdfs["screen"], issue), issue.pages, strict=True):
        assert page.facsimile is not None
        links = _links(reader, index)
        assert len(links) == len(page.facsimile.regions) == 5
        for (rect, dest), region in zip(links, page.facsimile.regions, strict=True):
            assert dest == anchors[region.article]
            expected = _expected_rect(region.points, (page.facsimile.width, page.facsimile.height))
            assert rect == pytest.approx(expected, abs=1.0)
            target = _destination_page(reader, dest)
            title = squash(titles[region.article])
            assert title in texts[target]
            assert not any(title in t for t in texts[index + 1 : target])  # Its first page, not a later one.
        assert squash(page.articles[0].title) not in texts[index]  # The picture page holds no text of its own.


def test_the_outline_opens_each_page_on_its_picture(pdfs: dict[str, Path], issue: Issue) -> None:
    facts = read_facts(pdfs["screen"])
    outline = facts.outline
    pictures = _picture_pages(pdfs["screen"], issue)
    for index, page in zip(pictures, issue.pages, strict=True):
        at = outline.index((1, page.heading, index))
        children = [title for level, title, _ in outline[at + 1 : at + 1 + len(page.articles)] if level == 2]
        assert children == [a.title for a in page.articles]
    # No second entry for the 版面 on its text page.
    assert [t for level, t, _ in outline if level == 1] == [p.heading for p in issue.pages]
    images = set(image_pages(pdfs["screen"]))
    assert set(pictures) <= images


def test_articles_link_back_to_their_page_picture(pdfs: dict[str, Path], issue: Issue) -> None:
    reader = PdfReader(pdfs["screen"])
    pictures = _picture_pages(pdfs["screen"], issue)
    backs = {}
    for index in range(len(reader.pages)):
        for _, dest in _links(reader, index):
            if dest.endswith("f"):
                backs.setdefault(dest, set()).add(index)
    assert sorted(backs) == ["i1p1f", "i1p2f", "i1p3f"]
    for n, index in enumerate(pictures, start=1):
        assert _destination_page(reader, f"i1p{n}f") == index


def test_the_archive_embeds_the_page_pdfs(pdfs: dict[str, Path], issue: Issue) -> None:
    facts = read_facts(pdfs["archive"])
    assert facts.pdfa == "3U"
    originals = {
        f"2024-12-25_{p.label}.pdf": Path(p.facsimile.pdf).read_bytes()
        for p in issue.pages
        if p.facsimile and p.facsimile.pdf
    }
    assert len(originals) == 3
    for name, data in originals.items():
        assert facts.attachments[name] == data
    assert "2024-12-25.json" in facts.attachments
    assert facts.pages == read_facts(pdfs["screen"]).pages  # Embedded, not appended.


def test_append_puts_the_page_pdfs_after_the_book_and_keeps_its_outline(pdfs: dict[str, Path], issue: Issue) -> None:
    screen, appended = read_facts(pdfs["screen"]), read_facts(pdfs["append"])
    assert appended.pages == screen.pages + 3
    assert appended.outline[: len(screen.outline)] == screen.outline
    assert appended.outline[len(screen.outline) :] == [
        (1, "原版版面", screen.pages),
        (2, "第01版 · 要闻（原版）", screen.pages),
        (2, "第02版 · 要闻（原版）", screen.pages + 1),
        (2, "第03版 · 要闻（原版）", screen.pages + 2),
    ]
    reader = PdfReader(pdfs["append"])
    index = _picture_pages(pdfs["append"], issue)[0]
    for _, dest in _links(reader, index):
        assert _destination_page(reader, dest) < screen.pages
    assert appended.attachments == {}


def test_a_picture_gone_from_disk_leaves_the_pdf_page_without_facsimile(tmp_path: Path) -> None:
    need_tools()
    issue = make_issue(tmp_path / "src", pages=2, articles=2, pdfs=False)
    picture = issue.pages[0].facsimile.image  # type: ignore[union-attr]
    assert picture is not None
    Path(picture).unlink()
    notices = write_pdf(lay_out([issue]), tmp_path / "a.pdf")
    assert len(notices) == 1 and picture in str(notices[0])
    images = set(image_pages(tmp_path / "a.pdf"))
    outline = {title: page for level, title, page in read_facts(tmp_path / "a.pdf").outline if level == 1}
    assert outline["第01版 · 要闻"] not in images
    assert outline["第02版 · 要闻"] in images


def test_print_keeps_the_scan_as_the_site_published_it(tmp_path: Path) -> None:
    need_tools()
    issue = make_issue(tmp_path / "src", pages=1, articles=2, pdfs=False)
    write_pdf(lay_out([issue]), tmp_path / "print.pdf", WriteOptions(pdf_profile="print"))
    picture = issue.pages[0].facsimile.image  # type: ignore[union-attr]
    assert picture is not None
    rows = [row for row in pdfimages(tmp_path / "print.pdf") if (row.width, row.height) == (1400, 2013)]
    assert len(rows) == 1  # Not resampled: the 1400×2013 JPEG (under the print budget) goes in as it is.
    assert Path(picture).stat().st_size < PRINT_PICTURE_BUDGET


def test_in_a_month_volume_the_picture_is_the_page_entry_under_its_issue(issue: Issue, tmp_path: Path) -> None:
    next_day = dataclasses.replace(issue, date=issue.date + dt.timedelta(days=1))
    write_pdf(lay_out([issue, next_day], "month"), tmp_path / "month.pdf")
    outline = read_facts(tmp_path / "month.pdf").outline
    levels = [(level, title) for level, title, _ in outline]
    first = levels.index((1, "人民日报 2024年12月25日 星期三"))
    assert levels[first + 1] == (2, "第01版 · 要闻")
    assert levels[first + 2] == (3, issue.pages[0].articles[0].title)
    assert [t for level, t in levels if level == 2] == [p.heading for p in issue.pages] * 2
    pictures = set(image_pages(tmp_path / "month.pdf"))
    assert {page for level, _, page in outline if level == 2} <= pictures


def test_in_an_issue_of_several_sections_the_picture_is_the_page_entry_under_its_section(tmp_path: Path) -> None:
    need_tools()
    issue = make_issue(tmp_path / "src", pages=2, articles=2, pdfs=False)
    pages = tuple(dataclasses.replace(p, label=label) for p, label in zip(issue.pages, ("A01", "B01"), strict=True))
    write_pdf(lay_out([dataclasses.replace(issue, pages=pages)]), tmp_path / "sections.pdf")
    outline = read_facts(tmp_path / "sections.pdf").outline
    pictures = set(image_pages(tmp_path / "sections.pdf"))
    assert [(level, title) for level, title, _ in outline if level <= 2] == [
        (1, "A叠"), (2, "第A01版 · 要闻"), (1, "B叠"), (2, "第B01版 · 要闻"),
    ]  # fmt: skip
    assert {page for level, _, page in outline if level == 2} <= pictures
    assert [title for level, title, _ in outline if level == 3] == [a.title for p in issue.pages for a in p.articles]
