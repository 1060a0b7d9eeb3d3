"""The EPUB cover stays small (≤ 100 KB) however much a paper prints on it."""

from __future__ import annotations

import io

import pytest

from exporter import fonts
from exporter.cover import CoverText, draw_cover

LONG = "全面推进乡村振兴加快建设农业强国扎实推动高质量发展取得新成效"


@pytest.mark.parametrize(
    ("masthead", "lines"),
    [
        ("人民日报", tuple((f"第{n:02d}版", LONG) for n in range(1, 25))),  # 24 pages named by their first title.
        ("中国农业机械化信息报", tuple((f"1月{d}日", "星期三　24版　150篇") for d in range(1, 32))),  # A month volume.
        ("宜春日报", (("第01版", "要闻"),)),
    ],
)
def test_a_cover_is_at_most_100_kb(masthead: str, lines: tuple[tuple[str, str], ...]) -> None:
    if fonts.find(fonts.SERIF) is None:
        pytest.skip("CJK fonts not installed")
    from PIL import Image

    data = draw_cover(CoverText(masthead, "2025年1月1日　星期三", "本期24版　150篇文章", lines, "人民日报社"))
    assert len(data) <= 100 * 1024, f"{len(data) // 1024} KB"
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.size == (1000, 1600)
