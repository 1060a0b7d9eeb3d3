"""Packaging and documentation: the wheel carries templates and styles; every command is documented."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from exporter import __version__
from exporter.cli import app
from tests.conftest import ROOT, run_cli


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling (a test extra) builds the wheel without network")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("epaper-*.whl")
    return built


def test_wheel_ships_templates_and_styles_inside_the_package(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for template in (ROOT / "templates").rglob("*.j2"):
        assert f"exporter/templates/{template.relative_to(ROOT / 'templates').as_posix()}" in names
    for style in (ROOT / "styles").glob("*.css"):
        assert f"exporter/styles/{style.name}" in names
    assert f"epaper-{__version__}.dist-info/entry_points.txt" in names


def test_installed_wheel_finds_its_templates(wheel: Path, tmp_path: Path) -> None:
    """A plain, non-editable install (no checkout beside it) exports a book."""
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import exporter.resources as r; "
        "print(r.templates_dir()); print(r.styles_dir())"
    )
    found = subprocess.run(
        [sys.executable, "-c", code, str(target)], capture_output=True, text=True, check=True, cwd=tmp_path
    ).stdout.split()
    assert found == [str(target / "exporter" / "templates"), str(target / "exporter" / "styles")]


def test_version_and_help_name_every_command_with_an_example() -> None:
    assert run_cli("--version").stdout.strip() == f"epaper {__version__}"
    for command in ("inspect", "export", "check"):
        result = run_cli(command, "--help")
        assert result.returncode == 0
        assert f"epaper {command} " in result.stdout.split("Example", 1)[1], command


def test_readme_documents_every_command_and_option() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import typer.main

    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"epaper {name}" in readme, name
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help":
                    assert option in readme, f"{name} {option}"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make demo\b", readme, re.M) and re.search(r"^make test\b", readme, re.M)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
