"""Saved e-paper HTML: Founder (方正) article and index pages, 人民日报 layouts, 转版, hostile markup."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from exporter.assemble import assemble
from exporter.errors import InputError
from exporter.model import Article, Figure, Heading, Issue, Paragraph
from exporter.sources import ReadOptions, ReadResult, SourceFile, read_all, read_one, reader_for
from exporter.sources.web import founder, generic, rmrb

FIXTURES = Path(__file__).parent / "fixtures" / "html"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HUBEI = CORPUS / "real" / "hubei_daily_2023-02-11"
KJRB_INDEX = CORPUS / "real" / "html" / "kjrb_2023-02-10" / "node_2.htm"
RMRB_INDEX = CORPUS / "real" / "html" / "rmrb_2024-12-25" / "New-RMRB-URL-20241225.html"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")

FOUNDER_DAY = Path("pc", "content", "202401", "05")


# --- helpers -------------------------------------------------------------------------


def copy_fixture(name: str, tmp_path: Path) -> Path:
    """Copy a fixture tree into tmp_path and return its copy."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target)
    return target


def make_image(path: Path, fmt: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 6), "gray").save(path, format=fmt)
    return path


def read_in(root: Path, path: Path, options: ReadOptions | None = None) -> ReadResult:
    """Read one page the way read_all does when the user names the folder `root`."""
    source = SourceFile(path, str(path), root, named=False)
    reader = reader_for(source)
    assert reader is not None, path
    result: ReadResult = reader.read(path, str(path), options or ReadOptions(), root)
    return result


def read_issues(*sources: Path, options: ReadOptions | None = None) -> list[Issue]:
    catalog = read_all(list(sources), options or ReadOptions())
    assert not catalog.refused, catalog.refused
    issues, _ = assemble(catalog.articles, catalog.papers)
    return issues


def only(issues: list[Issue]) -> Issue:
    assert len(issues) == 1, [i.title for i in issues]
    return issues[0]


def all_text(article: Article) -> str:
    return "\n".join(article.texts())


def normalized(text: str) -> str:
    """Compare texts without white space and without the parentheses a credit or source loses."""
    return re.sub(r"[\s（）()]", "", text)


def save_hubei_blocks(folder: Path) -> Path:
    """Save each of the 32 Founder blocks of content.txt as its own content_N.htm page, as the site would."""
    text = (HUBEI / "content.txt").read_text(encoding="utf-8")
    marker = '<div id="scroller">'
    blocks = text.split(marker)[1:]
    assert len(blocks) == 32
    day = folder / "pc" / "content" / "202302" / "11"
    day.mkdir(parents=True)
    for number, block in enumerate(blocks, start=1):
        (day / f"content_{number}.htm").write_text(marker + block, encoding="utf-8")
    return day


# --- 湖北日报 2023-02-11, the real Founder pages ------------------------------------


@pytest.fixture(scope="module")
def hubei(tmp_path_factory: pytest.TempPathFactory) -> tuple[Issue, list[str], Path]:
    root = tmp_path_factory.mktemp("hubei")
    save_hubei_blocks(root)
    photo = make_image(root / "pc/pic/202302/11/2f4cb708-c413-4be0-b01f-fb5709b9ee70.tif.1", "TIFF")
    catalog = read_all([root], ReadOptions())
    assert not catalog.refused, catalog.refused
    issues, notices = assemble(catalog.articles, catalog.papers)
    messages = [str(n) for n in (*catalog.notices, *notices)]
    return only(issues), messages, photo


@needs_corpus
def test_hubei_pages_and_paper(hubei: tuple[Issue, list[str], Path]) -> None:
    issue, _, _ = hubei
    assert issue.paper.name == "湖北日报"  # From the page's copyright line.
    assert issue.date == dt.date(2023, 2, 11)
    assert [p.label for p in issue.pages] == ["01", "02", "03", "04"]
    # 32 blocks: one saved twice (same page) and three 转版 copies are each kept once.
    assert len(issue.articles) == 28


