"""Find source files and pick the reader for each, by suffix and by sniffing the content."""

from __future__ import annotations

import gc
import importlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import ModuleType

from exporter.errors import InputError
from exporter.model import Article, Facsimile, Notice, Origin, Paper
from exporter.papers import read_paper_toml
from exporter.sources.base import GENERIC, ReadOptions, ReadResult
from exporter.sources.decoding import kind, peek
from exporter.sources.images import resolved_root
from exporter.sources.pool import ordered_map
from exporter.sources.xmlsafe import clean_paper, clean_result, paper_notice
from exporter.text import natural_key

__all__ = ["READERS", "Catalog", "ReadOptions", "ReadResult", "SourceFile", "discover", "read_all", "read_one"]


@dataclass(frozen=True, slots=True)
class Reader:
    """A reader module, imported only when a file with one of its suffixes turns up."""

    module: str  # Has NAME, sniff(head) and read(path, display, options, root).
    suffixes: tuple[str, ...]

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


# Lazy: a folder of reader dumps never pays for markdown-it, PyYAML or lxml.html.
READERS: tuple[Reader, ...] = (
    Reader("exporter.sources.text.dump", (".txt",)),
    Reader("exporter.sources.text.markdown", (".md", ".markdown")),
    Reader("exporter.sources.text.normalized", (".json",)),
    Reader("exporter.sources.web.founder", (".htm", ".html")),  # First: the reader of a page that cannot be sniffed.
    Reader("exporter.sources.web.mrdx", (".htm", ".html")),
    Reader("exporter.sources.web.rmrb", (".htm", ".html")),
    Reader("exporter.sources.web.generic", (".htm", ".html")),  # Last: any page no site family knows.
)
PAPER_TOML = "paper.toml"
FETCH_LEDGER = "fetch.json"  # What `epaper fetch` records beside a saved date: no article source.
# Hidden folders of tools, left out without a word; any other hidden folder is named in a warning.
_TOOL_FOLDERS = frozenset((".git", ".hg", ".svn", ".idea", ".vscode", ".cache", ".venv", ".tox", ".ipynb_checkpoints"))


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file to read, and how the user reached it."""

    path: Path  # Where it is on disk.
    display: str  # How messages name it: relative to the working directory when possible.
    root: Path  # The folder the user named (images must stay inside it).
    named: bool  # The user named this file itself, rather than a folder holding it.


@dataclass(slots=True)
class Catalog:
    """Everything read from the sources: articles, paper metadata, warnings and refused files."""

    articles: list[Article] = field(default_factory=list)
    papers: list[Paper] = field(default_factory=list)  # From paper.toml files and normalized JSON.
    facsimiles: list[Facsimile] = field(default_factory=list)  # Printed pages shown by page indexes.
    notices: list[Notice] = field(default_factory=list)
    refused: list[InputError] = field(default_factory=list)
    readers: dict[str, str] = field(default_factory=dict)  # Source file (as displayed) → the reader that read it.
    files: int = 0  # Source files found (read or refused).
    unreadable: int = 0  # Source files refused (a refused paper.toml is in `refused` but not counted here).


def display_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def discover(sources: Sequence[str | Path], skipped: list[Notice] | None = None) -> tuple[list[SourceFile], list[Path]]:
    """Return the source files under SOURCES (natural order) and the paper.toml files found.

    Only regular files are read: a FIFO would block the run, a device never ends. Files left out
    that look like sources (hidden ones such as `..md`, FIFOs, sockets, devices) go to `skipped`.
    Raises InputError for a SOURCE that does not exist.
    """
    files: list[SourceFile] = []
    tomls: list[Path] = []
    seen: set[tuple[int, int]] = set()
    skipped = skipped if skipped is not None else []
    for source in sources:
        path = Path(source)
        if not path.exists():
            raise InputError(str(source), "no such file or folder")
        if not path.is_dir() and not path.is_file():
            skipped.append(Notice(Origin(display_path(path)), f"{_kind(path)}, not a regular file: skipped"))
            continue
        if path.is_file():
            if path.name == PAPER_TOML:
                tomls.append(path)
                continue
            _add(files, seen, SourceFile(path, display_path(path), path.parent.absolute(), named=True))
            continue
        root = path.absolute()
        for folder, dirnames, filenames in os.walk(path, followlinks=False):
            for hidden in sorted(d for d in dirnames if d.startswith(".") and d not in _TOOL_FOLDERS):
                skipped.append(Notice(Origin(display_path(Path(folder, hidden))), "hidden folder: not read"))
            dirnames[:] = sorted((d for d in dirnames if not d.startswith(".")), key=natural_key)
            for name in sorted(filenames, key=natural_key):
                file = Path(folder, name)
                if name == FETCH_LEDGER:
                    continue
                source_like = name == PAPER_TOML or Path(name).suffix.lower() in suffixes()
                if name.startswith("."):
                    if source_like:  # `..md`, `.draft.md`: said, so that a file is never left out unseen.
                        skipped.append(
                            Notice(Origin(display_path(file)), "hidden file (name starts with a dot): skipped")
                        )
                    continue
                if source_like and not file.is_file() and not file.is_symlink():
                    skipped.append(Notice(Origin(display_path(file)), f"{_kind(file)}, not a regular file: skipped"))
                    continue
                if name == PAPER_TOML:
                    tomls.append(file)
                elif file.suffix.lower() in suffixes():
                    _add(files, seen, SourceFile(file, display_path(file), root, named=False))
    return files, tomls


def _add(files: list[SourceFile], seen: set[tuple[int, int]], source: SourceFile) -> None:
    try:
        stat = source.path.stat()
    except OSError:  # A dangling symlink: let the reader say so.
        files.append(source)
        return
    key = (stat.st_dev, stat.st_ino)
    if key not in seen:  # The same file named twice (a folder and a file in it) is read once.
        seen.add(key)
        files.append(source)


def _kind(path: Path) -> str:
    try:
        return kind(path.stat().st_mode)
    except OSError:
        return "unreadable"


def _inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(resolved_root(root))


def suffixes() -> set[str]:
    return {s for reader in READERS for s in reader.suffixes}


def reader_for(source: SourceFile) -> ModuleType | None:
    """Pick the reader for a file: the one owning its suffix whose sniff accepts the content.

    A file named by the user always gets its suffix's reader (which then says what is wrong);
    a file found in a folder that no reader recognises is skipped.
    """
    owners = [r.load() for r in READERS if source.path.suffix.lower() in r.suffixes]
    head = peek(source.path)
    if head is None:  # Empty, binary or unreadable: let the reader refuse it with the reason.
        return owners[0] if owners else None
    for reader in owners:
        if reader.sniff(head):
            return reader
    return owners[0] if owners and source.named else None


def read_all(
    sources: Sequence[str | Path],
    options: ReadOptions,
    progress: Callable[[SourceFile, int, int], None] | None = None,
    workers: int = 1,
) -> Catalog:
    """Read every source under SOURCES; refuse bad files one by one, never stop at the first.

    `progress(file, done, total)` follows each file read. With `workers` above 1 a large set of files
    is read by that many forked processes (the same catalog)."""
    skipped: list[Notice] = []
    files, tomls = discover(sources, skipped)
    catalog = Catalog(files=len(files), notices=skipped)
    for toml in tomls:
        try:
            paper, removed = clean_paper(read_paper_toml(toml, display_path(toml)))
            catalog.papers.append(paper)
            if removed:
                catalog.notices.append(paper_notice(display_path(toml), removed))
        except InputError as exc:
            catalog.refused.append(exc)
    reads = ordered_map(partial(read_file, options=options), files, workers)
    with young_collections_only():
        _gather(catalog, files, reads, progress)
    catalog.notices = once_per_site(catalog.notices)
    return catalog


@contextmanager
def young_collections_only() -> Iterator[None]:
    """Postpone full garbage collections while the catalog grows: each one would walk every article
    kept so far (8-10 % of reading a month). A file's own garbage is young and still collected."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], 1 << 30)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _gather(
    catalog: Catalog,
    files: list[SourceFile],
    reads: Iterable[FileRead],
    progress: Callable[[SourceFile, int, int], None] | None,
) -> None:
    for done, (source, read) in enumerate(zip(files, reads, strict=True), 1):
        if progress:
            progress(source, done, len(files))
        if read.skipped is not None:
            catalog.notices.append(read.skipped)
            catalog.files -= 1
        elif read.refused is not None:
            catalog.refused.append(read.refused)
            catalog.unreadable += 1
        elif read.result is not None:
            catalog.articles.extend(read.result.articles)
            catalog.notices.extend(read.result.notices)
            catalog.papers.extend(read.result.papers)
            catalog.facsimiles.extend(read.result.facsimiles)
            catalog.readers[source.display] = read.reader


