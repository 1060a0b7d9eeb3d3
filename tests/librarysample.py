"""A month of books for the library tests: built once per test session (about 10 s), never changed.

合成日报 (tests/synth.py): February 2026 less two days as EPUB issues and the month's bound volume;
青川晚报 (examples/archive): its last issue as EPUB and PDF (a PDF costs seconds). Then `epaper library`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, run_cli
from tests.synth import PAPER, make_archive

FIRST = dt.date(2026, 2, 1)
DAYS = 28
MISSING = (dt.date(2026, 2, 8), dt.date(2026, 2, 15))
QINGCHUAN = "2026-03-03"
OPDS_FIXTURES = Path(__file__).parent / "fixtures" / "opds"
_built: dict[str, Path] = {}


def issue_dates() -> list[str]:
    return [
        (FIRST + dt.timedelta(days=n)).isoformat() for n in range(DAYS) if FIRST + dt.timedelta(days=n) not in MISSING
    ]


def article_titles(source: Path, day: str) -> list[str]:
    """The `title:` lines of one day's Markdown sources (what the book's table of contents must list)."""
    titles = []
    for path in sorted((source / day).glob("*.md")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("title:"):
                titles.append(line.split(":", 1)[1].strip())
    return titles


def month_library(factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (sources, OUT) of the shared sample: OUT has books, index.html and the OPDS catalog."""
    if "out" not in _built:
        root = factory.mktemp("library-month")
        source = make_archive(root / "src", FIRST, DAYS, pages=2, articles=2, skip=MISSING, paragraphs=2)
        out = root / "out"
        steps = [
            ("export", source, "-o", out, "-f", "epub", "-q"),
            ("export", source, "-o", out, "-f", "epub", "-q", "--bundle", "month"),
            ("export", EXAMPLES, "-o", out, "-f", "epub,pdf", "-q", "--from", QINGCHUAN),
            ("library", out, "-q"),
        ]
        for step in steps:
            done = run_cli(*step)
            assert done.returncode == 0, done.stderr
        _built["src"], _built["out"] = source, out
    return _built["src"], _built["out"]


def copy_of(out: Path, target: Path) -> Path:
    """A private copy of OUT for a test that changes it."""
    shutil.copytree(out, target, symlinks=True)
    return target


__all__ = [
    "PAPER",
    "QINGCHUAN",
    "article_titles",
    "copy_of",
    "issue_dates",
    "month_library",
    "opds2_validator",
    "running_server",
]


def opds2_validator() -> Any:
    """The OPDS 2.0 feed JSON Schema with the Readium schemas it refers to, all read from tests/fixtures."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource

    resources = []
    for path in sorted((OPDS_FIXTURES / "json").rglob("*.schema.json")):
        # ECMA-262 named groups (?<name>…) in the language-tag patterns are (?P<name>…) in Python.
        schema = json.loads(re.sub(r"\(\?<([A-Za-z])", r"(?P<\1", path.read_text(encoding="utf-8")))
        resource = Resource.from_contents(schema)
        resources.append((schema["$id"], resource))
        if schema["$id"].startswith("https://specs.opds.io/"):  # Link objects still name the drafts host.
            resources.append((schema["$id"].replace("specs.opds.io", "drafts.opds.io"), resource))
    registry = Registry().with_resources(resources)
    feed = json.loads((OPDS_FIXTURES / "json" / "opds" / "feed.schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(feed, registry=registry)


@contextlib.contextmanager
def running_server(out: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `epaper serve OUT --port 0` as a user would; yield its base URL (http://127.0.0.1:PORT/)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "exporter", "serve", str(out), "--port", "0", "-q", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("http://127.0.0.1:"), line + (process.stderr.read() if process.stderr else "")
        deadline = time.monotonic() + 20
        while True:  # The socket is bound before uvicorn starts: wait until it answers.
            try:
                with socket.create_connection(("127.0.0.1", int(line.rsplit(":", 1)[1].strip("/"))), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "epaper serve did not start"
                time.sleep(0.05)
        yield line
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
