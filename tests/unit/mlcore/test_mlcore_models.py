"""create_model: scratch, pretrained from the weights cache, missing weights offline."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from torch import nn

from mlcore.contract.weights import WeightsSource
from mlcore.models.architecture import NoPublisherWeights
from mlcore.models.registry import create_model, get_architecture
from mlcore.models.weights import WeightsUnavailable

WEIGHTS_FILE = "efficientnet_b0_rwightman-7f5810bc.pth"


def last_linear(model: nn.Module) -> nn.Linear:
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def test_scratch_model_has_requested_outputs() -> None:
    model = create_model("efficientnet_b0", num_classes=4)
    assert last_linear(model).out_features == 4
    assert model.eval()(torch.zeros(1, 3, 32, 32)).shape == (1, 4)


def test_pretrained_loads_weights_then_replaces_head(tmp_path: Path) -> None:
    assert get_architecture("efficientnet_b0").weights_file == WEIGHTS_FILE
    torch.manual_seed(123)
    imagenet = create_model("efficientnet_b0", num_classes=1000)
    torch.save(imagenet.state_dict(), tmp_path / WEIGHTS_FILE)

    model = create_model("efficientnet_b0", 5, pretrained=True, weights=WeightsSource(tmp_path))

    assert last_linear(model).out_features == 5
    saved, loaded = imagenet.state_dict(), model.state_dict()
    backbone = [k for k in saved if not k.startswith("classifier.")]
    assert backbone and all(torch.equal(saved[k], loaded[k]) for k in backbone)
    assert set(loaded) == set(create_model("efficientnet_b0", 5).state_dict())


def test_missing_pretrained_weights_offline_say_what_to_run(tmp_path: Path) -> None:
    with pytest.raises(WeightsUnavailable) as caught:
        create_model("efficientnet_b0", 5, True, WeightsSource(tmp_path, offline=True))
    message = str(caught.value)
    assert WEIGHTS_FILE in message and "pretrained=false" in message
    assert str(tmp_path.resolve()) in message and "weights pull efficientnet_b0" in message


def test_a_network_without_publisher_weights_builds_from_scratch_only(tmp_path: Path) -> None:
    model = create_model("knas_c10_a", num_classes=4).eval()
    assert model(torch.zeros(1, 3, 32, 32)).shape == (1, 4)
    with pytest.raises(NoPublisherWeights, match="knas_c10_a has no publisher weights"):
        create_model("knas_c10_a", 4, pretrained=True, weights=WeightsSource(folder=tmp_path))
