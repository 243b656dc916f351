"""A classification model's readable report: confusion matrix, training curves, top errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image

from mlcore.classify.evaluation import TOP_ERRORS, top_errors
from mlcore.contract.verdict import Verdict
from mlcore.package.plots import confusion_matrix_png, error_gallery_png, training_curves_png
from mlcore.package.runtime.predict import load_image

THUMBNAIL_SIDE = 128
GALLERY_SIDE = 256
JPEG_QUALITY = 85
FIGURES = {
    "confusion_matrix": "confusion_matrix.png",
    "training_curves": "training_curves.png",
    "errors": "errors.png",
}


def shrunk(image: Image.Image, side: int) -> Image.Image:
    """A copy of `image` fitting in side x side, aspect ratio kept."""
    copy = image.copy()
    copy.thumbnail((side, side))
    return copy


def caption(error: dict[str, Any]) -> str:
    """Gallery caption: "true → predicted (confidence)"."""
    return f"{error['label']} → {error['predicted']} ({error['confidence']:.2f})"


def write_error_thumbnails(
    errors: list[dict[str, Any]], dataset_dir: Path, out_dir: Path
) -> tuple[dict[str, str], list[tuple[Image.Image, str]]]:
    """errors/NN.jpg per error (named in its "thumbnail"): (artifact names, gallery items)."""
    (out_dir / "errors").mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    gallery: list[tuple[Image.Image, str]] = []
    for index, error in enumerate(errors):
        image = load_image(dataset_dir / error["file"])
        name, relative = f"error_{index}", f"errors/{index:02d}.jpg"
        shrunk(image, THUMBNAIL_SIDE).save(out_dir / relative, "JPEG", quality=JPEG_QUALITY)
        error["thumbnail"] = name
        files[name] = relative
        gallery.append((shrunk(image, GALLERY_SIDE), caption(error)))
    return files, gallery


def write_classification_report(
    evaluation: dict[str, Any],
    history: list[dict[str, float]],
    dataset_dir: Path,
    out_dir: Path,
    verdict: Verdict,
    top_k: int = TOP_ERRORS,
) -> dict[str, str]:
    """Write the report's figures and thumbnails (the training curves with the verdict's
    baseline and its warning); return artifact name -> path in out_dir.

    Sets `evaluation["top_errors"]` to the `top_k` most confident wrong predictions, each
    with "thumbnail": the artifact name of its JPEG (e.g. "error_0" -> "errors/00.jpg").
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    evaluation["top_errors"] = top_errors(evaluation["predictions"], top_k)
    thumbnails, gallery = write_error_thumbnails(evaluation["top_errors"], dataset_dir, out_dir)
    confusion_matrix_png(
        evaluation["confusion_matrix"], evaluation["classes"], out_dir / FIGURES["confusion_matrix"]
    )
    training_curves_png(history, out_dir / FIGURES["training_curves"], verdict)
    error_gallery_png(gallery, out_dir / FIGURES["errors"])
    return {**FIGURES, **thumbnails}
