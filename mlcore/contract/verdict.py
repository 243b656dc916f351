"""Whether a trained model is clearly better than one that learnt nothing (torch-free).

Classification: the baseline is the validation accuracy of always answering the most
frequent *training* class (what a model that learnt nothing but the class counts scores).
"Clearly better" means the model answers more than one class on the validation images and
closes at least `GAP_SHARE` of the gap between the baseline and a perfect score.
Detection: the baseline is a detector that finds nothing (mAP50 0); "clearly better" means
it finds boxes and reaches an mAP50 of at least `DETECT_FLOOR`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

GAP_SHARE = 0.2  # classify: share of the baseline-to-perfect gap a model must close
DETECT_FLOOR = 0.05  # detect: the least mAP50 that counts as having learnt to find objects


class Verdict(BaseModel):
    """A model against the majority-class baseline, with the reason in plain words."""

    better: bool = Field(description="whether the model is clearly better than the baseline")
    metric: Literal["accuracy", "map50"] = Field(description="what is compared")
    score: float = Field(description="the model's value of `metric` on the validation split")
    baseline: float = Field(
        description="classify: val accuracy of always answering the most frequent training "
        "class; detect: 0 (a detector that finds nothing)"
    )
    baseline_class: str | None = Field(None, description="the most frequent training class")
    required: float = Field(description="the least score counted as clearly better")
    predicted_classes: int | None = Field(
        None, description="classify: how many classes the model answered on the val images"
    )
    reason: str


def _percent(value: float) -> str:
    return f"{value:.1%}"


def classification_verdict(
    confusion: list[list[int]], classes: list[str], train_counts: list[int]
) -> Verdict:
    """The verdict from the val confusion matrix (rows true, columns predicted) and the
    number of training images per class (ties: the first class in order)."""
    total = sum(map(sum, confusion))
    hits = sum(confusion[i][i] for i in range(len(classes)))
    answered = [c for c in range(len(classes)) if any(row[c] for row in confusion)]
    majority = max(range(len(classes)), key=lambda c: (train_counts[c], -c))
    baseline = sum(confusion[majority]) / max(total, 1)
    accuracy = hits / max(total, 1)
    required = baseline + GAP_SHARE * (1.0 - baseline)
    name = classes[majority]
    always = f"always answering {name!r} (the most frequent training class) scores "
    if len(answered) <= 1:
        only = classes[answered[0]] if answered else "nothing"
        reason = (
            f"the model answers {only!r} for every validation image: it has not learnt to "
            f"tell the classes apart ({always}{_percent(baseline)})"
        )
    elif accuracy < required or accuracy <= baseline:
        reason = (
            f"accuracy {_percent(accuracy)} is not clearly better than {always}"
            f"{_percent(baseline)}; clearly better needs {_percent(required)}"
        )
    else:
        reason = f"accuracy {_percent(accuracy)}; {always}{_percent(baseline)}"
    return Verdict(
        better=len(answered) > 1 and accuracy >= required and accuracy > baseline,
        metric="accuracy",
        score=accuracy,
        baseline=baseline,
        baseline_class=name,
        required=required,
        predicted_classes=len(answered),
        reason=reason,
    )


def detection_verdict(map50: float, found_boxes: bool) -> Verdict:
    """The verdict of a detector: its val mAP50 and whether it found any box."""
    if not found_boxes:
        reason = "the model finds no objects on the validation images"
    elif map50 < DETECT_FLOOR:
        reason = (
            f"mAP50 {_percent(map50)} is under {_percent(DETECT_FLOOR)}: the model has not "
            "learnt to find the objects"
        )
    else:
        reason = f"mAP50 {_percent(map50)}; a detector that finds nothing scores 0 %"
    return Verdict(
        better=found_boxes and map50 >= DETECT_FLOOR,
        metric="map50",
        score=map50,
        baseline=0.0,
        required=DETECT_FLOOR,
        reason=reason,
    )
