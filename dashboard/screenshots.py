"""Screenshots behind heatmaps: one PNG or JPEG per site, page and device class, under
`<data dir>/screenshots/<site>/<device>-<hash of the page path>`.

Nothing the uploader sends is trusted: the type comes from the file's first bytes (not its name
or Content-Type), the size is capped, the dimensions must parse, and the file is named by a hash
of the page path — never by the uploaded name — so no path can escape the folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 5 * 1024 * 1024
DEVICE_CLASSES = ("mobile", "tablet", "desktop")
MAX_SIDE = 30000  # pixels; taller is not a page anyone scrolls
PNG = "image/png"
JPEG = "image/jpeg"
_SITE_FOLDER = re.compile(r"^[a-z0-9][a-z0-9.-]{0,252}$")
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_JPEG_MAGIC = b"\xff\xd8\xff"
# JPEG start-of-frame markers (baseline, progressive, …) carry the image size; C4, C8 and CC do not.
_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})


class ScreenshotError(ValueError):
    """Not an image we keep; `reason` is one of: empty, too_big, bad_type, bad_image."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Image:
    data: bytes
    content_type: str
    width: int
    height: int


def content_type(data: bytes) -> str | None:
    if data.startswith(_PNG_MAGIC):
        return PNG
    if data.startswith(_JPEG_MAGIC):
        return JPEG
    return None


def _png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 24 or data[12:16] != b"IHDR":
        raise ScreenshotError("bad_image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _jpeg_size(data: bytes) -> tuple[int, int]:
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            raise ScreenshotError("bad_image")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in _SOF and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return int(width), int(height)
        position += 2 + length
    raise ScreenshotError("bad_image")


def checked(data: bytes) -> Image:
    """The upload as an Image, or ScreenshotError saying why not."""
    if not data:
        raise ScreenshotError("empty")
    if len(data) > MAX_BYTES:
        raise ScreenshotError("too_big")
    kind = content_type(data)
    if kind is None:
        raise ScreenshotError("bad_type")
    width, height = _png_size(data) if kind == PNG else _jpeg_size(data)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ScreenshotError("bad_image")
    return Image(data, kind, width, height)


def _file(data_dir: Path, site_id: str, page: str, device: str) -> Path:
    if device not in DEVICE_CLASSES:
        raise ValueError(f"unknown device class {device!r}")
    digest = hashlib.sha256(f"{device}\n{page}".encode()).hexdigest()[:40]
    # Site ids are validated hostnames; anything else (never expected) gets a hashed folder.
    folder = site_id if _SITE_FOLDER.match(site_id) else hashlib.sha256(site_id.encode()).hexdigest()[:16]
    return data_dir / "screenshots" / folder / f"{device}-{digest}"


def save(data_dir: Path, site_id: str, page: str, device: str, image: Image) -> None:
    """Write atomically: a reader sees the old screenshot or the new one, never half of one."""
    target = _file(data_dir, site_id, page, device)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_bytes(image.data)
    os.replace(partial, target)


def load(data_dir: Path, site_id: str, page: str, device: str) -> Image | None:
    target = _file(data_dir, site_id, page, device)
    try:
        return checked(target.read_bytes())
    except (FileNotFoundError, ScreenshotError):
        return None


def delete(data_dir: Path, site_id: str, page: str, device: str) -> None:
    _file(data_dir, site_id, page, device).unlink(missing_ok=True)
