"""Paper metadata from an optional paper.toml beside the sources.

name = "青川晚报"
publisher = "青川晚报社"
language = "zh-CN"
[pages]
"01" = "要闻"
"02" = "经济"
"""

from __future__ import annotations

import re
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Paper

# BCP 47's shape (language, then script/region/variant subtags): EPUBCheck refuses anything else.
_LANGUAGE_TAG_RE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")


def is_language_tag(text: str) -> bool:
    """Say whether `text` is shaped like a language tag: zh-CN, zh-Hans, zh-Hant-TW, en."""
    return _LANGUAGE_TAG_RE.fullmatch(text) is not None


def read_paper_toml(path: Path, display: str) -> Paper:
    """Return the Paper a paper.toml describes, or raise InputError naming the problem."""
    import tomllib  # Only archives with a paper.toml need it.

    from exporter.sources.decoding import read_regular

    try:  # A regular file of at most 1 MiB: a FIFO or /dev/zero named paper.toml must not hang the run.
        data = tomllib.loads(read_regular(path, 1 << 20).decode("utf-8-sig"))
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(display, "paper.toml must be UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(display, f"bad TOML: {exc}") from None
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(display, 'paper.toml needs name = "<paper name>"')
    pages = data.get("pages", {})
    if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
        raise InputError(display, '[pages] must map page labels to names, e.g. "01" = "要闻"')
    publisher = data.get("publisher")
    language = data.get("language", "zh-CN")
    if publisher is not None and not isinstance(publisher, str):
        raise InputError(display, "publisher must be text")
    if isinstance(language, str):
        language = language.strip().replace("_", "-")  # zh_CN, as locales spell it, is zh-CN.
    if not isinstance(language, str) or not is_language_tag(language):
        raise InputError(display, "language must be a language tag such as zh-CN or zh-Hans")
    return Paper(
        name=name.strip(),
        publisher=publisher,
        language=language,
        page_names={str(k).upper(): v for k, v in pages.items()},
    )


def merge(papers: list[Paper]) -> dict[str, Paper]:
    """Return one Paper per name; later declarations fill what earlier ones left empty."""
    out: dict[str, Paper] = {}
    for paper in papers:
        old = out.get(paper.name)
        if old is None:
            out[paper.name] = paper
            continue
        out[paper.name] = Paper(
            name=paper.name,
            publisher=old.publisher or paper.publisher,
            language=old.language if old.language != "zh-CN" else paper.language,
            page_names={**paper.page_names, **old.page_names},
        )
    return out