@needs_corpus
def test_hubei_blocks_saved_in_one_file_read_as_saved_apart(
    hubei: tuple[Issue, list[str], Path], tmp_path: Path
) -> None:
    """Scrapers concatenate article pages into one file: every block is an article, none dropped."""
    apart, _, _ = hubei
    day = tmp_path / "pc" / "content" / "202302" / "11"
    day.mkdir(parents=True)
    shutil.copyfile(HUBEI / "content.txt", day / "content_1.htm")
    catalog = read_all([tmp_path], ReadOptions())
    assert not catalog.refused, catalog.refused
    issues, _ = assemble(catalog.articles, catalog.papers)
    together = only(issues)
    assert together.paper.name == apart.paper.name and together.date == apart.date

    def contents(issue: Issue) -> list[tuple[str, list[tuple[str, tuple[str, ...]]]]]:
        return [(p.label, [(a.title, tuple(a.texts())) for a in p.articles]) for p in issue.pages]

    assert contents(together) == contents(apart)


@needs_corpus
def test_hubei_every_title_and_paragraph_is_in_the_model(hubei: tuple[Issue, list[str], Path]) -> None:
    issue, _, _ = hubei
    derived = json.loads((HUBEI / "derived" / "2023-02-11.index.json").read_text(encoding="utf-8"))
    assert len(derived["articles"]) == 32
    for entry in derived["articles"]:
        title = " ".join(entry["main_title"].split())
        matches = [a for a in issue.articles if a.title == title]
        assert len(matches) == 1, title
        article = matches[0]
        assert article.kicker == (" ".join(entry["intro_title"].split()) or None)
        assert article.subtitle == (" ".join(entry["sub_title"].split()) or None)
        text = normalized(all_text(article))
        for paragraph in entry["paragraphs_non_empty"]:
            assert normalized(paragraph) in text, (title, paragraph)


@needs_corpus
def test_hubei_photo_captions_are_kept(hubei: tuple[Issue, list[str], Path]) -> None:
    issue, messages, photo = hubei
    derived = json.loads((HUBEI / "derived" / "2023-02-11.index.json").read_text(encoding="utf-8"))
    captions = [(e["main_title"], c) for e in derived["articles"] for c in e["photo_captions"] if c.strip()]
    assert len(captions) == 5
    for title, caption in captions:
        article = next(a for a in issue.articles if a.title == " ".join(title.split()))
        figures = normalized("".join(f.caption + (f.credit or "") for f in article.figures))
        assert normalized(caption) in figures, caption
    moved = next(a for a in issue.articles if a.title == "国产C919大型客机鄂州验证飞行")
    assert moved.figures[0].caption == "国产C919大型客机降落在花湖机场。"
    assert moved.figures[0].credit == "湖北日报全媒记者 周鹏 摄"
    embedded = next(a for a in issue.articles if a.title == "抗疫三年我国经济社会发展取得突出成绩")
    assert embedded.figures[0].image == str(photo.resolve())  # Present: embedded, .tif.1 and all.
    assert embedded.figures[0].credit == "新华社发"
    assert any("missing image" in m and "caption kept" in m for m in messages)


@needs_corpus
def test_hubei_structure_byline_headings_source(hubei: tuple[Issue, list[str], Path]) -> None:
    issue, _, _ = hubei
    commentary = next(a for a in issue.articles if a.title == "领导干部要保持清醒 自觉抵制违规吃喝")
    assert commentary.byline == "□ 湖北日报评论员"
    carbon = next(a for a in issue.articles if a.title == "中碳登喜迎首批“碳客”")
    assert carbon.byline == "湖北日报全媒记者 左晨"
    assert [h.text for h in carbon.headings] == [
        "新增200多家重点排放企业",
        "全国电力行业碳排放强度下降1.07%",
        "打造全球碳交易注册登记中心",
    ]
    review = next(a for a in issue.articles if a.title == "抗疫三年我国经济社会发展取得突出成绩")
    assert review.source == "据新华社北京2月10日电"


@needs_corpus
def test_hubei_continued_articles_appear_once_where_they_start(hubei: tuple[Issue, list[str], Path]) -> None:
    issue, messages, _ = hubei
    continued = {
        "中碳登喜迎首批“碳客”": "03",
        "环境升级服务优 居家养老变“享老”": "02",
        "中国式现代化是强国建设、民族复兴的康庄大道": "04",
    }
    for title, later in continued.items():
        found = [(p.label, a) for p in issue.pages for a in p.articles if a.title == title]
        assert len(found) == 1, title
        label, article = found[0]
        assert label == "01"
        assert article.notes == (f"转第{later}版：同一全文，只在第01版收录",)
    assert sum("转版" in m for m in messages) == 6  # Each copy says where it went.


# --- page index pages ------------------------------------------------------------------


