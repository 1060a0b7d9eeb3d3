"""Prepare photos for books: formats e-readers accept, bounded size, no metadata."""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from exporter.model import Figure, Notice

if TYPE_CHECKING:
    from PIL import Image

MAX_PIXELS = 2_000_000  # E-readers choke on huge photos; above this we downscale.
PRINT_MAX_PIXELS = 12_000_000  # Print keeps ≥ 300 dpi for a full A4 width photo.
BOMB_PIXELS = 90_000_000  # Pillow's own guard is ~89 MP; refuse clearly instead of a traceback.
MAX_IMAGE_BYTES = 64 * 1024 * 1024  # A bigger file is no newspaper photo; never read it whole.
KEPT_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png")}


class ImageProblem(Exception):
    """A photo that cannot go into the book; its caption stays, the message becomes a warning."""


@dataclass(frozen=True, slots=True)
class PreparedImage:
    """A photo ready to embed: converted, bounded, without metadata."""

    data: bytes
    media_type: str
    extension: str
    width: int
    height: int

    @property
    def name(self) -> str:
        """Return a content-addressed file name: the same photo twice is stored once."""
        return f"{hashlib.sha1(self.data).hexdigest()[:16]}.{self.extension}"


def prepare(path: str, max_pixels: int = MAX_PIXELS) -> PreparedImage:
    """Return the photo ready to embed, or raise ImageProblem saying why it cannot be."""
    import stat as kinds

    file = Path(path)
    try:
        stat = file.stat()
    except OSError as exc:
        raise ImageProblem(f"missing image {path}: {exc.strerror}") from None
    if not kinds.S_ISREG(stat.st_mode):  # /dev/zero, a FIFO: never opened (a JSON may name anything).
        raise ImageProblem(f"image {path} is not a regular file: not embedded")
    if stat.st_size > MAX_IMAGE_BYTES:
        raise ImageProblem(f"image {path} is {stat.st_size >> 20} MiB, over the {MAX_IMAGE_BYTES >> 20} MiB limit")
    return _prepare(str(file), stat.st_mtime_ns, stat.st_size, max_pixels)


@lru_cache(maxsize=24)  # A photo met again in a volume; small: print-profile photos are megabytes each.
def _prepare(path: str, mtime_ns: int, size: int, max_pixels: int) -> PreparedImage:
    from exporter.sources.decoding import NotRegular, TooLarge, read_regular

    try:  # Checked again on the open file: it may have been swapped for a FIFO or grown since the stat.
        raw = read_regular(path, MAX_IMAGE_BYTES)
    except (NotRegular, TooLarge) as exc:
        raise ImageProblem(f"image {path}: {exc}: not embedded") from None
    except OSError as exc:
        raise ImageProblem(f"missing image {path}: {exc.strerror or exc}") from None
    if (as_is := _plain_jpeg_size(raw, max_pixels)) and (data := _without_metadata(raw)) is not None:
        # Its own compressed data, read from the header: neither decoded (a fifth of an EPUB's time for 30
        # photos) nor Pillow imported. A cut file has no end marker: None above, and it is refused below.
        return PreparedImage(data, *KEPT_FORMATS["JPEG"], *as_is)

    if _cut_in_scan(raw):  # libjpeg decodes some of these whole or not, by where the last bits fall.
        raise ImageProblem(f"image {path} is cut short (it ends inside its compressed data): not embedded")
    from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError  # Photos to convert need Pillow.

    Image.MAX_IMAGE_PIXELS = BOMB_PIXELS
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # WeasyPrint turns it on at import: a cut photo would pass half grey.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as opened:
                if opened.width * opened.height > BOMB_PIXELS:
                    raise ImageProblem(
                        f"image {path} is {opened.width}×{opened.height} pixels, over the "
                        f"{BOMB_PIXELS // 1_000_000} MP limit (decompression bomb?): not embedded"
                    )
                opened.load()
                image = ImageOps.exif_transpose(opened)
                source_format = opened.format or ""
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageProblem(f"image {path} is too large to decode safely (decompression bomb?): not embedded") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise ImageProblem(f"image {path} is unreadable or corrupt ({type(exc).__name__}): not embedded") from None

    if image.width * image.height > max_pixels:
        scale = (max_pixels / (image.width * image.height)) ** 0.5
        image = image.resize(
            (max(1, int(image.width * scale)), max(1, int(image.height * scale))), Image.Resampling.LANCZOS
        )

    keep_png = source_format in ("PNG", "GIF") and (image.mode in ("RGBA", "LA", "P") or source_format == "GIF")
    out = io.BytesIO()
    if keep_png:
        # Transparency and line art survive as PNG; saving fresh drops text chunks and EXIF.
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        media_type, extension = KEPT_FORMATS["PNG"]
    else:
        if image.mode not in ("RGB", "L"):
            image = _flatten(image)
        # A fresh JPEG carries no EXIF/XMP/ICC: nothing of the camera or the photographer's machine.
        image.save(out, "JPEG", quality=85, optimize=True, progressive=False)
        media_type, extension = KEPT_FORMATS["JPEG"]
    return PreparedImage(out.getvalue(), media_type, extension, image.width, image.height)


