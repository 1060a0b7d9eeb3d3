"""The same content as epaper's, as one pandoc Markdown file per issue: the peers' input."""

from __future__ import annotations

import re

from exporter.model import Figure, Heading, Highlights, Issue, Paragraph, Separator

_SPECIAL_RE = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~$@^])")


def esc(text: str) -> str:
    """Escape every ASCII mark pandoc's Markdown could read as markup."""
    return _SPECIAL_RE.sub(r"\\\1", text)


def issue_markdown(issue: Issue, mainfont: str | None = None) -> str:
    """Write an issue: 版面 as #, articles as ##, headings as ###, photos with their captions."""
    lines = ["---", f'title: "{issue.title}"', "lang: zh-CN"]
    if mainfont:
        lines.append(f"mainfont: {mainfont}")
    lines += ["---", ""]
    for page in issue.pages:
        lines += [f"# {esc(page.heading)}", ""]
        for article in page.articles:
            if article.kicker:
                lines += [esc(article.kicker), ""]
            lines += [f"## {esc(article.title)}", ""]
            for extra in (article.subtitle, article.byline):
                if extra:
                    lines += [esc(extra), ""]
            for block in article.blocks:
                if isinstance(block, Heading):
                    lines += [f"### {esc(' '.join(t for t in (block.kicker, block.text) if t))}", ""]
                elif isinstance(block, Figure):
                    caption = esc(" ".join(t for t in (block.caption, block.credit) if t))
                    lines += [f"![{caption}](<{block.image}>)" if block.image else f"*{caption}*", ""]
                elif isinstance(block, Highlights):
                    lines += [f"- {esc(item)}" for item in block.items] + [""]
                elif isinstance(block, Paragraph | Separator):
                    lines += [esc(block.text), ""]
            if article.source:
                lines += [f"（{esc(article.source)}）", ""]
    return "\n".join(lines)
