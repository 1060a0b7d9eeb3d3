"""Sites as data: a paper's first-page URL per layout era, read from small TOML files.

A preset names the paper, the hosts its pages, pictures and PDFs may come from, and one or more
eras, each with a site family (sites.FAMILIES) and a first-page URL template:

    key = "rmrb"
    paper = "人民日报"
    hosts = ["paper.people.com.cn"]
    [[era]]
    until = 2024-11-30
    family = "rmrb"
    first_page = "http://paper.people.com.cn/rmrb/html/{yyyy}-{mm}/{dd}/nbs.D110000renmrb_01.htm"

Built-in presets live in exporter/fetch/presets/*.toml; a user's comes with `--site FILE`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from exporter.errors import EpaperError, InputError
from exporter.sources.web import sites

PRESETS = Path(__file__).with_name("presets")
_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")
_FIELDS = ("yyyy", "mm", "dd", "yyyymm", "yyyymmdd")


@dataclass(frozen=True, slots=True)
class Era:
    """A stretch of dates during which the site used one layout."""

    family: sites.Family
    first_page: str  # URL template of the first page index.
    since: dt.date | None = None
    until: dt.date | None = None

    def covers(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True, slots=True)
class Preset:
    """A paper's site: its name, the hosts it may fetch from and its layout eras."""

    key: str
    paper: str
    eras: tuple[Era, ...]
    hosts: tuple[str, ...] = ()  # Besides the first page's own host: image and PDF hosts.
    description: str = ""

    def era(self, day: dt.date) -> Era | None:
        return next((e for e in self.eras if e.covers(day)), None)

    def first_page(self, day: dt.date) -> str | None:
        """Return the URL of the issue's first page index on `day`, or None when no era covers it."""
        era = self.era(day)
        return None if era is None else fill(era.first_page, day)

    def first_pages(self, day: dt.date) -> list[str]:
        """Return the first-page URL of the era covering `day`, then the other eras' for that date.

        The day a site changed its layout is not always known: when the expected first page is
        missing, the other layouts are tried before the date is called one without an issue.
        """
        era = self.era(day)
        if era is None:
            return []
        return list(dict.fromkeys(fill(e.first_page, day) for e in (era, *self.eras)))

    def allowed_hosts(self, day: dt.date) -> frozenset[str]:
        own = {(urlsplit(first).hostname or "").lower() for first in self.first_pages(day)}
        return frozenset({*own, *(h.lower() for h in self.hosts)})


def fill(template: str, day: dt.date) -> str:
    values = {
        "yyyy": f"{day:%Y}",
        "mm": f"{day:%m}",
        "dd": f"{day:%d}",
        "yyyymm": f"{day:%Y%m}",
        "yyyymmdd": f"{day:%Y%m%d}",
    }
    return _PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], template)


