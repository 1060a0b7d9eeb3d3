"""Issues of several 叠 (A01…, B01…): the 叠 is a level above the pages in the EPUB nav and the PDF outline."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pypdf
from lxml import etree

from exporter.book import lay_out
from exporter.model import Article, Issue, Origin, Page, Paper, Paragraph
from exporter.writers import WriteOptions
from exporter.writers.epub import write_epub
from exporter.writers.pdf import write_pdf

PAGES = [("A01", "头版"), ("A02", "要闻"), ("B01", "城事"), ("B02", "体育")]
XHTML = "{http://www.w3.org/1999/xhtml}"


def issue(labels: list[tuple[str, str]]) -> Issue:
    def article(label: str) -> Article:
        body = (Paragraph(f"　　{label}版的正文。", Origin("x.md")),)
        return Article("青山日报", dt.date(2024, 1, 5), label, f"{label}版文章", Origin("x.md"), blocks=body)

    pages = tuple(Page(label, (article(label),), name=name) for label, name in labels)
    return Issue(Paper("青山日报"), dt.date(2024, 1, 5), pages)


def nav_tree(epub: Path) -> list[object]:
    with zipfile.ZipFile(epub) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
    toc = next(n for n in nav.iter(f"{XHTML}nav") if "toc" in (n.get("{http://www.idpf.org/2007/ops}type") or ""))

    def items(ol: etree._Element) -> list[object]:
        out: list[object] = []
        for li in ol.findall(f"{XHTML}li"):
            label = "".join(li.find(f"{XHTML}a").itertext())
            sub = li.find(f"{XHTML}ol")
            out.append((label, items(sub)) if sub is not None else label)
        return out

    return items(toc.find(f"{XHTML}ol"))


def outline(pdf: Path) -> list[object]:
    def walk(entries: list[object]) -> list[object]:
        out: list[object] = []
        for entry in entries:
            if isinstance(entry, list):
                out[-1] = (out[-1], walk(entry))
            else:
                out.append(entry.title)  # type: ignore[attr-defined]
        return out

    return walk(pypdf.PdfReader(pdf).outline)


def test_sections_above_pages_in_nav_and_outline(tmp_path: Path) -> None:
    book = lay_out([issue(PAGES)])
    write_epub(book, tmp_path / "a.epub", WriteOptions())
    write_pdf(book, tmp_path / "a.pdf", WriteOptions())
    expected = [
        ("A叠", [("第A01版 · 头版", ["A01版文章"]), ("第A02版 · 要闻", ["A02版文章"])]),
        ("B叠", [("第B01版 · 城事", ["B01版文章"]), ("第B02版 · 体育", ["B02版文章"])]),
    ]
    assert nav_tree(tmp_path / "a.epub") == expected
    assert outline(tmp_path / "a.pdf") == expected


def test_one_section_or_plain_numbers_have_no_extra_level(tmp_path: Path) -> None:
    for labels in ([("A01", "头版"), ("A02", "要闻")], [("01", "要闻"), ("02", "综合")]):
        book = lay_out([issue(labels)])
        write_epub(book, tmp_path / "b.epub", WriteOptions())
        first = labels[0]
        assert nav_tree(tmp_path / "b.epub")[0] == (f"第{first[0]}版 · {first[1]}", [f"{first[0]}版文章"])
