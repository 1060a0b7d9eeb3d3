"""The output folder's manifest: which output was built from what, so unchanged books are skipped.

Each output records a key: a hash of the book's content (the normalized model and its photos),
the layout options and the tool's version. The manifest is rewritten atomically after every
output, so an interrupted run leaves it consistent and the next run resumes.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from exporter import __version__, normalized
from exporter.model import Issue
from exporter.writers import WriteOptions
from exporter.writers.atomic import write_bytes

MANIFEST = ".epaper-manifest.json"
VERSION = 1
SAVE_EVERY = 1.0  # Seconds between two rewrites of the manifest while books are being recorded.


class Manifest:
    """Output path (relative to the output folder) → key of what it was built from."""

    def __init__(self, folder: Path, entries: dict[str, str]) -> None:
        self.folder = folder
        self.entries = entries
        self._dirty = False
        self._saved = 0.0  # When save() last ran (monotonic): the first book is recorded at once.

    @classmethod
    def load(cls, folder: Path) -> Manifest:
        """Read the manifest; a missing or unreadable one means nothing is known to be current."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(folder, {})
        if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("outputs"), dict):
            return cls(folder, {})
        return cls(folder, {str(k): str(v) for k, v in data["outputs"].items()})

    def recorded(self, output: Path) -> str | None:
        """Return the key `output` was built from, if it exists and is on record."""
        key = self.entries.get(self._name(output))
        return key if key is not None and output.is_file() else None

    def record(self, output: Path, key: str) -> None:
        """Remember a written output; save at once, or within a second when books finish faster.

        Rewriting a decade's manifest after each of thousands of books would cost more than the books.
        """
        self.entries[self._name(output)] = key
        self._dirty = True
        if time.monotonic() - self._saved >= SAVE_EVERY:
            self.save()

    def flush(self) -> None:
        """Save what record() has not saved yet (at the end of a run, or as it is interrupted)."""
        if self._dirty:
            self.save()

    def save(self) -> None:
        self._dirty, self._saved = False, time.monotonic()
        data = {
            "version": VERSION,
            "tool": __version__,
            "outputs": dict(sorted(self.entries.items())),
        }
        # Compact: rewritten up to once a second while a run records its books.
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        write_bytes(self.folder / MANIFEST, (text + "\n").encode("utf-8", "backslashreplace"))

    def _name(self, output: Path) -> str:
        try:
            return output.relative_to(self.folder).as_posix()
        except ValueError:
            return output.as_posix()


def build_key(issues: tuple[Issue, ...], fmt: str, kind: str, span: object, options: WriteOptions) -> str:
    """Hash what an output depends on: text, photos, layout options, --templates/--css files, epaper's version.

    The built-in templates and styles change only with the version.
    """
    digest = hashlib.sha256()
    digest.update(f"epaper {__version__}\0{fmt}\0{kind}\0{span}\0".encode())
    # A source named in undecodable bytes (Linux) carries surrogates in its path: hash them as they are.
    text = json.dumps(normalized.dump(list(issues)), ensure_ascii=False, sort_keys=True)
    digest.update(text.encode("utf-8", "surrogatepass"))
    for issue in issues:
        for article in issue.articles:
            for figure in article.figures:
                if figure.image:
                    digest.update(_file_digest(Path(figure.image)))
        for page in issue.pages:  # The page picture, its regions and the site's page PDF (facsimile 版面).
            digest.update(repr(page.facsimile).encode("utf-8", "surrogatepass"))
            for file in (page.facsimile.image, page.facsimile.pdf) if page.facsimile else ():
                if file:
                    digest.update(_file_digest(Path(file)))
    settings: dict[str, Any] = {k: str(v) for k, v in asdict(options).items()}
    digest.update(json.dumps(settings, sort_keys=True).encode())
    if options.css is not None:
        digest.update(_file_digest(options.css))
    if options.templates is not None:
        for template in sorted(p for p in options.templates.rglob("*") if p.is_file()):
            digest.update(template.relative_to(options.templates).as_posix().encode())
            digest.update(_file_digest(template))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    from exporter.sources.decoding import read_regular

    try:  # Regular files of at most 64 MiB: a template linked to /proc/kcore or a FIFO is not read.
        return hashlib.sha256(read_regular(path, 64 << 20)).digest()
    except OSError:
        return b"missing"
