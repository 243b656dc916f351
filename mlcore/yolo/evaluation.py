"""Evaluation of a trained YOLO model on the val split, in Konstruktor's report shapes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mlcore.classify.evaluation import CONFUSED_PAIRS, classification_metrics, confused_pairs
from mlcore.package.runtime.predict import IMAGE_EXTENSIONS
from mlcore.yolo import offline  # noqa: F401  (configures ultralytics before its import)

# isort: split
from ultralytics import YOLO

PR_POINTS = 101  # recall grid of the stored precision-recall curves
EPSILON = 1e-12


def val_samples(dataset_dir: Path, classes: list[str]) -> list[tuple[str, int]]:
    """(path relative to dataset_dir, class index) of every val image, class by class."""
    return [
        (path.relative_to(dataset_dir).as_posix(), index)
        for index, name in enumerate(classes)
        for path in sorted((dataset_dir / "val" / name).glob("*"))
        if path.suffix.lower() in IMAGE_EXTENSIONS and path.is_file()
    ]


def classify_val_images(dataset_dir: Path, classes: list[str]) -> tuple[list[Path], list[int]]:
    """Every val image and its class index."""
    samples = val_samples(dataset_dir, classes)
    return [dataset_dir / file for file, _ in samples], [label for _, label in samples]


def detect_val_images(dataset_dir: Path, classes: list[str]) -> tuple[list[Path], None]:
    """Every image of the normalised detection layout's images/val (no labels needed)."""
    found = sorted((dataset_dir / "images" / "val").glob("*"))
    return [p for p in found if p.suffix.lower() in IMAGE_EXTENSIONS and p.is_file()], None


VAL_IMAGES: dict[str, Callable[[Path, list[str]], tuple[list[Path], list[int] | None]]] = {
    "classify": classify_val_images,
    "detect": detect_val_images,
}


def evaluate_classifier(
    weights: Path, dataset_dir: Path, image_size: int, batch: int, device: str
) -> dict[str, Any]:
    """Metrics, val_loss and one prediction per val image, via ultralytics' own predictor."""
    model = YOLO(str(weights))
    classes = [str(model.names[i]) for i in range(len(model.names))]
    samples = val_samples(dataset_dir, classes)
    results: Any = model.predict(  # ultralytics Results, one per image
        [str(dataset_dir / file) for file, _ in samples],
        imgsz=image_size,
        batch=batch,
        device=device,
        stream=True,
        verbose=False,
    )
    probs = np.stack([result.probs.data.float().cpu().numpy() for result in results])
    labels = np.array([label for _, label in samples])
    predicted, confidence = probs.argmax(axis=1), probs.max(axis=1)
    report = classification_metrics(labels, predicted, classes)
    true_probs = np.clip(probs[np.arange(len(labels)), labels], EPSILON, None)
    report["val_loss"] = float(-np.log(true_probs).mean())
    report["classes"] = classes
    report["predictions"] = [
        {
            "file": file,
            "label": classes[label],
            "predicted": classes[int(pred)],
            "confidence": float(conf),
        }
        for (file, label), pred, conf in zip(samples, predicted, confidence, strict=True)
    ]
    report["confused_pairs"] = confused_pairs(report["confusion_matrix"], classes, CONFUSED_PAIRS)
    return report


NO_VALIDATION_BOXES = (
    "the validation images have no boxes, so mAP, precision and recall cannot be measured "
    "(they read 0); add labelled validation images"
)


def evaluate_detector(
    weights: Path, data: str, image_size: int, batch: int, device: str, save_dir: Path
) -> dict[str, Any]:
    """mAP, precision, recall, per-class AP and PR curves from ultralytics' validator."""
    metrics = YOLO(str(weights)).val(
        data=data,
        split="val",
        imgsz=image_size,
        batch=batch,
        device=device,
        plots=False,
        verbose=False,
        project=str(save_dir.parent),
        name=save_dir.name,
        exist_ok=True,
    )
    box, names = metrics.box, metrics.names
    grid = np.linspace(0.0, 1.0, PR_POINTS)
    present = [(row, int(index), names[int(index)]) for row, index in enumerate(box.ap_class_index)]
    instances = metrics.nt_per_class if metrics.nt_per_class is not None else np.zeros(len(names))
    warnings = [] if instances.sum() else [NO_VALIDATION_BOXES]
    return {
        "warnings": warnings,
        "classes": [names[i] for i in range(len(names))],
        "map50": float(box.map50),
        "map50_95": float(box.map),
        "precision": float(box.mp),
        "recall": float(box.mr),
        "instances": int(instances.sum()),
        "per_class": {
            name: {
                "ap50": float(box.ap50[row]),
                "ap50_95": float(box.ap[row]),
                "precision": float(box.p[row]),
                "recall": float(box.r[row]),
                "instances": int(instances[index]),
            }
            for row, index, name in present
        },
        "pr_curves": {
            name: {
                "recall": grid.tolist(),
                "precision": np.interp(grid, box.px, box.prec_values[row]).tolist(),
            }
            for row, _, name in present
        },
    }
