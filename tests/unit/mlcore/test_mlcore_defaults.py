"""Defaults chosen from the data, and the user's values always winning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlcore.contract.catalog import get_model_info
from mlcore.contract.job import JobRejected
from mlcore.contract.profile import DataProfile
from mlcore.contract.train import TrainParams, choose_start, default_image_size, resolve
from mlcore.contract.weights import WeightsStatus
from mlcore.engines.data_profile import profile_folder

B0 = get_model_info("efficientnet_b0")
YOLO = get_model_info("yolo11n")
RESNET18 = get_model_info("resnet18")


def profile(**overrides: object) -> DataProfile:
    base: dict[str, object] = {
        "task": "classify",
        "train_images": 240,
        "classes": 12,
        "imbalance_ratio": 1.0,
        "median_side": 224,
    }
    return DataProfile(**{**base, **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("side", "expected"), [(32, 96), (150, 160), (224, 224), (4000, 224), (0, 224)]
)
def test_image_size_follows_the_data_within_the_models_range(side: int, expected: int) -> None:
    assert default_image_size(B0, profile(median_side=side)) == expected


def test_few_shot_data_gets_strong_augmentation_and_more_epochs() -> None:
    few = resolve(TrainParams(model="efficientnet_b0"), B0, profile())
    many = resolve(TrainParams(model="efficientnet_b0"), B0, profile(train_images=50_000))
    assert (few.augmentation, many.augmentation) == ("strong", "light")
    assert few.epochs > many.epochs
    assert few.early_stopping_patience is None  # from scratch: the schedule runs to its end
    assert few.warmup_epochs == pytest.approx(few.epochs * 0.1)


def test_publisher_weights_fine_tune_shorter_and_gentler_own_models_on_the_scratch_schedule() -> (
    None
):
    scratch = resolve(TrainParams(model="efficientnet_b0"), B0, profile())
    tuned = resolve(TrainParams(model="efficientnet_b0", pretrained=True), B0, profile())
    transfer = resolve(TrainParams(model="efficientnet_b0", init_model_id="m1"), B0, profile())
    assert tuned.epochs < scratch.epochs and tuned.learning_rate < scratch.learning_rate
    assert (tuned.epochs, tuned.early_stopping_patience) == (20, 5)
    schedule = ("epochs", "learning_rate", "warmup_epochs", "early_stopping_patience")
    assert [getattr(transfer, k) for k in schedule] == [getattr(scratch, k) for k in schedule]
    assert "earlier model" in transfer.reasons["epochs"]


def test_imbalance_weights_the_loss_for_classifiers_only() -> None:
    skewed = profile(imbalance_ratio=10.0)
    assert resolve(TrainParams(model="efficientnet_b0"), B0, skewed).class_balance == "loss_weights"
    detector = resolve(
        TrainParams(model="yolo11n"), YOLO, profile(task="detect", imbalance_ratio=10)
    )
    assert detector.class_balance == "none" and detector.label_smoothing == 0.0
    yolo_cls = resolve(TrainParams(model="yolo11n-cls"), get_model_info("yolo11n-cls"), skewed)
    assert (yolo_cls.class_balance, yolo_cls.label_smoothing) == ("none", 0.0)  # not applicable


def test_batch_leaves_at_least_two_steps() -> None:
    assert (
        resolve(TrainParams(model="efficientnet_b0"), B0, profile(train_images=6)).batch_size == 3
    )


def test_given_values_win_and_chosen_lists_the_rest() -> None:
    params = TrainParams(
        model="efficientnet_b0", epochs=7, image_size=64, augmentation="none", learning_rate=0.05
    )
    config = resolve(params, B0, profile(train_images=1000))
    assert (config.epochs, config.image_size, config.augmentation) == (7, 64, "none")
    assert config.learning_rate == 0.05 and config.batch_size == 256  # chosen for 64 px
    assert set(config.chosen) == {
        "batch_size",
        "warmup_epochs",
        "label_smoothing",
        "optimizer",
        "weight_decay",
        "class_balance",
        "early_stopping_patience",
    }
    assert set(config.reasons) == set(config.chosen)
    assert config.reasons["batch_size"] == "for 64 px images, at least two steps an epoch"


def test_folder_and_report_profiles_agree(flowers_dir: Path) -> None:
    from_dir = profile_folder(flowers_dir)
    report = {
        "task": "classify",
        "counts": {"train": dict.fromkeys(["bluebell", "daisy", "sunflower"], 4)},
        "image_sizes": {"width": {"median": 224}, "height": {"median": 224}},
        "imbalance_ratio": 1.0,
    }
    assert from_dir == DataProfile.from_report(report)


def test_early_stopping_is_on_for_long_fine_tuning_unless_the_user_says_never() -> None:
    long = TrainParams(model="efficientnet_b0", epochs=40, pretrained=True)
    assert resolve(long, B0, profile()).early_stopping_patience == 10
    never = resolve(long.model_copy(update={"early_stopping_patience": 0}), B0, profile())
    assert never.early_stopping_patience is None and "early_stopping_patience" not in never.chosen


def status(cached: set[str]) -> Callable[[str], WeightsStatus]:
    return lambda name: "cached" if name in cached else "absent"


@pytest.mark.parametrize(
    ("task", "weights", "model", "pretrained"),
    [
        ("classify", status({"efficientnet_b0"}), "efficientnet_b0", True),
        ("classify", status(set()), "resnet18", False),
        ("classify", None, "resnet18", False),  # nothing known about weights: from scratch
        ("detect", status({"yolo11n"}), "yolo11n", True),
        ("detect", status(set()), "yolo11n", False),
    ],
)
def test_a_blank_model_fine_tunes_where_weights_are_at_hand_else_trains_from_scratch(
    task: str, weights: Callable[[str], WeightsStatus] | None, model: str, pretrained: bool
) -> None:
    params, reasons = choose_start(TrainParams(), task, weights)
    assert (params.model, params.pretrained) == (model, pretrained)
    assert set(reasons) == {"model", "pretrained"}


def test_the_users_start_wins_and_transfer_never_loads_publisher_weights() -> None:
    everything = status({"efficientnet_b0", "resnet18"})
    params, reasons = choose_start(TrainParams(pretrained=False), "classify", everything)
    assert (params.model, params.pretrained) == ("resnet18", False) and "pretrained" not in reasons
    params, reasons = choose_start(TrainParams(model="resnet18"), "classify", everything)
    assert params.pretrained is True and set(reasons) == {"pretrained"}
    transfer = TrainParams(model="efficientnet_b0", init_model_id="m1")
    params, reasons = choose_start(transfer, "classify", everything)
    assert params.pretrained is False and "earlier model" in reasons["pretrained"]


def test_resnet_from_scratch_trains_small_images_at_their_size_with_sgd() -> None:
    params, reasons = choose_start(TrainParams(), "classify", None)
    cifar = profile(train_images=10_000, classes=10, median_side=32)
    config = resolve(params, RESNET18, cifar, reasons)
    assert (config.model, config.image_size, config.batch_size) == ("resnet18", 32, 256)
    assert config.optimizer == "sgd" and config.weight_decay == 5e-4
    assert config.learning_rate == pytest.approx(0.2 * 256 / 512)  # scaled to the batch
    assert config.warmup_epochs == pytest.approx(config.epochs / 4)
    assert config.early_stopping_patience is None
    assert {"model", "pretrained", "image_size", "optimizer"} <= set(config.chosen)
    assert "median side is 32 px" in config.reasons["image_size"]
    flowers = resolve(params, RESNET18, profile(), reasons)
    assert flowers.image_size == 224 and flowers.batch_size == 32


def test_a_model_without_publisher_weights_trains_from_scratch_and_refuses_pretrained() -> None:
    searched = get_model_info("knas_c10_a")  # Konstruktor's own: no publisher weights
    assert not searched.has_weights and B0.has_weights
    everything = status({"efficientnet_b0", "knas_c10_a"})
    params, reasons = choose_start(TrainParams(model="knas_c10_a"), "classify", everything)
    assert params.pretrained is False and "no publisher weights" in reasons["pretrained"]
    config = resolve(params, searched, profile(median_side=32), reasons)
    assert (config.pretrained, config.image_size) == (False, searched.default_image_size)
    with pytest.raises(JobRejected, match="knas_c10_a has no publisher weights"):
        resolve(TrainParams(model="knas_c10_a", pretrained=True), searched, profile())
    fine_tune = resolve(TrainParams(model="efficientnet_b0", pretrained=True), B0, profile())
    assert fine_tune.pretrained  # the others still may start from their weights
