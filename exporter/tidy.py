"""Text tidying when a book is laid out: named rules that make every source read like the paper.

Readers keep what the source says; these rules only change how it is set in the book:
- `title_spaces`: doubled ideographic spaces inside a headline, or inside the 《》 of a work's
  title in the text, collapse to one (《极目楚天　　钟情湖北》);
- `subtitle_dash`: a 副题's leading dash, in whatever form the source wrote it (—, ―, --), is
  「——」; a 副题 without one gets its 「——」 from the stylesheets (`.subtitle.dashless::before`),
  so that both sources read the same while the text stays the source's;
- `credit_caption`: a caption that is only a credit (本报记者 张三 摄) becomes the credit;
- `jump_notes`: 转版 notes in the paper's wording (（转第四版）, （上接第一版）), and none where
  the rest is joined here or a duplicate is simply left out.
"""

from __future__ import annotations

import re
from dataclasses import replace

from exporter.model import Article, Block, Figure, Paragraph

_SPACES_RE = re.compile("\u3000{2,}")
_WORK_RE = re.compile("《[^《》]*》")
_DASH_RE = re.compile(r"^[\s\u3000]*[—―─－\-]+[\s\u3000]*")
_CREDIT_RE = re.compile(r"^(?:[（(])?[^，。；！？,.;!?]{0,30}(?:摄|供图|制图|绘|图)(?:[）)])?$")
_CREDIT_WORDS = ("记者", "通讯员", "摄影", "新华社", "本报", "供图", "制图")
_TO_RE = re.compile(r"^下转第(\w+)版$")
_FROM_RE = re.compile(r"^上接第(\w+)版$")
_JOINED_RE = re.compile(r"^下转第\w+版：后半部分已接在本文之后$")
_COPY_RE = re.compile(r"^转第[\w、]+版：同一全文，只在第\w+版收录$")
_DIGITS = "〇一二三四五六七八九"


def title_spaces(text: str | None) -> str | None:
    """Collapse runs of ideographic spaces in a title to one."""
    return _SPACES_RE.sub("\u3000", text) if text else text


def work_title_spaces(text: str) -> str:
    """Collapse runs of ideographic spaces inside the 《》 of a work's title in running text."""
    if "\u3000\u3000" not in text:
        return text
    return _WORK_RE.sub(lambda m: _SPACES_RE.sub("\u3000", m.group()), text)


def subtitle_dash(text: str | None) -> str | None:
    """Write a 副题's leading dash as 「——」 (a 副题 without one is left as it is)."""
    if not text or not _DASH_RE.match(text):
        return text
    rest = _DASH_RE.sub("", text)
    return f"——{rest}" if rest else text


def dashless(text: str | None) -> bool:
    """Tell whether a 副题 has no leading dash (the stylesheets then print one)."""
    return bool(text) and not _DASH_RE.match(text or "")


def credit_caption(figure: Figure) -> Figure:
    """Move a caption that is only a photographer's credit to the credit."""
    caption = figure.caption.strip()
    if figure.credit or not caption or not _CREDIT_RE.match(caption):
        return figure
    if not any(word in caption for word in _CREDIT_WORDS) and not caption.endswith("摄"):
        return figure
    return replace(figure, caption="", credit=caption.strip("（）()"))


def page_number(label: str) -> str:
    """Return a 版 label in Chinese numerals (04 → 四, 12 → 十二); other labels (A03) as they are."""
    if not label.isdigit():
        return label
    n = int(label)
    if n <= 0 or n >= 100:
        return label
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _DIGITS[ones]
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def jump_notes(notes: tuple[str, ...]) -> tuple[str, ...]:
    """Word 转版 notes as the paper prints them; drop those about text joined or left out here."""
    out = []
    for note in notes:
        if _JOINED_RE.match(note) or _COPY_RE.match(note):
            continue
        if m := _TO_RE.match(note):
            note = f"（转第{page_number(m.group(1))}版）"
        elif m := _FROM_RE.match(note):
            note = f"（上接第{page_number(m.group(1))}版）"
        out.append(note)
    return tuple(out)


def _block(block: Block) -> Block:
    if isinstance(block, Figure):
        return credit_caption(block)
    if isinstance(block, Paragraph) and (text := work_title_spaces(block.text)) != block.text:
        return replace(block, text=text)
    return block


def tidy(article: Article) -> Article:
    """Return the article with every rule applied."""
    return replace(
        article,
        kicker=title_spaces(article.kicker),
        title=title_spaces(article.title) or article.title,
        subtitle=subtitle_dash(title_spaces(article.subtitle)),
        blocks=tuple(_block(b) for b in article.blocks),
        notes=jump_notes(article.notes),
    )