@needs_corpus
def test_kjrb_index_page_names() -> None:
    result = read_one(KJRB_INDEX)
    assert result.articles == ()
    (paper,) = result.papers
    assert paper.name == "科技日报"
    assert paper.page_names == {
        "01": "今日要闻", "02": "综合", "03": "综合", "04": "国际",
        "05": "视点", "06": "教育", "07": "区域", "08": "文化",
    }  # fmt: skip


@needs_corpus
def test_rmrb_new_index_page_names() -> None:
    source = SourceFile(RMRB_INDEX, str(RMRB_INDEX), RMRB_INDEX.parent, named=False)
    assert reader_for(source) is rmrb
    (paper,) = read_one(RMRB_INDEX).papers
    assert paper.name == "人民日报"
    assert len(paper.page_names) == 20
    assert paper.page_names["01"] == "要闻"
    assert paper.page_names["05"] == "评论"
    assert paper.page_names["10"] == "特别报道"
    assert paper.page_names["20"] == "国际"


@needs_corpus
def test_kjrb_index_orders_the_article_beside_it(tmp_path: Path) -> None:
    day = tmp_path / "kjrb"
    day.mkdir()
    shutil.copy(KJRB_INDEX, day / "node_2.htm")
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    page = page.replace("2024-01-05", "2023-02-10").replace("2024年01月05日", "2023年02月10日")
    (day / "content_548646.htm").write_text(page, encoding="utf-8")
    (day / "content_999.htm").write_text(page.replace(">01</p>", ">03</p>").replace("小小", "大大"), encoding="utf-8")
    issue = only(read_issues(day))
    first, third = issue.articles
    assert (first.page, first.page_name, first.order) == ("01", "今日要闻", 2)
    assert (third.page, third.page_name, third.order) == ("03", "综合", None)  # Named by the page list.
    assert [p.heading for p in issue.pages] == ["第01版 · 今日要闻", "第03版 · 综合"]


@needs_corpus
def test_rmrb_layout_index_orders_a_content_page(tmp_path: Path) -> None:
    layout = tmp_path / "pc" / "layout" / "202412" / "25"
    content = tmp_path / "pc" / "content" / "202412" / "25"
    layout.mkdir(parents=True)
    content.mkdir(parents=True)
    shutil.copy(RMRB_INDEX, layout / "node_01.html")
    page = (FIXTURES / "rmrb_new" / "pc/content/202412/25/content_9001.html").read_text(encoding="utf-8")
    (content / "content_30048055.html").write_text(page.replace("第03版", ""), encoding="utf-8")
    (article,) = only(read_issues(tmp_path)).articles
    assert (article.page, article.page_name, article.order) == ("01", "要闻", 2)


def test_founder_index_pages_name_pages_and_order_articles(tmp_path: Path) -> None:
    root = copy_fixture("founder", tmp_path)
    make_image(root / "pc/pic/202401/05/seedlings.jpg")
    catalog = read_all([root], ReadOptions())
    assert {p.name for p in catalog.papers} == {"青山日报"}
    assert catalog.papers[0].page_names == {"01": "要闻", "02": "综合"}
    issue = only(assemble(catalog.articles, catalog.papers)[0])
    assert [p.heading for p in issue.pages] == ["第01版 · 要闻"]  # Page 02 only continues page 01's story.
    assert [(a.order, a.title) for a in issue.pages[0].articles] == [
        (1, "青山县新建十座乡村图书馆"),
        (2, "小小育秧棚 撑起丰收梦"),
    ]


def test_index_page_without_paper_name(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / "pc/layout/202401/05/node_02.html").read_text(encoding="utf-8")
    (tmp_path / "node_02.html").write_text(page.replace("<title>青山日报-数字报</title>", ""), encoding="utf-8")
    unnamed = read_one(tmp_path / "node_02.html")
    assert unnamed.papers == () and "does not name its paper" in unnamed.notices[0].message
    (paper,) = read_one(tmp_path / "node_02.html", ReadOptions(paper="青山日报")).papers
    assert (paper.name, paper.page_names) == ("青山日报", {"01": "要闻", "02": "综合"})


# --- Founder article pages --------------------------------------------------------------


