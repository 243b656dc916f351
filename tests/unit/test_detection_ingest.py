"""Detection datasets: YOLO and COCO in, one YOLO representation out, hostile labels refused."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from fastapi.testclient import TestClient
from PIL import Image

from backend.datasets.archive import ArchiveLimits
from backend.datasets.coco_export import yolo_split_to_coco
from backend.datasets.errors import DatasetError
from backend.datasets.ingest import IngestResult, ingest_archive
from tests.support.api import API, create_project, new_user, train_body, upload_dataset
from tests.support.paths import shared_dataset
from tests.support.zips import make_zip

Ingest = Callable[[bytes], IngestResult]


@pytest.fixture
def ingest(tmp_path: Path) -> Ingest:
    counter = iter(range(1000))

    def run(data: bytes) -> IngestResult:
        n = next(counter)
        upload = tmp_path / f"upload{n}.zip"
        upload.write_bytes(data)
        return ingest_archive(
            upload, tmp_path / f"out{n}.zip", tmp_path / f"thumbs{n}", ArchiveLimits()
        )

    return run


def coco128_entries(limit: int | None = None) -> dict[str, bytes]:
    """The real COCO128 archive's files (optionally only the first `limit` images per split)."""
    out: dict[str, bytes] = {}
    with zipfile.ZipFile(shared_dataset("coco128.zip")) as zf:
        for name in sorted(zf.namelist()):
            if name.endswith("/"):
                continue
            if limit is not None and "/images/" in name:
                split = name.split("/")[2]
                if sum(1 for k in out if f"/images/{split}/" in k) >= limit:
                    continue
            out[name] = zf.read(name)
    return out


def labels_of(archive: Path) -> dict[str, list[list[float]]]:
    with zipfile.ZipFile(archive) as zf:
        return {
            n: [[float(v) for v in line.split()] for line in zf.read(n).decode().splitlines()]
            for n in zf.namelist()
            if n.startswith("labels/")
        }


def test_yolo_coco128(ingest: Ingest, tmp_path: Path) -> None:
    result = ingest(shared_dataset("coco128.zip").read_bytes())
    assert result.task == "detect" and result.split_source == "given"
    assert result.class_names[:3] == ["person", "bicycle", "car"]
    assert len(result.class_names) == 80 and result.class_names[79] == "toothbrush"
    report = result.report
    assert report["images_per_split"] == {"train": 128, "val": 128}
    assert report["background_images"]["train"] == 2  # two COCO128 images have no label file
    assert report["images_without_label_file"] == 2 and report["empty_label_files"] == 0
    assert sum(report["counts"]["train"].values()) == 929
    assert any(i["code"] == "absent_classes" for i in report["issues"])
    with zipfile.ZipFile(tmp_path / "out0.zip") as zf:
        names = set(zf.namelist())
        assert {"data.yaml", "manifest.json", "images/train/000000000009.jpg"} <= names
        assert "labels/train/000000000250.txt" in names  # background: an empty label file
    thumb = np.asarray(Image.open(result.thumbnails[0]))
    orange = (thumb[..., 0] > 200) & (thumb[..., 1] > 40) & (thumb[..., 1] < 100)
    assert orange.sum() > 20  # boxes are drawn


