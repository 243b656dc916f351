"""Archives that once slipped through review: each is refused clearly or stored right."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from backend.datasets.archive import ArchiveLimits
from backend.datasets.errors import DatasetError
from backend.datasets.ingest import IngestResult, ingest_archive
from mlcore.classify.data import ImageFolderSplit
from mlcore.classify.transforms import EvalTransform
from mlcore.package.preprocess import preprocess_spec
from storage.files import safe_extract
from tests.support.zips import flower_images, make_zip

Ingest = Callable[[bytes], IngestResult]
SPEC = preprocess_spec(32)


@pytest.fixture
def ingest(tmp_path: Path) -> Ingest:
    def run(data: bytes) -> IngestResult:
        (tmp_path / "upload.zip").write_bytes(data)
        return ingest_archive(
            tmp_path / "upload.zip", tmp_path / "out.zip", tmp_path / "thumbs", ArchiveLimits()
        )

    return run


def images(n: int = 3, classes: int = 2) -> list[tuple[str, list[bytes]]]:
    return list(flower_images(per_class=n, classes=classes).items())


def trainer_counts(tmp_path: Path, result: IngestResult) -> dict[str, int]:
    """How many images mlcore's own loader finds in the stored version, per split."""
    root = safe_extract(tmp_path / "out.zip", tmp_path / "extracted")
    return {
        split: len(ImageFolderSplit(root, split, result.class_names, EvalTransform(SPEC)))
        for split in ("train", "val")
    }


def test_nested_folders_and_colliding_names_all_reach_the_trainer(
    ingest: Ingest, tmp_path: Path
) -> None:
    (a, a_imgs), (b, b_imgs) = images(4)
    entries = [
        (f"{a}/sub/x.jpg", a_imgs[0]),
        (f"{a}/other/x.jpg", a_imgs[1]),  # same file name, other folder
        (f"{a}/x.png", a_imgs[2]),  # same stem, other extension
        (f"{a}/y.jpg", a_imgs[3]),
        *((f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)),
    ]
    result = ingest(make_zip(entries))
    stored = sum(sum(result.stats[s].values()) for s in ("train", "val"))
    assert stored == 8
    assert sum(trainer_counts(tmp_path, result).values()) == 8


def test_csv_images_in_a_subfolder_reach_the_trainer(ingest: Ingest, tmp_path: Path) -> None:
    (a, a_imgs), (b, b_imgs) = images(3)
    files = [(f"pics/{a}{i}.jpg", d, a) for i, d in enumerate(a_imgs)]
    files += [(f"pics/{b}{i}.jpg", d, b) for i, d in enumerate(b_imgs)]
    table = "filename,label\n" + "".join(f"{n},{label}\n" for n, _d, label in files)
    result = ingest(make_zip([("labels.csv", table.encode()), *((n, d) for n, d, _l in files)]))
    assert sum(trainer_counts(tmp_path, result).values()) == 6


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        ([("a/0.jpg", b"1"), ("a/0.jpg", b"2")], "twice"),
        ([("a/0.jpg", b"1"), ("a/./0.jpg", b"2")], "twice"),
        ([("labels.csv", b"filename,label\nx.jpg,..\n"), ("x.jpg", b"1")], "invalid class"),
        ([("labels.csv", b"filename,label\nx.jpg,a/b\n"), ("x.jpg", b"1")], "invalid class"),
        ([("labels.csv", b"filename,label\nx.jpg,a\nx.jpg,b\n"), ("x.jpg", b"1")], "twice"),
        ([("train/images/0.jpg", b"1"), ("train/labels/0.txt", b"")], "YOLO export"),
    ],
)
def test_ambiguous_archives_are_refused(
    entries: list[tuple[str, bytes]], message: str, ingest: Ingest
) -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        for name, content in entries:
            info = zipfile.ZipInfo("x")
            info.filename = name  # keep `./` and repeats, as other zip tools write them
            zf.writestr(info, content)
    with pytest.raises(DatasetError, match=message):
        ingest(data.getvalue())