def check_template(template: str, where: str) -> None:
    """Refuse a URL template that is no http(s) URL or uses an unknown placeholder."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(where, f"{template!r} is not an http(s) URL")
    unknown = [p for p in _PLACEHOLDER_RE.findall(template) if p not in _FIELDS]
    if unknown:
        raise InputError(where, f"unknown placeholder {{{unknown[0]}}} (known: {', '.join(_FIELDS)})")
    if "{dd}" not in template and "{yyyymmdd}" not in template:
        raise InputError(where, f"{template!r} has no day in it ({{dd}} or {{yyyymmdd}})")


def from_template(template: str, family_name: str, paper: str) -> Preset:
    """Build a preset from `--family NAME URL-TEMPLATE --paper NAME`."""
    check_template(template, "URL template")
    try:
        family = sites.family(family_name)
    except KeyError as exc:
        raise InputError("--family", str(exc.args[0])) from None
    host = urlsplit(template).hostname or "site"
    return Preset(host, paper, (Era(family, template),), description=f"{paper}: {template}")


def load(path: Path, display: str | None = None) -> Preset:
    """Read a preset TOML file; raise InputError naming what is wrong."""
    where = display or str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(where, f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(where, "a site file must be UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"bad TOML: {exc}") from None
    key, paper = data.get("key", path.stem), data.get("paper")
    if not isinstance(paper, str) or not paper.strip():
        raise InputError(where, 'needs paper = "<paper name>"')
    hosts = data.get("hosts", [])
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise InputError(where, 'hosts must be a list of host names, e.g. ["paper.example.cn"]')
    eras_data = data.get("era")
    if not isinstance(eras_data, list) or not eras_data:
        raise InputError(where, "needs at least one [[era]] with family and first_page")
    eras = tuple(_era(item, where) for item in eras_data)
    return Preset(str(key), paper.strip(), eras, tuple(hosts), str(data.get("description", "")))


def _era(item: object, where: str) -> Era:
    if not isinstance(item, dict):
        raise InputError(where, "[[era]] must be a table")
    template, family_name = item.get("first_page"), item.get("family")
    if not isinstance(template, str):
        raise InputError(where, '[[era]] needs first_page = "https://…/{yyyy}-{mm}/{dd}/node_1.htm"')
    check_template(template, where)
    try:
        family = sites.family(str(family_name))
    except KeyError as exc:
        raise InputError(where, str(exc.args[0])) from None
    since, until = item.get("since"), item.get("until")
    for name, value in (("since", since), ("until", until)):
        if value is not None and not (isinstance(value, dt.date) and not isinstance(value, dt.datetime)):
            raise InputError(where, f"[[era]] {name} must be a date such as 2024-12-01 (no quotes)")
    return Era(family, template, since, until)


def builtin() -> dict[str, Preset]:
    """Return the presets shipped with epaper, by key."""
    out = {}
    for path in sorted(PRESETS.glob("*.toml")):
        preset = load(path, f"built-in preset {path.name}")
        out[preset.key] = preset
    return out


def choose(name: str | None, *, family: str | None, paper: str | None, site_file: Path | None) -> Preset:
    """Return the preset a command line names: a built-in key, a URL template, or --site FILE."""
    if site_file is not None:
        if name:
            raise EpaperError(f"{name!r} and --site {site_file}: give one of them, not both")
        preset = load(site_file)
    elif not name:
        raise EpaperError("which site? Give a preset (epaper fetch --list-sites), a URL template or --site FILE")
    elif "://" in name:
        if not paper:
            raise EpaperError(f"{name}: a URL template needs --paper NAME (the paper's name for the books)")
        if family is None:
            found = sites.family_of(fill(name, dt.date(2000, 1, 1)))
            if found is None:
                known = "|".join(f.name for f in sites.FAMILIES)
                raise EpaperError(f"{name}: cannot tell the site family from its file name; pass --family {known}")
            family = found.name
        return from_template(name, family, paper)
    else:
        presets = builtin()
        if name not in presets:
            raise EpaperError(
                f"unknown site {name!r}: built-in are {', '.join(presets)}; or give a URL template or --site FILE"
            )
        preset = presets[name]
    if family is not None:
        raise EpaperError("--family goes with a URL template, not with a preset")
    return replace(preset, paper=paper) if paper else preset


CHINA = dt.timezone(dt.timedelta(hours=8), "China")
MAX_DAYS = 3700  # Ten years: a longer range is a typo.


def date_range(
    day: dt.date | None, first: dt.date | None, last: dt.date | None, today: bool, yesterday: bool
) -> list[dt.date]:
    """Return the dates a command line asks for: --date, --from/--to, --today or --yesterday (one way only)."""
    now = dt.datetime.now(CHINA).date()  # Papers are dated in China time.
    ways = [day is not None, first is not None or last is not None, today, yesterday]
    if sum(ways) != 1:
        raise EpaperError("give the dates one way: --date, --from/--to, --today or --yesterday")
    if day is not None:
        return [day]
    if today or yesterday:
        return [now - dt.timedelta(days=1 if yesterday else 0)]
    first, last = first or last, last or first
    assert first is not None and last is not None
    if first > last:
        raise EpaperError(f"--from {first} is after --to {last}")
    if (last - first).days >= MAX_DAYS:
        raise EpaperError(f"--from {first} --to {last}: more than {MAX_DAYS} days; fetch it in parts")
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def listing() -> str:
    """Describe the built-in presets and the site families, for `epaper fetch --list-sites`."""
    lines = ["Presets (epaper fetch KEY …):"]
    for preset in builtin().values():
        lines.append(f"  {preset.key:<12} {preset.paper} — {preset.description}")
        for era in preset.eras:
            since = era.since.isoformat() if era.since else "…"
            until = era.until.isoformat() if era.until else "…"
            lines.append(f"  {'':<12}   {since} to {until}: {era.family.name}  {era.first_page}")
    lines.append("Site families (epaper fetch URL-TEMPLATE --family NAME --paper NAME …):")
    for family in sites.FAMILIES:
        lines.append(f"  {family.name:<12} {family.description}")
        lines.append(f"  {'':<12}   e.g. {family.example}")
    lines.append("Your own: epaper fetch --site FILE.toml (see docs/fetch.md).")
    return "\n".join(lines)