def test_founder_article_fields(tmp_path: Path) -> None:
    root = copy_fixture("founder", tmp_path)
    photo = make_image(root / "pc/pic/202401/05/seedlings.jpg")
    result = read_in(root, root / FOUNDER_DAY / "content_101.html")
    (article,) = result.articles
    assert article.paper == "青山日报"
    assert article.date == dt.date(2024, 1, 5)
    assert (article.page, article.page_name, article.order) == ("01", "要闻", 2)
    assert article.kicker == "春耕时节走访河谷村"
    assert article.title == "小小育秧棚 撑起丰收梦"  # A title on two lines keeps a space.
    assert article.subtitle == "——青山县推进集中育秧见闻"
    assert article.byline == "青山日报记者 林小河 通讯员 周一禾"
    assert article.source == "青山县融媒体中心"
    first, second = article.figures
    assert (first.caption, first.credit, first.image) == (
        "1月4日，河谷村育秧大棚内，农技员查看秧苗长势。",
        "青山日报记者 林小河 摄",
        str(photo.resolve()),
    )
    assert (second.caption, second.credit, second.image) == ("村民在田间平整土地。", "通讯员 周一禾 摄", None)
    assert any("missing image" in n.message and "caption kept" in n.message for n in result.notices)
    kinds = [type(b).__name__ for b in article.blocks]
    assert kinds == ["Figure", "Figure", "Paragraph", "Heading", "Paragraph", "Paragraph", "Heading", "Paragraph"]
    assert [h.text for h in article.headings] == ["集中育秧省工省时", "技术员驻村指导"]


def test_founder_split_article_is_joined_on_its_first_page(tmp_path: Path) -> None:
    root = copy_fixture("founder", tmp_path)
    day = root / FOUNDER_DAY
    start = read_in(root, day / "content_102.html").articles[0]
    rest = read_in(root, day / "content_103.html").articles[0]
    assert start == rest or start.texts() == rest.texts()
    assert (rest.page, rest.order, rest.origin) == ("01", 1, start.origin)
    assert start.notes == ("下转第02版：后半部分已接在本文之后",)
    assert [b.text for b in start.blocks if isinstance(b, Paragraph)] == [
        "本报讯 青山县今年新建的十座乡村图书馆近日全部开放，每座藏书都在三千册以上。",
        "图书馆设在村委会旁，白天开放，晚上还有志愿者值守。",
        "读者可以凭身份证免费借书，每次最多借五本，一个月内归还。",
        "县图书馆还将每季度为各村更换一批新书。",
    ]
    assert "转" not in all_text(start) and "接第" not in all_text(start)


def test_pages_saved_into_one_file_are_each_read(tmp_path: Path) -> None:
    """Three whole saved pages in one file (HTML, HEAD, BODY each): three articles, the split one joined."""
    day = FIXTURES / "founder" / FOUNDER_DAY
    pages = [(day / f"content_{n}.html").read_text(encoding="utf-8") for n in (101, 102, 103)]
    (tmp_path / "content_1.htm").write_text("\n".join(pages), encoding="utf-8")
    result = read_one(tmp_path / "content_1.htm")
    titles = [a.title for a in result.articles]
    assert titles[0] == "小小育秧棚 撑起丰收梦" and titles[1:] == ["青山县新建十座乡村图书馆"] * 2
    joined = result.articles[1]
    assert joined == result.articles[2] or joined.texts() == result.articles[2].texts()
    assert joined.notes == ("下转第02版：后半部分已接在本文之后",)
    assert "县图书馆还将每季度为各村更换一批新书。" in all_text(joined)


