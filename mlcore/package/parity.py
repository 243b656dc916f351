"""Export parity: each packaged format's predictions against the PyTorch model's, per task."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import numpy as np

from mlcore.package.export import ExportMismatch
from mlcore.package.runtime.predict import (
    Detections,
    box_iou,
    detect,
    softmax,
    xywh_to_xyxy,
)

Runner = Callable[[np.ndarray], np.ndarray]  # NCHW float32 batch -> network output
Batch = tuple[np.ndarray, np.ndarray | None]  # inputs, class labels (classification only)
FP32_FORMATS = ("onnx", "torchscript")
MIN_FP32_AGREEMENT = 0.995
INT8_FORMATS = ("onnx_int8",)
MIN_INT8_AGREEMENT = 0.98  # an INT8 format ships only with this top-1 (or box) agreement
MAX_INT8_ACCURACY_DROP = 0.01  # and, where labels measure it, at most this accuracy lost
TOP1_MARGIN = 1e-4  # PyTorch top-2 gaps below this are ties: either answer agrees
DETECT_CONF = 0.001  # every box an mAP evaluation counts (ultralytics' val threshold)
MATCH_IOU = 0.5
SCORE_MARGIN = 1e-4  # a box this close to a cut-off may fall either side of it


class ClassifyParity:
    """Top-1 agreement (near-ties agree), max logit/probability differences, accuracy drop."""

    settings: ClassVar[dict[str, Any]] = {"top1_tie_margin": TOP1_MARGIN}

    def __init__(self, spec: dict[str, Any]) -> None:
        self.reference: list[np.ndarray] = []
        self.outputs: list[np.ndarray] = []
        self.labels: list[np.ndarray] = []

    def add(self, reference: np.ndarray, outputs: np.ndarray, labels: np.ndarray | None) -> None:
        assert labels is not None, "classification parity needs the images' labels"
        self.reference.append(reference)
        self.outputs.append(outputs)
        self.labels.append(labels)

    def result(self) -> dict[str, Any]:
        reference, outputs = np.concatenate(self.reference), np.concatenate(self.outputs)
        labels = np.concatenate(self.labels)
        top2 = np.sort(reference, axis=1)[:, -2:]
        tie = (top2[:, 1] - top2[:, 0]) < TOP1_MARGIN
        agree = tie | (outputs.argmax(1) == reference.argmax(1))
        correct = int((outputs.argmax(1) == labels).sum())
        lost = int((reference.argmax(1) == labels).sum()) - correct
        return {
            "agreement": float(agree.mean()),
            "max_abs_logit_diff": float(np.abs(outputs - reference).max()),
            "max_abs_prob_diff": float(np.abs(softmax(outputs) - softmax(reference)).max()),
            "accuracy": correct / len(labels),
            "accuracy_drop": lost / len(labels),  # one division: 20 of 2000 is exactly 0.01
        }


def _borderline(score: float, cut_off: float) -> bool:
    return score <= cut_off + SCORE_MARGIN


def _cut_off(found: Detections, max_detections: int) -> float:
    """The score below which a box may be missing: the threshold, or the last kept if full."""
    full = len(found.scores) >= max_detections
    return float(found.scores[-1]) if full else DETECT_CONF


def match_detections(
    reference: Detections, exported: Detections, max_detections: int
) -> dict[str, int]:
    """Each side's own boxes after NMS: greedy same-class matching at IoU >= 0.5, best first.

    Unmatched boxes scored at a cut-off (threshold or the max_detections-th box) are excused.
    """
    free = np.ones(len(exported.scores), dtype=bool)
    matched = missed = 0
    for box, score, cls in zip(reference.boxes, reference.scores, reference.classes, strict=True):
        candidates = np.flatnonzero(free & (exported.classes == cls))
        overlaps = box_iou(box, exported.boxes[candidates]) if candidates.size else np.zeros(0)
        if overlaps.size and overlaps.max() >= MATCH_IOU:
            free[candidates[int(overlaps.argmax())]] = False
            matched += 1
        elif not _borderline(float(score), _cut_off(exported, max_detections)):
            missed += 1
    cut_off = _cut_off(reference, max_detections)
    extra = sum(not _borderline(float(s), cut_off) for s in exported.scores[free])
    return {"matched": matched, "missed": missed, "extra": extra}


def aligned_iou(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """IoU of first[i] with second[i] (xyxy rows)."""
    left_top = np.maximum(first[:, :2], second[:, :2])
    right_bottom = np.minimum(first[:, 2:], second[:, 2:])
    inter = np.prod(np.clip(right_bottom - left_top, 0, None), axis=1)
    areas = np.prod(first[:, 2:] - first[:, :2], axis=1) + np.prod(second[:, 2:] - second[:, :2], 1)
    return np.asarray(inter / np.maximum(areas - inter, 1e-12))


class DetectParity:
    """PyTorch's boxes after NMS (conf 0.001) vs the export's output at the same anchors.

    A box agrees when the export gives its anchor the same class (or PyTorch's top two classes
    tie) and a box with IoU >= 0.5. The export's own NMS is compared too (`after_nms`): there
    near-equal overlapping boxes may swap, so it is reported, not enforced.
    """

    settings: ClassVar[dict[str, Any]] = {
        "conf": DETECT_CONF,
        "match_iou": MATCH_IOU,
        "score_margin": SCORE_MARGIN,
    }

    def __init__(self, spec: dict[str, Any]) -> None:
        self.nms = spec["nms"]
        self.limit = int(spec["nms"]["max_detections"])
        self.agree = 0
        self.ious: list[np.ndarray] = []
        self.diffs: list[np.ndarray] = []
        self.after_nms = {"matched": 0, "missed": 0, "extra": 0}
        self.max_output_diff = 0.0

    def _boxes(self, output: np.ndarray) -> Detections:
        return detect(output, DETECT_CONF, self.nms["iou"], self.limit)

    def _compare_anchors(
        self, found: Detections, reference: np.ndarray, output: np.ndarray
    ) -> None:
        columns = output[:, found.anchors]
        scores = columns[4:]
        top2 = np.sort(reference[4:, found.anchors], axis=0)[-2:]
        tie = (top2[1] - top2[0]) < SCORE_MARGIN
        ious = aligned_iou(found.boxes, xywh_to_xyxy(columns[:4]))
        same_class = tie | (scores.argmax(axis=0) == found.classes)
        self.agree += int((same_class & (ious >= MATCH_IOU)).sum())
        self.ious.append(ious)
        self.diffs.append(np.abs(scores.max(axis=0) - found.scores))

    def add(self, reference: np.ndarray, outputs: np.ndarray, labels: np.ndarray | None) -> None:
        self.max_output_diff = max(self.max_output_diff, float(np.abs(outputs - reference).max()))
        for ref, out in zip(reference, outputs, strict=True):
            found = self._boxes(ref)
            self._compare_anchors(found, ref, out)
            for key, count in match_detections(found, self._boxes(out), self.limit).items():
                self.after_nms[key] += count

    def result(self) -> dict[str, Any]:
        ious, diffs = np.concatenate(self.ious), np.concatenate(self.diffs)
        return {
            "agreement": self.agree / len(ious) if len(ious) else 1.0,
            "boxes": len(ious),
            "mean_iou": float(ious.mean()) if len(ious) else None,
            "min_iou": float(ious.min()) if len(ious) else None,
            "max_abs_score_diff": float(diffs.max()) if len(diffs) else 0.0,
            "max_abs_output_diff": self.max_output_diff,
            "after_nms": dict(self.after_nms),
        }


COMPARISONS: dict[str, type[ClassifyParity] | type[DetectParity]] = {
    "classify": ClassifyParity,
    "detect": DetectParity,
}


def measure_parity(
    spec: dict[str, Any], reference: Runner, runners: dict[str, Runner], batches: Iterable[Batch]
) -> dict[str, Any]:
    """Every runner's outputs vs `reference` (PyTorch) on all `batches`, compared per task."""
    comparison = COMPARISONS[spec["task"]]
    compared = {name: comparison(spec) for name in runners}
    images, correct, labelled = 0, 0, False
    for inputs, labels in batches:
        expected = reference(inputs).astype(np.float64)
        for name, run in runners.items():
            compared[name].add(expected, run(inputs).astype(np.float64), labels)
        images += len(inputs)
        if labels is not None:
            labelled = True
            correct += int((expected.argmax(1) == labels).sum())
    parity: dict[str, Any] = {
        "images": images,
        "reference": "pytorch",
        "min_fp32_agreement": MIN_FP32_AGREEMENT,
        "min_int8_agreement": MIN_INT8_AGREEMENT,
        "max_int8_accuracy_drop": MAX_INT8_ACCURACY_DROP,
        **comparison.settings,
    }
    if labelled:
        parity["pytorch_accuracy"] = correct / images
    parity["formats"] = {name: entry.result() for name, entry in compared.items()}
    return parity