def _plain_jpeg_size(data: bytes, max_pixels: int) -> tuple[int, int] | None:
    """Return (width, height) of a JPEG that can go in as it is, read from its header: baseline (old
    Kindles fail on progressive ones), 8-bit grey or colour, upright (no EXIF or XMP rotation to
    apply), at most max_pixels. None for any other: Pillow then opens it."""
    if data[:2] != b"\xff\xd8":
        return None
    position, size, upright = 2, None, True
    while True:
        while data[position : position + 2] == b"\xff\xff":  # Fill bytes before a marker.
            position += 1
        if data[position : position + 1] != b"\xff" or position + 4 > len(data):
            return None
        marker = data[position + 1]
        if marker == 0xDA:  # Start of scan: the header is over.
            break
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        if length < 2 or position + 2 + length > len(data):
            return None
        payload = data[position + 4 : position + 2 + length]
        if marker in (0xC0, 0xC1):  # Baseline or extended sequential, Huffman-coded.
            if len(payload) < 6 or payload[0] != 8 or payload[5] not in (1, 3):
                return None
            size = (int.from_bytes(payload[3:5], "big"), int.from_bytes(payload[1:3], "big"))
        elif 0xC2 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # Progressive, lossless, arithmetic.
            return None
        elif marker == 0xE1 and payload[:6] == b"Exif\x00\x00":
            upright = upright and _exif_orientation(payload[6:]) == 1
        elif marker == 0xE1 and b"Orientation" in payload:  # XMP's tiff:Orientation, which Pillow also obeys.
            upright = False
        position += 2 + length
    if size is None or not upright or 0 in size or size[0] * size[1] > max_pixels:
        return None
    return size


def _exif_orientation(tiff: bytes) -> int | None:
    """Return the Orientation of an EXIF block's first directory (1 when absent), None if it is malformed."""
    orders: dict[bytes, Literal["little", "big"]] = {b"II": "little", b"MM": "big"}
    order = orders.get(tiff[:2])
    if order is None or len(tiff) < 8:
        return None
    directory = int.from_bytes(tiff[4:8], order)
    entries = int.from_bytes(tiff[directory : directory + 2], order)
    for n in range(entries):
        entry = tiff[directory + 2 + 12 * n : directory + 14 + 12 * n]
        if len(entry) < 12:
            return None
        if int.from_bytes(entry[:2], order) == 0x0112:
            return int.from_bytes(entry[8:10], order)  # A SHORT: the value's first half.
    return 1


