"""Turn the shared corpus's 人民日报 database into sources the readers accept (tests only)."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from pathlib import Path

from exporter.model import Figure, Heading, Highlights, Paragraph, Separator
from exporter.sources.body import classify

_LINK_RE = re.compile(r"_(\d{4})(\d{2})(\d{2})_(\d+)-(\w+)\.htm")
_MD_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def md_escape(text: str) -> str:
    """Escape every ASCII punctuation mark Markdown could read as markup."""
    return _MD_SPECIAL_RE.sub(r"\\\1", text)


def yaml_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def rmrb_rows(db: Path) -> list[dict[str, str]]:
    """Return the articles of rmrb.db: paper, date, page, order, header fields and body lines."""
    rows = sqlite3.connect(db).execute("select title, publish, link, text from t201703").fetchall()
    out = []
    for _title, _publish, link, text in rows:
        m = _LINK_RE.search(link)
        assert m, link
        lines = text.split("\n")
        header = [line.strip(" \u3000") for line in lines[:4]]
        body = [line.strip(" \u3000") for line in lines[4:]]
        out.append(
            {
                "date": f"{m.group(1)}-{m.group(2)}-{m.group(3)}",
                "order": m.group(4),
                "page": m.group(5),
                "kicker": header[0],
                "title": header[1],
                "subtitle": header[2],
                "byline": header[3],
                "body": [b for b in body if b],
            }
        )
    return out


def rmrb_expected(db: Path) -> Counter[tuple[str, str]]:
    """Return the article count per (date, page) in the database."""
    return Counter((r["date"], r["page"]) for r in rmrb_rows(db))


def rmrb_sources(db: Path, folder: Path) -> Path:
    """Write every article of rmrb.db as a structured Markdown source; return the folder."""
    for row in rmrb_rows(db):
        body = classify([(n, t) for n, t in enumerate(row["body"], start=1)], "rmrb", captions_first=False)
        meta = ["---", "paper: 人民日报", f"date: {row['date']}", f'page: "{row["page"]}"', f"order: {row['order']}"]
        for key in ("kicker", "title", "subtitle", "byline"):
            if row[key]:
                meta.append(f"{key}: {yaml_quote(row[key])}")
        if body.source:
            meta.append(f"source: {yaml_quote(body.source)}")
        meta.append("---")
        lines = [*meta, ""]
        if body.byline:  # A byline the classifier found in the body stays body text here.
            lines += [md_escape(body.byline), ""]
        for block in body.blocks:
            if isinstance(block, Heading):
                lines += (
                    [f"## {md_escape(block.kicker)}", f"### {md_escape(block.text)}"]
                    if block.kicker
                    else [f"## {md_escape(block.text)}"]
                )
            elif isinstance(block, Figure):
                title = f' "{block.credit}"' if block.credit else ""
                lines.append(f"![{md_escape(block.caption)}](<>{title})")
            elif isinstance(block, Highlights):
                lines += [f"- {md_escape(item)}" for item in block.items]
            elif isinstance(block, Separator):
                lines.append(block.text)
            elif isinstance(block, Paragraph):
                lines.append(md_escape(block.text))
            lines.append("")
        target = folder / row["date"] / f"{row['page']}-{int(row['order']):02d}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(lines), encoding="utf-8")
    return folder
