"""PDF profiles and page sizes: print (bleed, marks, right-hand chapters, mirrored margins),
archive (PDF/A-3u claim, output intent, tags, the normalized JSON attached), --page-size."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from exporter import normalized
from exporter.assemble import assemble
from exporter.model import Issue
from tests.conftest import EXAMPLES, SEED, run_cli
from tests.pdftools import (
    MM,
    PAGE_SIZES,
    PdfShelf,
    contents_entries,
    expected_outline,
    issues_of,
    module_shelf,
    pdfimages,
    render,
    squash,
)

BLEED = 3 * MM  # 8.504 pt.


@pytest.fixture(scope="module")
def pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    return module_shelf(request, tmp_path_factory)


# --- print -----------------------------------------------------------------------------------


def test_print_bleed_box_is_3mm_outside_the_trim_box(pdfs: PdfShelf) -> None:
    for pdf in pdfs.get("archive-print").pdfs:
        for page in pdfs.doc(pdf).pages:
            media, bleed, trim = page.boxes["MediaBox"], page.boxes["BleedBox"], page.boxes["TrimBox"]
            where = f"{pdf.name} page {page.index + 1}"
            assert bleed[0] == pytest.approx(trim[0] - BLEED, abs=0.01), where
            assert bleed[1] == pytest.approx(trim[1] - BLEED, abs=0.01), where
            assert bleed[2] == pytest.approx(trim[2] + BLEED, abs=0.01), where
            assert bleed[3] == pytest.approx(trim[3] + BLEED, abs=0.01), where
            assert media[0] <= bleed[0] and media[1] <= bleed[1], where
            assert media[2] >= bleed[2] and media[3] >= bleed[3], where
            assert (trim[2] - trim[0], trim[3] - trim[1]) == pytest.approx((210 * MM, 297 * MM), abs=0.01)


def test_print_marks_are_drawn_outside_the_trim(pdfs: PdfShelf) -> None:
    """Crop and cross marks: dark pixels on every side between the MediaBox and the TrimBox."""
    pdf = pdfs.get("archive-print").pdfs[0]
    doc = pdfs.doc(pdf)
    for index in (0, doc.pages[-1].index):  # The cover (a tinted background) and a text page.
        page = doc.pages[index]
        dpi = 150
        image = render(pdf, index, dpi).convert("L")
        scale = dpi / 72
        left, top, right, bottom = (round(v * scale) for v in page.trim)
        width, height = image.size
        bands = {
            "left": (0, 0, max(1, left - 1), height),
            "top": (0, 0, width, max(1, top - 1)),
            "right": (min(width - 1, right + 1), 0, width, height),
            "bottom": (0, min(height - 1, bottom + 1), width, height),
        }
        for side, box in bands.items():
            darkest, _ = image.crop(box).getextrema()
            assert darkest < 128, f"{pdf.name} page {index + 1}: no mark drawn {side} of the trim"


def test_print_cover_background_runs_into_the_bleed(pdfs: PdfShelf) -> None:
    pdf = pdfs.get("archive-print").pdfs[0]
    page = pdfs.doc(pdf).pages[0]
    dpi = 150
    image = render(pdf, 0, dpi)
    scale = dpi / 72
    left, top, right, bottom = (v * scale for v in page.trim)
    inside = image.getpixel((round(left + 20), round(top + (bottom - top) / 4)))
    assert inside != (255, 255, 255), "the cover is tinted"
    bleed = BLEED * scale
    for x, y in (
        (left - bleed / 2, top + (bottom - top) / 4),  # Left bleed, away from the marks.
        (right + bleed / 2, top + (bottom - top) / 4),
        (left + (right - left) / 4, top - bleed / 2),
        (left + (right - left) / 4, bottom + bleed / 2),
    ):
        assert image.getpixel((round(x), round(y))) == pytest.approx(inside, abs=8), (x, y)


def test_print_chapters_start_on_right_hand_pages(pdfs: PdfShelf) -> None:
    for placement in pdfs.placed("archive-print"):
        doc = placement.doc
        assert [p.page % 2 for p in placement.pages] == [0] * len(placement.pages), (
            f"{doc.path.name}: 版面 start on pages {[p.page + 1 for p in placement.pages]}"
        )
        assert doc.contents_pages[0] % 2 == 0, "the contents start on a right-hand page"
        for level, _title, page in doc.facts.outline:
            if level == 1:
                assert page is not None and page % 2 == 0


def test_print_keeps_every_text_outline_and_contents(pdfs: PdfShelf) -> None:
    for placement in pdfs.placed("archive-print"):
        doc = placement.doc
        assert [t for a in placement.articles for t, pos in a.texts if pos < 0] == []
        assert [(lv, squash(t), p) for lv, t, p in doc.facts.outline] == expected_outline(placement.pages)
        real = []
        for page in placement.pages:
            real.append((page.title, page.page + 1))
            real.extend((a.article.title, a.page + 1) for a in page.articles)
        assert contents_entries(doc, placement.book) == real


def test_print_blank_pages_carry_no_running_head_or_folio(pdfs: PdfShelf) -> None:
    for pdf in pdfs.get("archive-print").pdfs:
        doc = pdfs.doc(pdf)
        blank = [p for p in doc.pages[1:] if not p.body]
        assert blank, "right-hand chapters need blank left pages in the sample archive"
        assert [(p.index + 1, p.head, p.foot) for p in blank if p.head or p.foot] == []


def test_print_margins_are_mirrored(pdfs: PdfShelf) -> None:
    """The inner margin (at the spine) is wider: text sits further right on odd pages than on even."""
    margins: dict[int, list[tuple[float, float]]] = {0: [], 1: []}
    for placement in pdfs.placed("archive-print"):
        first = placement.pages[0].page
        for page in placement.doc.pages[first:]:
            words = page.body_words
            if len(words) < 15:
                continue
            left, _, right, _ = page.trim
            number = page.index + 1
            # A closing mark ending a line is set half-width: its glyph box hangs its blank half past the edge.
            ends = [w.x1 for w in words if w.text[-1:] not in "，。、；：？！）》」』”’"]
            margins[number % 2].append((min(w.x0 for w in words) - left, right - max(ends)))
    assert margins[0] and margins[1]
    even_left = statistics.median(m[0] for m in margins[0]) / MM
    even_right = statistics.median(m[1] for m in margins[0]) / MM
    odd_left = statistics.median(m[0] for m in margins[1]) / MM
    odd_right = statistics.median(m[1] for m in margins[1]) / MM
    assert odd_left - even_left > 3, (odd_left, even_left)
    assert odd_left == pytest.approx(even_right, abs=1) and even_left == pytest.approx(odd_right, abs=1), (
        f"left/right margins: even {even_left:.1f}/{even_right:.1f} mm, odd {odd_left:.1f}/{odd_right:.1f} mm"
    )


def test_print_running_heads_alternate(pdfs: PdfShelf) -> None:
    """Left-hand pages: paper and date; right-hand pages: the 版面."""
    for placement in pdfs.placed("archive-print"):
        doc = placement.doc
        issue = placement.book.issues[0].issue
        date = f"{issue.paper.name}{issue.date.year}年{issue.date.month}月{issue.date.day}日"
        for page in doc.pages[placement.pages[0].page :]:
            if not page.body:
                continue
            if (page.index + 1) % 2 == 0:
                assert page.head == date, (doc.path.name, page.index + 1, page.head)
            else:
                assert page.head in {squash(p.title) for p in placement.pages}, (doc.path.name, page.index + 1)


def test_print_keeps_photos_at_300_dpi_or_at_full_size(pdfs: PdfShelf) -> None:
    """Print photos are not downsampled below 300 dpi: either ≥ 300 ppi on the page, or every pixel kept."""
    from PIL import Image

    rows = []
    for placement in pdfs.placed("archive-print"):
        figures = [f for a in placement.articles for f, _ in a.figures if f.image]
        images = pdfimages(placement.doc.path)
        assert len(images) == len(figures)
        for figure, row in zip(figures, images, strict=True):
            assert figure.image is not None
            with Image.open(figure.image) as source:
                rows.append((Path(figure.image).name, source.size, (row.width, row.height), row.ppi))
    assert rows
    for name, source, stored, ppi in rows:
        assert ppi >= 299 or stored == source, f"{name}: {source} px stored as {stored} at {ppi} ppi"
    assert any(source[0] * source[1] > 2_000_000 for _, source, _, _ in rows), "the sample has a large photo"


def test_screen_has_no_bleed(pdfs: PdfShelf) -> None:
    for page in pdfs.doc(pdfs.get("tiny").pdf).pages:
        assert page.boxes["MediaBox"] == pytest.approx(page.boxes["TrimBox"])
        assert page.boxes["BleedBox"] == pytest.approx(page.boxes["TrimBox"])
        assert page.boxes["TrimBox"][2:] == pytest.approx((210 * MM, 297 * MM), abs=0.01)


# --- archive ---------------------------------------------------------------------------------


def test_archive_claims_pdfa3_with_output_intent_and_tags(pdfs: PdfShelf) -> None:
    for pdf in [*pdfs.get("archive-archive").pdfs, *pdfs.get("seed-archive").pdfs]:
        facts = pdfs.doc(pdf).facts
        assert facts.pdfa is not None and facts.pdfa.startswith("3"), facts.pdfa
        assert facts.pdfa == "3U"
        assert facts.output_intent
        assert facts.tagged
        assert pdfs.doc(pdf).info.get("Tagged") == "yes"
        assert set(facts.attachments) == {f"{pdf.stem}.json"}


def _attached_issues(data: bytes) -> list[Issue]:
    papers, articles = normalized.load(json.loads(data.decode("utf-8")))
    issues, notices = assemble(articles, papers)
    assert notices == []
    return issues


def test_archive_attachment_reads_back_to_the_same_model(pdfs: PdfShelf) -> None:
    """The attached JSON is the normalized form of the issue: it reads back to the same model."""
    originals = {i.date.isoformat(): i for i in issues_of([EXAMPLES])}
    for pdf in pdfs.get("archive-archive").pdfs:
        data = pdfs.doc(pdf).facts.attachments[f"{pdf.stem}.json"]
        again = _attached_issues(data)
        assert normalized.dump(again) == normalized.dump([originals[pdf.stem]])
        assert again == [originals[pdf.stem]]


def test_archive_attachment_reads_back_to_the_same_model_seed(pdfs: PdfShelf) -> None:
    (pdf,) = pdfs.get("seed-archive").pdfs
    again = _attached_issues(pdfs.doc(pdf).facts.attachments[f"{pdf.stem}.json"])
    assert tuple(again) == issues_of([SEED])


def test_archive_keeps_every_text(pdfs: PdfShelf) -> None:
    for placement in pdfs.placed("archive-archive"):
        assert [t for a in placement.articles for t, pos in a.texts if pos < 0] == []


# --- page sizes ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", list(PAGE_SIZES))
def test_page_size_sets_the_trim_box(pdfs: PdfShelf, size: str) -> None:
    width, height = PAGE_SIZES[size]
    doc = pdfs.doc(pdfs.get(f"tiny-{size}").pdf)
    for page in doc.pages:
        x0, y0, x1, y1 = page.boxes["TrimBox"]
        assert ((x1 - x0) / MM, (y1 - y0) / MM) == pytest.approx((width, height), abs=0.01), page.index
    assert squash("第二段正文，用来检查页面尺寸与模板覆盖。") in doc.flat


@pytest.mark.parametrize("size", ["A7", "10x10mm", "185x260"])
def test_bad_page_size_exits_2_with_one_line(tmp_path: Path, size: str) -> None:
    src = tmp_path / "src"
    from tests.pdftools import write_tiny_sources

    write_tiny_sources(src)
    proc = run_cli("export", src, "-f", "pdf", "-o", tmp_path / "out", "--page-size", size)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--page-size" in lines[0] and size in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.pdf"))
