"""YOLO -> COCO: a stored detection version's split as a COCO instances document.

The other direction (COCO -> YOLO) happens at upload (`detection.CocoLayout`), so both
formats meet in one representation.
"""

from __future__ import annotations

import zipfile
from pathlib import PurePosixPath
from typing import Any

import yaml
from PIL import Image

from backend.datasets.images import upright_size


def yolo_split_to_coco(zf: zipfile.ZipFile, split: str) -> dict[str, Any]:
    """COCO `images`, `annotations` (pixel xywh boxes) and `categories` (ids 1..n)."""
    names: dict[int, str] = yaml.safe_load(zf.read("data.yaml"))["names"]
    categories = [{"id": i + 1, "name": names[i]} for i in sorted(names)]
    images: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    prefix = f"images/{split}/"
    for image_id, name in enumerate(sorted(n for n in zf.namelist() if n.startswith(prefix)), 1):
        with zf.open(name) as stream, Image.open(stream) as img:
            width, height = upright_size(img)
        rel = name.removeprefix(prefix)
        images.append({"id": image_id, "file_name": rel, "width": width, "height": height})
        label = f"labels/{split}/{PurePosixPath(rel).with_suffix('.txt').as_posix()}"
        for line in zf.read(label).decode().splitlines():
            cls, cx, cy, w, h = (float(v) for v in line.split())
            box = [(cx - w / 2) * width, (cy - h / 2) * height, w * width, h * height]
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(cls) + 1,
                    "bbox": [round(v, 3) for v in box],
                    "area": round(box[2] * box[3], 3),
                    "iscrowd": 0,
                }
            )
    return {"images": images, "annotations": annotations, "categories": categories}
