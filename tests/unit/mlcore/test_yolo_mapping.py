"""Konstruktor settings onto ultralytics arguments, and ultralytics' numbers back."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlcore.yolo.arguments import AUGMENTATION, not_applied, train_arguments
from mlcore.yolo.history import konstruktor_metrics, read_history
from tests.support.yolo import tiny_config

# isort: split
from ultralytics.cfg import get_cfg
from ultralytics.utils import DEFAULT_CFG_DICT


def arguments(**changes: object) -> dict[str, object]:
    config = tiny_config("yolo11n", **changes)
    return train_arguments(config, "detect", "yolo11n.yaml", "d.yaml", Path("/w/run"), "cpu", None)


@pytest.mark.parametrize("preset", list(AUGMENTATION))
def test_every_preset_is_valid_ultralytics_configuration(preset: str) -> None:
    resolved = get_cfg(overrides=arguments(augmentation=preset))
    assert resolved.optimizer == "AdamW" and resolved.cos_lr is True
    assert (resolved.epochs, resolved.imgsz, resolved.batch, resolved.nbs) == (2, 32, 2, 2)


def test_presets_range_from_nothing_to_ultralytics_defaults() -> None:
    off = AUGMENTATION["none"]
    assert all(not value for value in off.values()), "none must switch every augmentation off"
    assert {k for k, v in DEFAULT_CFG_DICT.items() if k in off and v} >= {
        "mosaic",
        "fliplr",
        "hsv_s",
        "scale",
        "erasing",
        "auto_augment",
    }, "the switched-off keys are ones ultralytics turns on by default"
    for key, value in AUGMENTATION["light"].items():
        default = DEFAULT_CFG_DICT[key]
        assert value is None or value <= default, key
    assert AUGMENTATION["strong"] == {}


def test_patience_learning_rate_and_start_weights() -> None:
    assert arguments()["patience"] == 2  # no early stopping: patience = epochs
    assert arguments(early_stopping_patience=1)["patience"] == 1
    assert arguments(learning_rate=3e-4)["lr0"] == 3e-4
    assert arguments()["pretrained"] is False
    config = tiny_config("yolo11n")
    start = Path("/weights/yolo11n.pt")
    args = train_arguments(config, "detect", "yolo11n.yaml", "d", Path("/w/run"), "0", start)
    assert args["pretrained"] == str(start)
    assert (args["project"], args["name"], args["device"], args["amp"]) == ("/w", "run", "0", True)


def test_class_balance_and_label_smoothing() -> None:
    balanced = tiny_config("yolo11n", class_balance="loss_weights", label_smoothing=0.0)
    assert arguments(class_balance="loss_weights")["cls_pw"] == 1.0
    assert not_applied(balanced, "detect") == []
    assert not_applied(balanced, "classify") == ["class_balance"]
    assert not_applied(tiny_config("yolo11n", label_smoothing=0.1), "detect") == ["label_smoothing"]


def test_metrics_are_renamed_and_losses_summed() -> None:
    raw = {
        "train/box_loss": 1.0,
        "train/cls_loss": 2.0,
        "val/box_loss": 0.5,
        "metrics/mAP50(B)": 0.4,
        "metrics/mAP50-95(B)": 0.2,
        "lr/pg0": 0.01,
        "lr/pg2": 0.1,
    }
    assert konstruktor_metrics(raw) == {
        "train_box_loss": 1.0,
        "train_cls_loss": 2.0,
        "val_box_loss": 0.5,
        "map50": 0.4,
        "map50_95": 0.2,
        "lr": 0.01,
        "train_loss": 3.0,
        "val_loss": 0.5,
    }


def test_history_keeps_the_last_row_of_a_repeated_epoch(tmp_path: Path) -> None:
    csv = tmp_path / "results.csv"
    csv.write_text(
        "epoch,time,train/loss,metrics/accuracy_top1,val/loss,lr/pg0\n"
        "1,0.1,2.0,0.3,1.9,0.001\n"
        "2,0.2,1.5,0.4,1.7,0.001\n"
        "2,0.3,1.4,0.5,1.6,0.001\n",
        encoding="utf-8",
    )
    history = read_history(csv)
    assert [row["epoch"] for row in history] == [1.0, 2.0]
    assert history[1] == {
        "epoch": 2.0,
        "train_loss": 1.4,
        "val_accuracy": 0.5,
        "val_loss": 1.6,
        "lr": 0.001,
    }
    assert read_history(tmp_path / "absent.csv") == []
