"""Dates without an issue, as runs (2017-04-24…2017-04-30): a range of 10,000 years stays a few lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from exporter.model import Issue

Run = tuple[dt.date, dt.date]  # First and last missing day, both included.
REPORT_RUNS = 1000  # Runs listed per paper in the report; the rest are counted.
SHOWN_RUNS = 10  # Runs printed per paper at the end of a run.


def missing_runs(issues: Sequence[Issue], date_from: dt.date | None, date_to: dt.date | None) -> dict[str, list[Run]]:
    """Return, per paper, the runs of days in the range (else between its first and last issue) with no issue.

    Walks the issues, never the days: the work and memory follow the number of issues.
    """
    by_paper: dict[str, set[dt.date]] = defaultdict(set)
    for issue in issues:
        by_paper[issue.paper.name].add(issue.date)
    out: dict[str, list[Run]] = {}
    for paper, have in sorted(by_paper.items()):
        start, end = date_from or min(have), date_to or max(have)
        runs: list[Run] = []
        day: dt.date | None = start  # The first day not yet known to have an issue (None: past 9999-12-31).
        for date in sorted(d for d in have if start <= d <= end):
            if day is not None and date > day:
                runs.append((day, date - dt.timedelta(days=1)))
            day = date + dt.timedelta(days=1) if date < dt.date.max else None
        if day is not None and day <= end:
            runs.append((day, end))
        out[paper] = runs
    return out


def merged(runs: Iterable[Run]) -> list[Run]:
    """Return the union of runs (days missing for any paper), sorted and joined where they touch."""
    out: list[Run] = []
    for first, last in sorted(runs):
        if out and first <= out[-1][1] + dt.timedelta(days=1):
            out[-1] = (out[-1][0], max(out[-1][1], last))
        else:
            out.append((first, last))
    return out


def days(runs: Iterable[Run]) -> int:
    return sum((last - first).days + 1 for first, last in runs)


def spell(run: Run) -> str:
    first, last = run
    return first.isoformat() if first == last else f"{first.isoformat()}…{last.isoformat()}"


def listed(runs: Sequence[Run], cap: int) -> list[str]:
    """Spell at most `cap` runs; a last entry says how many more were left out."""
    shown = [spell(r) for r in runs[:cap]]
    if len(runs) > cap:
        shown.append(f"… and {len(runs) - cap} more run(s)")
    return shown
