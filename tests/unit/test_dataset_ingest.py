"""Ingestion of classification archives: layouts, image formats, hostile input, health report."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from backend.datasets.archive import ArchiveLimits
from backend.datasets.errors import DatasetError
from backend.datasets.ingest import IngestResult, ingest_archive
from tests.support.zips import flower_images, make_zip

Ingest = Callable[..., IngestResult]


@pytest.fixture
def ingest(tmp_path: Path) -> Ingest:
    def run(data: bytes, limits: ArchiveLimits | None = None) -> IngestResult:
        upload = tmp_path / "upload.zip"
        upload.write_bytes(data)
        return ingest_archive(
            upload, tmp_path / "out.zip", tmp_path / "thumbs", limits or ArchiveLimits()
        )

    return run


def encode(image: Image.Image, fmt: str, **kwargs: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **kwargs)
    return buf.getvalue()


def rgb_noise(seed: int, size: tuple[int, int] = (48, 40)) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels)


def two_classes(n: int = 3) -> list[tuple[str, bytes]]:
    images = flower_images(per_class=n, classes=2)
    return [
        (f"{label}/{i}.jpg", data)
        for label, items in images.items()
        for i, data in enumerate(items)
    ]


def stored_names(tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        return zf.namelist()


# --- layouts -------------------------------------------------------------------------------


def test_csv_layout_with_and_without_split(ingest: Ingest, tmp_path: Path) -> None:
    files = two_classes(4)
    rows = "filename,label,split\n" + "".join(
        f"images/{i}.jpg,{name.split('/')[0]},{'val' if i % 4 == 0 else 'train'}\n"
        for i, (name, _data) in enumerate(files)
    )
    archive = [("ds/labels.csv", rows.encode())] + [
        (f"ds/images/{i}.jpg", data) for i, (_name, data) in enumerate(files)
    ]
    result = ingest(make_zip(archive))
    assert result.report["layout"] == "csv" and result.split_source == "given"
    assert sum(result.stats["val"].values()) == 2
    assert all(n.startswith(("train/", "val/", "manifest")) for n in stored_names(tmp_path))

    no_split = (
        "filename,label\n"
        + "".join(f"images/{i}.jpg,{name.split('/')[0]}\n" for i, (name, _d) in enumerate(files))
        + "images/missing.jpg,x\n"
    )
    images = [(f"images/{i}.jpg", data) for i, (_name, data) in enumerate(files)]
    result = ingest(make_zip([("labels.csv", no_split.encode()), *images]))
    assert result.split_source == "generated"
    assert any("missing.jpg" in w for w in result.warnings)


def test_csv_with_a_bad_split_value_is_explained(ingest: Ingest) -> None:
    files = two_classes(2)
    rows = "filename,label,split\n" + "".join(f"{n},{n.split('/')[0]},holdout\n" for n, _ in files)
    with pytest.raises(DatasetError, match="line 2: split 'holdout' is not train or val"):
        ingest(make_zip([("labels.csv", rows.encode()), *files]))


def test_image_formats_and_modes_are_accepted(ingest: Ingest) -> None:
    grey16 = Image.fromarray((np.arange(40 * 48).reshape(40, 48) * 30).astype(np.uint16))
    rgba = rgb_noise(2).convert("RGBA")
    rotated = rgb_noise(3, (60, 30))
    exif = rotated.getexif()
    exif[0x0112] = 6  # rotate 90 degrees on display
    files = {
        "a/png16.png": encode(grey16, "PNG"),
        "a/rgba.png": encode(rgba, "PNG"),
        "a/grey.png": encode(rgb_noise(4).convert("L"), "PNG"),
        "a/img.webp": encode(rgb_noise(7), "WEBP"),
        "b/img.bmp": encode(rgb_noise(5), "BMP"),
        "b/img.tiff": encode(rgb_noise(6), "TIFF"),
        "b/rotated.jpg": encode(rotated, "JPEG", exif=exif),
    }
    result = ingest(make_zip(files.items()))
    assert result.report["unreadable"] == []
    modes = result.report["image_sizes"]["modes"]
    assert {"I;16", "RGBA", "L", "RGB"} <= set(modes)
    assert set(result.report["image_sizes"]["formats"]) == {"PNG", "WEBP", "BMP", "TIFF", "JPEG"}
    assert result.report["image_sizes"]["height"]["max"] == 60  # EXIF rotation applied


# --- hostile and broken input --------------------------------------------------------------


def _raw_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return buf.getvalue()


def _symlink(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info


def _windows_name(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("placeholder")
    info.filename = name  # bypass zipfile's own normalisation, as a hostile tool would
    return info


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "parent traversal": (lambda: make_zip([*two_classes(), ("a/../../evil.jpg", b"x")]), "`..`"),
    "absolute path": (
        lambda: _raw_zip([*two_classes(), (_windows_name("/etc/evil.jpg"), b"x")]),
        "relative paths",
    ),
    "drive letter": (
        lambda: _raw_zip([*two_classes(), (_windows_name("C:evil.jpg"), b"x")]),
        "relative paths",
    ),
    "backslash": (
        lambda: _raw_zip([*two_classes(), (_windows_name("a\\..\\evil.jpg"), b"x")]),
        "relative paths",
    ),
    "symlink": (
        lambda: _raw_zip([*two_classes(), (_symlink("a/link.jpg", "/etc/passwd"), b"/etc/passwd")]),
        "symbolic link",
    ),
    "nested zip": (
        lambda: make_zip([*two_classes(), ("a/inner.zip", make_zip(two_classes()))]),
        "another archive",
    ),
    "high ratio": (
        lambda: make_zip([*two_classes(), ("a/bomb.jpg", b"\0" * 20_000_000)]),
        "zip bomb",
    ),
    "long name": (
        lambda: make_zip([*two_classes(), ("a/" + "n" * 300 + ".jpg", b"x")]),
        "longer than 255 bytes",
    ),
    "empty archive": (lambda: make_zip([]), "empty"),
    "no images": (lambda: make_zip([("a/notes.txt", b"hello")]), "no images"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_archives_are_rejected(case: str, ingest: Ingest, tmp_path: Path) -> None:
    build, message = HOSTILE[case]
    with pytest.raises(DatasetError, match=message):
        ingest(build())
    assert not (tmp_path / "out.zip").exists()
    assert not (tmp_path / "thumbs").exists()
    assert not (tmp_path.parent / "evil.jpg").exists()


def test_too_many_entries_and_bytes(ingest: Ingest) -> None:
    files = two_classes()
    with pytest.raises(DatasetError, match="the limit is 3"):
        ingest(make_zip(files), ArchiveLimits(max_entries=3))
    with pytest.raises(DatasetError, match="unpacks to more than 1000 bytes"):
        ingest(make_zip(files), ArchiveLimits(max_total_bytes=1000))


def test_broken_images_are_listed_and_skipped(ingest: Ingest) -> None:
    good = two_classes(3)
    jpeg = good[0][1]
    bomb = encode(Image.new("1", (10_000, 6_000)), "PNG")  # 60 MP, a few kB compressed
    broken = {
        "a/truncated.jpg": jpeg[: len(jpeg) // 2],
        "a/not_an_image.jpg": b"#!/bin/sh\necho hi\n",
        "a/empty.png": b"",
        "b/bomb.png": bomb,
    }
    result = ingest(make_zip([*good, *broken.items()]))
    reasons = {u["file"]: u["reason"] for u in result.report["unreadable"]}
    assert set(reasons) == set(broken)
    assert "pixel limit" in reasons["b/bomb.png"]
    assert result.stats["images"] == len(good)
    assert any(i["code"] == "unreadable_images" for i in result.report["issues"])


def test_an_archive_of_only_broken_images_says_so(ingest: Ingest) -> None:
    with pytest.raises(DatasetError, match=r"none of the 2 image\(s\) could be read: a/1.jpg"):
        ingest(make_zip([("a/1.jpg", b"junk"), ("b/2.jpg", b"more junk")]))


def test_ten_thousand_tiny_files(ingest: Ingest) -> None:
    tiny = [encode(Image.new("RGB", (2, 2), (i % 256, i // 256 % 256, 7)), "PNG") for i in range(2)]
    entries = [(f"c{i % 2}/{i}.png", tiny[i % 2]) for i in range(10_000)]
    result = ingest(make_zip(entries))
    assert result.stats["images"] == 10_000
    assert result.report["duplicates"]["exact"]  # 4,999 copies of each picture


def test_non_utf8_names_are_read(ingest: Ingest) -> None:
    files = two_classes()
    info = zipfile.ZipInfo("placeholder")
    info.filename = "caf\xe9/1.jpg"  # stored as cp437 bytes, without the UTF-8 flag
    data = _raw_zip([*files, (info, files[0][1]), ("caf\xe9/2.jpg", files[1][1])])
    result = ingest(data)
    assert len(result.class_names) == 3


# --- health report -------------------------------------------------------------------------


def test_duplicates_leakage_and_advice(ingest: Ingest) -> None:
    images = flower_images(per_class=5, classes=2)
    (a, a_imgs), (b, b_imgs) = images.items()
    resized = encode(Image.open(io.BytesIO(a_imgs[0])).resize((150, 150)), "JPEG", quality=80)
    entries = [
        *((f"train/{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)),
        *((f"train/{b}/{i}.jpg", d) for i, d in enumerate(b_imgs[:3])),
        (f"val/{a}/copy.jpg", a_imgs[1]),  # exact copy of a training image
        (f"val/{a}/resized.jpg", resized),  # near copy
        (f"val/{b}/0.jpg", b_imgs[4]),
    ]
    report = ingest(make_zip(entries)).report
    leakage = report["duplicates"]["leakage"]
    assert [f"train/{a}/1.jpg", f"val/{a}/copy.jpg"] in leakage
    assert [f"train/{a}/0.jpg", f"val/{a}/resized.jpg"] in leakage
    codes = {i["code"] for i in report["issues"]}
    assert {"exact_duplicates", "near_duplicates", "train_val_leakage", "small_classes"} <= codes
    assert f"Class `{b}` has 3 training images; 20+ recommended" in " ".join(report["advice"])


def test_generated_split_keeps_copies_together_and_reports_imbalance(
    ingest: Ingest, tmp_path: Path
) -> None:
    images = flower_images(per_class=12, classes=2)
    (a, a_imgs), (b, b_imgs) = images.items()
    entries = [(f"{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    entries += [(f"{a}/copy{i}.jpg", a_imgs[0]) for i in range(3)]
    entries += [(f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs[:3])]
    result = ingest(make_zip(entries))
    names = stored_names(tmp_path)
    copies = [
        n
        for n in names
        if n.endswith(("/0.jpg", "copy0.jpg", "copy1.jpg", "copy2.jpg")) and f"/{a}/" in n
    ]
    assert len({n.split("/")[0] for n in copies}) == 1  # one split for all four copies
    assert result.report["imbalance_ratio"] > 3
    assert any(i["code"] == "class_imbalance" for i in result.report["issues"])
    assert len(result.thumbnails) == 4 + 3


def test_content_hash_ignores_zip_layout(ingest: Ingest) -> None:
    files = two_classes()
    first = ingest(make_zip(files)).content_hash
    wrapped = ingest(make_zip([(f"wrapper/{n}", d) for n, d in reversed(files)])).content_hash
    changed = ingest(make_zip(files[:-1])).content_hash
    assert first == wrapped != changed
