"""No-op re-runs at the cost of a stat: a run whose sources, photos and outputs are as the last time is replayed.

A complete run (every book written or current, no source refused) leaves a record beside the
manifest (OUT/.epaper-runs.json, written once at the end of a run, never while books are being
recorded): a fingerprint of the request and of every source file's path, size and mtime, the
size and mtime of the photos and outputs, and the report it gave. The next identical run lists
and stats the files and, when nothing moved, answers from that record without reading a source.
Anything different (a touched file, a new one, other options) falls back to the normal path,
which hashes content and skips or rebuilds book by book.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from exporter import __version__
from exporter.missing import Run
from exporter.pipeline.batch import Outcome
from exporter.writers import WriteOptions
from exporter.writers.atomic import write_bytes

RUNS = ".epaper-runs.json"
KEEP = 4  # Records kept: a few different requests (formats, ranges) into one folder each stay quick.


@dataclass(frozen=True, slots=True)
class Replay:
    """What the last identical run reported, to be reported again."""

    outcomes: list[Outcome]
    missing: dict[str, list[Run]]
    notices: list[str]


def fingerprint(sources: Sequence[Path], request: dict[str, Any]) -> str | None:
    """Hash the request and every file's name, size and mtime under SOURCES; None when a source is missing."""
    digest = hashlib.sha256(json.dumps({**request, "cwd": os.getcwd(), "v": __version__}, sort_keys=True).encode())
    try:
        for source in sources:
            for line in _listing(os.fspath(source)):
                digest.update(line.encode("utf-8", "surrogatepass"))
    except OSError:
        return None  # The normal path says what is wrong.
    return digest.hexdigest()


def _listing(path: str) -> list[str]:
    """Every file the readers could see under `path` (a superset: all but hidden ones), with size and mtime.

    Plain os.scandir, not the readers' discovery: one stat per file is the whole cost of a replay.
    """
    st = os.stat(path)
    if not os.path.isdir(path):
        return [f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n"]
    out = []
    with os.scandir(path) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                out += _listing(entry.path)
            else:
                try:
                    st = entry.stat()
                except OSError:  # A dangling link: the readers refuse it, so no replay.
                    raise
                out.append(f"{entry.path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n")
    return out


def _stat(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def _records(out: Path) -> dict[str, Any]:
    try:
        data = json.loads((out / RUNS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def replay(out: Path, key: str | None) -> Replay | None:
    """Return the recorded report when photos and outputs are all as recorded, else None."""
    record = _records(out).get(key) if key else None
    if not isinstance(record, dict):
        return None
    try:
        for group in ("photos", "outputs"):
            for path, stat in record[group].items():
                if _stat(path) != stat:
                    return None
        outcomes = [Outcome(**{**entry, "status": "skipped", "seconds": 0.0}) for entry in record["issues"]]
        missing = {
            paper: [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in runs]
            for paper, runs in record["missing"].items()
        }
        return Replay(outcomes, missing, list(record["notices"]))
    except (KeyError, TypeError, ValueError):
        return None


def remember(
    out: Path,
    key: str | None,
    outcomes: Sequence[Outcome],
    photos: Sequence[str],
    missing: dict[str, list[Run]],
    notices: Sequence[str],
) -> None:
    """Record a complete run for the next identical one (a run with failures is never replayed)."""
    if key is None or any(o.status == "failed" for o in outcomes):
        return
    outputs = {str(Path(o).absolute()): _stat(o) for outcome in outcomes for o in outcome.outputs}
    if any(stat is None for stat in outputs.values()):
        return
    record = {
        "photos": {str(Path(p).absolute()): _stat(p) for p in sorted(set(photos))},
        "outputs": outputs,
        "issues": [{k: v for k, v in o.entry().items() if k not in ("status", "seconds")} for o in outcomes],
        "missing": {paper: [[a.isoformat(), b.isoformat()] for a, b in runs] for paper, runs in missing.items()},
        "notices": list(notices),
    }
    records = _records(out)
    records.pop(key, None)
    records[key] = record
    while len(records) > KEEP:
        records.pop(next(iter(records)))
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    # A file name in undecodable bytes becomes a \udcff escape, which JSON reads back as the same name.
    write_bytes(out / RUNS, text.encode("utf-8", "backslashreplace"))


def request(
    out: Path, formats: Sequence[str], bundle: str, selection: object, read: object, options: WriteOptions
) -> dict[str, Any]:
    """What a run was asked, as plain data: any change in it is another run (never a replay)."""
    extra = [p for p in (options.css,) if p] + (
        sorted(p for p in options.templates.rglob("*") if p.is_file()) if options.templates else []
    )
    return {
        "out": str(out),
        "formats": list(formats),
        "bundle": bundle,
        "selection": repr(selection),
        "read": repr(read),
        "options": {k: str(v) for k, v in asdict(options).items()},
        "files": {str(p): _stat(str(p)) for p in extra},
    }
