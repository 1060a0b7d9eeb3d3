"""exporter.images at scale: a JPEG that goes in unchanged is read from its header, never decoded; a cut or
damaged one is still refused with one line."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from exporter.images import MAX_PIXELS, ImageProblem, prepare


def noisy_jpeg(path: Path, size: tuple[int, int] = (640, 400), **options: object) -> bytes:
    Image.effect_noise(size, 40).convert("RGB").save(path, "JPEG", quality=90, **options)
    return path.read_bytes()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every pixel decode Pillow does (ImageFile.load reads and decodes the whole image)."""
    seen: list[str] = []
    real = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        seen.append(self.format or "?")
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_plain_jpeg_is_not_decoded(tmp_path: Path, decodes: list[str]) -> None:
    data = noisy_jpeg(tmp_path / "a.jpg")
    prepared = prepare(str(tmp_path / "a.jpg"), MAX_PIXELS)
    assert prepared.data == data and (prepared.width, prepared.height) == (640, 400)
    assert decodes == []


def test_a_jpeg_that_must_change_is_decoded(tmp_path: Path, decodes: list[str]) -> None:
    noisy_jpeg(tmp_path / "p.jpg", progressive=True)  # Old Kindles fail on progressive JPEGs: re-encoded.
    prepared = prepare(str(tmp_path / "p.jpg"), MAX_PIXELS)
    assert "JPEG" in decodes  # load() runs again on the loaded image (a no-op): count once or more.
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert not out.info.get("progressive")


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="half"),
        pytest.param(lambda d: d[:-2], id="no-end-marker"),
        pytest.param(lambda d: d[:400], id="inside-the-tables"),
        pytest.param(lambda d: d[:2] + b"\xff\xdb\xff\xff" + d[6:], id="segment-length-past-the-end"),
    ],
)
def test_cut_or_damaged_jpeg_is_refused_in_one_line(tmp_path: Path, cut: object) -> None:
    good = noisy_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(cut(good))  # type: ignore[operator]
    with pytest.raises(ImageProblem) as caught:
        prepare(str(bad), MAX_PIXELS)
    message = str(caught.value)
    assert str(bad) in message and "\n" not in message
    assert message.endswith("not embedded")
