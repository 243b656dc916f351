"""Where a YOLO run's weights start: publisher's weights, an earlier model, or nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from mlcore.contract.train import INIT_WEIGHTS, TrainConfig
from mlcore.contract.weights import WeightsSource
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job as run_engine
from mlcore.models.architecture import IncompatibleInitModel
from mlcore.models.weights import WeightsUnavailable
from mlcore.yolo.arguments import train_arguments
from mlcore.yolo.datasets import training_data
from mlcore.yolo.engine import yolo_architecture
from mlcore.yolo.training import TRAINERS, check_same_architecture, load_checkpoint, start_weights
from tests.support.yolo import Job, copy_flowers, run_job, tiny_config
from tests.unit.mlcore.conftest import CLASSES

pytestmark = pytest.mark.slow  # trains models

NEW_CLASSES = CLASSES[:2]
FIRST_CONV = "model.0.conv.weight"  # the stem convolution, shared by every class count


@pytest.fixture(scope="module")
def earlier(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Job:
    """A finished three-class model to start from."""
    root = tmp_path_factory.mktemp("earlier")
    dataset = copy_flowers(flowers_dir, root / "data")
    return run_job(tiny_config("yolo11n-cls", epochs=1), dataset, root / "work")


@pytest.fixture(scope="module")
def two_classes(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_flowers(flowers_dir, tmp_path_factory.mktemp("two") / "data", NEW_CLASSES)


def request_for(
    config: TrainConfig,
    dataset: Path,
    work: Path,
    weights: WeightsSource | None = None,
    init_weights: Path | None = None,
) -> EngineRequest[TrainConfig]:
    inputs = {} if init_weights is None else {INIT_WEIGHTS: init_weights}
    return EngineRequest(
        config, dataset, work, lambda event: None, inputs, weights or WeightsSource(work / "w")
    )


def first_weights(
    config: TrainConfig, request: EngineRequest[TrainConfig]
) -> dict[str, torch.Tensor]:
    """The state dict ultralytics' trainer builds for `request`, before any step."""
    arch = yolo_architecture(config.model)
    data = training_data("classify", request.dataset_dir, request.work_dir)
    overrides = train_arguments(
        config,
        "classify",
        arch.builder,
        data,
        request.work_dir / "run",
        "cpu",
        start_weights(request, arch),
    )
    trainer = TRAINERS["classify"](overrides=overrides)
    trainer.setup_model()
    return {k: v.float() for k, v in trainer.model.state_dict().items()}


def test_missing_publisher_weights_name_the_file(two_classes: Path, tmp_path: Path) -> None:
    config = tiny_config("yolo11n-cls", pretrained=True)
    offline = WeightsSource(tmp_path / "weights", offline=True)
    request = request_for(config, two_classes, tmp_path / "work", weights=offline)
    with pytest.raises(WeightsUnavailable, match=r"yolo11n-cls\.pt") as caught:
        run_engine(request)
    assert "weights pull yolo11n-cls" in str(caught.value)


def test_publisher_weights_are_taken_from_the_weights_directory(tmp_path: Path) -> None:
    (tmp_path / "yolo11n.pt").write_bytes(b"weights")
    request = request_for(
        tiny_config("yolo11n", pretrained=True), tmp_path, tmp_path, WeightsSource(tmp_path)
    )
    assert start_weights(request, yolo_architecture("yolo11n")) == tmp_path / "yolo11n.pt"


def test_transfer_starts_from_the_earlier_models_weights(
    earlier: Job, two_classes: Path, tmp_path: Path
) -> None:
    earlier_model = earlier.output / "model.pt"
    saved = {k: v.float() for k, v in load_checkpoint(earlier_model)["model"].state_dict().items()}
    config = tiny_config("yolo11n-cls")
    transferred = first_weights(
        config, request_for(config, two_classes, tmp_path / "t", init_weights=earlier_model)
    )
    scratch = first_weights(config, request_for(config, two_classes, tmp_path / "s"))

    assert torch.equal(transferred[FIRST_CONV], saved[FIRST_CONV])
    assert not torch.equal(scratch[FIRST_CONV], saved[FIRST_CONV])
    head = [k for k in transferred if k.endswith("linear.weight")]
    assert [transferred[k].shape[0] for k in head] == [len(NEW_CLASSES)]


def test_transfer_job_trains_on_the_new_classes(
    earlier: Job, two_classes: Path, tmp_path: Path
) -> None:
    config = tiny_config("yolo11n-cls", epochs=1)
    job = run_job(
        config, two_classes, tmp_path / "work", inputs={INIT_WEIGHTS: earlier.output / "model.pt"}
    )
    assert job.result.classes == NEW_CLASSES
    assert job.result.metrics["epochs_run"] == 1
    assert json.loads((job.output / "evaluation.json").read_text())["classes"] == NEW_CLASSES


def test_transfer_refuses_another_architecture(earlier: Job) -> None:
    with pytest.raises(IncompatibleInitModel, match="yolo11n-cls"):
        check_same_architecture(earlier.output / "model.pt", yolo_architecture("yolo11s-cls"))


def renamed_copy(flowers_dir: Path, target: Path) -> Path:
    """The three flower classes under other names: same count, different meaning."""
    dataset = copy_flowers(flowers_dir, target)
    renamed = [f"other_{name}" for name in CLASSES]
    for split in ("train", "val"):
        for old, new in zip(CLASSES, renamed, strict=True):
            (dataset / split / old).rename(dataset / split / new)
    manifest = {"task": "classify", "classes": renamed}
    (dataset / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dataset


@pytest.mark.parametrize("same_classes", [True, False])
def test_the_head_carries_over_only_for_the_same_classes(
    earlier: Job, flowers_dir: Path, tmp_path: Path, same_classes: bool
) -> None:
    earlier_model = earlier.output / "model.pt"
    saved = {k: v.float() for k, v in load_checkpoint(earlier_model)["model"].state_dict().items()}
    dataset = (
        copy_flowers(flowers_dir, tmp_path / "data")
        if same_classes
        else renamed_copy(flowers_dir, tmp_path / "data")
    )
    config = tiny_config("yolo11n-cls")
    start = first_weights(
        config, request_for(config, dataset, tmp_path / "w", init_weights=earlier_model)
    )
    head = next(k for k in start if k.endswith("linear.weight"))
    assert torch.equal(start[FIRST_CONV], saved[FIRST_CONV])  # the backbone transfers
    assert torch.equal(start[head], saved[head]) == same_classes
