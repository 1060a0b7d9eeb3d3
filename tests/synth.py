"""Generate synthetic newspaper archives (fictional text) for batch tests and benchmarks."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

PAPER = "合成日报"
_SUBJECTS = ["市民", "企业", "园区", "社区", "学校", "合作社", "医院", "志愿者", "工程队", "图书馆"]
_ACTIONS = ["推进", "完成", "启动", "优化", "升级", "试点", "扩建", "服务", "改造", "培育"]
_OBJECTS = ["供水管网", "智慧停车", "老旧小区", "农产品物流", "夜间经济", "职业培训", "儿童乐园", "防汛设施"]
_TAILS = ["取得阶段性成效", "惠及数万群众", "预计年底前全面投用", "受到各方好评", "进入收尾阶段", "为全市提供样板"]
PAGE_NAMES = ["要闻", "综合", "经济", "城事", "区县", "文化", "体育", "副刊", "国际", "专版"]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(_SUBJECTS)}{rng.choice(_ACTIONS)}{rng.choice(_OBJECTS)}，"
        f"{rng.randint(2, 98)}个项目{rng.choice(_TAILS)}。"
    )


def paragraph(rng: random.Random, sentences: int = 5) -> str:
    return "".join(sentence(rng) for _ in range(sentences))


def make_image(path: Path, rng: random.Random, size: tuple[int, int] = (640, 420)) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, (rng.randint(150, 230), rng.randint(150, 230), rng.randint(150, 230)))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, size[0]), rng.randint(0, size[1])
        draw.rectangle((x, y, x + rng.randint(20, 160), y + rng.randint(20, 120)), fill=(rng.randint(0, 255),) * 3)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=80)


def write_article(
    folder: Path,
    day: dt.date,
    page: int,
    order: int,
    rng: random.Random,
    image: bool,
    paragraphs: int = 6,
    paper: str = PAPER,
) -> Path:
    """Write one structured Markdown article and return its path."""
    title = f"{rng.choice(_SUBJECTS)}{rng.choice(_ACTIONS)}{rng.choice(_OBJECTS)}（{day:%m%d}-{page:02d}-{order}）"
    lines = [
        "---",
        f"paper: {paper}",
        f"date: {day.isoformat()}",
        f'page: "{page:02d}"',
        f"page_name: {PAGE_NAMES[(page - 1) % len(PAGE_NAMES)]}",
        f"order: {order}",
        f"kicker: {rng.choice(_SUBJECTS)}新观察",
        f"title: {title}",
        f"byline: 本报记者 {rng.choice('王李张刘陈杨赵黄周吴')}{rng.choice('明华强丽军芳伟静')}",
        "source: 本报讯",
        "---",
        "",
    ]
    if image:
        name = f"images/{day:%m%d}-{page:02d}-{order}.jpg"
        make_image(folder / name, rng)
        lines += [f'![{rng.choice(_OBJECTS)}现场一角](<{name}> "本报记者 周岚摄")', ""]
    for n in range(paragraphs):
        if n == paragraphs // 2:
            lines += [f"## {rng.choice(_ACTIONS)}提速", f"### {rng.choice(_OBJECTS)}{rng.choice(_TAILS)}", ""]
        lines += [paragraph(rng), ""]
    path = folder / f"p{page:02d}-{order}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def make_archive(
    root: Path,
    first: dt.date,
    days: int,
    pages: int = 3,
    articles: int = 2,
    images: int = 0,
    skip: tuple[dt.date, ...] = (),
    seed: int = 7,
    paragraphs: int = 6,
) -> Path:
    """Write `days` issues from `first` (minus `skip`), each pages × articles; `images` photos per issue."""
    rng = random.Random(seed)
    for n in range(days):
        day = first + dt.timedelta(days=n)
        if day in skip:
            continue
        folder = root / day.isoformat()
        photos = images
        for page in range(1, pages + 1):
            for order in range(1, articles + 1):
                write_article(folder, day, page, order, rng, image=photos > 0, paragraphs=paragraphs)
                photos -= 1
    (root / "paper.toml").write_text(f'name = "{PAPER}"\npublisher = "合成日报社"\n', encoding="utf-8")
    return root
