"""Saved pages of real e-paper site layouts (issue 14): every article read, pages named and ordered as printed.

Each tree under tests/fixtures/html/sites/ is one site's issue saved with the site's own folders and file
names (see its ATTRIBUTION.md). Expected values are written out from those pages.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import lxml.html
import pytest

from exporter.archive import Archive, open_archive
from exporter.model import Article, Figure, Issue
from exporter.sources import ReadOptions
from exporter.sources.base import GENERIC
from exporter.sources.web import pageindex, sites

SITES = Path(__file__).parent / "fixtures" / "html" / "sites"
DUMP = Path(__file__).resolve().parents[1] / "examples" / "archive" / "2026-03-02" / "p02-1-chaye.txt"
FOUNDER = "Founder e-paper page"
MRDX = "新华每日电讯 page"
GENERIC_READER = "generic page (main content found by trafilatura)"
# What a saved index page may say without anything being wrong: its page picture or PDF was not saved with it.
HARMLESS = ("page PDF ", "has no facsimile", "not an article source, skipped")


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """Copy a site tree as a user would have it: the saved pages only, without our ATTRIBUTION.md."""
    top = tmp_path_factory.mktemp("sites")

    def copy(name: str) -> Path:
        target = top / name
        if not target.exists():
            shutil.copytree(SITES / name, target, ignore=shutil.ignore_patterns("ATTRIBUTION.md"))
        return target

    return copy


@pytest.fixture(scope="module")
def archive(saved: Callable[[str], Path]) -> Callable[[str], Archive]:
    """Open a site tree once per module, as `epaper inspect` does."""
    opened: dict[str, Archive] = {}

    def open_tree(name: str) -> Archive:
        if name not in opened:
            opened[name] = open_archive([saved(name)], ReadOptions())
        return opened[name]

    return open_tree


def only_issue(archive: Archive) -> Issue:
    assert len(archive.issues) == 1, [i.title for i in archive.issues]
    return archive.issues[0]


def layout(issue: Issue) -> list[tuple[str, str | None, list[str]]]:
    """Return (page label, page name, article titles in order) for each page, in the issue's order."""
    return [(p.label, p.name, [a.title for a in p.articles]) for p in issue.pages]


def article(issue: Issue, title: str) -> Article:
    found = [a for a in issue.articles if a.title == title]
    assert len(found) == 1, (title, [a.title for a in issue.articles])
    return found[0]


def figures(item: Article) -> list[Figure]:
    return [b for b in item.blocks if isinstance(b, Figure)]


def text_of(item: Article) -> str:
    return "\n".join(item.texts())


def read_by(archive: Archive, name: str) -> str | None:
    """Return the reader of the saved file called `name`."""
    found = [reader for file, reader in archive.readers.items() if Path(file).name == name]
    assert len(found) == 1, (name, dict(archive.readers))
    return found[0]


def odd_notices(archive: Archive) -> list[str]:
    return [str(n) for n in archive.notices if not any(h in n.message for h in HARMLESS)]


def assert_every_article_page_read(archive: Archive, root: Path, pattern: str, reader: str) -> None:
    """Every saved article page is read by `reader` and gives one article; nothing is refused."""
    assert not archive.refused, [str(e) for e in archive.refused]
    pages = sorted(p.name for p in root.rglob(pattern))
    assert pages
    for name in pages:
        assert read_by(archive, name) == reader, name
    sources = sorted(Path(a.origin.file).name for i in archive.issues for a in i.articles)
    assert sources == pages


