"""Decoding one uploaded image safely and measuring what the health report needs."""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass

import numpy as np
from PIL import Image

from backend.datasets.archive import Entry
from mlcore.package.runtime.predict import to_rgb

MAX_PIXELS = 50_000_000
FORMATS = ("JPEG", "PNG", "BMP", "WEBP", "TIFF", "MPO")  # MPO: multi-picture JPEG from cameras
HASH_SIZE = 8
TINY = 16
THUMB_SIZE = 160
_EXIF_ORIENTATION = 0x0112
_TRANSPOSED = frozenset({5, 6, 7, 8})


@dataclass(frozen=True, slots=True)
class ImageInfo:
    """Facts about one image: upright size, original mode and format, hashes."""

    width: int
    height: int
    mode: str
    format: str
    sha256: str
    dhash: int
    tiny: bytes  # 16x16 greyscale pixels, to confirm near-duplicate candidates


class UnreadableImage(Exception):
    """The file is not an image that can be decoded safely; the message says why."""


def tiny_grey(image: Image.Image) -> bytes:
    return image.convert("L").resize((TINY, TINY), Image.Resampling.BILINEAR).tobytes()


def dhash(image: Image.Image) -> int:
    """64-bit difference hash: robust to resizing and recompression."""
    small = image.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.BILINEAR)
    pixels = np.asarray(small, dtype=np.int16)
    bits = (pixels[:, 1:] > pixels[:, :-1]).flatten()
    return int(np.packbits(bits).view(">u8")[0])


def upright_size(img: Image.Image) -> tuple[int, int]:
    """(width, height) as displayed, after the EXIF orientation."""
    width, height = img.size
    if img.getexif().get(_EXIF_ORIENTATION) in _TRANSPOSED:
        return height, width
    return width, height


def _decode(data: bytes) -> tuple[Image.Image, tuple[int, int], str, str]:
    """Fully decode (so truncation is caught) at reduced size where the codec allows."""
    if not data:
        raise UnreadableImage("empty file")
    with Image.open(io.BytesIO(data), formats=FORMATS) as img:
        width, height = upright_size(img)
        if width * height > MAX_PIXELS:
            raise UnreadableImage(f"{width}x{height} px is over the {MAX_PIXELS:,} pixel limit")
        mode, fmt = img.mode, img.format or "unknown"
        img.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))
        img.load()
        return to_rgb(img), (width, height), mode, fmt


def inspect_image(zf: zipfile.ZipFile, entry: Entry) -> tuple[ImageInfo, Image.Image]:
    """Decode the entry; its facts and a thumbnail-sized RGB copy. Raises UnreadableImage."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            data = zf.read(entry.info)
            rgb, (width, height), mode, fmt = _decode(data)
        except (UnreadableImage, MemoryError):
            raise  # a MemoryError ends the sandboxed ingestion: the data needs more than its limit
        except Exception as exc:  # PIL raises many types for hostile or broken files
            raise UnreadableImage(f"cannot decode: {exc}") from exc
    rgb.thumbnail((THUMB_SIZE, THUMB_SIZE))
    digest = hashlib.sha256(data).hexdigest()
    info = ImageInfo(width, height, mode, fmt, digest, dhash(rgb), tiny_grey(rgb))
    return info, rgb
