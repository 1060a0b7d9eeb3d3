"""Typeset like a Chinese newspaper (issue 16), measured from the PDFs' glyph boxes.

The sample archive, 湖北日报 2023-02-11 (with generated photos of four shapes) and 人民日报
2017-03-25, each in the screen and print profiles and in two columns:
- every full line of a paragraph ends within 0.1 em of its column's right edge;
- no line starts with closing or ends with opening punctuation;
- two adjacent full-width marks take at most 1.5 em (+0.1 em for justification and measuring);
- no page but the last of a 版 is more than 20 % blank (in two columns: below the last line of
  either column).
The frame (margins, columns) is the profile CSS's, written out here, not read from the PDF.
"""

from __future__ import annotations

import pytest

from tests.layoutcheck import PRINT, SCREEN, Frame, Layout
from tests.pdftools import RMRB_DATES, PdfShelf, module_shelf, squash

TWO = Frame(columns=2)
DAY = RMRB_DATES[0]
BOOKS = {
    "archive": SCREEN,
    "archive-print": PRINT,
    "archive-2col": TWO,
    "hubei-screen": SCREEN,
    "hubei-print": PRINT,
    "hubei-2col": TWO,
    f"rmrb-{DAY}": SCREEN,
    f"rmrb-{DAY}-print": PRINT,
    f"rmrb-{DAY}-2col": TWO,
}


@pytest.fixture(scope="module")
def pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    return module_shelf(request, tmp_path_factory)


_LAYOUTS: dict[str, list[Layout]] = {}


def layouts(pdfs: PdfShelf, name: str) -> list[Layout]:
    if name not in _LAYOUTS:
        _LAYOUTS[name] = [Layout(pdf, BOOKS[name]) for pdf in pdfs.get(name).pdfs]
    return _LAYOUTS[name]


@pytest.mark.parametrize("name", BOOKS)
def test_full_lines_end_at_the_columns_right_edge(pdfs: PdfShelf, name: str) -> None:
    for layout in layouts(pdfs, name):
        full = list(layout.full_lines())
        assert len(full) > 50, f"{layout.path.name}: too few full lines measured ({len(full)})"
        assert layout.short_lines(tolerance_em=0.1) == [], layout.path.name


@pytest.mark.parametrize("name", BOOKS)
def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(pdfs: PdfShelf, name: str) -> None:
    for layout in layouts(pdfs, name):
        assert layout.kinsoku() == [], layout.path.name


@pytest.mark.parametrize("name", BOOKS)
def test_adjacent_punctuation_is_squeezed_to_one_and_a_half_em(pdfs: PdfShelf, name: str) -> None:
    for layout in layouts(pdfs, name):
        pairs = layout.pairs()
        if "rmrb" in name or "hubei" in name:
            assert len(pairs) > 20, f"{layout.path.name}: too few punctuation pairs measured"
        assert [p for p in pairs if p.width_em > 1.6] == [], layout.path.name


@pytest.mark.parametrize("name", BOOKS)
def test_no_holes(pdfs: PdfShelf, name: str) -> None:
    for layout in layouts(pdfs, name):
        assert layout.holes(limit=0.2) == [], layout.path.name


@pytest.mark.parametrize("name", BOOKS)
def test_no_headline_at_a_page_or_column_foot(pdfs: PdfShelf, name: str) -> None:
    """A headline (引题, 主标题, 副题, byline) is followed by at least two lines of its text in its column."""
    for layout, placement in zip(layouts(pdfs, name), pdfs.placed(name), strict=True):
        heads, endings = set(), set()
        for view in placement.book.articles:
            article = view.article
            if not article.blocks:
                continue  # A headline alone (a painting whose picture the source lacks) may stand anywhere.
            heads.update(squash(t) for t in (article.kicker, article.title, article.subtitle, article.byline) if t)
            if texts := [t for t in article.texts() if t]:
                endings.update(squash(t)[-12:] for t in texts[-2:])
        heads.discard("")
        assert layout.column_feet(heads, endings) == [], layout.path.name


def test_the_check_sees_a_ragged_edge_and_holes(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The measures can fail: the sample archive set flush left, each article on a new page."""
    from tests.conftest import EXAMPLES, run_cli

    root = tmp_path_factory.mktemp("ragged")
    css = root / "ragged.css"
    css.write_text("p { text-align: left; } .article + .article { break-before: page; }\n", encoding="utf-8")
    result = run_cli("export", EXAMPLES, "-f", "pdf", "-o", root / "out", "--css", css, "--from", "2026-03-02")
    assert result.returncode == 0, result.stderr
    (pdf,) = (root / "out").rglob("2026-03-02.pdf")
    layout = Layout(pdf, SCREEN)
    assert len(layout.short_lines()) > 50
    assert len(layout.holes()) >= 2


def test_contents_folios_are_in_equal_width_figures(pdfs: PdfShelf) -> None:
    """The page numbers after the contents' leaders: every digit of one size is as wide as the others."""
    from tests.layoutcheck import _glyphs

    for layout in layouts(pdfs, f"rmrb-{DAY}"):
        right = layout.frame.edges(layout.trims[1], 2)[2]
        widths: dict[float, set[float]] = {}
        for _, chars in _glyphs(layout.path, [2]):  # The screen profile's contents start on page 2.
            for c in chars:
                if c.text.isdigit() and c.x1 > right - 20:
                    widths.setdefault(c.size, set()).add(round(c.x1 - c.x0, 1))
        assert widths, "no folios found on the contents page"
        assert {size: w for size, w in widths.items() if len(w) > 1} == {}
