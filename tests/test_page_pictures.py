"""Page pictures read from page indexes: regions scaled to the picture file, attached to the right page.

The 人民日报 2024-12-25 index (../shared/corpus) shows a 400×575 picture with 7 article regions and a
page PDF; the article pages and the picture are generated here, the picture at 1000×1437.5 → 1000×1438
(the size the page implies at 2.5×). Expected values are the index's own coordinates times 2.5.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from exporter.archive import open_archive
from exporter.sources import ReadOptions
from tests.test_html_readers import FIXTURES, RMRB_INDEX, needs_corpus

DAY = Path("rmrb", "pc")
IDS = range(30048054, 30048061)
PICTURE = "pic/202412/25/0f88d5f4-cdbd-4b8b-a600-8b44f707a067.jpg.2"
PDF = "attachement/202412/25/58d97d37-6229-4f3b-872d-3911f85cb11b.pdf"
FIRST_REGION = ((3.72, 92.805), (194.4, 92.805), (194.4, 323.5525), (3.72, 323.5525))  # content_30048054


def article_page(number: int) -> str:
    return (
        '<html><head><meta charset="utf-8"><title>人民日报-人民网</title></head><body><div class="article">'
        f'<h1>第{number}篇</h1><p class="sec">本报记者 甲<span class="date">《人民日报》（2024年12月25日 第01版）'
        f'</span></p><div id="ozoom"><p>　　正文{number}。</p></div></div></body></html>'
    )


def rmrb_site(tmp_path: Path, *, skip: tuple[int, ...] = (), picture: bool = True) -> Path:
    root = tmp_path / "site"
    pc = root / DAY
    (pc / "layout/202412/25").mkdir(parents=True)
    shutil.copy(RMRB_INDEX, pc / "layout/202412/25/node_01.html")
    (pc / "content/202412/25").mkdir(parents=True)
    for number in IDS:
        if number not in skip:
            (pc / f"content/202412/25/content_{number}.html").write_text(article_page(number), encoding="utf-8")
    if picture:
        (pc / PICTURE).parent.mkdir(parents=True)
        Image.new("RGB", (1000, 1438), "white").save(pc / PICTURE, format="JPEG")
    (pc / PDF).parent.mkdir(parents=True)
    (pc / PDF).write_bytes(b"%PDF-1.4\n%%EOF\n")
    return root


@needs_corpus
def test_rmrb_page_picture_regions_scaled_and_attached(tmp_path: Path) -> None:
    root = rmrb_site(tmp_path)
    archive = open_archive([root], ReadOptions())
    assert not archive.refused
    (issue,) = archive.issues
    (page,) = issue.pages
    facsimile = page.facsimile
    assert facsimile is not None and page.label == "01"
    assert (facsimile.width, facsimile.height) == (1000, 1438)
    assert facsimile.image == str((root / DAY / PICTURE).resolve())
    assert facsimile.pdf == str((root / DAY / PDF).resolve())
    assert len(facsimile.regions) == 7
    first = facsimile.regions[0]
    assert first.article.endswith("content_30048054.html")
    expected = [(x * 2.5, y * 1438 / 575) for x, y in FIRST_REGION]
    assert [pytest.approx(p) for p in expected] == list(first.points)
    # Every region names an article of the page, by the file the reader read it from.
    files = {a.origin.file for a in page.articles}
    assert {r.article for r in facsimile.regions} == files


@needs_corpus
def test_regions_of_articles_not_saved_are_dropped_with_a_warning(tmp_path: Path) -> None:
    root = rmrb_site(tmp_path, skip=(30048059,))
    archive = open_archive([root], ReadOptions())
    facsimile = archive.issues[0].pages[0].facsimile
    assert facsimile is not None and len(facsimile.regions) == 6
    messages = [n.message for n in archive.notices]
    assert "page picture regions of articles not saved, dropped: content_30048059.html" in messages


@needs_corpus
def test_missing_page_picture_gives_a_page_without_picture_and_one_warning(tmp_path: Path) -> None:
    root = rmrb_site(tmp_path, picture=False)
    archive = open_archive([root], ReadOptions())
    facsimile = archive.issues[0].pages[0].facsimile
    assert facsimile is not None and facsimile.image is None and facsimile.regions == ()
    assert facsimile.pdf is not None  # The page PDF is still kept.
    warnings = [n.message for n in archive.notices if "facsimile" in n.message]
    assert warnings == [f"missing image '../../../{PICTURE}': 第01版 has no facsimile"]


def test_coordinates_outside_the_picture_are_clipped_and_rects_become_polygons(tmp_path: Path) -> None:
    day = tmp_path / "html/2023-05/06"
    day.mkdir(parents=True)
    Image.new("RGB", (800, 1150), "white").save(day / "p1.jpg")
    (day / "node_1.htm").write_text(
        '<html><head><meta charset="utf-8"><title>青山日报</title></head><body>'
        '<div>2023年05月06日</div><a id="pageLink" href="node_1.htm">第01版：要闻</a>'
        '<img src="p1.jpg" width="400" height="575" usemap="#PagePicMap"><map name="PagePicMap">'
        '<area shape="rect" coords="-10,0,500,100" href="content_1.htm?div=-1">'
        '<area shape="rect" coords="0,600,50,700" href="content_1.htm?div=0"></map>'
        '<ul><li><a href="content_1.htm?div=-1">甲</a></li></ul></body></html>',
        encoding="utf-8",
    )
    (day / "content_1.htm").write_text(
        '<html><head><meta charset="utf-8"><title>青山日报</title></head><body><p id="nowLayout">01</p>'
        '<font id="main-title">甲</font><founder-content><p>　　正文。</p></founder-content>'
        "<!--enpproperty <date>2023-05-06 00:00:00:0</date>/enpproperty--></body></html>",
        encoding="utf-8",
    )
    archive = open_archive([tmp_path], ReadOptions())
    facsimile = archive.issues[0].pages[0].facsimile
    assert facsimile is not None
    # The first area is clipped to the picture (x 0…800); the second lies wholly below it and is dropped.
    assert [r.points for r in facsimile.regions] == [((0, 0), (800, 0), (800, 200), (0, 200))]


def test_sources_without_pictures_have_no_facsimile() -> None:
    archive = open_archive([FIXTURES / "rmrb_new"], ReadOptions())
    assert all(page.facsimile is None for issue in archive.issues for page in issue.pages)


def test_three_hundred_regions(tmp_path: Path) -> None:
    day = tmp_path / "html/2023-05/06"
    day.mkdir(parents=True)
    Image.new("RGB", (1200, 1725), "white").save(day / "p1.jpg")
    areas = "".join(
        f'<area shape="rect" coords="{(i % 20) * 20},{(i // 20) * 38},{(i % 20) * 20 + 19},{(i // 20) * 38 + 37}" '
        f'href="content_{i}.htm">'
        for i in range(300)
    )
    links = "".join(f'<li><a href="content_{i}.htm">题{i}</a></li>' for i in range(300))
    (day / "node_1.htm").write_text(
        '<html><head><meta charset="utf-8"><title>青山日报</title></head><body><div>2023年05月06日</div>'
        '<a id="pageLink" href="node_1.htm">第01版：要闻</a><img src="p1.jpg" width="400" height="575" '
        f'usemap="#PagePicMap"><map name="PagePicMap">{areas}</map><ul>{links}</ul></body></html>',
        encoding="utf-8",
    )
    for i in range(300):
        (day / f"content_{i}.htm").write_text(
            '<html><head><meta charset="utf-8"><title>青山日报</title></head><body><p id="nowLayout">01</p>'
            f'<font id="main-title">题{i}</font><founder-content><p>　　第{i}篇正文。</p></founder-content>'
            "<!--enpproperty <date>2023-05-06 00:00:00:0</date>/enpproperty--></body></html>",
            encoding="utf-8",
        )
    archive = open_archive([tmp_path], ReadOptions())
    (page,) = archive.issues[0].pages
    assert page.facsimile is not None and len(page.facsimile.regions) == 300 and len(page.articles) == 300
    last = page.facsimile.regions[-1]
    assert re.search(r"content_299\.htm$", last.article)
    assert last.points[2] == pytest.approx(((19 * 20 + 19) * 3, (14 * 38 + 37) * 3))


@needs_corpus
def test_normalized_json_carries_the_facsimile(tmp_path: Path) -> None:
    import json

    from exporter import normalized

    root = rmrb_site(tmp_path)
    first = open_archive([root], ReadOptions())
    data = normalized.dump(list(first.issues))
    saved = tmp_path / "issue.json"
    saved.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = open_archive([saved], ReadOptions())
    assert again.issues[0].pages[0].facsimile == first.issues[0].pages[0].facsimile
    assert normalized.dump(list(again.issues)) == data


KJRB_ARTICLES = {  # The real 科技日报 2023-02-10 第01版 index links these five articles (titles as listed).
    548643: "新时代十年伟大变革奠定坚实基础",
    548646: "开放共享 让大型科研仪器“忙”起来",
    548655: "中国式现代化是中国共产党领导的社会主义现代化",
    548659: "花香春意浓",
    548662: "在纳米级薄膜上，飞秒激光实现全彩色无油墨打印",
}


@needs_corpus
def test_kjrb_page_picture_without_displayed_size_and_two_regions_per_article(tmp_path: Path) -> None:
    from tests.test_html_readers import KJRB_INDEX

    day = tmp_path / "kjrb" / "html" / "2023-02" / "10"
    day.mkdir(parents=True)
    shutil.copy(KJRB_INDEX, day / "node_2.htm")
    for number, title in KJRB_ARTICLES.items():
        (day / f"content_{number}.htm").write_text(
            '<html><head><meta charset="utf-8"><title>科技日报--数字报</title></head><body><p id="nowLayout">01</p>'
            f'<font id="main-title">{title}</font><founder-content><p>　　正文。</p></founder-content>'
            "<!--enpproperty <date>2023-02-10 00:00:00:0</date>/enpproperty--></body></html>",
            encoding="utf-8",
        )
    picture = tmp_path / "kjrb" / "images" / "2023-02" / "10" / "01" / "KJRB2023021001_b.jpg"
    picture.parent.mkdir(parents=True)
    Image.new("RGB", (350, 550), "white").save(picture)  # The map reaches x 348, y 548: the picture's own pixels.
    archive = open_archive([tmp_path / "kjrb"], ReadOptions())
    page = archive.issues[0].pages[0]
    assert [a.title for a in page.articles] == list(KJRB_ARTICLES.values())
    facsimile = page.facsimile
    assert facsimile is not None and (facsimile.width, facsimile.height) == (350, 550)
    by_article = [Path(r.article).name for r in facsimile.regions]
    # content_548646 and content_548659 each hold two areas of the map (?div=0 and ?div=-1): both kept.
    assert by_article == [
        "content_548643.htm", "content_548646.htm", "content_548646.htm", "content_548655.htm",
        "content_548659.htm", "content_548659.htm", "content_548662.htm",
    ]  # fmt: skip
    assert facsimile.regions[0].points[:2] == ((348, 2), (178, 2))  # No displayed size: coordinates as given.
