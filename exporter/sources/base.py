"""What every reader takes and returns."""

from __future__ import annotations

from dataclasses import dataclass

from exporter.model import Article, Facsimile, Notice, Paper

GENERIC = "read generically: no site family knows this page's layout"  # The generic reader's warning.


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Choices that change how sources are read."""

    keep_punctuation: bool = False  # Leave the ASCII punctuation of reader dumps as it is.
    paper: str | None = None  # Paper name for sources that do not say (saved HTML).


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The articles one source file holds, and the warnings reading it raised."""

    articles: tuple[Article, ...]
    notices: tuple[Notice, ...] = ()
    papers: tuple[Paper, ...] = ()  # Paper metadata the source itself declares.
    reader: str | None = None  # The reader that read it, when the file's own reader handed it on.
    facsimiles: tuple[Facsimile, ...] = ()  # Printed pages a page index shows (picture, regions, PDF).


__all__ = ["Notice", "ReadOptions", "ReadResult"]
