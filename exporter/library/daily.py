"""Daily runs: which day's paper --today and --yesterday mean.

The papers are Chinese dailies dated in China Standard Time (UTC+8, no daylight saving), so a cron job
at 07:00 in Berlin or 23:00 in New York asks for the issue dated on China's calendar, not the local one.
"""

from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def paper_day(days_ago: int = 0, now: dt.datetime | None = None) -> dt.date:
    """Today's date in China (days_ago=1: yesterday's)."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA)
    return moment.date() - dt.timedelta(days=days_ago)
