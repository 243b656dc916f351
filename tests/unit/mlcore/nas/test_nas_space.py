"""Search space, operations, supernet shapes and genotype serialisation."""

from __future__ import annotations

import json

import pytest
import torch

from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.space.supernet import SuperNet
from mlcore.package.runtime.nas_network import OPERATIONS, create_op


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_keeps_the_shape(name: str) -> None:
    x = torch.randn(2, 6, 9, 9)
    assert create_op(name, 6)(x).shape == x.shape
    assert create_op(name, 6, stride=2)(x).shape == (2, 6, 5, 5)


def test_edges_are_enumerated_by_target_then_source() -> None:
    space = SearchSpace(nodes=4)
    assert space.edges[:5] == ((0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
    assert space.num_edges == 14 == 4 * (4 + 3) // 2
    assert space.alpha_shape == (2, 14, 3)  # the shared normal and reduction cells
    assert SearchSpace.from_dict(json.loads(json.dumps(space.to_dict()))) == space


def test_cells_share_a_normal_and_a_reduction_row_unless_per_cell() -> None:
    shared = SearchSpace(cells=4)
    assert shared.cell_rows == (0, 1, 1, 1) and shared.rows == 2
    assert shared.cell_choices(("n", "r")) == ("n", "r", "r", "r")
    with pytest.raises(ValueError, match="2 architecture rows"):
        shared.cell_choices(("n", "r", "r"))
    assert SearchSpace(cells=1).rows == 1
    per_cell = SearchSpace(cells=4, cell_sharing="per_cell")
    assert per_cell.cell_rows == (0, 1, 2, 3) and per_cell.alpha_shape == (4, 14, 3)
    saved = {k: v for k, v in per_cell.to_dict().items() if k != "cell_sharing"}
    assert SearchSpace.from_dict(saved) == per_cell  # saved before cells shared rows
    with pytest.raises(ValueError, match="cell_sharing"):
        SearchSpace(cell_sharing="tied")  # type: ignore[arg-type]


def test_space_rejects_unknown_ops() -> None:
    with pytest.raises(ValueError, match="ops"):
        SearchSpace(ops=("conv3", "warp9"))


@pytest.mark.parametrize(("in_channels", "size"), [(1, 28), (3, 32)])
def test_supernet_gives_logits_for_any_mixing(in_channels: int, size: int) -> None:
    space = SearchSpace(cells=3, nodes=2, channels=4, in_channels=in_channels, classes=7)
    net = SuperNet(space)
    gamma = torch.rand(space.alpha_shape).softmax(dim=-1)
    assert net(torch.randn(2, in_channels, size, size), gamma).shape == (2, 7)
    with pytest.raises(ValueError, match="gamma"):
        net(torch.randn(2, in_channels, size, size), gamma[:, 1:])


def test_genotype_is_argmax_and_round_trips_through_json() -> None:
    alpha = torch.zeros(2, 3, 3)
    alpha[0, :, 2] = 1.0
    alpha[1, 0, 0] = alpha[1, 1, 1] = alpha[1, 2, 1] = 1.0
    genotype = Genotype.from_alpha(("maxpool3", "identity", "conv3"), alpha)
    assert genotype.choices == ((2, 2, 2), (0, 1, 1))
    assert genotype.shape == (2, 3)
    assert genotype.counts() == {"maxpool3": 1, "identity": 2, "conv3": 3}
    assert Genotype.from_json(genotype.to_json()) == genotype
    assert hash(Genotype.from_json(genotype.to_json())) == hash(genotype)
