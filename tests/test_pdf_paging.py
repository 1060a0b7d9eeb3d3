"""分版排印: a PDF laid out one 版面 at a time and joined is the PDF WeasyPrint makes of the whole
book in one document — same pages, folios, blank versos, contents numbers, outline and links.

The whole-book layout is the reference (WeasyPrint's own `target-counter` and `break-before: right`):
a user's book template makes epaper lay the book out whole, so a copy of the built-in one gives it.
The make-up is switched off on both sides here, since the whole-book path makes up fewer rounds."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pypdf
import pytest

from exporter.book import Book, lay_out
from exporter.resources import templates_dir
from exporter.text import breakable_runs
from exporter.writers import WriteOptions, makeup, paging
from exporter.writers.pdf import _SectionHTML, build_html, write_pdf
from tests.conftest import EXAMPLES
from tests.pdftools import issues_of, need_tools

WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _book(issues: int) -> Book:
    return lay_out(list(issues_of([EXAMPLES]))[:issues])


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


def _outline(reader: pypdf.PdfReader) -> list[tuple[str, int]]:
    def walk(items: list) -> list[tuple[str, int]]:
        out = []
        for item in items:
            if isinstance(item, list):
                out += walk(item)
            else:
                out.append((item.title, reader.get_destination_page_number(item)))
        return out

    return walk(reader.outline)


def _links(reader: pypdf.PdfReader) -> list[list[int]]:
    """Per page, the page each internal link goes to."""
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    named = {name: pages[dest.page.idnum] for name, dest in reader.named_destinations.items()}
    out = []
    for page in reader.pages:
        targets = []
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            dest = annot.get("/Dest") or (annot.get("/A") or {}).get("/D")
            if dest is None:
                continue
            targets.append(named[str(dest)] if isinstance(dest, str) else pages[dest[0].idnum])
        out.append(targets)
    return out


@pytest.mark.parametrize(("profile", "issues"), [("screen", 1), ("print", 1), ("print", 2)])
def test_the_book_laid_out_per_page_is_the_book_laid_out_whole(
    profile: str, issues: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    need_tools()
    monkeypatch.setattr(makeup, "moves", lambda document: {})
    whole_templates = tmp_path / "templates"
    (whole_templates / "print").mkdir(parents=True)
    shutil.copy(templates_dir() / "print" / "book.html.j2", whole_templates / "print" / "book.html.j2")
    book = _book(issues)
    joined, whole = tmp_path / "joined.pdf", tmp_path / "whole.pdf"
    write_pdf(book, joined, WriteOptions(pdf_profile=profile))
    write_pdf(book, whole, WriteOptions(pdf_profile=profile, templates=whole_templates))
    expected, got = _pages(whole), _pages(joined)
    assert len(got) == len(expected)
    for number, (a, b) in enumerate(zip(expected, got, strict=True), 1):
        assert b == a, f"page {number} differs"
    if profile == "print":
        assert any(not page.strip() for page in expected[:-1]), "print: blank versos before right-hand 版面"
    whole_pdf, joined_pdf = pypdf.PdfReader(whole), pypdf.PdfReader(joined)
    assert _outline(joined_pdf) == _outline(whole_pdf)
    assert _links(joined_pdf) == _links(whole_pdf)
    assert any(_links(whole_pdf)), "the contents link to the 版面"


def test_a_page_rendered_alone_is_its_section_of_the_book() -> None:
    book = _book(2)
    options = WriteOptions()
    parts = paging.split(breakable_runs(build_html(book, options, {}, WHEN)))
    assert parts is not None
    assert [anchor for anchor, _ in parts.sections] == [page.anchor for page in book.pages]
    alone = _SectionHTML(book, options, {}, WHEN)
    for anchor, html in parts.sections:
        assert alone.html(anchor, {}) == html
    body = lxml.html.document_fromstring(parts.document("")).find("body")
    assert body is not None and "profile-screen" in (body.get("class") or "")
    front = parts.front_html({book.pages[0].anchor: 7})
    assert 'class="cover"' in front and f'href="#{book.pages[0].anchor}" data-folio="7"' in front


@pytest.mark.parametrize(
    "css",
    [
        ".contents a::after { content: target-counter(attr(href url), page) }",
        "@page :first { margin: 0 }",
        "@page { @bottom-center { content: counter(page) ' / ' counter(pages) } }",
        "@page :nth(2) { margin: 0 }",
    ],
)
def test_what_a_page_alone_cannot_know_lays_the_book_out_whole(css: str) -> None:
    html = build_html(_book(1), WriteOptions(), {}, WHEN)
    assert paging.split(html) is not None
    assert paging.split(html, css) is None
    assert paging.split(html.replace("</head>", f"<style>{css}</style></head>")) is None


def test_templates_without_page_sections_lay_the_book_out_whole() -> None:
    html = build_html(_book(1), WriteOptions(), {}, WHEN)
    assert paging.split(html.replace('<section class="page', '<div class="page')) is None
    assert paging.split(html.replace("</body>", "<p>colophon</p></body>")) is None  # Not after every 版.
