"""Text helpers: punctuation restoration, line cleaning, natural and page order."""

from __future__ import annotations

import pytest

from exporter.text import clean_line, natural_key, page_key, restore_punctuation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("一方面,学校;另一方面:社区?是的!", "一方面，学校；另一方面：社区？是的！"),
        ("青川经开区:凝心聚力", "青川经开区：凝心聚力"),
        ("储能(电池)产业园", "储能（电池）产业园"),
        ("(青川经开区)", "（青川经开区）"),
        ("“早出发、快起步”,目标", "“早出发、快起步”，目标"),
        ("增长1.5倍,达到1,000万元。", "增长1.5倍，达到1,000万元。"),
        ("销量同比增长12.4%,位居前列。", "销量同比增长12.4%，位居前列。"),
        ("会议时间:10:30", "会议时间：10:30"),
        ("他说:Hello, world!", "他说：Hello, world!"),
        ("网址:http://example.com/a,b", "网址：http://example.com/a,b"),
    ],
)
def test_restored_next_to_chinese(raw: str, expected: str) -> None:
    assert restore_punctuation(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1.5",
        "1,000",
        "139Ah",
        "5G",
        "10:30",
        "Hello, world",
        "Hello, world! How are you? Fine; thanks: bye.",
        "http://example.com/a,b",
        "https://example.com/path?a=1,2;b=3:4",
        "see www.example.com/a,b",
        "(GDP) (1,2)",
        "3:2, 4:1; 5,6",
        "mail: a@example.com",
        "",
    ],
)
def test_untouched(text: str) -> None:
    assert restore_punctuation(text) == text


def test_idempotent() -> None:
    text = "一方面,学校提供场地(含5G);另一方面:社区1,000人。"
    once = restore_punctuation(text)
    assert restore_punctuation(once) == once


def test_url_inside_chinese_kept() -> None:
    text = "详见 http://example.com/a,b 网站,欢迎访问。"
    assert restore_punctuation(text) == "详见 http://example.com/a,b 网站，欢迎访问。"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\u3000\u3000正文。", "正文。"),
        ("  正文。 \t", "正文。"),
        ("\ufeff标题", "标题"),
        ("\u00a0正文\u00a0", "正文"),
        ("正文\r", "正文"),
        ("中 间 空 格", "中 间 空 格"),
        ("e\u0301", "\u00e9"),  # NFC.
    ],
)
def test_clean_line(raw: str, expected: str) -> None:
    assert clean_line(raw) == expected


def test_natural_order() -> None:
    names = ["a10.txt", "a2.txt", "a1.txt", "b1.txt", "A3.txt", "a21.txt"]
    assert sorted(names, key=natural_key) == ["a1.txt", "a2.txt", "A3.txt", "a10.txt", "a21.txt", "b1.txt"]


def test_page_order() -> None:
    assert sorted(["10", "2", "1", "09"], key=page_key) == ["1", "2", "09", "10"]
    assert sorted(["B01", "A02", "A01", "A10"], key=page_key) == ["A01", "A02", "A10", "B01"]
    assert page_key("02") == page_key("2")
