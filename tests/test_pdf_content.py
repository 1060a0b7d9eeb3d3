"""PDF content, for the sample archive, the seed and every rmrb.db issue (screen profile):
every text of the model is printed, fonts are embedded subsets, the outline and the contents
page point at the pages where the headings really are, running heads and folios, headings kept
with what follows, photos kept with their captions."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

import pytest

from tests.pdftools import RMRB_DATES, PdfShelf, Placement, module_shelf, squash, stranded

BOOKS = ["seed", "archive", *(f"rmrb-{d}" for d in RMRB_DATES)]


@pytest.fixture(scope="module")
def pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    return module_shelf(request, tmp_path_factory)


@pytest.fixture(params=BOOKS)
def placements(request: pytest.FixtureRequest, pdfs: PdfShelf) -> list[Placement]:
    return pdfs.placed(request.param)


def test_export_wrote_one_pdf_per_issue(pdfs: PdfShelf) -> None:
    assert [p.name for p in pdfs.get("archive").pdfs] == ["2026-03-02.pdf", "2026-03-03.pdf"]
    assert [p.name for p in pdfs.get("seed").pdfs] == ["2026-01-14.pdf"]
    for date in RMRB_DATES:
        export = pdfs.get(f"rmrb-{date}")
        assert [p.relative_to(export.out) for p in export.pdfs] == [Path("人民日报", f"{date}.pdf")]


def test_every_text_is_printed_in_order(placements: list[Placement]) -> None:
    """Each string of Article.texts() is in the PDF's body text, inside its article, in order."""
    for placement in placements:
        missing = [
            f"{placed.article.origin}: {text[:40]!r}"
            for placed in placement.articles
            for text, pos in placed.texts
            if pos < 0
        ]
        assert not missing, f"{placement.doc.path.name}: {len(missing)} texts missing:\n" + "\n".join(missing[:10])
        assert sum(len(p.texts) for p in placement.articles) == sum(
            len(v.article.texts()) for v in placement.book.articles
        )


def test_fonts_are_embedded_subsets_of_noto_cjk(placements: list[Placement]) -> None:
    for placement in placements:
        doc = placement.doc
        rows = doc.fonts
        assert rows, f"{doc.path.name}: pdffonts lists no font"
        assert [r.name for r in rows if not r.embedded] == [], f"{doc.path.name}: fonts not embedded"
        assert [r.name for r in rows if not r.subset] == [], f"{doc.path.name}: fonts embedded whole"
        assert {name: state for name, state in doc.facts.fonts.items() if state != (True, True)} == {}
        assert all("Noto" in r.name and "CJK" in r.name for r in rows), [r.name for r in rows]


def test_outline_points_at_the_pages_of_the_headings(placements: list[Placement]) -> None:
    """One entry per 版面 (level 1), article (2) and section heading (3), each at its real page."""
    from tests.pdftools import expected_outline

    for placement in placements:
        actual = [(level, squash(title), page) for level, title, page in placement.doc.facts.outline]
        expected = expected_outline(placement.pages)
        assert [e for e in expected if e[0] < 3] == [a for a in actual if a[0] < 3], placement.doc.path.name
        assert actual == expected, placement.doc.path.name


def test_contents_page_numbers_are_the_real_pages(placements: list[Placement]) -> None:
    from tests.pdftools import contents_entries

    for placement in placements:
        doc = placement.doc
        assert doc.contents_pages and "目录" in doc.pages[doc.contents_pages[0]].body
        real = []
        for page in placement.pages:
            real.append((page.title, page.page + 1))
            real.extend((a.article.title, a.page + 1) for a in page.articles)
        assert contents_entries(doc, placement.book) == real, doc.path.name
        for _, number in real:  # The number in the contents is the folio printed on that page.
            assert doc.pages[number - 1].foot == str(number)


def test_contents_links_go_to_the_pages_and_articles(placements: list[Placement]) -> None:
    """Screen profile: each contents entry is a link to its 版面 or article, on the real page."""
    from pypdf import PdfReader

    for placement in placements:
        doc = placement.doc
        reader = PdfReader(str(doc.path))
        links = []
        for index in doc.contents_pages:
            for annot in reader.pages[index].get("/Annots") or []:
                annot = annot.get_object()
                if annot.get("/Subtype") == "/Link" and "/Dest" in annot:
                    links.append(str(annot["/Dest"]))
        expected = {}
        for view, page in zip(placement.book.pages, placement.pages, strict=True):
            expected[view.anchor] = page.page
            expected.update({a.anchor: p.page for a, p in zip(view.articles, page.articles, strict=True)})
        assert set(links) == set(expected), doc.path.name
        destinations = reader.named_destinations
        for anchor, page in expected.items():
            assert reader.get_destination_page_number(destinations[anchor]) == page, (doc.path.name, anchor)


