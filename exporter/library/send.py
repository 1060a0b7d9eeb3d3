"""Send books by e-mail (Send to Kindle, Kobo/PocketBook mail, yourself): one message per book.

SMTP with STARTTLS or TLS from the standard library; the attachment carries its media type and both an
ASCII file name and the RFC 2231 UTF-8 one (Chinese titles). What was sent is recorded (recipient and
the file's SHA-256), so a daily job that runs twice sends nothing twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import encoders
from email.header import Header
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import quote

from exporter.errors import EpaperError
from exporter.library import catalog, config
from exporter.library.config import Profile
from exporter.library.page import size_label
from exporter.writers.atomic import write_bytes

WAITS = (5.0, 30.0, 120.0)  # Between tries after a temporary (4xx) answer or a dropped connection.
TIMEOUT = 60.0


@dataclass(slots=True)
class SendResult:
    """What happened to each file: sent, skipped (sent before) or failed (with the reason)."""

    sent: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # --dry-run: the .eml files.

    @property
    def ok(self) -> bool:
        return not self.failed


def send_books(
    paths: Sequence[Path],
    profile_name: str | None = None,
    config_path: Path | None = None,
    *,
    to: str | None = None,
    dry_run: bool = False,
    outbox: Path | None = None,
    record: Path | None = None,
    force: bool = False,
    waits: Sequence[float] = WAITS,
    say: Callable[[str], object] = lambda line: None,
) -> SendResult:
    """Send each book (an .epub/.pdf file, or a book's stem whose files the profile's formats pick).

    Raises EpaperError for what stops everything (no profile, no password, authentication refused);
    a book that is too large or refused by the server is one failure, the others are still sent.
    """
    profile = _profile(profile_name, to, config_path, dry_run)
    files = _files(paths, profile.formats)
    record_file = record or profile.record or default_record()
    sent = _load_record(record_file)
    result = SendResult()
    pending = []
    for file in files:
        size = file.stat().st_size
        if size > profile.max_size:
            limit = size_label(profile.max_size)
            result.failed.append((file, f"{size_label(size)} is over the {limit} limit of {profile.to}"))
            continue
        digest = _sha256(file)
        key = f"{profile.to.lower()} {digest}"
        if key in sent and not force and not dry_run:
            result.skipped.append(file)
            say(f"{file}: already sent to {profile.to} on {sent[key]['sent']}")
            continue
        pending.append((file, key))
    if dry_run:
        folder = outbox or Path.cwd()
        for file, _ in pending:
            target = folder / f"{file.parent.name} {file.stem}.eml".lstrip()
            write_bytes(target, message(file, profile).as_bytes())
            result.written.append(target)
            say(f"{file}: wrote {target}")
        return result
    if not pending:
        return result
    password = _password(profile)
    with _Connection(profile, password, waits) as smtp:
        for file, key in pending:
            try:
                smtp.send(message(file, profile))
            except smtplib.SMTPResponseException as exc:
                result.failed.append((file, f"{profile.host} refused it: {exc.smtp_code} {_text(exc.smtp_error)}"))
                continue
            except smtplib.SMTPRecipientsRefused as exc:
                code, text = next(iter(exc.recipients.values()))
                result.failed.append((file, f"{profile.host} refused {profile.to}: {code} {_text(text)}"))
                continue
            sent[key] = {
                "file": str(file),
                "to": profile.to,
                "sent": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            _save_record(record_file, sent)  # At once: a crash after this book must not send it again.
            result.sent.append(file)
            say(f"{file}: sent to {profile.to}")
    return result


def message(file: Path, profile: Profile) -> Message:
    """The e-mail for one book: a short text and the book attached under its title."""
    book = catalog.describe(file)
    msg = MIMEMultipart()
    msg["From"] = profile.sender
    msg["To"] = profile.to
    msg["Subject"] = str(Header(book.title, "utf-8"))
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=profile.sender.rpartition("@")[2] or None)
    msg.attach(
        MIMEText(f"{book.title}\n\n{file.name}, {size_label(file.stat().st_size)}. Sent by epaper.\n", "plain", "utf-8")
    )
    maintype, subtype = catalog.MEDIA_TYPES[file.suffix[1:].lower()].split("/")
    name = f"{book.paper} {file.name}" if book.paper and book.paper not in file.stem else file.name
    fallback = _ascii_name(name, file)
    part = MIMEBase(maintype, subtype, name=fallback)
    part.set_payload(file.read_bytes())
    encoders.encode_base64(part)
    # The ASCII name for old clients, and RFC 2231's UTF-8 one (filename*) that mail apps and Amazon prefer.
    disposition = f'attachment; filename="{fallback}"'
    if fallback != name:
        disposition += f"; filename*=utf-8''{quote(name, safe='')}"
    part["Content-Disposition"] = disposition
    msg.attach(part)
    return msg


def default_record() -> Path:
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "epaper" / "sent.json"


def _ascii_name(name: str, file: Path) -> str:
    kept = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "-_. ")).strip(" .")
    stem = kept.rsplit(".", 1)[0].strip()
    return kept if stem and kept.lower().endswith(file.suffix.lower()) else f"epaper-{file.stem}{file.suffix}"


def _profile(name: str | None, to: str | None, path: Path | None, dry_run: bool) -> Profile:
    try:
        return config.profile(name, to, path)
    except EpaperError:
        if dry_run and to and name is None and not config.load(path):  # A dry run needs no SMTP server.
            return Profile("dry-run", to, "epaper@localhost", "", 0, "none", "", max_size=config.default_limit(to))
        raise


def _files(paths: Sequence[Path], formats: list[str]) -> list[Path]:
    files = []
    for path in paths:
        if path.is_file():
            if path.suffix[1:].lower() not in catalog.MEDIA_TYPES:
                raise EpaperError(f"{path}: not an EPUB or PDF book")
            files.append(path)
            continue
        found = [path.with_suffix(f".{fmt}") for fmt in formats if path.with_suffix(f".{fmt}").is_file()]
        if not found:
            raise EpaperError(f"{path}: no such book")
        files += found
    return list(dict.fromkeys(files))


def _password(profile: Profile) -> str | None:
    if not profile.user:
        return None
    if os.environ.get(profile.password_env):
        return os.environ[profile.password_env]
    if profile.keyring:
        try:
            import keyring
            import keyring.errors

            secret = keyring.get_password(config.KEYRING_SERVICE, profile.user)
        except Exception as exc:  # No keyring backend on this machine, or it is locked.
            raise EpaperError(f"profile {profile.name}: cannot read the system keyring: {exc}") from None
        if secret:
            return secret
        raise EpaperError(
            f"profile {profile.name}: no password for {profile.user} in the keyring "
            f"(keyring set {config.KEYRING_SERVICE} {profile.user})"
        )
    raise EpaperError(
        f"profile {profile.name}: set the SMTP password of {profile.user} in ${profile.password_env} "
        "(or keyring = true in the profile)"
    )


class _Connection:
    """One SMTP session for all the books, reconnected when a temporary failure drops it."""

    def __init__(self, profile: Profile, password: str | None, waits: Sequence[float]) -> None:
        self.profile = profile
        self.password = password
        self.waits = waits
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> _Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()

    def send(self, msg: Message) -> None:
        for attempt in range(len(self.waits) + 1):
            try:
                smtp = self.smtp or self._connect()
                smtp.send_message(msg)
                return
            except smtplib.SMTPAuthenticationError as exc:
                raise EpaperError(
                    f"{self._where()}: authentication failed for {self.profile.user}: "
                    f"{exc.smtp_code} {_text(exc.smtp_error)}"
                ) from None
            except ssl.SSLError as exc:  # A certificate that does not check out will not check out in a minute.
                detail = getattr(exc, "verify_message", None) or exc.reason or exc
                raise EpaperError(f"{self._where()}: TLS failed: {detail} ({exc.reason})") from None
            except smtplib.SMTPNotSupportedError as exc:
                raise EpaperError(f'{self._where()}: {exc} (try security = "tls" or another port)') from None
            except (
                smtplib.SMTPResponseException,
                smtplib.SMTPServerDisconnected,
                smtplib.SMTPConnectError,
                OSError,
            ) as exc:
                code = getattr(exc, "smtp_code", None)
                temporary = code is None or 400 <= code < 500
                if not temporary or attempt == len(self.waits):
                    if isinstance(exc, smtplib.SMTPResponseException):
                        raise
                    raise EpaperError(
                        f"{self._where()}: {exc.strerror if isinstance(exc, OSError) and exc.strerror else exc}"
                    ) from None
                self._drop()
                time.sleep(self.waits[attempt])

    def _connect(self) -> smtplib.SMTP:
        p = self.profile
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if p.security == "tls":
            smtp = smtplib.SMTP_SSL(p.host, p.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(p.host, p.port, timeout=TIMEOUT)
            if p.security == "starttls":
                smtp.ehlo()
                smtp.starttls(context=context)
        smtp.ehlo()
        if self.password is not None:
            _login(smtp, p.user, self.password)
        self.smtp = smtp
        return smtp

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            finally:
                self.smtp = None

    def _where(self) -> str:
        return f"{self.profile.host}:{self.profile.port}"


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN (RFC 4616, UTF-8) when offered, else smtplib's choice of mechanism.

    smtplib cannot send a non-ASCII password, and after a refused PLAIN it tries LOGIN, which some
    servers answer by waiting: one clear refusal is better.
    """
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        smtp.login(user, password)
        return
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, answer = smtp.docmd("AUTH", f"PLAIN {token}")
    if code == 334:  # Servers that want the credentials after an empty challenge.
        code, answer = smtp.docmd(token)
    if code not in (235, 503):  # 503: already authenticated.
        raise smtplib.SMTPAuthenticationError(code, answer)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_record(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data.get("sent", {}) if isinstance(data, dict) and isinstance(data.get("sent"), dict) else {}


def _save_record(path: Path, sent: dict[str, dict[str, str]]) -> None:
    write_bytes(path, (json.dumps({"version": 1, "sent": sent}, ensure_ascii=False, indent=1) + "\n").encode())
