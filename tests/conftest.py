"""Shared fixtures: the sample archive, the shared corpus (skipped when absent), a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "archive"
CORPUS = ROOT.parent / "shared" / "corpus"  # A user's clone has no ../shared: tests using it skip.
SEED = CORPUS / "seed" / "yichun-2026-01-14-p14.txt"
RMRB_DB = CORPUS / "real" / "rmrb_2017_sqlite" / "rmrb.db"


def needs(path: Path) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is absent (shared corpus not available)")


@pytest.fixture
def seed() -> Path:
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent (shared corpus not available)")
    return SEED


@pytest.fixture(scope="session")
def rmrb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The four 人民日报 issues of rmrb.db as structured Markdown sources."""
    if not RMRB_DB.exists():
        pytest.skip(f"{RMRB_DB} is absent (shared corpus not available)")
    from tests.corpus import rmrb_sources

    return rmrb_sources(RMRB_DB, tmp_path_factory.mktemp("rmrb"))


def run_cli(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run `epaper ARGS` as a user would (a real process, real exit code)."""
    return subprocess.run(
        [sys.executable, "-m", "exporter", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


# Debian's chromium, driven by Playwright with executable_path (Playwright cannot download browsers here);
# no background networking: this machine's closed network refuses it.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