def test_titles_that_cannot_be_told_apart_are_named_in_a_warning(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    second = '<font id="main-title">第二篇文章</font>'
    (tmp_path / "content_1.htm").write_text(
        page.replace('<font id="main-title">', second + '<font id="main-title">'), encoding="utf-8"
    )
    result = read_one(tmp_path / "content_1.htm")
    assert len(result.articles) == 1
    assert any("2 article titles in one page could not be told apart" in n.message for n in result.notices)


def test_jump_line_without_its_other_half_becomes_a_note(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "founder" / FOUNDER_DAY / "content_102.html", tmp_path / "content_102.html")
    result = read_one(tmp_path / "content_102.html")
    (article,) = result.articles
    assert article.notes == ("下转第2版",)
    assert article.source is None and "下转" not in all_text(article)
    assert any("not among the saved pages" in n.message for n in result.notices)


def test_same_article_on_two_pages_is_kept_on_the_first(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    (tmp_path / "content_7.htm").write_text(page.replace(">01</p>", ">03</p>"), encoding="utf-8")
    (tmp_path / "content_9.htm").write_text(page, encoding="utf-8")
    issue = only(read_issues(tmp_path))
    assert [p.label for p in issue.pages] == ["01"]
    (article,) = issue.articles
    assert article.notes == ("转第03版：同一全文，只在第01版收录",)
    assert article.origin.file.endswith("content_9.htm")


def test_paper_name_from_option_or_paper_toml_or_refused(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    page = page.replace("<title>青山日报-数字报</title>", "").replace("Copyright © 青山日报", "")
    folder = tmp_path / "unnamed"
    folder.mkdir()
    (folder / "content_1.htm").write_text(page, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_one(folder / "content_1.htm")
    assert "--paper" in str(refused.value) and "paper.toml" in str(refused.value)
    assert "content_1.htm" in str(refused.value)
    named = read_one(folder / "content_1.htm", ReadOptions(paper="溪口晚报")).articles[0]
    assert named.paper == "溪口晚报"
    (folder / "paper.toml").write_text('name = "河谷周报"\n', encoding="utf-8")
    assert read_one(folder / "content_1.htm").articles[0].paper == "河谷周报"


def test_gb_pages_follow_their_meta_charset(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    page = page.replace("charset=utf-8", "charset=gb2312")
    (tmp_path / "content_1.htm").write_bytes(page.encode("gb18030"))
    (article,) = read_one(tmp_path / "content_1.htm").articles
    assert article.title == "小小育秧棚 撑起丰收梦"
    assert article.kicker == "春耕时节走访河谷村"


def test_a_wrong_meta_charset_is_noticed_and_read_by_content(tmp_path: Path) -> None:
    page = (FIXTURES / "founder" / FOUNDER_DAY / "content_101.html").read_text(encoding="utf-8")
    (tmp_path / "content_1.htm").write_text(page.replace("charset=utf-8", "charset=shift_jis"), encoding="utf-8")
    result = read_one(tmp_path / "content_1.htm")
    assert result.articles[0].title == "小小育秧棚 撑起丰收梦"
    assert any("charset shift_jis" in n.message for n in result.notices)


# --- 人民日报 layouts ------------------------------------------------------------------------


def test_rmrb_old_layout_with_its_index(tmp_path: Path) -> None:
    root = copy_fixture("rmrb_old", tmp_path)
    photo = make_image(root / "res/1/20170423/pear.jpg")
    day = root / "html" / "2017-04" / "23"
    article_page = day / "nw.D110000renmrb_20170423_2-03.htm"
    assert reader_for(SourceFile(article_page, "a", root, named=False)) is rmrb
    issue = only(read_issues(root))
    assert issue.paper.name == "人民日报"
    (article,) = issue.articles
    assert article.date == dt.date(2017, 4, 23)
    assert (article.page, article.page_name, article.order) == ("03", "经济", 2)
    assert article.kicker == "山区果农的新账本"
    assert article.title == "一棵梨树 带富一个村"
    assert article.subtitle == "——石门村发展特色林果业调查"
    assert article.byline == "本报记者\u3000李青禾"
    assert article.source == "本报石门4月22日电"
    (figure,) = article.figures
    assert (figure.caption, figure.credit, figure.image) == (
        "石门村果农在梨园里疏花。",
        "本报记者\u3000李青禾摄",
        str(photo.resolve()),
    )
    (heading,) = article.headings
    assert (heading.kicker, heading.text) == ("生产方式变了：", "种梨用上新技术，“老品种”焕发新生机")
    assert "另一篇文章" not in all_text(article)  # The sidebar is not the article.


def test_rmrb_new_layout(tmp_path: Path) -> None:
    root = copy_fixture("rmrb_new", tmp_path)
    photo = make_image(root / "pc/pic/202412/25/workshop.jpg")
    result = read_in(root, root / "pc/content/202412/25/content_9001.html")
    (article,) = result.articles
    assert (article.paper, article.date, article.page) == ("人民日报", dt.date(2024, 12, 25), "03")
    assert (article.kicker, article.title, article.subtitle) == (
        "稳就业 促发展",
        "一家小工厂的订单簿",
        "——来自东湾镇的蹲点报告",
    )
    assert article.byline == "本报记者\u3000赵明远"
    workshop, archive = article.figures
    assert (workshop.caption, workshop.credit, workshop.image) == (
        "工人在车间装配电机。",
        "赵明远摄",
        str(photo.resolve()),
    )
    assert (archive.caption, archive.image) == ("东湾镇工业园一角。（资料图）", None)
    assert any("gone.jpg" in n.message for n in result.notices)
    heading = next(b for b in article.blocks if isinstance(b, Heading))
    assert (heading.kicker, heading.text) == ("稳产能", "生产线满负荷运转赶订单")
    assert "侧栏" not in all_text(article)


# --- hostile markup ------------------------------------------------------------------------


HOSTILE_WORDS = ("EVIL", "alert", "javascript", "evil.example", "<", "color", "onerror", "base64")


def model_strings(article: Article) -> list[str]:
    """Every string the model carries for an article, figures' image paths included."""
    strings = [*article.texts(), article.paper, article.page, *(article.notes)]
    strings.extend(f.image or "" for f in article.blocks if isinstance(f, Figure))
    return strings


@pytest.mark.parametrize("page", ["content_666.htm", "rmrb_hostile.html"])
def test_hostile_markup_never_reaches_the_model(tmp_path: Path, page: str) -> None:
    root = copy_fixture("hostile", tmp_path)
    result = read_one(root / page)
    (article,) = result.articles
    for text in model_strings(article):
        for word in HOSTILE_WORDS:
            assert word.lower() not in text.lower(), (word, text)
    assert all(f.image is None for f in article.figures)


def test_hostile_founder_page_keeps_its_text(tmp_path: Path) -> None:
    root = copy_fixture("hostile", tmp_path)
    result = read_one(root / "content_666.htm")
    (article,) = result.articles
    assert article.title == "安全的标题"
    assert [f.caption for f in article.figures] == ["远程图片的说明文字。", "越界图片的说明文字。"]
    assert [b.text for b in article.blocks if isinstance(b, Paragraph)] == [
        "第一段正文，脚本链接文字混合大小写到此结束。",  # A javascript: link goes, its words stay (issue 18).
        "第二段有外部链接文字保留。",
        "第三段正文。",  # Text after a broken <embed> is kept.
    ]
    messages = " ".join(n.message for n in result.notices)
    assert "is a URL, not a saved file" in messages
    assert "points outside the source folder" in messages


# --- picking the reader ---------------------------------------------------------------------


def test_readers_are_picked_by_content(tmp_path: Path) -> None:
    founder_root = copy_fixture("founder", tmp_path)
    for path in [*(founder_root / FOUNDER_DAY).iterdir(), *(founder_root / "pc/layout/202401/05").iterdir()]:
        assert reader_for(SourceFile(path, path.name, founder_root, named=False)) is founder
    stray = tmp_path / "stray" / "about.html"
    stray.parent.mkdir()
    stray.write_text("<html><head><title>About us</title></head><body><p>Hello</p></body></html>", encoding="utf-8")
    # A page no site family knows goes to the generic reader, which finds no article in it and says so.
    assert reader_for(SourceFile(stray, stray.name, stray.parent, named=False)) is generic
    catalog = read_all([stray.parent], ReadOptions())
    assert catalog.articles == [] and catalog.refused == []
    assert [n.message for n in catalog.notices] == ["no article found on the page (a site no family knows): skipped"]


def test_a_newspaper_page_without_article_or_index_is_skipped_with_a_notice(tmp_path: Path) -> None:
    page = tmp_path / "paperindex.htm"
    page.write_text("<html><head><title>青山日报数字报</title></head><body><p>欢迎</p></body></html>", encoding="utf-8")
    result = read_one(page)
    assert result.articles == () and "skipped" in result.notices[0].message


def test_a_gb18030_page_whose_sniffing_sample_cuts_a_character_is_read_by_its_reader(tmp_path: Path) -> None:
    # Found by the fuzzer: the 4,096-byte sample ended inside a two-byte character, the page could not
    # be sniffed and went to another reader (read generically, its title lost).
    head = '<html><head><meta charset="gb18030"><title>青山日报</title></head><body><p id="nowLayout">02</p>'
    head += '<font id="main-title">春耕</font><founder-content><p>'
    while (4096 - len(head.encode("gb18030"))) % 2 == 0:  # From here every character is two bytes: cut one.
        head += " "
    tail = "</p></founder-content><!--enpproperty <date>2024-01-06 00:00:00:0</date>/enpproperty--></body></html>"
    page = tmp_path / "content_1.htm"
    page.write_bytes((head + "正文" * 2000 + tail).encode("gb18030"))
    assert reader_for(SourceFile(page, page.name, tmp_path, named=False)) is founder
    (article,) = read_all([tmp_path], ReadOptions()).articles
    assert (article.title, article.page, article.date) == ("春耕", "02", dt.date(2024, 1, 6))