def test_loose_top_level_files_do_not_hide_the_wrapper(ingest: Ingest) -> None:
    (a, a_imgs), (b, b_imgs) = images()
    entries = [("README.txt", b"read me")]
    entries += [(f"wrap/{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    entries += [(f"wrap/{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)]
    assert ingest(make_zip(entries)).class_names == sorted([a, b])


def test_a_class_named_images_beside_a_yaml_is_still_imagefolder(ingest: Ingest) -> None:
    (_a, a_imgs), (b, b_imgs) = images()
    entries = [("notes.yaml", b"x: 1\n")]
    entries += [(f"images/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    entries += [(f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)]
    result = ingest(make_zip(entries))
    assert result.task == "classify" and "images" in result.class_names


def test_every_leaked_copy_is_counted(ingest: Ingest) -> None:
    (a, a_imgs), (b, b_imgs) = images(4)
    rows = [("a.jpg", "val"), ("b.jpg", "val"), ("c.jpg", "train")]
    table = "filename,label,split\n" + "".join(f"{n},{a},{s}\n" for n, s in rows)
    table += "".join(f"{b}{i}.jpg,{b},{'val' if i == 0 else 'train'}\n" for i in range(4))
    table += f"{a}1.jpg,{a},train\n"
    entries = [("labels.csv", table.encode())] + [(n, a_imgs[0]) for n, _s in rows]
    entries += [(f"{b}{i}.jpg", d) for i, d in enumerate(b_imgs)] + [(f"{a}1.jpg", a_imgs[1])]
    leakage = ingest(make_zip(entries)).report["duplicates"]["leakage"]
    assert sorted(v for _t, v in leakage) == ["a.jpg", "b.jpg"]


def test_cp866_names_from_windows_zips(ingest: Ingest) -> None:
    """Windows' zip writes Cyrillic names in cp866 without the UTF-8 flag."""
    (_a, a_imgs), (_b, b_imgs) = images()
    classes = {"кошка": a_imgs, "собака": b_imgs}
    placeholders = {name: chr(ord("p") + i) * len(name) for i, name in enumerate(classes)}
    entries = [
        (f"{placeholders[c]}/{i}.jpg", d)
        for c, items in classes.items()
        for i, d in enumerate(items)
    ]
    data = make_zip(entries)
    for name, placeholder in placeholders.items():  # same length, so offsets stay valid
        data = data.replace(f"{placeholder}/".encode(), f"{name}/".encode("cp866"))
    assert ingest(data).class_names == ["кошка", "собака"]


def test_other_formats_behind_image_extensions_are_skipped(ingest: Ingest) -> None:
    (a, a_imgs), (b, b_imgs) = images()
    gif = io.BytesIO()
    Image.new("RGB", (8, 8)).save(gif, "GIF")
    entries = [(f"{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    entries += [(f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)] + [
        (f"{b}/fake.jpg", gif.getvalue())
    ]
    result = ingest(make_zip(entries))
    assert [u["file"] for u in result.report["unreadable"]] == [f"{b}/fake.jpg"]


def test_a_damaged_entry_is_listed_not_a_crash(ingest: Ingest) -> None:
    (a, a_imgs), (b, b_imgs) = images()
    entries = [(f"{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    entries += [(f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)]
    stored = io.BytesIO()
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as zf:
        for name, content in entries:
            zf.writestr(name, content)
    raw = bytearray(stored.getvalue())
    raw[raw.index(a_imgs[0][200:216])] ^= 0xFF  # flip a byte inside one stored image: bad CRC
    result = ingest(bytes(raw))
    assert len(result.report["unreadable"]) == 1


COCO_BAD: dict[str, dict[str, object]] = {
    "bbox of 3": {"bbox": [1, 2, 3]},
    "bbox null": {"bbox": "x"},
    "string id": {"image_id": [1]},
}


@pytest.mark.parametrize("case", list(COCO_BAD))
def test_malformed_coco_is_explained(case: str, ingest: Ingest) -> None:
    (_a, a_imgs), _b = images(1)
    doc = {
        "images": [{"id": 1, "file_name": "0.jpg", "width": 224, "height": 224}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], **COCO_BAD[case]}
        ],
        "categories": [{"id": 1, "name": "flower"}],
    }
    entries = [
        ("annotations/instances_train.json", json.dumps(doc).encode()),
        ("images/0.jpg", a_imgs[0]),
    ]
    with pytest.raises(DatasetError, match="is not a COCO instances file"):
        ingest(make_zip(entries))


def test_coco_sizes_that_disagree_with_the_image_are_reported(ingest: Ingest) -> None:
    (_a, a_imgs), _b = images(2)  # 224x224 photos
    doc = {
        "images": [
            {"id": i, "file_name": f"{i}.jpg", "width": 448 if i else 224, "height": 224}
            for i in range(2)
        ],
        "annotations": [
            {"id": i, "image_id": i, "category_id": 1, "bbox": [10, 10, 50, 50]} for i in range(2)
        ],
        "categories": [{"id": 1, "name": "flower"}],
    }
    entries = [("annotations/instances.json", json.dumps(doc).encode())]
    entries += [(f"images/{i}.jpg", d) for i, d in enumerate(a_imgs)]
    warnings = " ".join(ingest(make_zip(entries)).warnings)
    assert "1 image(s) differ in size from their annotation record" in warnings
    assert "images/1.jpg" in warnings


def test_yaml_aliases_are_refused(ingest: Ingest) -> None:
    bomb = b'a: &a ["x","x"]\nb: &b [*a,*a]\nnames: [*b,*b]\n'
    entries = [
        ("data.yaml", bomb),
        ("images/train/0.jpg", images(1)[0][1][0]),
        ("labels/train/0.txt", b""),
    ]
    with pytest.raises(DatasetError, match="aliases"):
        ingest(make_zip(entries))
