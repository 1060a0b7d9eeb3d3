"""`epaper send`: real SMTP servers (aiosmtpd in a thread) receive the books; the messages are parsed back."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import run_cli
from tests.librarysample import PAPER, QINGCHUAN, month_library

USER, PASSWORD = "reader@example.com", "correct horse 电池"


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping what it received; `busy` answers 451 to that many DATA commands first."""

    messages: list[EmailMessage] = field(default_factory=list)
    busy: int = 0
    data_commands: int = 0

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name.
        self.data_commands += 1
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, data) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == USER.encode() and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # Not handled: aiosmtpd answers 535 itself.


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticate, auth_require_tls=False)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return month_library(tmp_path_factory)[1]


def write_config(path: Path, port: int, **extra: str) -> Path:
    lines = [
        "[send]",
        'default = "kindle"',
        "[send.kindle]",
        'to = "me_123@kindle.com"',
        f'from = "{USER}"',
        'host = "127.0.0.1"',
        f"port = {port}",
        'security = "none"',
        'password_env = "TEST_SMTP_PASSWORD"',
        *(f"{key} = {value}" for key, value in extra.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def attachment(message: EmailMessage) -> tuple[str, str, bytes, str]:
    """(media type, RFC 2231 UTF-8 file name, bytes, ASCII file name) of the message's one attachment."""
    (part,) = list(message.iter_attachments())
    # The header as sent: the parsed view keeps only one of the two filename parameters.
    raw = " ".join(" ".join(str(v).split()) for k, v in part.raw_items() if k.lower() == "content-disposition")
    ascii_name = re.search(r'filename="([^"]*)"', raw)
    utf8 = re.search(r"filename\*=utf-8''([^;\s]+)", raw, re.IGNORECASE)
    assert raw.startswith("attachment") and ascii_name and utf8, raw
    return part.get_content_type(), unquote(utf8[1]), part.get_payload(decode=True), ascii_name[1]


def test_send_delivers_the_book_intact_and_only_once(smtp, books, tmp_path):
    box, port = smtp
    config = write_config(tmp_path / "config.toml", port)
    record = tmp_path / "sent.json"
    book = books / PAPER / "2026-02-03.epub"
    env = {"TEST_SMTP_PASSWORD": PASSWORD}
    done = run_cli("send", book, "--config", config, "--record", record, env=env)
    assert done.returncode == 0, done.stderr
    (message,) = box.messages
    assert message["To"] == "me_123@kindle.com" and message["From"] == USER
    assert message["Subject"] == f"{PAPER} 2026年2月3日"
    kind, name, data, ascii_name = attachment(message)
    assert kind == "application/epub+zip"
    assert name == f"{PAPER} 2026-02-03.epub"
    assert ascii_name.isascii() and ascii_name.endswith(".epub")
    assert data == book.read_bytes()
    again = run_cli("send", book, "--config", config, "--record", record, env=env)
    assert again.returncode == 0 and "already sent" in again.stdout
    assert len(box.messages) == 1
    other = run_cli("send", book, "--to", "other@example.com", "--config", config, "--record", record, env=env)
    assert other.returncode == 0 and len(box.messages) == 2 and box.messages[1]["To"] == "other@example.com"


def test_a_book_stem_sends_the_profiles_formats(smtp, books, tmp_path):
    box, port = smtp
    config = write_config(tmp_path / "config.toml", port, formats='["epub", "pdf"]')
    stem = books / "青川晚报" / QINGCHUAN
    done = run_cli(
        "send", stem, "--config", config, "--record", tmp_path / "r.json", env={"TEST_SMTP_PASSWORD": PASSWORD}
    )
    assert done.returncode == 0, done.stderr
    sent = sorted(attachment(m)[:3] for m in box.messages)
    assert [(k, n) for k, n, _ in sent] == [
        ("application/epub+zip", f"青川晚报 {QINGCHUAN}.epub"),
        ("application/pdf", f"青川晚报 {QINGCHUAN}.pdf"),
    ]
    assert sent[1][2] == stem.with_suffix(".pdf").read_bytes()


def test_wrong_password_is_one_clear_line(smtp, books, tmp_path):
    box, port = smtp
    config = write_config(tmp_path / "config.toml", port)
    done = run_cli(
        "send", books / PAPER / "2026-02-03.epub", "--config", config, "--record", tmp_path / "r.json",
        env={"TEST_SMTP_PASSWORD": "wrong"},
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert f"127.0.0.1:{port}: authentication failed for {USER}: 535" in done.stderr
    assert box.messages == [] and not (tmp_path / "r.json").exists()


def test_oversize_is_refused_before_connecting(smtp, books, tmp_path):
    box, port = smtp
    config = write_config(tmp_path / "config.toml", port, max_size='"10KB"')
    done = run_cli(
        "send", books / PAPER / "2026-02-03.epub", "--config", config, "--record", tmp_path / "r.json",
        env={"TEST_SMTP_PASSWORD": PASSWORD},
    )  # fmt: skip
    assert done.returncode == 1
    assert "over the 10 KB limit of me_123@kindle.com" in done.stderr
    assert box.data_commands == 0


def test_kindle_limit_is_50_mb():
    from exporter.library.config import default_limit

    assert default_limit("me_123@kindle.com") == 50_000_000
    assert default_limit("me@example.com") < 50_000_000


def test_temporary_failures_are_retried(smtp, books, tmp_path):
    from exporter.library.send import send_books

    box, port = smtp
    box.busy = 2
    config = write_config(tmp_path / "config.toml", port)
    os.environ["TEST_SMTP_PASSWORD"] = PASSWORD
    try:
        result = send_books(
            [books / PAPER / "2026-02-04.epub"], "kindle", config, record=tmp_path / "r.json", waits=(0, 0, 0)
        )
    finally:
        del os.environ["TEST_SMTP_PASSWORD"]
    assert result.ok and len(result.sent) == 1
    assert box.data_commands == 3 and len(box.messages) == 1


def test_dry_run_writes_the_eml(books, tmp_path):
    book = books / PAPER / "2026-02-05.epub"
    done = run_cli(
        "send", book, "--to", "me_123@kindle.com", "--dry-run", "--outbox", tmp_path, "--config", tmp_path / "none.toml"
    )
    assert done.returncode == 2  # A named config file that does not exist is an error, even for a dry run.
    done = run_cli(
        "send",
        book,
        "--to",
        "me_123@kindle.com",
        "--dry-run",
        "--outbox",
        tmp_path,
        env={"EPAPER_CONFIG": str(tmp_path / "none.toml")},
    )
    assert done.returncode == 0, done.stderr
    (eml,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "me_123@kindle.com"
    assert attachment(message)[2] == book.read_bytes()


def test_password_never_from_the_command_line_nor_the_file(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text('[send.k]\nto = "a@b.c"\nfrom = "a@b.c"\nhost = "h"\npassword = "x"\n', encoding="utf-8")
    done = run_cli("send", tmp_path / "x.epub", "--config", config)
    assert done.returncode == 2
    assert "passwords do not go in the file" in done.stderr
    assert run_cli("send", "--password", "x", tmp_path / "x.epub").returncode == 2


@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl absent")
def test_starttls(books, tmp_path):
    """STARTTLS with certificate checking: the server's self-made certificate is the only one trusted."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox()
    port = free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=authenticate, tls_context=context, require_starttls=True
    )
    controller.start()
    try:
        config = write_config(tmp_path / "config.toml", port)
        config.write_text(config.read_text().replace('security = "none"', 'security = "starttls"'), encoding="utf-8")
        book = books / PAPER / "2026-02-06.epub"
        env = {"TEST_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(cert)}
        done = run_cli("send", book, "--config", config, "--record", tmp_path / "r.json", env=env)
        assert done.returncode == 0, done.stderr
        assert attachment(box.messages[0])[2] == book.read_bytes()
        untrusted = run_cli(
            "send", book, "--config", config, "--record", tmp_path / "r2.json", env={"TEST_SMTP_PASSWORD": PASSWORD}
        )
        assert untrusted.returncode == 2 and "certificate" in untrusted.stderr.lower()
        assert untrusted.stderr.count("\n") == 1
    finally:
        controller.stop()


def test_daily_export_sends_todays_book_once(smtp, tmp_path):
    """The daily line: export --today --send kindle; run twice, one message."""
    import datetime as dt

    from tests.synth import make_archive

    box, port = smtp
    china = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    source = make_archive(tmp_path / "src", china - dt.timedelta(days=1), 2, pages=1, articles=1, paragraphs=1)
    config = write_config(tmp_path / "config.toml", port)
    env = {"EPAPER_CONFIG": str(config), "XDG_STATE_HOME": str(tmp_path / "state"), "TEST_SMTP_PASSWORD": PASSWORD}
    for _ in range(2):
        done = run_cli("export", source, "-o", tmp_path / "out", "--today", "--send", "kindle", "-q", env=env)
        assert done.returncode == 0, done.stderr
    (message,) = box.messages
    assert attachment(message)[1] == f"{PAPER} {china.isoformat()}.epub"
    assert attachment(message)[2] == (tmp_path / "out" / PAPER / f"{china.isoformat()}.epub").read_bytes()
    assert (tmp_path / "state" / "epaper" / "sent.json").is_file()


def test_export_with_an_unknown_profile_stops_before_exporting(tmp_path):
    from tests.conftest import EXAMPLES

    config = write_config(tmp_path / "config.toml", 25)
    done = run_cli("export", EXAMPLES, "-o", tmp_path / "out", "--send", "kobo", env={"EPAPER_CONFIG": str(config)})
    assert done.returncode == 2 and done.stderr.count("\n") == 1
    assert "no profile [send.kobo] (profiles: kindle)" in done.stderr
    assert not (tmp_path / "out").exists()
