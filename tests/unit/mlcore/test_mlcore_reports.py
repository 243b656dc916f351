"""Top errors and confused pairs in the evaluation, and the report files written from them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch import nn

from mlcore.classify.data import ImageFolderSplit
from mlcore.classify.evaluation import (
    TOP_ERRORS,
    classification_metrics,
    confused_pairs,
    evaluate,
    top_errors,
)
from mlcore.classify.report import THUMBNAIL_SIDE, write_classification_report
from mlcore.engines.outputs import judge

CLASSES = ["red", "green", "blue"]
COLOURS = {"red": (220, 20, 20), "green": (20, 220, 20), "blue": (20, 20, 220)}
# val/<true class>/<file stem> -> colour the image is painted (the colour model predicts it)
VAL_IMAGES = {
    ("red", "r1"): "red",
    ("red", "r2"): "green",
    ("red", "r3"): "blue",
    ("green", "g1"): "green",
    ("green", "g2"): "red",
    ("blue", "b1"): "blue",
    ("blue", "b2"): "green",
}
HISTORY = [
    {"epoch": 1.0, "train_loss": 1.1, "val_loss": 1.0, "val_accuracy": 0.4, "lr": 1e-3},
    {"epoch": 2.0, "train_loss": 0.7, "val_loss": 0.8, "val_accuracy": 0.6, "lr": 5e-4},
]


def prediction(label: str, predicted: str, confidence: float, file: str = "") -> dict[str, Any]:
    return {
        "file": file or f"val/{label}/x.png",
        "label": label,
        "predicted": predicted,
        "confidence": confidence,
    }


def test_top_errors_are_only_wrong_ones_most_confident_first() -> None:
    predictions = [
        prediction("a", "a", 0.99),
        prediction("a", "b", 0.40, "low"),
        prediction("b", "a", 0.95, "high"),
        prediction("b", "b", 0.97),
        prediction("c", "a", 0.70, "mid"),
    ]
    errors = top_errors(predictions, k=10)
    assert [e["file"] for e in errors] == ["high", "mid", "low"]
    assert [e["file"] for e in top_errors(predictions, k=2)] == ["high", "mid"]
    assert top_errors([prediction("a", "a", 0.9)], k=5) == []


def test_top_errors_are_copies() -> None:
    predictions = [prediction("a", "b", 0.9)]
    top_errors(predictions, k=1)[0]["thumbnail"] = "error_0"
    assert "thumbnail" not in predictions[0]


def test_confused_pairs_match_a_hand_built_confusion_matrix() -> None:
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    predicted = np.array([0, 1, 1, 2, 1, 0, 1, 1, 1, 1, 2])
    matrix = classification_metrics(labels, predicted, ["a", "b", "c"])["confusion_matrix"]
    assert matrix == [[1, 2, 1], [1, 2, 0], [0, 3, 1]]
    assert confused_pairs(matrix, ["a", "b", "c"], limit=10) == [
        {"true": "c", "predicted": "b", "count": 3},
        {"true": "a", "predicted": "b", "count": 2},
        {"true": "a", "predicted": "c", "count": 1},
        {"true": "b", "predicted": "a", "count": 1},
    ]
    assert len(confused_pairs(matrix, ["a", "b", "c"], limit=2)) == 2
    assert confused_pairs([[4, 0], [0, 3]], ["a", "b"], limit=10) == []


class ColourModel(nn.Module):
    """Logits = mean of each RGB channel, so the dominant colour is the prediction."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return images.mean(dim=(2, 3)) * 8


def to_tensor(image: Image.Image) -> torch.Tensor:
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255).permute(2, 0, 1)


def make_dataset(root: Path) -> Path:
    for (label, stem), colour in VAL_IMAGES.items():
        path = root / "val" / label / f"{stem}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (300, 200), COLOURS[colour]).save(path)
    return root


def run_evaluation(dataset_dir: Path) -> dict[str, Any]:
    split = ImageFolderSplit(dataset_dir, "val", CLASSES, to_tensor)
    return evaluate(ColourModel(), split, CLASSES, batch_size=4, device=torch.device("cpu"))


def test_evaluate_reports_top_errors_and_confused_pairs(tmp_path: Path) -> None:
    evaluation = run_evaluation(make_dataset(tmp_path))
    wrong = {f"val/{label}/{stem}.png" for (label, stem), c in VAL_IMAGES.items() if c != label}
    errors = top_errors(evaluation["predictions"], TOP_ERRORS)
    assert {e["file"] for e in errors} == wrong
    confidences = [e["confidence"] for e in errors]
    assert confidences == sorted(confidences, reverse=True)
    assert all(e["label"] != e["predicted"] for e in errors)
    pairs = {(p["true"], p["predicted"]): p["count"] for p in evaluation["confused_pairs"]}
    assert pairs == {
        ("red", "green"): 1,
        ("red", "blue"): 1,
        ("green", "red"): 1,
        ("blue", "green"): 1,
    }
    json.dumps(evaluation)


def test_report_writes_figures_and_thumbnails(tmp_path: Path) -> None:
    dataset_dir, out_dir = make_dataset(tmp_path / "data"), tmp_path / "out"
    evaluation = run_evaluation(dataset_dir)
    verdict = judge(evaluation, dataset_dir)
    files = write_classification_report(evaluation, HISTORY, dataset_dir, out_dir, verdict, top_k=3)

    assert files == {
        "confusion_matrix": "confusion_matrix.png",
        "training_curves": "training_curves.png",
        "errors": "errors.png",
        "error_0": "errors/00.jpg",
        "error_1": "errors/01.jpg",
        "error_2": "errors/02.jpg",
    }
    for name in ("confusion_matrix", "training_curves", "errors"):
        with Image.open(out_dir / files[name]) as image:
            assert image.format == "PNG" and min(image.size) >= 150
    assert [e["thumbnail"] for e in evaluation["top_errors"]] == ["error_0", "error_1", "error_2"]
    for error in evaluation["top_errors"]:
        with Image.open(out_dir / files[error["thumbnail"]]) as thumbnail:
            assert thumbnail.format == "JPEG"
            assert max(thumbnail.size) == THUMBNAIL_SIDE and thumbnail.size[1] < THUMBNAIL_SIDE
            _, label, stem = Path(error["file"]).with_suffix("").parts
            pixel = np.asarray(thumbnail.convert("RGB"))[5, 5]
            assert np.allclose(pixel, COLOURS[VAL_IMAGES[label, stem]], atol=12)
    assert all("thumbnail" not in p for p in evaluation["predictions"])


def test_report_without_errors_still_has_an_errors_figure(tmp_path: Path) -> None:
    evaluation = {
        "classes": ["a", "b"],
        "confusion_matrix": [[2, 0], [0, 1]],
        "predictions": [prediction("a", "a", 0.9), prediction("b", "b", 0.8)],
    }
    verdict = judge(evaluation, tmp_path)
    files = write_classification_report(evaluation, [], tmp_path, tmp_path / "out", verdict)
    assert set(files) == {"confusion_matrix", "training_curves", "errors"}
    assert evaluation["top_errors"] == []
    assert all((tmp_path / "out" / relative).is_file() for relative in files.values())
