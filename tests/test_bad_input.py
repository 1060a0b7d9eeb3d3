"""Bad input: each bad file is refused with one line naming it (and the line); the other files still load."""

from __future__ import annotations

import codecs
import io
from pathlib import Path

import pytest
from PIL import Image

from exporter.archive import Archive, open_archive
from exporter.errors import InputError

GOOD_TITLE = "一篇完好的文章"


def dump(*, title: str = "坏文件里的文章", date: str = "01-14", drop: str | None = None) -> str:
    """Return a valid reader dump; `drop` removes the header line starting with it."""
    lines = [
        "电子报阅读机",
        "2026-01-23",
        "星期五",
        "当前报纸名称:青川晚报",
        "",
        title,
        "",
        f"日期:{date}",  # line 8
        "字号:",
        "版面:第14版:   上一篇 下一篇",
        "",
        "这是正文第一段,内容完整。",  # line 12
        "",
        "这是正文第二段,内容完整。",
        "",
    ]
    if drop:
        lines = [line for line in lines if not line.startswith(drop)]
    return "\n".join(lines)


def md(front: str, body: str = "正文第一段。\n") -> str:
    return f"---\n{front}---\n\n{body}"


GOOD_FRONT = 'paper: 青川晚报\ndate: 2026-01-14\npage: "14"\ntitle: 坏文件里的文章\n'


def load_with_good(tmp_path: Path, name: str, data: bytes | str) -> tuple[Archive, InputError]:
    """Put a bad file beside a good one in a folder, open the folder, return the archive and the one refusal."""
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "good.txt").write_text(dump(title=GOOD_TITLE), encoding="utf-8")
    bad = src / name
    if isinstance(data, str):
        bad.write_text(data, encoding="utf-8")
    else:
        bad.write_bytes(data)
    archive = open_archive([src])
    assert [a.title for i in archive.issues for a in i.articles] == [GOOD_TITLE], "the good file still loads"
    assert archive.files == 2
    assert len(archive.refused) == 1, archive.refused
    error = archive.refused[0]
    assert isinstance(error, InputError)
    assert error.file.endswith(name)
    message = str(error)
    assert "\n" not in message, "one line"
    assert name in message
    assert "Traceback" not in message
    return archive, error


def assert_line(error: InputError, line: int) -> None:
    assert error.line == line
    assert f"{error.file}:{line}:" in str(error)


# --- empty, binary, undecodable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [("empty.txt", b""), ("blank.txt", "\n\n   \n\u3000\n"), ("empty.md", b""), ("bom-only.txt", codecs.BOM_UTF8)],
)
def test_empty_file(tmp_path: Path, name: str, data: bytes | str) -> None:
    _, error = load_with_good(tmp_path, name, data)
    assert "empty" in error.message


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_binary_file_renamed_txt(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "photo.txt", png_bytes())
    assert "binary" in error.message


def test_binary_file_renamed_md(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "photo.md", png_bytes())
    assert "binary" in error.message


def test_undecodable_bytes(tmp_path: Path) -> None:
    data = dump().encode("utf-8").replace("这是正文第一段".encode(), b"\x81\x7f\xff")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb18030")
    _, error = load_with_good(tmp_path, "mojibake.txt", data)
    assert "undecodable" in error.message
    assert_line(error, 12)


def test_undecodable_utf16(tmp_path: Path) -> None:
    data = codecs.BOM_UTF16_LE + dump().encode("utf-16-le") + b"\x00\xd8"  # A lone high surrogate at the end.
    _, error = load_with_good(tmp_path, "utf16.txt", data)
    assert "undecodable" in error.message


# --- broken reader-dump headers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drop", "what"),
    [("当前报纸名称", "当前报纸名称"), ("日期", "日期"), ("版面", "版面")],
)
def test_broken_header(tmp_path: Path, drop: str, what: str) -> None:
    text = dump(drop=drop)
    _, error = load_with_good(tmp_path, "broken.txt", text)
    assert "header" in error.message
    assert what in error.message
    assert error.line is not None and 1 <= error.line <= len(text.split("\n"))


