"""Generate an archive of full-size issues (24 pages, 150 articles, photos) from the corpus's real text.

Text: the 242 articles of 人民日报 in the shared corpus (rmrb.db), shuffled per issue, so every
issue differs in order and dates while the sentences stay real newspaper prose. Photos: a pool
of generated JPEGs copied beside the articles (a real issue carries two dozen or so).
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

from tests.conftest import RMRB_DB
from tests.corpus import md_escape, rmrb_rows, yaml_quote
from tests.synth import make_image

PAPER = "规模日报"
PAGE_NAMES = ["要闻", "要闻", "要闻", "要闻", "评论", "政治", "法治", "经济", "经济", "社会", "文化", "国际"]


def make_scale_archive(
    root: Path, issues: int, pages: int = 24, articles: int = 150, photos: int = 30, seed: int = 17
) -> Path:
    """Write `issues` daily issues from 2025-01-01 under root; return root."""
    if not RMRB_DB.exists():
        raise SystemExit(f"{RMRB_DB} is absent: the scale benchmark takes its text from the shared corpus")
    rows = rmrb_rows(RMRB_DB)
    rng = random.Random(seed)
    pool = root / ".photos"
    for n in range(12):
        make_image(pool / f"{n}.jpg", rng, (800, 540))
    first = dt.date(2025, 1, 1)
    for number in range(issues):
        day = first + dt.timedelta(days=number)
        folder = root / day.isoformat()
        picked = rng.sample(rows, min(articles, len(rows)))
        with_photo = set(rng.sample(range(articles), min(photos, articles)))
        for index, row in enumerate(picked):
            page = index * pages // articles + 1
            order = index - (page - 1) * articles // pages + 1
            meta = [
                "---",
                f"paper: {PAPER}",
                f"date: {day.isoformat()}",
                f'page: "{page:02d}"',
                f"page_name: {PAGE_NAMES[(page - 1) % len(PAGE_NAMES)]}",
                f"order: {order}",
            ]
            for key in ("kicker", "title", "subtitle", "byline"):
                if row[key]:
                    meta.append(f"{key}: {yaml_quote(row[key])}")
            lines = [*meta, "---", ""]
            if index in with_photo:
                name = f"images/{page:02d}-{order}.jpg"
                (folder / "images").mkdir(parents=True, exist_ok=True)
                shutil.copyfile(pool / f"{rng.randrange(12)}.jpg", folder / name)
                lines += [f'![{md_escape(row["title"] or "现场")}](<{name}> "本报记者摄")', ""]
            for paragraph in row["body"]:
                lines += [md_escape(paragraph), ""]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{page:02d}-{order:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    (root / "paper.toml").write_text(f'name = "{PAPER}"\npublisher = "规模日报社"\n', encoding="utf-8")
    return root
