"""The majority-class baseline verdict: where it is computed, and what the README and the
report show for a model that learnt nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from mlcore.contract.verdict import Verdict, classification_verdict, detection_verdict
from mlcore.engines.outputs import VERDICT, judge, run_metrics
from mlcore.package.notices import WeightsOrigin
from mlcore.package.plots import package_report_png, training_curves_png, warning_text
from mlcore.package.readme import ReadmeFacts, render_readme

CLASSES = ["ants", "bees"]
ONE_CLASS = [[5, 0], [5, 0]]  # answers "ants" for every image
GOOD = [[5, 0], [1, 4]]


def test_a_model_answering_one_class_is_flagged() -> None:
    verdict = classification_verdict(ONE_CLASS, CLASSES, train_counts=[12, 10])
    assert not verdict.better
    assert (verdict.score, verdict.baseline, verdict.baseline_class) == (0.5, 0.5, "ants")
    assert verdict.predicted_classes == 1
    assert "answers 'ants' for every validation image" in verdict.reason


def test_a_model_clearly_better_than_the_baseline_is_not_flagged() -> None:
    verdict = classification_verdict(GOOD, CLASSES, train_counts=[12, 10])
    assert verdict.better and verdict.score == 0.9 and verdict.predicted_classes == 2
    assert verdict.required == pytest.approx(0.6)


def test_the_baseline_is_the_most_frequent_training_class_scored_on_val() -> None:
    # bees dominate training; on val always answering bees scores 3/10
    confusion = [[6, 1], [2, 1]]
    verdict = classification_verdict(confusion, CLASSES, train_counts=[3, 30])
    assert verdict.baseline_class == "bees" and verdict.baseline == pytest.approx(0.3)
    # 70 % accuracy with two classes answered closes far more than a fifth of the gap
    assert verdict.better


def test_a_model_barely_above_the_baseline_is_not_clearly_better() -> None:
    confusion = [[50, 0], [45, 5]]  # 55 %, baseline 50 %: needs 60 %
    verdict = classification_verdict(confusion, CLASSES, train_counts=[10, 10])
    assert not verdict.better and "not clearly better" in verdict.reason


def test_detectors_are_judged_against_finding_nothing() -> None:
    assert not detection_verdict(0.0, found_boxes=False).better
    assert not detection_verdict(0.01, found_boxes=True).better
    assert detection_verdict(0.4, found_boxes=True).better


def test_judge_counts_the_training_classes_and_records_the_verdict(tmp_path: Path) -> None:
    for name, count in (("ants", 2), ("bees", 5)):
        folder = tmp_path / "train" / name
        folder.mkdir(parents=True)
        for index in range(count):
            Image.new("RGB", (4, 4)).save(folder / f"{index}.png")
    evaluation: dict[str, Any] = {"classes": CLASSES, "confusion_matrix": ONE_CLASS}
    verdict = judge(evaluation, tmp_path)
    assert verdict.baseline_class == "bees" and not verdict.better
    assert Verdict.model_validate(evaluation[VERDICT]) == verdict
    metrics = run_metrics({"accuracy": 0.5}, [{"epoch": 1}], 1, verdict)
    assert metrics["baseline_accuracy"] == 0.5 and metrics["better_than_baseline"] == 0.0
    detect = {"map50": 0.0, "precision": 0.0, "recall": 0.0}
    assert judge(detect, tmp_path).reason == "the model finds no objects on the validation images"


SPEC = {"task": "classify", "input_size": 64, "opset": 17, "steps": []}
PARITY = {
    "min_fp32_agreement": 0.995,
    "images": 10,
    "formats": {"onnx_int8": {"file": None, "error": "skipped", "quantization": None}},
}
FACTS = ReadmeFacts(
    "tiny classifier", "Trained by a test.", CLASSES, "- accuracy: 0.5", "x;", WeightsOrigin()
)


def test_the_readme_of_a_degenerate_model_says_so_first() -> None:
    verdict = classification_verdict(ONE_CLASS, CLASSES, [12, 10])
    readme = render_readme(FACTS, SPEC, PARITY, "EXAMPLE", verdict)
    head = readme.split("Trained by a test.")[0]
    assert "**Warning: this model is no better than a trivial baseline" in head
    assert "The model answers 'ants' for every validation image" in head
    assert "- compared with the baseline: the model answers 'ants'" in readme


def test_the_readme_of_a_good_model_has_no_warning() -> None:
    verdict = classification_verdict(GOOD, CLASSES, [12, 10])
    readme = render_readme(FACTS, SPEC, PARITY, "EXAMPLE", verdict)
    assert "Warning" not in readme and readme.index("# tiny") < readme.index("Trained by")
    assert "- compared with the baseline: accuracy 90.0%" in readme


def red_rows(path: Path) -> int:
    """Rows of the image that are mostly the warning banner's red."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    red = (pixels[..., 0] > 150) & (pixels[..., 1] < 80) & (pixels[..., 2] < 80)
    return int((red.mean(axis=1) > 0.5).sum())


def test_report_png_carries_a_warning_banner_only_for_a_degenerate_model(tmp_path: Path) -> None:
    history = [{"epoch": 1.0, "val_accuracy": 0.5}, {"epoch": 2.0, "val_accuracy": 0.5}]
    bad = classification_verdict(ONE_CLASS, CLASSES, [12, 10])
    good = classification_verdict(GOOD, CLASSES, [12, 10])
    assert warning_text(good) is None
    for name, verdict in (("bad", bad), ("good", good)):
        curves = tmp_path / f"{name}_curves.png"
        training_curves_png(history, curves, verdict)
        package_report_png([curves], tmp_path / f"{name}.png", warning_text(verdict))
    assert red_rows(tmp_path / "bad.png") > 10
    assert red_rows(tmp_path / "good.png") == 0
    with Image.open(tmp_path / "bad.png") as bad_png, Image.open(tmp_path / "good.png") as ok:
        assert bad_png.height > ok.height