def test_broken_header_page_label(tmp_path: Path) -> None:
    text = dump().replace("版面:第14版:", "版面:第几版:")
    _, error = load_with_good(tmp_path, "badpage.txt", text)
    assert_line(error, 10)


def test_broken_header_no_read_date(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "noread.txt", dump(drop="2026-01-23"))
    assert "header" in error.message or "date" in error.message
    assert error.line is not None


# --- bad front matter ------------------------------------------------------------------------------------------


def test_front_matter_yaml_error_names_line(tmp_path: Path) -> None:
    text = md('paper: 青川晚报\ndate: 2026-01-14\nkicker: 引题: 冒号\npage: "14"\ntitle: 标题\n')
    _, error = load_with_good(tmp_path, "yaml.md", text)
    assert "front matter" in error.message
    assert_line(error, 4)


def test_front_matter_not_closed(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "open.md", "---\n" + GOOD_FRONT + "\n正文。\n")
    assert "front matter" in error.message
    assert error.line is not None


def test_front_matter_not_a_mapping(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "list.md", md("- 一\n- 二\n"))
    assert "front matter" in error.message


@pytest.mark.parametrize(
    ("field", "word"),
    [("title", "title"), ("date", "date"), ("page", "page"), ("paper", "paper")],
)
def test_front_matter_missing_field(tmp_path: Path, field: str, word: str) -> None:
    front = "".join(line + "\n" for line in GOOD_FRONT.splitlines() if not line.startswith(f"{field}:"))
    _, error = load_with_good(tmp_path, f"no-{field}.md", md(front))
    assert word in error.message
    assert error.line is not None


@pytest.mark.parametrize("value", ["2026/01/14", "三月二日", "01-14", "2026-1-14x", "tomorrow"])
def test_front_matter_bad_date(tmp_path: Path, value: str) -> None:
    _, error = load_with_good(tmp_path, "baddate.md", md(GOOD_FRONT.replace("2026-01-14", value)))
    assert "date" in error.message
    assert value in error.message


@pytest.mark.parametrize(("field", "value"), [("order", "first"), ("page", "第几版")])
def test_front_matter_bad_value(tmp_path: Path, field: str, value: str) -> None:
    _, error = load_with_good(tmp_path, "badvalue.md", md(GOOD_FRONT + f"{field}: {value}\n"))
    assert field in error.message
    assert value in error.message


# --- impossible dates --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("date", ["02-30", "02-31", "04-31", "13-01", "00-10"])
def test_impossible_dump_date(tmp_path: Path, date: str) -> None:
    _, error = load_with_good(tmp_path, "impossible.txt", dump(date=date))
    assert date in error.message
    assert_line(error, 8)


def test_impossible_read_date(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "readdate.txt", dump().replace("2026-01-23", "2026-02-30"))
    assert "2026-02-30" in error.message
    assert_line(error, 2)


def test_impossible_markdown_date(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "impossible.md", md(GOOD_FRONT.replace("2026-01-14", "2026-02-30")))
    assert "2026-02-30" in error.message
    assert "impossible" in error.message


def test_impossible_markdown_date_names_its_line(tmp_path: Path) -> None:
    _, error = load_with_good(tmp_path, "impossible.md", md(GOOD_FRONT.replace("2026-01-14", "2026-02-30")))
    assert_line(error, 3)


# --- several bad files at once ----------------------------------------------------------------------------------


def test_every_bad_file_reported_once(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(dump(title=GOOD_TITLE), encoding="utf-8")
    (src / "empty.txt").write_bytes(b"")
    (src / "photo.txt").write_bytes(png_bytes())
    (src / "impossible.txt").write_text(dump(date="02-30"), encoding="utf-8")
    (src / "yaml.md").write_text(md("paper: 青川晚报\nkicker: a: b\n"), encoding="utf-8")
    archive = open_archive([src])
    assert archive.articles == 1
    assert sorted(Path(e.file).name for e in archive.refused) == ["empty.txt", "impossible.txt", "photo.txt", "yaml.md"]