def index_doc(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


# --- 1. Founder classic with lettered sections: node numbers are no page numbers ---------------

LETTERS = "founder-classic-letters"
LETTERS_DAY = SITES / LETTERS / "html" / "2023-05" / "06"


def test_founder_classic_letters_pages_in_printed_order(
    archive: Callable[[str], Archive], saved: Callable[[str], Path]
) -> None:
    opened = archive(LETTERS)
    assert_every_article_page_read(opened, saved(LETTERS), "content_*.htm", FOUNDER)
    issue = only_issue(opened)
    assert issue.paper.name == "东江日报"  # From the copyright line: the <title> says 东江日报社-电子报平台.
    assert issue.date == dt.date(2023, 5, 6)
    assert layout(issue) == [
        ("A01", "头版", ["东江新城地铁1号线开通运营", "一季度全市经济运行开局良好", "五一假期接待游客创新高"]),
        ("A02", "要闻", ["市政府常务会议研究部署防汛工作", "全市新增城市绿道四十公里"]),
        ("B01", "城事", ["老街坊的菜市场换新颜", "社区食堂开进老旧小区"]),
    ]
    assert odd_notices(opened) == []


def test_founder_classic_article_linked_from_two_pages_is_kept_once_whole(archive: Callable[[str], Archive]) -> None:
    """content_5002.htm starts on A01 (下转A02版) and both indexes link it, with and without ?div=-1."""
    issue = only_issue(archive(LETTERS))
    titles = [a.title for a in issue.articles]
    assert titles.count("一季度全市经济运行开局良好") == 1
    jumped = article(issue, "一季度全市经济运行开局良好")
    assert jumped.page == "A01"
    assert "增速高于全省平均水平" in text_of(jumped)
    assert "二季度经济有望继续向好" in text_of(jumped)


def test_founder_classic_photo_and_caption(archive: Callable[[str], Archive], saved: Callable[[str], Path]) -> None:
    issue = only_issue(archive(LETTERS))
    (photo,) = figures(article(issue, "东江新城地铁1号线开通运营"))
    assert "市民在1号线东江广场站乘车" in photo.caption
    assert "林海" in (photo.credit or photo.caption)
    assert photo.image is not None
    assert Path(photo.image).name == "1683331200001.jpg"
    (market,) = figures(article(issue, "老街坊的菜市场换新颜"))
    assert "改造后的南门菜市场" in market.caption


def test_founder_classic_table_skin_kicker_subtitle_byline(archive: Callable[[str], Archive]) -> None:
    issue = only_issue(archive(LETTERS))
    metro = article(issue, "东江新城地铁1号线开通运营")
    assert metro.kicker == "城市交通迈入“地铁时代”"
    assert metro.subtitle == "——全长二十八公里，设站二十一座"
    assert "陈晓" in (metro.byline or "")
    assert article(issue, "老街坊的菜市场换新颜").kicker == "从“脏乱差”到“洁净美”"


def test_founder_classic_index_page_lists_and_article_links() -> None:
    first = index_doc(LETTERS_DAY / "node_187.htm")
    assert [(p.label, p.name, p.href) for p in sites.page_links(first)] == [
        ("A01", "头版", "./node_187.htm"),
        ("A02", "要闻", "node_188.htm"),
        ("B01", "城事", "node_201.htm"),
    ]
    # The title list and the image map link content_5001 three ways (?div=-1, ?div=0): one article each.
    assert sites.article_links(first) == ["content_5001.htm", "content_5002.htm", "content_5003.htm"]
    # node_201's quick navigation comes first and prints bare labels: A1 头版.
    last = index_doc(LETTERS_DAY / "node_201.htm")
    assert [(p.label, p.name, p.href) for p in sites.page_links(last)] == [
        ("A01", "头版", "node_187.htm"),
        ("A02", "要闻", "node_188.htm"),
        ("B01", "城事", "node_201.htm"),
    ]
    picture = sites.page_picture(last)
    assert picture is not None
    assert picture.src == "../../../images/2023-05/06/B01/DJRB20230506B01_b.jpg"
    assert [r.href for r in picture.regions] == ["content_5006.htm", "content_5007.htm"]
    assert sites.page_pdf(last, "node_201.htm") == "../../../images/2023-05/06/B01/DJRB20230506B01.pdf"


# --- 1b. Founder classic, 第1版　<span>要闻</span> ------------------------------------------------------

NUMBERS = "founder-classic-numbers"


def test_founder_classic_numbered_pages_with_span_labels(
    archive: Callable[[str], Archive], saved: Callable[[str], Path]
) -> None:
    opened = archive(NUMBERS)
    assert_every_article_page_read(opened, saved(NUMBERS), "content_*.htm", FOUNDER)
    issue = only_issue(opened)
    assert issue.paper.name == "青石晚报"
    assert issue.date == dt.date(2023, 5, 8)
    assert layout(issue) == [
        ("01", "要闻", ["青石港集装箱吞吐量再创新高", "本周我市将迎来强降雨"]),
        ("02", "综合", ["全市中小学开展防溺水教育"]),  # node_3.htm is page 2.
    ]
    assert odd_notices(opened) == []


def test_founder_classic_one_digit_labels_with_the_name_in_a_span() -> None:
    doc = index_doc(SITES / NUMBERS / "html" / "2023-05" / "08" / "node_3.htm")
    assert "第1版　<span>要闻</span>" in (SITES / NUMBERS / "html" / "2023-05" / "08" / "node_3.htm").read_text("utf-8")
    assert [(p.label, p.name, p.href) for p in sites.page_links(doc)] == [
        ("01", "要闻", "node_1.htm"),
        ("02", "综合", "node_3.htm"),
    ]
    assert sites.article_links(doc) == ["content_7103.htm"]


# --- 2. Founder CMS pages: only enpcontent and the enpproperty comment -----------------------------

CMS = "founder-cms"


def test_founder_cms_pages_read_from_enpproperty(
    archive: Callable[[str], Archive], saved: Callable[[str], Path]
) -> None:
    opened = archive(CMS)
    assert_every_article_page_read(opened, saved(CMS), "content_*.htm", FOUNDER)
    issue = only_issue(opened)
    assert issue.paper.name == "西江晚报"
    assert issue.date == dt.date(2023, 5, 6)
    assert layout(issue) == [
        ("A03", "城事", ["西江大桥主体完工", "老城区雨污分流改造提速"]),
        ("A04", "社会", ["夜市开张首晚人气旺"]),  # <founder-date>/<founder-title> keys, no nodename: page from node_4.
    ]
    bridge = article(issue, "西江大桥主体完工")
    assert (bridge.kicker, bridge.subtitle, bridge.byline) == ("两岸交通再添通道", "预计今年十月通车", "本报记者 梁涛")
    (photo,) = figures(bridge)
    assert "西江大桥施工现场" in photo.caption
    assert photo.image is not None
    assert "缩短二十分钟" in text_of(bridge)
    assert article(issue, "老城区雨污分流改造提速").byline == "本报记者 韦华"
    assert "三万余人次" in text_of(article(issue, "夜市开张首晚人气旺"))


def test_founder_cms_repeated_enpcontent_marker_is_one_body(archive: Callable[[str], Archive]) -> None:
    assert odd_notices(archive(CMS)) == []


# --- 3. Founder pc skin 1 (新华日报): pc/layout + pc/con --------------------------------------------

PC = "founder-pc"
PC_LAYOUT = [
    ("01", "要闻", ["新年第一天重大项目集中签约", "全省冬季农田水利建设全面铺开"]),
    ("02", "经济", ["外贸企业抢抓订单忙生产", "数字人民币试点扩至全省"]),
]


def assert_founder_pc(opened: Archive, root: Path) -> None:
    assert_every_article_page_read(opened, root, "content_*.html", FOUNDER)
    issue = only_issue(opened)
    assert issue.paper.name == "江淮日报"
    assert issue.date == dt.date(2025, 1, 2)
    assert layout(issue) == PC_LAYOUT
    signing = article(issue, "新年第一天重大项目集中签约")
    assert (signing.kicker, signing.subtitle, signing.byline) == (
        "开局即冲刺 起步即加速",
        "总投资超千亿元",
        "本报记者 顾言",
    )
    (photo,) = figures(signing)
    assert "签约现场" in photo.caption
    assert photo.image is not None


def test_founder_pc_con_articles_with_their_layout_pages(
    archive: Callable[[str], Archive], saved: Callable[[str], Path]
) -> None:
    assert_founder_pc(archive(PC), saved(PC))


def test_founder_pc_skin_read_when_articles_are_in_content(tmp_path: Path) -> None:
    """The same pages with the articles in pc/content/ (深圳特区报, 人民日报): the skin itself is read."""
    root = tmp_path / "pc-content"
    shutil.copytree(SITES / PC, root, ignore=shutil.ignore_patterns("ATTRIBUTION.md"))
    (root / "pc" / "con").rename(root / "pc" / "content")
    for index in (root / "pc" / "layout" / "202501" / "02").iterdir():
        index.write_text(index.read_text(encoding="utf-8").replace("/con/", "/content/"), encoding="utf-8")
    assert_founder_pc(open_archive([root], ReadOptions()), root)


def test_founder_pc_index_label_form_first_then_space() -> None:
    doc = index_doc(SITES / PC / "pc" / "layout" / "202501" / "02" / "node_2.html")
    assert [(p.label, p.name) for p in sites.page_links(doc)] == [("01", "要闻"), ("02", "经济")]
    assert sites.article_links(doc) == [
        "../../../con/202501/02/content_900103.html",
        "../../../con/202501/02/content_900104.html",
    ]
    assert sites.page_pdf(doc, "node_2.html") == "../../../pdf/202501/02/02.pdf"


# --- 4. 光明日报, old template and new layout --------------------------------------------------------

GMRB_OLD = "gmrb-old"
GMRB_OLD_DAY = SITES / GMRB_OLD / "gmrb" / "html" / "2025-06" / "18"


def test_gmrb_old_articles(archive: Callable[[str], Archive]) -> None:
    opened = archive(GMRB_OLD)
    assert not opened.refused
    for name in sorted(p.name for p in GMRB_OLD_DAY.glob("nw.*.htm")):
        assert read_by(opened, name) == FOUNDER  # founder.py hands the h1 / #articleContent layout to rmrb.py.
    issue = only_issue(opened)
    assert issue.paper.name == "光明日报"
    culture = article(issue, "推动文化和旅游深度融合发展")
    assert (culture.page, culture.order) == ("01", 1)
    assert culture.kicker == "让文旅产业成为经济增长新引擎"
    assert culture.subtitle == "——各地文旅消费观察"
    assert culture.byline == "本报记者 王晓飞"
    (photo,) = figures(culture)
    assert (photo.caption, photo.credit) == ("游客在古镇参观非遗展示。", "本报记者 李明摄")
    assert photo.image is not None
    assert (article(issue, "科研人员减负行动持续推进").page, article(issue, "夏粮收获进度过六成").order) == ("02", 2)


def test_gmrb_old_index_pages_name_the_pages_and_are_no_articles(archive: Callable[[str], Archive]) -> None:
    opened = archive(GMRB_OLD)
    issue = only_issue(opened)
    assert issue.date == dt.date(2025, 6, 18)
    assert layout(issue) == [
        ("01", "要闻", ["推动文化和旅游深度融合发展", "夏粮收获进度过六成"]),
        ("02", "要闻", ["科研人员减负行动持续推进"]),
    ]
    assert GENERIC_READER not in opened.readers.values()


def test_gmrb_old_index_page_list_and_picture() -> None:
    doc = index_doc(GMRB_OLD_DAY / "nbs.D110000gmrb_01.htm")
    assert [(p.label, p.name) for p in sites.page_links(doc)] == [("01", "要闻"), ("02", "要闻")]
    # The titles are only inside <script>document.write(view("…"))</script>; the links are what counts.
    assert sites.article_links(doc) == ["nw.D110000gmrb_20250618_1-01.htm", "nw.D110000gmrb_20250618_2-01.htm"]
    picture = sites.page_picture(doc)
    assert picture is not None
    assert (picture.width, picture.height, len(picture.regions)) == (400, 575, 2)
    assert sites.page_pdf(doc, "nbs.D110000gmrb_01.htm") == "../../../images/2025-06/18/01/GMRB01B20250618B.pdf"


def test_gmrb_old_index_shows_its_page_as_01ban_colon_name(tmp_path: Path) -> None:
    """Without its page list (not saved), an index still says which page it shows: 02版:要闻 in div.l_t."""
    text = (GMRB_OLD_DAY / "nbs.D110000gmrb_02.htm").read_text(encoding="utf-8")
    page = tmp_path / "nbs.D110000gmrb_02.htm"
    page.write_text(re.sub(r'<div id="pageList".*?<!-- list endding -->\s*</div>', "", text, flags=re.S), "utf-8")
    shown = pageindex.parse_index(index_doc(page), page)
    assert (shown.label, shown.name, shown.pages) == ("02", "要闻", ())
    assert shown.articles == ("nw.D110000gmrb_20250618_1-02.htm",)
    assert shown.date == dt.date(2025, 6, 18)


GMRB_NEW = "gmrb-new"


def test_gmrb_new_layout_pages_and_order(archive: Callable[[str], Archive], saved: Callable[[str], Path]) -> None:
    opened = archive(GMRB_NEW)
    assert not opened.refused
    pages = sorted(p.name for p in saved(GMRB_NEW).rglob("content_*.html"))
    assert sorted(Path(a.origin.file).name for i in opened.issues for a in i.articles) == pages
    issue = only_issue(opened)
    assert issue.paper.name == "光明日报"
    assert issue.date == dt.date(2026, 3, 5)
    assert layout(issue) == [
        ("01", "头版", ["全国人大四次会议开幕", "春耕备耕有序推进"]),
        ("02", "要闻", ["文化遗产保护利用取得新进展"]),
    ]
    (photo,) = figures(article(issue, "全国人大四次会议开幕"))
    assert "会议在人民大会堂开幕" in photo.caption
    assert photo.image is not None
    assert odd_notices(opened) == []


def test_gmrb_new_kicker_subtitle_byline(archive: Callable[[str], Archive]) -> None:
    opening = article(only_issue(archive(GMRB_NEW)), "全国人大四次会议开幕")
    assert (opening.kicker, opening.subtitle, opening.byline) == (
        "凝心聚力 共谋发展",
        "听取审议政府工作报告",
        "本报记者 张三",
    )


def test_gmrb_new_index_label_in_spans() -> None:
    doc = index_doc(SITES / GMRB_NEW / "gmrb" / "html" / "layout" / "202603" / "05" / "node_01.html")
    assert [(p.label, p.name, p.href) for p in sites.page_links(doc)] == [
        ("01", "头版", "node_01.html"),
        ("02", "要闻", "node_02.html"),
    ]
    assert sites.article_links(doc) == [
        "../../../content/202603/05/content_24110.html",
        "../../../content/202603/05/content_24111.html",
    ]


# --- 5. 经济日报 old (jjrb/html/…/node_2.htm = 第01版) ------------------------------------------------

JJRB = "jjrb"


def test_jjrb_old_pages_and_titles(archive: Callable[[str], Archive], saved: Callable[[str], Path]) -> None:
    opened = archive(JJRB)
    assert_every_article_page_read(opened, saved(JJRB), "content_*.htm", FOUNDER)
    issue = only_issue(opened)
    assert issue.paper.name == "经济日报"  # <title>经济日报多媒体数字报刊</title>, GB2312 pages.
    assert issue.date == dt.date(2019, 12, 5)
    assert layout(issue) == [
        ("01", "要闻", ["制造业投资稳中有升", "冬季用能保障有力"]),  # node_2.htm is 第01版.
        ("02", "综合新闻", ["快递业务量突破五百亿件"]),
    ]
    assert "高技术制造业投资增长明显快于全部投资" in text_of(article(issue, "制造业投资稳中有升"))
    assert odd_notices(opened) == []


def test_jjrb_old_kicker_and_byline(archive: Callable[[str], Archive]) -> None:
    investment = article(only_issue(archive(JJRB)), "制造业投资稳中有升")
    assert investment.kicker == "前10个月高技术制造业投资增长较快"
    assert "林火灿" in (investment.byline or "")


# --- 6. 新华每日电讯 -------------------------------------------------------------------------------

MRDX_TREE = "mrdx"


def test_mrdx_pages_order_and_caption(archive: Callable[[str], Archive], saved: Callable[[str], Path]) -> None:
    opened = archive(MRDX_TREE)
    assert_every_article_page_read(opened, saved(MRDX_TREE), "Articel*.htm", MRDX)
    issue = only_issue(opened)
    assert issue.paper.name == "新华每日电讯"
    assert issue.date == dt.date(2020, 3, 20)
    assert layout(issue) == [
        ("01", "要闻", ["全国春播粮食面积保持稳定", "复工复产按下“快进键”"]),
        ("02", "新华视点", ["小店经济重燃烟火气"]),
    ]
    (photo,) = figures(article(issue, "全国春播粮食面积保持稳定"))
    assert (photo.caption, photo.credit) == ("3月19日，农民在田间驾驶播种机作业。", "新华社记者 张三摄")
    assert photo.image is not None


def test_mrdx_index_lists_articles_in_daoxiang_attributes() -> None:
    doc = index_doc(SITES / MRDX_TREE / "content" / "20200320" / "Page02DK.htm")
    assert [(p.label, p.name) for p in sites.page_links(doc)] == [("01", "要闻"), ("02", "新华视点")]
    assert sites.article_links(doc) == ["Articel01002DK.htm", "Articel01003DK.htm", "Articel02001DK.htm"]
    assert sites.page_pdf(doc, "Page02DK.htm") == "../../PDF/20200320/02.pdf"


def test_mrdx_index_pages_name_their_paper(archive: Callable[[str], Archive]) -> None:
    assert odd_notices(archive(MRDX_TREE)) == []


def test_credit_after_a_full_stop_is_split_from_the_caption(archive: Callable[[str], Archive]) -> None:
    (gmrb,) = figures(article(only_issue(archive(GMRB_OLD)), "推动文化和旅游深度融合发展"))
    assert (gmrb.caption, gmrb.credit) == ("游客在古镇参观非遗展示。", "本报记者 李明摄")
    (mrdx,) = figures(article(only_issue(archive(MRDX_TREE)), "全国春播粮食面积保持稳定"))
    assert (mrdx.caption, mrdx.credit) == ("3月19日，农民在田间驾驶播种机作业。", "新华社记者 张三摄")


# --- 7. A site no family knows -----------------------------------------------------------------------

GENERIC_TREE = "generic"


def test_generic_article_read_and_stray_page_skipped(archive: Callable[[str], Archive]) -> None:
    opened = archive(GENERIC_TREE)
    assert not opened.refused
    assert read_by(opened, "article_8812.html") == GENERIC_READER
    issue = only_issue(opened)
    assert issue.paper.name == "临江晨报"
    assert issue.date == dt.date(2024, 3, 15)
    assert layout(issue) == [("05", "城市", ["市民公园樱花进入最佳观赏期"])]
    sakura = issue.articles[0]
    (photo,) = figures(sakura)
    assert "游客在市民公园赏樱" in photo.caption
    assert "周岚" in (photo.credit or photo.caption)
    assert photo.image is not None
    body = text_of(sakura)
    assert "三千多株樱花竞相开放" in body and "增设了临时停车场" in body
    assert "首页" not in body and "版权所有" not in body
    messages = [(Path(n.origin.file).name, n.message) for n in opened.notices]
    assert [m for m in messages if m[1] == GENERIC] == [("article_8812.html", GENERIC)]
    assert ("about.html", "no article found on the page (a site no family knows): skipped") in messages


# --- the commands, as a user runs them -----------------------------------------------------------------


def epaper(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed `epaper` command beside this interpreter (.venv/bin/epaper)."""
    command = Path(sys.executable).with_name("epaper")
    return subprocess.run([str(command), *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_inspect_names_the_reader_of_every_file(saved: Callable[[str], Path]) -> None:
    trees = [saved(name) for name in (LETTERS, CMS, MRDX_TREE, GENERIC_TREE)]
    result = epaper("inspect", *trees)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for name, reader in (
        ("content_5001.htm", FOUNDER),
        ("content_5002.htm", FOUNDER),
        ("content_8003.htm", FOUNDER),
        ("Articel02001DK.htm", MRDX),
        ("article_8812.html", GENERIC_READER),
    ):
        (line,) = [line for line in lines if f"/{name}" in line and line.lstrip().startswith("from ")]
        assert line.endswith(f"(read by: {reader})"), line
    assert sum("read by:" in line for line in lines) == 7 + 3 + 3 + 1
    assert f"article_8812.html:11: {GENERIC}" in result.stdout
    headings = [line.strip() for line in lines]
    for heading in (
        "第A01版 · 头版",
        "第A02版 · 要闻",
        "第B01版 · 城事",
        "第A03版 · 城事",
        "第02版 · 新华视点",
        "第05版 · 城市",
    ):
        assert heading in headings
    assert lines[-1].startswith("22 files, 4 issues, 14 articles, ")
    assert lines[-1].endswith(", 0 refused")


@pytest.mark.slow
def test_export_three_site_families_and_a_dump_then_check(saved: Callable[[str], Path], tmp_path: Path) -> None:
    """One folder: Founder classic, 光明日报 new, 新华每日电讯 and a reader dump → books that pass `epaper check`."""
    mixed = tmp_path / "saved"
    for name in (LETTERS, GMRB_NEW, MRDX_TREE):
        shutil.copytree(saved(name), mixed / name)
    (mixed / "dump").mkdir()
    shutil.copy(DUMP, mixed / "dump" / DUMP.name)
    out = tmp_path / "out"
    result = epaper("export", mixed, "-f", "epub,pdf", "-o", out, "-q")
    assert result.returncode == 0, result.stderr
    books = sorted(str(p.relative_to(out)) for p in out.glob("*/*") if p.suffix in (".epub", ".pdf"))
    assert books == [
        "东江日报/2023-05-06.epub",
        "东江日报/2023-05-06.pdf",
        "光明日报/2026-03-05.epub",
        "光明日报/2026-03-05.pdf",
        "新华每日电讯/2020-03-20.epub",
        "新华每日电讯/2020-03-20.pdf",
        "青川晚报/2026-03-02.epub",
        "青川晚报/2026-03-02.pdf",
    ]
    checked = epaper("check", *(out / book for book in books))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": ok") == len(books)
