"""Font files read whole only when the engine needs them (exporter/writers/fontfiles.py): the same PDF bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# Writes a PDF with WeasyPrint, with or without fontfiles installed, and prints how many whole font
# files were copied into Python. The document uses the book's faces: serif and sans, regular and bold.
_WRITE = """
import sys
from pathlib import Path
import weasyprint
from weasyprint.pdf import fonts
copies = []
whole = fonts.get_hb_object_data
def counted(hb_object, ot_color=None, glyph=None):
    data = whole(hb_object, ot_color, glyph)
    if ot_color is None and data is not None and len(data) > 10_000_000:
        copies.append(len(data))
    return data
fonts.get_hb_object_data = counted
if sys.argv[1] == "installed":
    from exporter.writers import fontfiles
    fontfiles.install()
    fontfiles._whole_file = counted
html = (
    "<h1 style='font-family: Noto Sans CJK SC'>头版要闻</h1><p style='font-family: Noto Serif CJK SC'>"
    "春风送暖，万象更新。<b>加粗的字</b></p><p style='font-family: Noto Sans CJK SC'>正文 <b>粗体</b></p>"
)
if sys.argv[3] == "full":  # One face: a whole collection is slow to compress.
    html = "<p style='font-family: Noto Sans CJK SC'>正文</p>"
options = {"full_fonts": sys.argv[3] == "full"}
weasyprint.HTML(string=html).write_pdf(sys.argv[2], pdf_identifier=b"same", **options)
print(len(copies))
"""


def _write(mode: str, target: Path, fonts: str = "subset") -> int:
    done = subprocess.run(
        [sys.executable, "-c", _WRITE, mode, str(target), fonts],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return int(done.stdout.split()[-1])


def test_subset_fonts_are_made_without_copying_the_files(tmp_path: Path) -> None:
    # WeasyPrint alone copies each of the four CJK faces' collection whole (19-27 MB each).
    assert _write("engine", tmp_path / "engine.pdf") == 4
    assert _write("installed", tmp_path / "installed.pdf") == 0
    assert (tmp_path / "installed.pdf").read_bytes() == (tmp_path / "engine.pdf").read_bytes()


def test_whole_fonts_are_still_read_when_embedded_whole(tmp_path: Path) -> None:
    assert _write("engine", tmp_path / "engine.pdf", "full") == 1
    assert _write("installed", tmp_path / "installed.pdf", "full") == 1
    assert (tmp_path / "installed.pdf").read_bytes() == (tmp_path / "engine.pdf").read_bytes()
