"""Fetch a range of dates of one paper into OUT/<paper>/<YYYY-MM-DD>/, one date after the other."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from exporter.errors import OutputError
from exporter.fetch.client import Client, Politeness
from exporter.fetch.crawl import DateCrawl, DateResult, Tally
from exporter.fetch.paths import safe_name
from exporter.fetch.preset import Preset
from exporter.writers.atomic import folder_lock, write_bytes


@dataclass(frozen=True, slots=True)
class FetchOptions:
    politeness: Politeness = field(default_factory=Politeness)
    refresh: bool = False  # Ask again for files already saved (conditional requests).


def paper_folder(out: Path, preset: Preset) -> Path:
    return out / safe_name(preset.paper)


def fetch_dates(
    preset: Preset,
    days: Sequence[dt.date],
    out: Path,
    options: FetchOptions | None = None,
    *,
    tally: Tally | None = None,
    on_change: Callable[[], None] | None = None,
    on_start: Callable[[dt.date], None] | None = None,
    on_date: Callable[[DateResult], None] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[DateResult]:
    """Fetch every date of `days`; call on_date after each (e.g. to export it). The library's front door."""
    hooks = _Hooks(on_change, on_start, on_date)
    return asyncio.run(_fetch(preset, days, out, options or FetchOptions(), tally or Tally(), hooks, transport))


@dataclass(frozen=True, slots=True)
class _Hooks:
    on_change: Callable[[], None] | None
    on_start: Callable[[dt.date], None] | None
    on_date: Callable[[DateResult], None] | None


async def _fetch(
    preset: Preset,
    days: Sequence[dt.date],
    out: Path,
    options: FetchOptions,
    tally: Tally,
    hooks: _Hooks,
    transport: httpx.AsyncBaseTransport | None,
) -> list[DateResult]:
    folder = paper_folder(out, preset)
    with _hold(folder):
        return await _fetch_held(folder, preset, days, options, tally, hooks, transport)


async def _fetch_held(
    folder: Path,
    preset: Preset,
    days: Sequence[dt.date],
    options: FetchOptions,
    tally: Tally,
    hooks: _Hooks,
    transport: httpx.AsyncBaseTransport | None,
) -> list[DateResult]:
    _paper_toml(folder, preset.paper)
    hosts = frozenset(h for day in days for h in preset.allowed_hosts(day))
    home = frozenset((urlsplit(url).hostname or "").lower() for day in days if (url := preset.first_page(day)))

    def retried(url: str, reason: str) -> None:
        tally.retries += 1
        if hooks.on_change:
            hooks.on_change()

    results = []
    async with Client(hosts, options.politeness, retried, transport, home) as client:
        for day in days:
            if hooks.on_start:
                hooks.on_start(day)
            folder_of_day = folder / day.isoformat()
            crawl = DateCrawl(
                client, preset, day, folder_of_day, refresh=options.refresh, tally=tally, on_change=hooks.on_change
            )
            result = await crawl.run()
            results.append(result)
            if hooks.on_date:
                hooks.on_date(result)
    return results


@contextlib.contextmanager
def _hold(folder: Path) -> Iterator[None]:
    """Hold the paper's folder for this run: a second fetch into it would remove this one's partial files."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here: {exc.strerror or exc}") from None
    with folder_lock(folder, "another epaper fetch is saving here; wait for it to finish"):
        yield


def _paper_toml(folder: Path, paper: str) -> None:
    """Name the paper for pages that do not (readers look for paper.toml above the page)."""
    target = folder / "paper.toml"
    if not target.exists():
        write_bytes(target, f"name = {json.dumps(paper, ensure_ascii=False)}\n".encode())


def report(results: Sequence[DateResult], preset: Preset, tally: Tally) -> dict[str, object]:
    """Return the run as --report writes it."""
    return {
        "paper": preset.paper,
        "preset": preset.key,
        "dates": [
            {
                "date": r.date.isoformat(),
                "state": r.state,
                "folder": str(r.folder),
                "files": r.files,
                "bytes": r.bytes,
                "failed": r.failed,
                "disallowed": r.disallowed,
                **({"note": r.note} if r.note else {}),
            }
            for r in results
        ],
        "totals": {**tally.files, "kept": tally.kept, "bytes": tally.bytes, "retries": tally.retries},
    }
