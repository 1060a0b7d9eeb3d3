"""fetch.json: what was fetched for one date — each file's URL, status, size, hash and validators.

A re-run reads it to send conditional requests (--refresh) and to skip a date already complete.
Files on disk are trusted without it: every file is renamed into place only when whole.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from exporter.writers.atomic import write_bytes

LEDGER = "fetch.json"


@dataclass(slots=True)
class Record:
    """One fetched file."""

    url: str
    path: str  # Inside the date folder, POSIX.
    kind: str  # index, article, image, picture, pdf.
    status: int
    bytes: int
    sha256: str
    time: str  # When it was fetched (UTC, ISO 8601).
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class Ledger:
    paper: str
    date: str
    first_page: str = ""
    state: str = "partial"  # complete, partial, no issue.
    files: dict[str, Record] = field(default_factory=dict)  # By path.
    failed: list[dict[str, str]] = field(default_factory=list)  # {url, reason}.
    disallowed: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path, paper: str, date: str) -> Ledger:
        """Read a date's fetch.json; a missing or broken one starts afresh (the files stay trusted)."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = {r["path"]: Record(**r) for r in data.get("files", [])}
            return cls(paper, date, str(data.get("first_page", "")), str(data.get("state", "partial")), files)
        except (OSError, ValueError, TypeError, KeyError):
            return cls(paper, date)

    def save(self, path: Path) -> None:
        data = {
            "paper": self.paper,
            "date": self.date,
            "first_page": self.first_page,
            "state": self.state,
            "files": [asdict(r) for r in sorted(self.files.values(), key=lambda r: r.path)],
            "failed": self.failed,
            "disallowed": self.disallowed,
        }
        write_bytes(path, (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
