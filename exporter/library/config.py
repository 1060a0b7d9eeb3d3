"""The delivery settings: SMTP profiles in a TOML file (never a password: that comes from the environment
or the system keyring).

    # ~/.config/epaper/config.toml  (or $EPAPER_CONFIG, or --config FILE)
    [send]
    default = "kindle"            # the profile `epaper send BOOK --to ADDR` uses for its SMTP server

    [send.kindle]
    to = "me_123@kindle.com"
    from = "me@example.com"       # an address Amazon's approved list knows
    host = "smtp.example.com"
    port = 587                    # default: 587 starttls, 465 tls, 25 none
    security = "starttls"         # starttls, tls or none (a local relay)
    user = "me@example.com"       # default: from; "" logs in as nobody
    password_env = "EPAPER_SMTP_PASSWORD"   # the default; or keyring = true
    max_size = "50MB"             # default: 50MB for Kindle addresses, 25MB otherwise
    formats = ["epub"]            # which files of a book to send (default epub)
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from exporter.errors import EpaperError

CONFIG_ENV = "EPAPER_CONFIG"
PASSWORD_ENV = "EPAPER_SMTP_PASSWORD"
KEYRING_SERVICE = "epaper"
KINDLE_LIMIT = 50_000_000  # Send to Kindle's documented limit per document.
DEFAULT_LIMIT = 25_000_000  # What most mail providers accept.
_PORTS = {"starttls": 587, "tls": 465, "none": 25}
_KEYS = {"to", "from", "host", "port", "security", "user", "password_env", "keyring", "max_size", "formats", "record"}


@dataclass(slots=True)
class Profile:
    name: str
    to: str
    sender: str
    host: str
    port: int
    security: str
    user: str
    password_env: str = PASSWORD_ENV
    keyring: bool = False
    max_size: int = DEFAULT_LIMIT
    formats: list[str] = field(default_factory=lambda: ["epub"])
    record: Path | None = None


def default_path() -> Path:
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV])
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "epaper" / "config.toml"


def load(path: Path | None = None) -> dict[str, dict[str, object]]:
    """Read the [send.NAME] tables of the config file; a missing default file means no profiles."""
    file = path or default_path()
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if path is not None:
            raise EpaperError(f"{file}: no such config file") from None
        return {}
    except OSError as exc:
        raise EpaperError(f"{file}: cannot read it: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EpaperError(f"{file}: not a TOML file: {exc}") from None
    send = data.get("send", {})
    if not isinstance(send, dict):
        raise EpaperError(f"{file}: [send] must be a table of profiles")
    return send


def profile(
    name: str | None,
    to: str | None = None,
    path: Path | None = None,
    settings: dict[str, dict[str, object]] | None = None,
) -> Profile:
    """The named profile (or the default one), its recipient replaced by `to` when given."""
    file = path or default_path()
    send = settings if settings is not None else load(path)
    tables = {k: v for k, v in send.items() if isinstance(v, dict)}
    if not tables:
        raise EpaperError(
            f"{file}: no [send.NAME] profile naming the SMTP server to send through (see docs/library.md)"
        )
    if name is None:
        default = send.get("default")
        name = str(default) if default else (next(iter(tables)) if len(tables) == 1 else None)
        if name is None:
            raise EpaperError(f'{file}: name a profile with --profile (or set default = "NAME" under [send])')
    if name not in tables:
        known = ", ".join(sorted(tables)) or "none"
        raise EpaperError(f"{file}: no profile [send.{name}] (profiles: {known})")
    table = tables[name]
    where = f"{file} [send.{name}]"
    if "password" in table:
        raise EpaperError(f"{where}: passwords do not go in the file: use password_env or keyring = true")
    unknown = set(table) - _KEYS
    if unknown:
        raise EpaperError(f"{where}: unknown setting {', '.join(sorted(unknown))}")
    recipient = to or _string(table, "to", where, required=True)
    sender = _string(table, "from", where, required=True)
    security = _string(table, "security", where) or "starttls"
    if security not in _PORTS:
        raise EpaperError(f"{where}: security = {security!r}: expected starttls, tls or none")
    port = table.get("port", _PORTS[security])
    if not isinstance(port, int) or not 0 < port < 65536:
        raise EpaperError(f"{where}: port = {port!r}: expected a number from 1 to 65535")
    user = table.get("user", sender)
    limit = table.get("max_size")
    formats = table.get("formats", ["epub"])
    if not isinstance(formats, list) or not formats or any(f not in ("epub", "pdf") for f in formats):
        raise EpaperError(f"{where}: formats = {formats!r}: expected a list of epub and/or pdf")
    record = table.get("record")
    return Profile(
        name,
        recipient,
        sender,
        _string(table, "host", where, required=True),
        port,
        security,
        str(user),
        _string(table, "password_env", where) or PASSWORD_ENV,
        bool(table.get("keyring", False)),
        parse_size(limit, where) if limit is not None else default_limit(recipient),
        [str(f) for f in formats],
        Path(str(record)).expanduser() if record else None,
    )


def default_limit(recipient: str) -> int:
    return KINDLE_LIMIT if recipient.lower().endswith(("@kindle.com", "@free.kindle.com")) else DEFAULT_LIMIT


def parse_size(value: object, where: str) -> int:
    """50MB, 25 MB, 1.5GB or a number of bytes."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)B?\s*", str(value), re.IGNORECASE)
    if not m:
        raise EpaperError(f"{where}: max_size = {value!r}: expected a size such as 50MB")
    return int(float(m[1]) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m[2].upper()])


def _string(table: dict[str, object], key: str, where: str, required: bool = False) -> str:
    value = table.get(key)
    if value is None:
        if required:
            raise EpaperError(f"{where}: {key} = … is missing")
        return ""
    if not isinstance(value, str):
        raise EpaperError(f"{where}: {key} = {value!r}: expected a string")
    return value
