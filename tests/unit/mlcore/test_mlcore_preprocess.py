"""The single-sourced preprocessing, image loading, dataset and metrics."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mlcore.classify.augment import PRESETS
from mlcore.classify.data import ImageFolderSplit, read_classes
from mlcore.classify.evaluation import classification_metrics
from mlcore.classify.transforms import EvalTransform, TrainTransform
from mlcore.contract.train import Augmentation
from mlcore.package.preprocess import IMAGENET_MEAN, IMAGENET_STD, preprocess_spec
from mlcore.package.runtime.predict import find_images, load_image, preprocess

SPEC = preprocess_spec(8)


def test_preprocess_normalises_rgb_to_chw() -> None:
    image = Image.new("RGB", (20, 10), (255, 0, 128))
    x = preprocess(image, SPEC)
    assert x.shape == (3, 8, 8) and x.dtype == np.float32
    rgb = np.array([255, 0, 128]) / 255.0
    expected = (rgb - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    np.testing.assert_allclose(x[:, 4, 4], expected, rtol=1e-5)


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_training_transforms_share_the_package_preprocess(preset: Augmentation) -> None:
    image = Image.new("L", (30, 30), 77)  # grey input is converted to RGB too
    expected = torch.from_numpy(preprocess(image, SPEC))
    assert torch.equal(EvalTransform(SPEC)(image), expected)
    augmented = TrainTransform(8, PRESETS[preset])(image)
    assert augmented.shape == (3, 8, 8) and augmented.dtype == torch.float32
    if preset == "none":
        assert torch.equal(augmented, expected)


def test_load_image_applies_exif_orientation(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    Image.new("RGB", (40, 20), (10, 20, 30)).save(tmp_path / "a.jpg", exif=exif)
    image = load_image(tmp_path / "a.jpg")
    assert image.mode == "RGB" and image.size == (20, 40)


def test_find_images_walks_folders_sorted(tmp_path: Path) -> None:
    for name in ["b/2.PNG", "a/1.jpg", "a/z/3.webp", "notes.txt"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in find_images(tmp_path)]
    assert found == ["a/1.jpg", "a/z/3.webp", "b/2.PNG"]
    assert find_images(tmp_path / "a/1.jpg") == [tmp_path / "a/1.jpg"]


def test_dataset_follows_manifest_order(flowers_dir: Path) -> None:
    classes = read_classes(flowers_dir)
    assert classes == json.loads((flowers_dir / "manifest.json").read_text())["classes"]
    val = ImageFolderSplit(flowers_dir, "val", classes, EvalTransform(preprocess_spec(16)))
    labels = [label for _, label in val.samples]
    assert labels == sorted(labels) and set(labels) == set(range(len(classes)))
    assert all(f.startswith(f"val/{classes[i]}/") for f, i in val.samples)
    image, label = val[0]
    assert image.shape == (3, 16, 16) and label == 0


def test_classification_metrics_by_hand() -> None:
    labels = np.array([0, 0, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0])
    m = classification_metrics(labels, predicted, ["a", "b", "c"])
    assert m["accuracy"] == pytest.approx(3 / 5)
    assert m["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]
    assert m["per_class"]["b"] == pytest.approx(
        {"precision": 2 / 3, "recall": 1.0, "f1": 0.8, "support": 2}
    )
    assert m["per_class"]["c"]["f1"] == 0.0
    assert m["macro_f1"] == pytest.approx((0.5 + 0.8 + 0.0) / 3)