def check_fp32_parity(parity: dict[str, Any]) -> None:
    """Raise ExportMismatch if an fp32 format agrees with PyTorch on < 99.5 % of predictions."""
    failed = [
        f"{name}: agreement {m['agreement']:.4f} < {MIN_FP32_AGREEMENT} over "
        f"{parity['images']} images ({m})"
        for name, m in parity["formats"].items()
        if name in FP32_FORMATS and m["agreement"] < MIN_FP32_AGREEMENT
    ]
    if failed:
        raise ExportMismatch("; ".join(failed))


def int8_gate(measured: dict[str, Any]) -> str | None:
    """Why an INT8 format must not ship, or None when it may: its agreement with PyTorch
    (top-1 for classifiers, boxes for detectors) below MIN_INT8_AGREEMENT, or its accuracy
    drop, where labels measure one, above MAX_INT8_ACCURACY_DROP. The reason gives both."""
    agreement, drop = measured["agreement"], measured.get("accuracy_drop")
    if agreement >= MIN_INT8_AGREEMENT and (drop is None or drop <= MAX_INT8_ACCURACY_DROP):
        return None
    reasons = [f"agreement with PyTorch {agreement:.2%} (needs >= {MIN_INT8_AGREEMENT:.0%})"]
    if drop is not None:
        reasons.append(
            f"accuracy drop {drop * 100:.2f} points (allowed <= {MAX_INT8_ACCURACY_DROP * 100:g})"
        )
    return ", ".join(reasons)
