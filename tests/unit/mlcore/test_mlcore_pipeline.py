"""End to end: train a tiny job, then check the package reproduces the service's evaluation;
for a torchvision classifier and one of Konstruktor's searched catalog members alike."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import torch
from torch import nn

from mlcore.classify.data import ImageFolderSplit, read_classes
from mlcore.classify.transforms import EvalTransform
from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.contract.train import TrainConfig
from mlcore.engines.base import EngineRequest
from mlcore.engines.progress import PACKAGED
from mlcore.engines.registry import run_job
from mlcore.models.registry import arch_config, create_model, get_architecture
from mlcore.package.build import NETWORK_FILES, RUNTIME_DIR
from mlcore.package.preprocess import preprocess_spec
from tests.support.configs import tiny_config
from tests.support.package import expected_files

pytestmark = pytest.mark.slow  # trains models

PARAMS = tiny_config()
SEARCHED_MEMBER = "knas_c10_a"  # packaged with nas_network.py, not rebuilt by torchvision


@dataclass
class Job:
    params: TrainConfig
    result: JobResult
    output: Path
    package: Path
    events: list[ProgressEvent]
    evaluation: dict[str, Any]


def unzip(archive: Path, target: Path) -> Path:
    with zipfile.ZipFile(archive) as z:
        network = NETWORK_FILES.get(json.loads(z.read("preprocess.json"))["checkpoint"], ())
        files = expected_files(json.loads(z.read("parity.json"))) | set(network)
        assert set(z.namelist()) == files
        z.extractall(target)
    return target


def import_predict(package: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"predict_{package.name}", package / "predict.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as `import` does; dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def assert_package_reproduces(package: Path, dataset: Path, evaluation: dict[str, Any]) -> None:
    """predict.py (onnx CLI, torch Predictor) gives evaluation.json's top-1 and confidence."""
    expected = {p["file"]: p for p in evaluation["predictions"]}
    out = subprocess.run(
        [sys.executable, str(package / "predict.py"), "val", "--json", "--topk", "2"],
        cwd=dataset,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["file"] for line in lines] == sorted(expected)
    predictor = import_predict(package).Predictor(package, backend="torch")
    for line in lines:
        want = expected[line["file"]]
        torch_top = predictor.predict(dataset / line["file"], topk=1)[0]
        for top in (line["top"][0], torch_top):
            assert top["label"] == want["predicted"], line["file"]
            assert top["probability"] == pytest.approx(want["confidence"], abs=1e-4)


@pytest.fixture(scope="module", params=[PARAMS.model, SEARCHED_MEMBER])
def job(
    request: pytest.FixtureRequest, flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Job:
    params = PARAMS.model_copy(update={"model": request.param})
    work = tmp_path_factory.mktemp("job")
    events: list[ProgressEvent] = []
    result = run_job(EngineRequest(params, flowers_dir, work, events.append))
    output = work / "output"
    evaluation = json.loads((output / "evaluation.json").read_text())
    package = unzip(output / "package.zip", work / "unzipped")
    return Job(params, result, output, package, events, evaluation)


def test_job_result_and_artifacts(job: Job, flowers_dir: Path) -> None:
    classes = read_classes(flowers_dir)
    files = job.result.files
    assert {"package", "evaluation", "metrics", "weights", "confusion_matrix"} <= set(files)
    assert files["weights"] == "model.pt" and files["package"] == "package.zip"
    assert all((job.output / name).is_file() for name in job.result.files.values())
    assert job.result.classes == classes and job.result.architecture == job.params.model
    assert job.result.info["data_mode"] == "resident"  # a few images fit in memory
    parity = job.result.parity
    assert 0 <= parity["formats"]["onnx"]["max_abs_logit_diff"] < 1e-3
    assert parity == json.loads((job.package / "parity.json").read_text())
    assert all(parity["formats"][name]["agreement"] >= 0.995 for name in ("onnx", "torchscript"))
    assert job.result.metrics["accuracy"] == job.evaluation["accuracy"]
    assert job.result.metrics["epochs_run"] == job.params.epochs
    assert len(job.evaluation["predictions"]) == sum(map(sum, job.evaluation["confusion_matrix"]))
    metrics = json.loads((job.output / "metrics.json").read_text())
    assert metrics["metrics"] == job.result.metrics


def test_progress_events(job: Job) -> None:
    steps = [e for e in job.events if e.type == "progress"]
    assert steps and {"loss", "lr", "images_per_s", "eta_s"} <= set(steps[0].metrics)
    progress = [e.progress for e in job.events]
    assert progress == sorted(progress) and progress[-1] == PACKAGED
    epochs = [e for e in job.events if e.type == "epoch"]
    assert [e.epoch for e in epochs] == list(range(1, job.params.epochs + 1))
    assert set(epochs[0].metrics) == {"train_loss", "val_loss", "val_accuracy", "lr"}


def test_package_contents(job: Job, flowers_dir: Path) -> None:
    classes = read_classes(flowers_dir)
    arch = get_architecture(job.params.model)
    for name in ("predict.py", *NETWORK_FILES.get(arch.checkpoint_kind, ())):
        assert (job.package / name).read_bytes() == (RUNTIME_DIR / name).read_bytes()
    assert json.loads((job.package / "labels.json").read_text()) == classes
    spec = json.loads((job.package / "preprocess.json").read_text())
    expected = preprocess_spec(job.params.image_size, arch.checkpoint_kind)
    assert spec == {**expected, "opset": spec["opset"]}
    checkpoint = torch.load(job.package / "model.pt", weights_only=True)
    assert checkpoint["arch"] == arch_config(job.params.model, classes)
    readme = (job.package / "README.md").read_text()
    assert all(name in readme for name in classes)
    assert arch.rebuild_hint(len(classes)) in readme  # the code that rebuilds this network


def test_package_reproduces_job_evaluation(job: Job, flowers_dir: Path) -> None:
    assert_package_reproduces(job.package, flowers_dir, job.evaluation)


def calibrated_model(dataset: Path, classes: list[str], spec: dict[str, Any]) -> nn.Module:
    """Random weights with BatchNorm statistics from the train images: outputs vary by image."""
    torch.manual_seed(0)
    model = create_model(PARAMS.model, len(classes))
    for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
        bn.reset_running_stats()
        bn.momentum = None
    train = ImageFolderSplit(dataset, "train", classes, EvalTransform(spec))
    with torch.no_grad():
        model.train()(torch.stack([train[i][0] for i in range(len(train))]))
    return model.eval()