def test_coco_json_gives_the_same_labels_as_yolo(ingest: Ingest, tmp_path: Path) -> None:
    ingest(shared_dataset("coco128.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "out0.zip") as zf:
        documents = {split: yolo_split_to_coco(zf, split) for split in ("train", "val")}
        images = {n: zf.read(n) for n in zf.namelist() if n.startswith("images/")}
    entries = [
        (f"annotations/instances_{s}.json", json.dumps(d).encode()) for s, d in documents.items()
    ]
    result = ingest(make_zip([*entries, *images.items()]))
    assert result.report["layout"] == "coco" and result.task == "detect"
    yolo, coco = labels_of(tmp_path / "out0.zip"), labels_of(tmp_path / "out1.zip")
    assert yolo.keys() == coco.keys()
    for name, rows in yolo.items():
        np.testing.assert_allclose(coco[name], rows, atol=2e-3, err_msg=name)


def test_normalised_version_follows_the_yolo_contract(ingest: Ingest, tmp_path: Path) -> None:
    """What a YOLO trainer reads: data.yaml names in order, one label file per image."""
    result = ingest(shared_dataset("coco128.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "out0.zip") as zf:
        names = set(zf.namelist())
        config = yaml.safe_load(zf.read("data.yaml"))
        assert [config["names"][i] for i in range(80)] == result.class_names
        for split in ("train", "val"):
            images = [n for n in names if n.startswith(f"images/{split}/")]
            assert len(images) == 128
            for image in images:
                label = image.replace("images/", "labels/", 1).rsplit(".", 1)[0] + ".txt"
                for line in zf.read(label).decode().splitlines():
                    cls, *box = line.split()
                    assert 0 <= int(cls) < 80 and all(0 <= float(v) <= 1 for v in box)


HOSTILE_LABELS = {
    "python tag": (
        "coco128/data.yaml",
        b"names: !!python/object/apply:os.system ['echo pwned']\n",
        "not plain YAML",
    ),
    "class out of range": (
        "coco128/labels/train/000000000009.txt",
        b"80 0.5 0.5 0.1 0.1\n",
        "line 1: class id 80 is out of range 0..79",
    ),
    "negative class": (
        "coco128/labels/train/000000000009.txt",
        b"-1 0.5 0.5 0.1 0.1\n",
        "class id -1 is out of range",
    ),
    "nan": ("coco128/labels/train/000000000009.txt", b"0 0.5 nan 0.1 0.1\n", "NaN or infinite"),
    "garbage": ("coco128/labels/train/000000000009.txt", b"0 0.5 0.5\n", "expected `class cx cy"),
    "names gap": ("coco128/data.yaml", b"names: {0: a, 2: b}\n", "without gaps"),
}


@pytest.mark.parametrize("case", list(HOSTILE_LABELS))
def test_hostile_labels_are_refused(case: str, ingest: Ingest) -> None:
    name, data, message = HOSTILE_LABELS[case]
    files = coco128_entries(limit=4)
    files[name] = data
    with pytest.raises(DatasetError, match=message):
        ingest(make_zip(files.items()))


def test_boxes_outside_the_image_are_clipped_or_dropped(ingest: Ingest) -> None:
    files = coco128_entries(limit=4)
    files["coco128/labels/train/000000000009.txt"] = (
        b"0 0.95 0.5 0.3 0.2\n"  # reaches past the right edge: clipped
        b"0 1.5 0.5 0.2 0.2\n"  # entirely outside: dropped
        b"0 0.5 0.5 0 0.2\n"  # no area: dropped
    )
    result = ingest(make_zip(files.items()))
    messages = " ".join(result.warnings)
    assert "1 box(es) reached outside their image and were clipped" in messages
    assert "2 box(es) had no area" in messages


def test_detection_upload_through_the_api(sqlite_service: Path, client: TestClient) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    files = coco128_entries(limit=6)
    r = upload_dataset(client, headers, project, make_zip(files.items()), "coco")
    assert r.status_code == 201, r.text
    dataset = r.json()
    version = dataset["versions"][0]
    assert dataset["task"] == "detect" and version["report"]["task"] == "detect"

    job = client.post(
        f"{API}/projects/{project}/jobs", json=train_body(version["id"]), headers=headers
    )
    assert job.status_code == 422 and "classify model" in job.json()["detail"]
    search = {"kind": "search", "dataset_version_id": version["id"]}
    job = client.post(f"{API}/projects/{project}/jobs", json=search, headers=headers)
    assert job.status_code == 422 and "architecture search builds image classifiers" in job.text

    coco = client.get(f"{API}/dataset-versions/{version['id']}/coco", headers=headers).json()
    assert len(coco["images"]) == 6 and coco["categories"][0] == {"id": 1, "name": "person"}

    thumbs = version["report"]["thumbnails"]
    first = next(iter(thumbs.values()))[0]
    image = client.get(f"{API}/dataset-versions/{version['id']}/{first}", headers=headers)
    assert image.status_code == 200 and Image.open(io.BytesIO(image.content)).format == "JPEG"

    classification = make_zip(
        (f"{c}/{i}.jpg", files["coco128/images/train/000000000009.jpg"]) for c in "ab" for i in "12"
    )
    mixed = client.post(
        f"{API}/datasets/{dataset['id']}/versions",
        content=classification,
        headers={**headers, "Content-Type": "application/zip"},
    )
    assert mixed.status_code == 422 and "holds detection data" in mixed.json()["detail"]
