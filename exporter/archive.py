"""Open a folder of sources as issues: read every file, then assemble. The library's front door."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from exporter.assemble import Selection, assemble
from exporter.errors import InputError
from exporter.model import Issue, Notice
from exporter.sources import ReadOptions, SourceFile, read_all


@dataclass(frozen=True, slots=True)
class Archive:
    """The issues found under some sources, with what went wrong on the way."""

    issues: tuple[Issue, ...]
    notices: tuple[Notice, ...]  # Warnings: content kept, something odd.
    refused: tuple[InputError, ...]  # Files that could not be read at all.
    files: int  # Source files found.
    unreadable: int  # Source files refused; when it equals `files`, nothing could be read.
    readers: Mapping[str, str] = field(default_factory=dict)  # Source file (as displayed) → the reader that read it.

    @property
    def articles(self) -> int:
        return sum(len(i.articles) for i in self.issues)


def open_archive(
    sources: Sequence[str | Path],
    options: ReadOptions | None = None,
    selection: Selection | None = None,
    progress: Callable[[SourceFile, int, int], None] | None = None,
    workers: int = 1,
) -> Archive:
    """Read SOURCES (files or folders, any mix of formats) and group them into issues.

    `progress(file, done, total)` follows the reading; `workers` above 1 reads many files in that many
    processes (the same archive, sooner)."""
    catalog = read_all(sources, options or ReadOptions(), progress, workers)
    issues, notices = assemble(catalog.articles, catalog.papers, selection, catalog.facsimiles)
    return Archive(
        tuple(issues),
        tuple(catalog.notices + notices),
        tuple(catalog.refused),
        catalog.files,
        catalog.unreadable,
        catalog.readers,
    )
