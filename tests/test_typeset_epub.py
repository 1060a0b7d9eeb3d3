"""The EPUB set like a newspaper (issue 16): the cover declared for calibre and Kindle, pictures sized
by their own proportions, alt texts from captions, 标点挤压 marks; and the make-up's bookkeeping."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.book import lay_out
from exporter.writers.makeup import Placement, merged, moved
from tests.conftest import EXAMPLES, run_cli
from tests.pdftools import issues_of

NS = {"opf": "http://www.idpf.org/2007/opf", "x": "http://www.w3.org/1999/xhtml"}


@pytest.fixture(scope="module")
def epub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("typeset-epub")
    result = run_cli("export", EXAMPLES, "-f", "epub", "-o", out, "--from", "2026-03-02", "--to", "2026-03-02")
    assert result.returncode == 0, result.stderr
    (book,) = out.rglob("*.epub")
    return book


def test_the_cover_page_is_in_the_guide(epub: Path) -> None:
    with zipfile.ZipFile(epub) as book:
        opf = etree.fromstring(book.read("EPUB/content.opf"))
    refs = [(r.get("type"), r.get("href")) for r in opf.iterfind(".//opf:guide/opf:reference", NS)]
    assert refs == [("cover", "cover.xhtml")]
    spine = [i.get("idref") for i in opf.iterfind(".//opf:spine/opf:itemref", NS)]
    assert spine[0] == "cover"  # calibre takes the first spine item named in the guide for the cover page.


def test_pictures_alt_texts_and_punctuation_marks(epub: Path) -> None:
    sample = (EXAMPLES / "2026-03-02" / "p01-1-zhongda-xiangmu.md").read_text(encoding="utf-8")
    captions = re.findall(r"!\[([^\]]*)\]", sample)  # ![caption](file "credit")
    with zipfile.ZipFile(epub) as book:
        pages = [etree.fromstring(book.read(n)) for n in sorted(book.namelist()) if re.search(r"page\d+\.xhtml$", n)]
    images = [img for page in pages for img in page.iterfind(".//x:img", NS)]
    alts = [img.get("alt") for img in images]
    assert "新闻图片" not in alts
    # The caption, without the photographer's credit (written at its end in the second one).
    expected = [re.sub(r"\s+(?:本报记者|通讯员) \S+摄$", "", c) for c in captions]
    assert [a for a in alts if a in expected] == expected
    for img in images:
        figure = img.getparent()
        ratio = float(re.search(r"--ratio: ([\d.]+)", figure.get("style")).group(1))  # type: ignore[union-attr]
        assert abs(ratio - int(img.get("width")) / int(img.get("height"))) < 0.001
    squeezed = [s.text for page in pages for s in page.iterfind(".//x:span[@class='squeeze']", NS)]
    assert squeezed and set("".join(squeezed)) <= set("，。、；：？！）》」』”’〕】〉（《「『“‘〔【〈")


def test_a_moved_picture_keeps_its_article_and_the_text_its_order() -> None:
    (issue,) = issues_of([EXAMPLES / "2026-03-02"])
    book = lay_out([issue])
    view = next(v for v in book.articles if any(b.kind == "figure" for b in v.blocks))
    index = next(i for i, b in enumerate(view.blocks) if b.kind == "figure")
    after = moved(book, {f"{view.anchor}b{index}": Placement(after=2)})
    new = next(v for v in after.articles if v.anchor == view.anchor)
    assert [b for b in new.blocks if b.kind != "figure"] == [b for b in view.blocks if b.kind != "figure"]
    assert new.blocks[index + 2] == view.blocks[index]
    assert len(after.articles) == len(book.articles)


def test_placements_add_up_over_layouts() -> None:
    first = {"a": Placement(after=2), "b": Placement(height=300.0)}
    later = merged(first, {"a": Placement(after=1), "b": Placement(height=250.0), "c": Placement(after=3)})
    assert later == {"a": Placement(after=3), "b": Placement(height=250.0), "c": Placement(after=3)}