# Table and frame segments a baseline decoder needs; APP0 and APP14 are kept only in their standard
# forms (JFIF without thumbnail, Adobe colour transform); the rest (EXIF, XMP, ICC, IPTC, comments,
# maker notes, thumbnails) is cut.
_TABLES = {0xDB, 0xC4, 0xDD, 0xC0, 0xC1}  # DQT, DHT, DRI, SOF0, SOF1.


def _without_metadata(data: bytes) -> bytes | None:
    """Return a baseline JPEG with only what a decoder needs, up to its end marker; None if its
    structure is not the plain one expected (the photo is then encoded afresh)."""
    if data[:2] != b"\xff\xd8":
        return None
    out = [b"\xff\xd8"]
    position = 2
    while True:
        while data[position : position + 2] == b"\xff\xff":  # Fill bytes before a marker.
            position += 1
        if data[position : position + 1] != b"\xff" or position + 2 > len(data):
            return None
        marker = data[position + 1]
        if marker == 0xD9:  # End of image: anything after it is dropped.
            out.append(b"\xff\xd9")
            return b"".join(out)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return None
        payload = data[position + 4 : end]
        if marker in _TABLES:
            out.append(data[position:end])
        elif marker == 0xDA:  # Start of scan: its header, then the entropy-coded data up to the next marker.
            scan_end = _entropy_end(data, end)
            if scan_end is None:
                return None
            out.append(data[position:scan_end])
            position = scan_end
            continue
        elif marker == 0xE0 and payload[:5] == b"JFIF\x00" and len(payload) >= 14:
            out.append(b"\xff\xe0\x00\x10" + payload[:12] + b"\x00\x00")  # No thumbnail.
        elif marker == 0xEE and payload[:5] == b"Adobe" and len(payload) >= 12:
            out.append(b"\xff\xee\x00\x0e" + payload[:12])  # Version, flags, colour transform.
        elif not (0xE0 <= marker <= 0xEF or marker == 0xFE):  # Not metadata: a structure not handled here.
            return None
        position = end


def _cut_in_scan(data: bytes) -> bool:
    """Say whether a JPEG ends inside a scan's compressed data, with no end marker after it."""
    if data[:2] != b"\xff\xd8":
        return False
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in (0xD9, 0xFF) or 0xD0 <= marker <= 0xD7:
            return False  # The end, fill bytes or a stray restart: structure for the decoder to judge.
        end = position + 2 + int.from_bytes(data[position + 2 : position + 4], "big")
        if marker == 0xDA:
            scan_end = _entropy_end(data, end)
            if scan_end is None:
                return True
            end = scan_end
        position = end
    return False


def _entropy_end(data: bytes, position: int) -> int | None:
    """Return where a scan's entropy-coded data ends: at the first marker that is neither a stuffed
    0xFF00 nor a restart marker."""
    while (position := data.find(b"\xff", position)) >= 0 and position + 1 < len(data):
        following = data[position + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            position += 2
        else:
            return position
    return None


def _flatten(image: Image.Image) -> Image.Image:
    """Put transparent or CMYK/16-bit images on white RGB, as JPEG needs."""
    from PIL import Image

    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """Where a template finds a photo, and its size for the img element."""

    href: str
    width: int
    height: int


def embed(
    figures: Iterable[Figure], max_pixels: int, href: Callable[[PreparedImage], str], notices: list[Notice]
) -> tuple[dict[str, ImageRef], dict[str, PreparedImage]]:
    """Prepare each photo once: source path → reference, and file name → prepared photo (stored once).

    A photo that cannot be embedded keeps its caption; the warning names it.
    """
    refs: dict[str, ImageRef] = {}
    stored: dict[str, PreparedImage] = {}
    for figure in figures:
        if not figure.image or figure.image in refs:
            continue
        try:
            prepared = prepare(figure.image, max_pixels)
        except ImageProblem as exc:
            notices.append(Notice(figure.origin, f"{exc}; caption kept"))
            continue
        stored.setdefault(prepared.name, prepared)
        refs[figure.image] = ImageRef(href(prepared), prepared.width, prepared.height)
    return refs, stored
