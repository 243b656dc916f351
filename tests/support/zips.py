"""Build small dataset archives from the real flowers images for tests."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from tests.support.paths import shared_dataset


def flower_images(
    split: str = "train", per_class: int = 3, classes: int = 3
) -> dict[str, list[bytes]]:
    """Real JPEG bytes: `per_class` images for the first `classes` flower classes."""
    out: dict[str, list[bytes]] = {}
    with zipfile.ZipFile(shared_dataset("flowers12_fewshot.zip")) as zf:
        for name in sorted(zf.namelist()):
            parts = name.split("/")
            if len(parts) != 4 or parts[1] != split or not parts[3]:
                continue
            label = parts[2]
            if label not in out and len(out) == classes:
                continue
            images = out.setdefault(label, [])
            if len(images) < per_class:
                images.append(zf.read(name))
    return out


def make_zip(entries: Iterable[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            if name.endswith("/"):
                zf.writestr(zipfile.ZipInfo(name), b"")
            else:
                zf.writestr(name, data)
    return buf.getvalue()


def class_folder_zip(images: dict[str, list[bytes]], prefix: str = "") -> bytes:
    return make_zip(
        (f"{prefix}{label}/img_{i}.jpg", data)
        for label, items in images.items()
        for i, data in enumerate(items)
    )