def test_each_page_chapter_starts_a_new_page(placements: list[Placement]) -> None:
    """The 版面 heading is the first thing on its page's body."""
    for placement in placements:
        doc = placement.doc
        for chapter in placement.pages:
            assert doc.pages[chapter.page].body.startswith(squash(chapter.title)), (doc.path.name, chapter.title)


def test_running_heads_and_folios(placements: list[Placement]) -> None:
    """Paper and date on one side, the 版面 on the other; the page number at the foot."""
    for placement in placements:
        doc = placement.doc
        issue = placement.book.issues[0].issue
        date = f"{issue.paper.name}{issue.date.year}年{issue.date.month}月{issue.date.day}日"
        starts = [p.page for p in placement.pages] + [len(doc.pages)]
        for chapter, (first, end) in zip(placement.pages, pairwise(starts), strict=True):
            for index in range(first, end):
                head = doc.pages[index].head
                assert date in head and squash(chapter.title) in head, (doc.path.name, index + 1, head)
        assert doc.pages[0].foot == "", "no folio on the cover"
        for page in doc.pages[1:]:
            assert page.foot == str(page.index + 1), (doc.path.name, page.index + 1, page.foot)


def test_no_heading_is_stranded_at_a_page_foot(placements: list[Placement]) -> None:
    for placement in placements:
        assert stranded(placement) == [], placement.doc.path.name


def test_no_widows_or_orphans(placements: list[Placement]) -> None:
    """A paragraph broken across pages leaves at least 2 lines on each side (widows, orphans ≥ 2)."""
    from exporter.model import Paragraph

    broken = 0
    for placement in placements:
        doc = placement.doc
        for placed in placement.articles:
            where = placed.pos
            for block in placed.article.blocks:
                if not isinstance(block, Paragraph):
                    continue
                text = squash(block.text)
                pos = doc.flat.find(text, where, placed.end)
                assert pos >= 0
                where = pos + len(text)
                lines = doc.lines_per_page(pos, len(text))
                if len(lines) > 1:
                    broken += 1
                    counts = [lines[p] for p in sorted(lines)]
                    assert counts[0] >= 2 and counts[-1] >= 2, (doc.path.name, block.text[:30], counts)
    if any(p.book.paper.name == "人民日报" for p in placements):
        assert broken, "some paragraphs of a 人民日报 issue are broken across pages"


def test_photos_are_on_the_page_of_their_captions(placements: list[Placement]) -> None:
    for placement in placements:
        doc = placement.doc
        with_image = [(f, page) for a in placement.articles for f, page in a.figures if f.image]
        assert [(f.caption, page) for f, page in with_image if page < 0] == []
        if not with_image:  # rmrb.db has captions but no photo files; pdfimages costs a second.
            continue
        assert len(doc.image_pages) == len(with_image), doc.path.name
        assert [page for _, page in with_image] == doc.image_pages, doc.path.name


def test_captions_without_photo_are_printed(pdfs: PdfShelf) -> None:
    """The seed's four captions have no image file: the captions are kept, marked 〔图〕."""
    (placement,) = pdfs.placed("seed")
    figures = [f for a in placement.articles for f, _ in a.figures]
    assert len(figures) == 4 and not any(f.image for f in figures)
    for figure in figures:
        assert "〔图〕" + squash(figure.caption) in placement.doc.flat


def test_cover_is_one_page_even_with_24_pages(pdfs: PdfShelf) -> None:
    from tests.pdftools import MANY_PAGES

    (placement,) = pdfs.placed("many")
    doc = placement.doc
    assert len(placement.pages) == MANY_PAGES
    cover = doc.pages[0].text
    assert all(f"第{n:02d}版" in cover for n in range(1, MANY_PAGES + 1)), "every 版面 listed on the cover"
    assert doc.contents_pages[0] == 1, f"the contents start on page {doc.contents_pages[0] + 1}, not 2"
