"""The export command's up-front checks: a mistake is one line and exit 2, before any book is made."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.test_inspect_cli import assert_one_line_error


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("--from", "2030-01-01", "--to", "2030-01-31"), ("no issue matches --from 2030-01-01 --to 2030-01-31",)),
        (("--paper", "不存在报"), ("no issue matches --paper 不存在报",)),
        (("--lang", "xx yy"), ("--lang 'xx yy'", "not a language tag")),
        (("-f", "pdf", "--page-size", "10x10mm"), ("--page-size '10x10mm'", "50 to 1200 mm")),
    ],
    ids=["empty-range", "unknown-paper", "bad-lang", "tiny-page"],
)
def test_nothing_is_made_from_a_request_that_cannot_be_met(
    tmp_path: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    result = run_cli("export", EXAMPLES, "-o", tmp_path / "out", *args)
    assert_one_line_error(result, *needles)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.*"))


def test_sources_holding_only_page_indexes_exit_2(tmp_path: Path) -> None:
    index = ROOT / "tests" / "fixtures" / "html" / "founder" / "pc" / "layout" / "202401" / "05" / "node_01.html"
    result = run_cli("export", index, "-o", tmp_path / "out")
    assert_one_line_error(result, str(index), "no article found, nothing to export")


def test_a_binary_stylesheet_is_refused(tmp_path: Path) -> None:
    css = tmp_path / "user.css"
    css.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\xff\xfe binary")
    result = run_cli("export", EXAMPLES, "-o", tmp_path / "out", "--css", css)
    assert_one_line_error(result, f"--css {css}", "not a stylesheet")
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.epub"))


def test_a_stylesheet_syntax_error_is_named_by_line(tmp_path: Path) -> None:
    css = tmp_path / "user.css"
    css.write_text("h1 { color: navy }\np { color red; }\n", encoding="utf-8")
    result = run_cli("export", EXAMPLES, "-o", tmp_path / "out", "--css", css, "-q")
    assert result.returncode == 0, result.stderr
    assert f"epaper: warning: {css}:2: CSS syntax error" in result.stderr
    assert len(list((tmp_path / "out").rglob("*.epub"))) == 2


@pytest.mark.parametrize(
    ("expression", "error"),
    [("no_such_name", "'no_such_name' is undefined"), ("1 / 0", "ZeroDivisionError: division by zero")],
)
def test_a_template_error_names_the_users_template_and_line(tmp_path: Path, expression: str, error: str) -> None:
    folder = tmp_path / "templates" / "epub"
    folder.mkdir(parents=True)
    (folder / "article.xhtml.j2").write_text(
        '{% extends "!base/epub/article.xhtml.j2" %}\n{% block header %}\n{{ ' + expression + " }}{% endblock %}\n",
        encoding="utf-8",
    )
    result = run_cli("export", EXAMPLES, "-o", tmp_path / "out", "--templates", tmp_path / "templates")
    assert result.returncode == 1
    assert f"{folder / 'article.xhtml.j2'}:3: template error: {error}" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("report", ["out", "out/../out", "out/.epaper-manifest.json"])
def test_the_report_cannot_take_the_place_of_the_output_folder_or_its_manifest(tmp_path: Path, report: str) -> None:
    result = run_cli("export", EXAMPLES, "-o", tmp_path / "out", "--report", tmp_path / report)
    assert_one_line_error(result, "--report")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["inspect", "export", "check"])
def test_help_shows_defaults_without_escapes(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "\\[" not in result.stdout and "[required]" in result.stdout
    assert "..." in result.stdout.splitlines()[0]  # Usage: epaper export [OPTIONS] SOURCES...
