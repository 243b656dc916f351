"""Transfer learning offline: a CIFAR-10 model is the starting point of a flowers model."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import torch

from mlcore.classify.training import load_init_weights
from mlcore.contract.train import INIT_WEIGHTS
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from mlcore.models.architecture import IncompatibleInitModel
from mlcore.models.registry import create_model
from tests.support.configs import tiny_config
from tests.support.paths import image_folder_subset

pytestmark = pytest.mark.slow  # trains models

CIFAR_CLASSES = ["airplane", "cat", "ship", "truck"]


@pytest.fixture(scope="module")
def cifar_weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cifar")
    dataset = image_folder_subset(
        "cifar10_small.zip", "", CIFAR_CLASSES, {"train": 8, "val": 2}, root / "data"
    )
    run_job(EngineRequest(tiny_config(), dataset, root / "job", lambda e: None))
    return root / "job" / "output" / "model.pt"


def test_backbone_comes_from_the_earlier_model_and_the_head_is_new(cifar_weights: Path) -> None:
    earlier = torch.load(cifar_weights, weights_only=True)
    assert earlier["arch"]["num_classes"] == len(CIFAR_CLASSES)
    flowers = ["bluebell", "daisy", "sunflower"]
    model = load_init_weights(
        create_model("efficientnet_b0", 3), cifar_weights, "efficientnet_b0", flowers
    )
    state = model.state_dict()
    backbone = [k for k in earlier["state_dict"] if not k.startswith("classifier.")]
    assert backbone and all(torch.equal(state[k], earlier["state_dict"][k]) for k in backbone)
    assert state["classifier.1.weight"].shape[0] == 3


@pytest.mark.parametrize("same_classes", [True, False])
def test_the_head_is_kept_only_for_the_same_classes(
    cifar_weights: Path, same_classes: bool
) -> None:
    # Four other classes would fit the old head's shape, but its rows mean CIFAR classes.
    classes = CIFAR_CLASSES if same_classes else ["a", "b", "c", "d"]
    model = load_init_weights(
        create_model("efficientnet_b0", 4), cifar_weights, "efficientnet_b0", classes
    )
    head = torch.load(cifar_weights, weights_only=True)["state_dict"]["classifier.1.weight"]
    assert torch.equal(model.state_dict()["classifier.1.weight"], head) == same_classes


def test_a_flowers_job_starts_from_the_cifar_model(
    cifar_weights: Path, flowers_dir: Path, tmp_path: Path
) -> None:
    config = tiny_config(init_model_id="cifar-model", learning_rate=3e-4)
    result = run_job(
        EngineRequest(config, flowers_dir, tmp_path, lambda e: None, {INIT_WEIGHTS: cifar_weights})
    )
    assert result.classes == ["bluebell", "daisy", "sunflower"]
    with zipfile.ZipFile(tmp_path / "output" / "package.zip") as package:
        readme = package.read("README.md").decode()
    assert "fine-tuned from the earlier Konstruktor model cifar-model" in readme


def test_another_architecture_is_refused(cifar_weights: Path) -> None:
    with pytest.raises(IncompatibleInitModel, match="efficientnet_b0"):
        load_init_weights(
            create_model("efficientnet_b1", 3), cifar_weights, "efficientnet_b1", ["a", "b", "c"]
        )
