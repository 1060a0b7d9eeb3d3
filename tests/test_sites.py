"""Site families (exporter/sources/web/sites.py): page labels, page lists, article links, page pictures.

Expected values are written out from the pages below (and from the corpus's real index pages).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import lxml.html
import pytest

from exporter.sources.web import sites
from tests.test_html_readers import KJRB_INDEX, RMRB_INDEX, needs_corpus


def doc(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


@pytest.mark.parametrize(
    ("text", "label"),
    [("1", "01"), ("01", "01"), ("14", "14"), ("A1", "A01"), ("a01", "A01"), ("第B03版", "B03"), ("100", "100")],
)
def test_page_labels_as_printed_with_two_digits(text: str, label: str) -> None:
    assert sites.page_label(text) == label


@pytest.mark.parametrize(
    ("link", "label", "name"),
    [
        ('<a href="node_187.htm">第A01版：头版</a>', "A01", "头版"),
        ('<a href="node_2.htm">第1版　<span>要闻</span></a>', "01", "要闻"),
        ('<a href="node_3.htm">01版:要闻</a>', "01", "要闻"),
        ('<a href="node_4.htm">A1 要闻</a>', "A01", "要闻"),
        ('<a href="node_5.htm">第01版 要闻</a>', "01", "要闻"),
        ('<a id="pageLink" href="node_6.htm">第02版：综 合</a>', "02", "综合"),
        ('<a href="node_01.html">第B02版</a>', "B02", ""),
    ],
)
def test_page_link_label_forms(link: str, label: str, name: str) -> None:
    links = sites.page_links(doc(f"<html><body><div>{link}</div></body></html>"))
    assert [(p.label, p.name) for p in links] == [(label, name)]


def test_bare_labels_count_only_when_they_lead_to_a_page_index() -> None:
    page = doc(
        '<html><body><a href="content_1.htm">A1 要闻里的一篇</a><a href="/about.htm">2 关于我们</a>'
        '<a href="node_9.htm">B2 体育</a></body></html>'
    )
    assert [(p.label, p.name, p.href) for p in sites.page_links(page)] == [("B02", "体育", "node_9.htm")]


def test_node_numbers_are_not_page_numbers() -> None:
    page = doc(
        '<html><body><a href="node_187.htm">第A01版：头版</a><a href="node_188.htm">第A02版：要闻</a>'
        '<a href="node_201.htm">第B01版：城事</a></body></html>'
    )
    assert [(p.label, p.href) for p in sites.page_links(page)] == [
        ("A01", "node_187.htm"),
        ("A02", "node_188.htm"),
        ("B01", "node_201.htm"),
    ]


def test_article_links_differing_in_query_or_fragment_are_one_article() -> None:
    page = doc(
        "<html><body><map name=PagePicMap>"
        '<area shape="rect" coords="0,0,10,10" href="content_123.htm?div=0">'
        '<area shape="rect" coords="0,10,10,20" href="content_123.htm?div=-1">'
        '<area shape="rect" coords="0,20,10,30" href="content_9.htm">'
        "</map><ul><li><a href=content_77.htm?div=-1>甲</a></li><li><a href=content_123.htm#top>乙</a></li>"
        "<li><a href=./content_77.htm>甲again</a></li></ul></body></html>"
    )
    assert sites.article_links(page) == ["content_77.htm", "content_123.htm", "content_9.htm"]


def test_page_picture_rect_and_polygon_regions_and_pdf() -> None:
    page = doc(
        '<html><body><img src="../pic/p1.jpg" width="400" height="575" usemap="#PagePicMap">'
        '<map name="PagePicMap"><area shape="rect" coords="1,2,30,40" href="content_1.htm?div=-1">'
        '<area shape="polygon" coords="0,0,10,0,10,10" href="content_2.htm">'
        '<area shape="polygon" coords="bad" href="content_3.htm">'
        '<area shape="rect" coords="0,0,5,5" href="http://ads.example/x">'
        '</map><a href="../../attachement/p1.pdf">PDF下载</a></body></html>'
    )
    picture = sites.page_picture(page)
    assert picture is not None
    assert (picture.src, picture.width, picture.height) == ("../pic/p1.jpg", 400, 575)
    assert [(r.href, r.points) for r in picture.regions] == [
        ("content_1.htm", ((1, 2), (30, 2), (30, 40), (1, 40))),
        ("content_2.htm", ((0, 0), (10, 0), (10, 10))),
    ]
    assert sites.page_pdf(page) == "../../attachement/p1.pdf"


@pytest.mark.parametrize(
    ("href", "family"),
    [
        ("node_3.htm", "founder"),
        ("content_548643.htm?div=-1", "founder"),
        ("../../../content/202412/25/content_30048054.html", "founder-pc"),
        ("nbs.D110000renmrb_01.htm", "rmrb"),
        ("nw.D110000renmrb_20170423_1-02.htm", "rmrb"),
        ("nbs.D110000gmrb_03.htm", "gmrb"),
        ("about.htm", None),
    ],
)
def test_family_of_a_link(href: str, family: str | None) -> None:
    found = sites.family_of(href)
    assert (found.name if found else None) == family


@pytest.mark.parametrize(
    ("path", "date"),
    [
        ("pc/layout/202302/11/node_01.html", dt.date(2023, 2, 11)),
        ("html/2017-04/23/nbs.D110000renmrb_01.htm", dt.date(2017, 4, 23)),
        ("nw.D110000renmrb_20170423_1-01.htm", dt.date(2017, 4, 23)),
        ("html/2017-13/23/x.htm", None),
    ],
)
def test_dates_in_urls(path: str, date: dt.date | None) -> None:
    assert sites.date_in_url(path) == date


@needs_corpus
def test_real_kjrb_index_page_list_articles_and_picture() -> None:
    from exporter.sources.web.html import load_page

    page, _ = load_page(KJRB_INDEX, str(KJRB_INDEX))
    links = sites.page_links(page)
    assert [(p.label, p.name, p.href) for p in links[:3]] == [
        ("01", "今日要闻", "./node_2.htm"),
        ("02", "综合", "node_3.htm"),
        ("03", "综合", "node_4.htm"),
    ]
    articles = sites.article_links(page)
    assert articles[:4] == ["content_548643.htm", "content_548646.htm", "content_548655.htm", "content_548659.htm"]
    assert len(articles) == len(set(articles))
    picture = sites.page_picture(page)
    assert picture is not None and picture.src == "../../../images/2023-02/10/01/KJRB2023021001_b.jpg"
    # content_548646 has two regions on the map (?div=0 and ?div=-1): both kept, one article.
    assert [r.href for r in picture.regions].count("content_548646.htm") == 2


@needs_corpus
def test_real_rmrb_2024_index_page_list_and_pdf() -> None:
    from exporter.sources.web.html import load_page

    page, _ = load_page(RMRB_INDEX, str(RMRB_INDEX))
    links = sites.page_links(page)
    assert len(links) == 20 and (links[0].label, links[0].name, links[0].href) == ("01", "要闻", "node_01.html")
    assert sites.page_pdf(page) == "../../../attachement/202412/25/58d97d37-6229-4f3b-872d-3911f85cb11b.pdf"
    picture = sites.page_picture(page)
    assert picture is not None and (picture.width, picture.height) == (400, 575)
    assert picture.regions[0].href == "../../../content/202412/25/content_30048054.html"
    assert Path(picture.regions[0].href).name in {Path(h).name for h in sites.article_links(page)}
