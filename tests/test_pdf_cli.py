"""The PDF through the command line: metadata, reproducible bytes, missing fonts, user templates
and stylesheets, and `epaper check` on good and broken PDFs."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, run_cli
from tests.pdftools import (
    SDE,
    TINY_BYLINE,
    USER_FOOTER,
    PdfShelf,
    issues_of,
    module_shelf,
    page_texts,
    pdfinfo,
    squash,
    write_tiny_sources,
)


@pytest.fixture(scope="module")
def pdfs(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> PdfShelf:
    return module_shelf(request, tmp_path_factory)


# --- metadata and reproducible output ----------------------------------------------------------


def test_metadata(pdfs: PdfShelf) -> None:
    pdf = pdfs.get("archive").out / "青川晚报" / "2026-03-02.pdf"
    info = pdfinfo(pdf)
    assert info["Title"] == "青川晚报 2026年3月2日"
    assert info["Author"] == "青川晚报社"
    assert "青川晚报" in info["Subject"] and "3个版面" in info["Subject"] and "8篇文章" in info["Subject"]
    keywords = [k.strip() for k in info["Keywords"].split(",")]
    assert "青川晚报" in keywords and {"要闻", "经济", "社会"} <= set(keywords)
    assert info["CreationDate"] and info["ModDate"]
    (issue,) = [i for i in issues_of([EXAMPLES]) if i.date == dt.date(2026, 3, 2)]
    newest = max(Path(file).stat().st_mtime for file in issue.sources)
    created = dt.datetime.fromisoformat(info["CreationDate"].replace("Z", "+00:00"))
    assert created.timestamp() == pytest.approx(newest, abs=1.0), "creation date = newest source's mtime"


def test_two_exports_are_byte_identical(pdfs: PdfShelf) -> None:
    """The sample archive's 2026-03-03 (JPEG, WebP and PNG photos) exported twice."""
    first = pdfs.get("archive").out / "青川晚报" / "2026-03-03.pdf"
    again = pdfs.get("archive-again").pdf
    assert again.name == first.name
    assert again.read_bytes() == first.read_bytes()


def test_source_date_epoch_is_the_creation_date_and_output_is_reproducible(pdfs: PdfShelf) -> None:
    a, b = pdfs.get("sde-a").pdf, pdfs.get("sde-b").pdf
    assert a.read_bytes() == b.read_bytes()
    expected = dt.datetime.fromtimestamp(int(SDE), dt.UTC)
    for key in ("CreationDate", "ModDate"):
        value = dt.datetime.fromisoformat(pdfinfo(a)[key].replace("Z", "+00:00"))
        assert value == expected, key
    assert a.read_bytes() != pdfs.get("tiny").pdf.read_bytes(), "without SOURCE_DATE_EPOCH: the sources' mtime"


# --- fonts --------------------------------------------------------------------------------------


def test_missing_cjk_fonts_exit_2_naming_the_package(tmp_path: Path) -> None:
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir() or shutil.which("fc-match") is None:
        pytest.skip("needs fontconfig and DejaVu fonts")
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f"  <dir>{dejavu}</dir>\n  <cachedir>{tmp_path / 'cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    src = write_tiny_sources(tmp_path / "src")
    out = tmp_path / "out"
    proc = run_cli("export", src, "-f", "pdf", "-o", out, env={"FONTCONFIG_FILE": str(conf)})
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "fonts-noto-cjk" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() or not list(out.rglob("*.pdf")), "no PDF of boxes"


# --- user templates and stylesheets -------------------------------------------------------------


def test_user_template_and_stylesheet(pdfs: PdfShelf) -> None:
    pdf = pdfs.get("override").pdf
    text = squash("".join(page_texts(pdf)))
    assert squash(USER_FOOTER) in text, "the user's footer block"
    assert text.count(squash(USER_FOOTER)) == 1
    assert squash("第二段正文，用来检查页面尺寸与模板覆盖。") in text, "the rest of the article is kept"
    assert "（本报讯）" in text, "super() keeps the built-in footer"
    assert squash(TINY_BYLINE) not in text, "the user's CSS hides bylines"
    plain = squash("".join(page_texts(pdfs.get("tiny").pdf)))
    assert squash(TINY_BYLINE) in plain and squash(USER_FOOTER) not in plain


def test_unknown_template_folder_exits_2(tmp_path: Path) -> None:
    src = write_tiny_sources(tmp_path / "src")
    proc = run_cli("export", src, "-f", "pdf", "-o", tmp_path / "out", "--templates", tmp_path / "nowhere")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "--templates" in proc.stderr


# --- epaper check ---------------------------------------------------------------------------------


def test_check_passes_a_good_pdf(pdfs: PdfShelf) -> None:
    pdf = pdfs.get("archive").pdfs[0]
    proc = run_cli("check", pdf)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert f"{pdf}: ok" in out
    assert "all embedded and subset" in out and "fonts:" in out
    assert "outline: " in out and "3 levels" in out
    assert "TrimBox: 210.0 × 297.0 mm" in out


def test_check_reports_the_archive_profile(pdfs: PdfShelf) -> None:
    pdf = pdfs.get("seed-archive").pdf
    proc = run_cli("check", pdf)
    assert proc.returncode == 0, proc.stdout
    assert "claims PDF/A-3U" in proc.stdout and "output intent present" in proc.stdout and "tagged" in proc.stdout
    assert f"attachments: {pdf.stem}.json" in proc.stdout


DAMAGES = {
    "truncated": lambda good: good[:2000],
    "not-a-pdf": lambda good: "这不是PDF文件\n".encode(),
    "empty": lambda good: b"",
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_check_refuses_a_broken_pdf(pdfs: PdfShelf, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / f"{damage}.pdf"
    bad.write_bytes(DAMAGES[damage](pdfs.get("archive").pdfs[0].read_bytes()))
    proc = run_cli("check", bad)
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    said = proc.stdout + proc.stderr
    assert f"{bad}: not a readable PDF" in said or f"{bad}: FAILED" in said, said


@pytest.mark.parametrize("damage", ["truncated", "not-a-pdf"])
def test_check_on_a_broken_pdf_says_one_line(pdfs: PdfShelf, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / f"{damage}.pdf"
    bad.write_bytes(DAMAGES[damage](pdfs.get("archive").pdfs[0].read_bytes()))
    good = pdfs.get("archive").pdfs[0]
    proc = run_cli("check", bad, good)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[:2] == [f"{bad}: FAILED", lines[1]] and lines[1].startswith(f"  {bad}: not a readable PDF")
    assert f"{good}: ok" in lines  # The files after a damaged one are still checked.


def test_check_fails_a_pdf_without_outline_or_cjk_fonts(tmp_path: Path) -> None:
    """A PDF printed without epaper (no bookmarks) does not pass."""
    import weasyprint

    pdf = tmp_path / "plain.pdf"
    weasyprint.HTML(string="<p style='font-family: DejaVu Sans'>plain</p>").write_pdf(pdf)
    proc = run_cli("check", pdf)
    assert proc.returncode == 1, proc.stdout
    assert "no outline" in proc.stdout


def test_check_of_a_missing_file_is_a_usage_error(pdfs: PdfShelf, tmp_path: Path) -> None:
    """A wrong name is found before any file is checked: one line, exit 2."""
    missing = tmp_path / "nowhere.pdf"
    proc = run_cli("check", pdfs.get("tiny").pdf, missing)
    assert proc.returncode == 2 and proc.stdout == "", proc.stdout
    assert proc.stderr == f"epaper: error: {missing}: no such file\n"
