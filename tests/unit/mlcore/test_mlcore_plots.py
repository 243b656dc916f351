"""The report figures are valid, non-blank PNGs of sane size, whatever the input's shape."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mlcore.package.plots import (
    confusion_matrix_png,
    error_gallery_png,
    pr_curve_png,
    training_curves_png,
)

MAX_SIDE = 2500


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) of a PNG that decodes, is of sane size and is not a blank canvas."""
    with Image.open(path) as image:
        assert image.format == "PNG"
        image.load()
        width, height = image.size
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert 200 <= width <= MAX_SIDE and 150 <= height <= MAX_SIDE, (width, height)
    assert colours is not None and len(colours) > 10, "blank image"
    return width, height


def classifier_history(epochs: int) -> list[dict[str, float]]:
    return [
        {
            "epoch": float(e),
            "train_loss": 2.0 / e,
            "val_loss": 2.2 / e,
            "val_accuracy": 1 - 1 / (e + 1),
            "lr": 1e-3 * 0.9**e,
        }
        for e in range(1, epochs + 1)
    ]


@pytest.mark.parametrize("epochs", [1, 60])
def test_training_curves_with_one_or_many_epochs(tmp_path: Path, epochs: int) -> None:
    path = tmp_path / "curves.png"
    training_curves_png(classifier_history(epochs), path)
    png_size(path)


def test_training_curves_get_a_learning_rate_panel_only_when_logged(tmp_path: Path) -> None:
    with_lr, without_lr = tmp_path / "lr.png", tmp_path / "no_lr.png"
    history = classifier_history(5)
    training_curves_png(history, with_lr)
    training_curves_png(
        [{k: v for k, v in row.items() if k != "lr"} for row in history], without_lr
    )
    assert png_size(with_lr)[0] > png_size(without_lr)[0] * 1.3


def test_training_curves_tolerate_missing_keys_and_detection_metrics(tmp_path: Path) -> None:
    history = [
        {"epoch": 1.0, "box_loss": 1.5, "cls_loss": 2.0},
        {"epoch": 2.0, "box_loss": 1.2, "map50": 0.4, "map50_95": 0.2, "lr/pg0": 0.01},
        {"box_loss": 1.0, "dfl_loss": 0.9, "map50": float("nan")},
    ]
    path = tmp_path / "curves.png"
    training_curves_png(history, path)
    png_size(path)


def test_training_curves_without_history_still_write_a_png(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "curves.png"
    training_curves_png([], path)
    with Image.open(path) as image:
        assert image.format == "PNG"


def confusion(n: int, seed: int = 0) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    matrix = rng.integers(0, 4, (n, n)) + 20 * np.eye(n, dtype=np.int64)
    return [[int(v) for v in row] for row in matrix]


@pytest.mark.parametrize("n", [1, 5, 40, 70])
def test_confusion_matrix_sizes(tmp_path: Path, n: int) -> None:
    path = tmp_path / "cm.png"
    confusion_matrix_png(confusion(n), [f"class_{i:02d}" for i in range(n)], path)
    png_size(path)


def test_confusion_matrix_grows_with_the_class_count(tmp_path: Path) -> None:
    small, large = tmp_path / "small.png", tmp_path / "large.png"
    confusion_matrix_png(confusion(3), ["a", "b", "c"], small)
    confusion_matrix_png(confusion(40), [f"c{i}" for i in range(40)], large)
    assert png_size(large)[0] > 2 * png_size(small)[0]


def test_confusion_matrix_with_an_empty_row(tmp_path: Path) -> None:
    path = tmp_path / "cm.png"
    confusion_matrix_png([[3, 1], [0, 0]], ["seen", "unseen"], path)
    png_size(path)


def test_confusion_matrix_must_match_the_classes(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        confusion_matrix_png([[1, 2], [3, 4]], ["a", "b", "c"], tmp_path / "cm.png")


def test_pr_curves_for_many_classes_with_unsorted_points(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    curves = {}
    for i in range(15):
        recall = rng.permutation(np.linspace(0, 1, 12))
        curves[f"class_{i}"] = (recall.tolist(), (1 - recall * rng.random()).tolist())
    path = tmp_path / "pr.png"
    pr_curve_png(curves, path)
    png_size(path)


def test_pr_curves_without_points_still_write_a_png(tmp_path: Path) -> None:
    path = tmp_path / "pr.png"
    pr_curve_png({"empty": ([], [])}, path)
    with Image.open(path) as image:
        assert image.format == "PNG"


def test_error_gallery_lays_thumbnails_out_in_rows(tmp_path: Path) -> None:
    items = [
        (Image.new("RGB", (64 + 10 * i, 48), (30 * i, 120, 200)), f"cat → dog (0.{90 - i})")
        for i in range(7)
    ]
    one_row, two_rows = tmp_path / "one.png", tmp_path / "two.png"
    error_gallery_png(items[:4], one_row)
    error_gallery_png(items, two_rows)
    (width_one, height_one), (width_two, height_two) = png_size(one_row), png_size(two_rows)
    assert width_one == width_two and height_two > 1.5 * height_one


def test_error_gallery_without_errors_still_writes_a_png(tmp_path: Path) -> None:
    path = tmp_path / "errors.png"
    error_gallery_png([], path)
    with Image.open(path) as image:
        assert image.format == "PNG"
