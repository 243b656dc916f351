"""The duration estimate a job gets before it starts (mlcore.contract.estimate)."""

from __future__ import annotations

import pytest

from mlcore.contract.catalog import get_model_info
from mlcore.contract.estimate import (
    DEFAULT_GFLOPS_PER_S,
    FAMILY_CPU_GFLOPS_PER_S,
    FIXED_S,
    TRAIN_PASSES,
    FinishedRun,
    estimate_duration,
    format_duration,
    training_gflop,
)
from mlcore.contract.profile import DataProfile
from mlcore.contract.train import TrainConfig, TrainParams, resolve

PROFILE = DataProfile("classify", train_images=250, classes=2, imbalance_ratio=1.0, median_side=400)


def config(epochs: int, image_size: int | None = None) -> TrainConfig:
    params = TrainParams(model="efficientnet_b0", epochs=epochs, image_size=image_size)
    return resolve(params, get_model_info("efficientnet_b0"), PROFILE)


def test_the_work_scales_with_epochs_images_and_image_area() -> None:
    info = get_model_info("efficientnet_b0")
    one = training_gflop(config(1, info.default_image_size), 250)
    assert one is not None
    assert one == pytest.approx(250 * info.gflops * TRAIN_PASSES)
    assert training_gflop(config(4, info.default_image_size), 250) == pytest.approx(4 * one)
    half = training_gflop(config(1, info.default_image_size // 2), 250)
    assert half is not None
    assert half == pytest.approx(one / 4)
    assert training_gflop(config(10), 250, epochs=1) == training_gflop(config(1), 250)


def test_without_history_the_default_pace_of_the_device_is_used() -> None:
    gflop = 40_000.0
    cpu = estimate_duration(gflop, [], "cpu")
    assert cpu.seconds is not None
    assert cpu.seconds == pytest.approx(FIXED_S + gflop / DEFAULT_GFLOPS_PER_S["cpu"])
    assert cpu.basis.startswith("default pace for cpu")
    cuda = estimate_duration(gflop, [], "cuda")
    assert cuda.seconds is not None and cuda.seconds < cpu.seconds


def test_the_services_measured_pace_wins_over_the_default() -> None:
    runs = [FinishedRun(gflop=1000.0, seconds=100.0), FinishedRun(gflop=3000.0, seconds=100.0)]
    estimate = estimate_duration(4000.0, runs, "cpu")
    assert estimate.seconds == pytest.approx(200.0)  # 20 GFLOP/s
    assert estimate.basis == "measured: 2 finished job(s) on this service ran at 20 GFLOP/s"


def test_a_job_that_trains_no_catalog_model_has_no_estimate() -> None:
    assert estimate_duration(None, [], "cpu").seconds is None


def test_durations_read_as_words() -> None:
    assert format_duration(None) == "unknown"
    assert format_duration(20) == "under a minute"
    assert format_duration(300) == "about 5 min"
    assert format_duration(6000) == "about 1 h 40 min"


def test_runs_of_the_same_family_set_the_pace_where_there_are_any() -> None:
    runs = [
        FinishedRun(gflop=1000.0, seconds=100.0, family="efficientnet"),  # 10 GFLOP/s
        FinishedRun(gflop=8000.0, seconds=100.0, family="resnet"),  # 80 GFLOP/s
    ]
    assert estimate_duration(800.0, runs, family="resnet").seconds == pytest.approx(10.0)
    assert estimate_duration(800.0, runs, family="efficientnet").seconds == pytest.approx(80.0)
    assert estimate_duration(900.0, runs, family="yolo11").seconds == pytest.approx(20.0)


def test_a_family_measured_on_a_cpu_starts_from_its_measured_pace() -> None:
    resnet = estimate_duration(12_000.0, [], "cpu", family="resnet")
    assert resnet.seconds == pytest.approx(FIXED_S + 12_000.0 / FAMILY_CPU_GFLOPS_PER_S["resnet"])
    assert "resnet" in resnet.basis and "benchmark" in resnet.basis
    other = estimate_duration(12_000.0, [], "cpu", family="efficientnet")
    assert other.seconds is not None and resnet.seconds is not None
    assert resnet.seconds < other.seconds
