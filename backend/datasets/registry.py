"""Which layout reads an archive: the first registered one that matches."""

from __future__ import annotations

import zipfile

from backend.datasets.archive import ArchiveListing
from backend.datasets.detection import CocoLayout, YoloLayout
from backend.datasets.errors import DatasetError
from backend.datasets.layouts import CsvLayout, ImageFolderLayout, Layout, LayoutResult

LAYOUTS: list[Layout] = [YoloLayout(), CocoLayout(), CsvLayout(), ImageFolderLayout()]


def read_layout(listing: ArchiveListing, zf: zipfile.ZipFile) -> tuple[str, LayoutResult]:
    """The first registered layout that matches, and what it read."""
    for layout in LAYOUTS:
        if layout.matches(listing, zf):
            return layout.name, layout.read(listing, zf)
    raise DatasetError(
        "the archive holds no images (jpg, jpeg, png, bmp, webp, tif, tiff); put them in "
        "class folders (CLASS/image.jpg), list them in a CSV with filename,label columns, "
        "or give a YOLO (data.yaml, images/, labels/) or COCO (annotations/*.json) dataset"
    )