@dataclass(frozen=True, slots=True)
class FileRead:
    """What reading one file gave: its articles, or why it was refused, or why it was skipped."""

    result: ReadResult | None = None
    reader: str = ""  # The reader that read it.
    refused: InputError | None = None
    skipped: Notice | None = None  # Not a source after all: it does not count as a file found.


def read_file(source: SourceFile, options: ReadOptions) -> FileRead:
    """Read one found file with the reader its suffix and content pick."""
    if not source.named and source.path.is_symlink() and not _inside(source.path, source.root):
        # A symlink found in a folder must not pull a file from elsewhere into the book.
        return FileRead(skipped=Notice(Origin(source.display), "symlink to a file outside the folder, skipped"))
    reader = reader_for(source)
    if reader is None:
        return FileRead(skipped=Notice(Origin(source.display), "not an article source, skipped"))
    try:
        result: ReadResult = reader.read(source.path, source.display, options, source.root)
        result = clean_result(result, source.display)
    except InputError as exc:
        return FileRead(refused=exc)
    except (Exception, RecursionError) as exc:  # A reader bug refuses one file, never the run.
        message = f"cannot be read (internal error, please report it: {type(exc).__name__})"
        return FileRead(refused=InputError(source.display, message))
    return FileRead(result, result.reader or reader.NAME)


def once_per_site(notices: list[Notice]) -> list[Notice]:
    """Keep the first 'read generically' warning of a folder, counting the others (inspect names each page)."""
    first: dict[str, int] = {}
    out: list[Notice] = []
    for notice in notices:
        if notice.message != GENERIC:
            out.append(notice)
            continue
        folder = os.path.dirname(notice.origin.file)
        if folder in first:
            first[folder] += 1
            continue
        first[folder] = 1
        out.append(notice)
    return [
        Notice(n.origin, f"{n.message} (and {first[os.path.dirname(n.origin.file)] - 1} more page(s) of this folder)")
        if n.message == GENERIC and first[os.path.dirname(n.origin.file)] > 1
        else n
        for n in out
    ]


def read_one(path: Path, options: ReadOptions | None = None) -> ReadResult:
    """Read a single source file (library convenience; raises InputError)."""
    source = SourceFile(path, display_path(path), path.parent.absolute(), named=True)
    reader = reader_for(source)
    if reader is None:
        raise InputError(source.display, f"no reader for {path.suffix or 'files without a suffix'}")
    result: ReadResult = reader.read(path, source.display, options or ReadOptions(), source.root)
    return clean_result(result, source.display)
