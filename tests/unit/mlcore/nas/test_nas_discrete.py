"""A derived genotype becomes a plain network that trains, measured by describe_module."""

from __future__ import annotations

from dataclasses import replace

import torch
import torch.nn.functional as F

from mlcore.models.metadata import describe_module
from mlcore.nas.data import SearchData
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.space.discrete import arch_config, build_discrete
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot import OneShotConfig
from mlcore.nas.strategies.one_shot_loop import run_family_search
from mlcore.package.runtime.nas_network import build
from tests.unit.mlcore.nas.conftest import synthetic

RGB_SPACE = SearchSpace(cells=2, nodes=2, channels=4, in_channels=3, classes=4)


def conv_params(channels: int, kernel: int = 3) -> int:
    """ReLU-Conv-BN: weights + BN scale and shift."""
    return kernel * kernel * channels * channels + 2 * channels


def test_derived_genotype_trains_and_counts_its_parameters() -> None:
    data = SearchData(synthetic(64, seed=1, channels=3), synthetic(64, seed=2, channels=3))
    result = run_family_search(RGB_SPACE, OneShotConfig(batch_size=32), data, epochs=1, seed=0)
    genotype = result.derive([0.2, 0.2, 0.6])
    net = build_discrete(RGB_SPACE, genotype)
    facts = describe_module(net, image_size=12)
    convs = genotype.counts()["conv3"]
    stem_and_head = 3 * 9 * 4 + 2 * 4 + 4 * 4 + 4
    preprocess = 2 * RGB_SPACE.cells * conv_params(4, kernel=1)  # both inputs of every cell
    assert facts["params"] == sum(p.numel() for p in net.parameters())
    assert facts["params"] == stem_and_head + preprocess + convs * conv_params(4)
    bare = build_discrete(replace(RGB_SPACE, preprocess=False), genotype)
    assert describe_module(bare, image_size=12)["params"] == stem_and_head + convs * conv_params(4)

    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    x, y = data.train.images[:16].float() / 255, data.train.labels[:16]
    before = [p.detach().clone() for p in net.parameters()]
    F.cross_entropy(net(x), y).backward()
    optimizer.step()
    assert any(not torch.equal(a, b) for a, b in zip(before, net.parameters(), strict=True))


def test_retrain_reports_accuracy_and_params() -> None:
    genotype = Genotype(RGB_SPACE.ops, ((2, 2, 2, 2, 2), (1, 0, 2, 1, 1)))
    train, test = synthetic(128, seed=1, channels=3), synthetic(64, seed=3, channels=3)
    # the classes are fixed pixel-noise patterns: flipped or shifted, they are other patterns
    outcome = retrain(
        RGB_SPACE, genotype, train, test, epochs=6, seed=0, lr=3e-2, batch_size=32, augment=False
    )
    assert outcome.params == describe_module(build_discrete(RGB_SPACE, genotype), 12)["params"]
    assert outcome.losses[-1] < outcome.losses[0]
    assert outcome.accuracy > 0.6  # four classes: chance is 0.25


def test_build_rebuilds_with_or_without_input_preprocessing() -> None:
    genotype = Genotype(RGB_SPACE.ops, ((2, 2, 2, 2, 2), (1, 0, 2, 1, 1)))
    arch = arch_config(RGB_SPACE, genotype, ["a", "b", "c", "d"])
    assert arch["layout"]["preprocess"] is True
    rebuilt = build(arch)
    assert describe_module(rebuilt, 12) == describe_module(build_discrete(RGB_SPACE, genotype), 12)
    # an arch saved before the space had input preprocessing
    legacy = {**arch, "layout": {k: v for k, v in arch["layout"].items() if k != "preprocess"}}
    bare = replace(RGB_SPACE, preprocess=False)
    assert build(legacy).state_dict().keys() == build_discrete(bare, genotype).state_dict().keys()
    assert len(build(legacy).state_dict()) < len(rebuilt.state_dict())


def test_shared_rows_build_every_cell_with_weights_of_its_own() -> None:
    space = replace(RGB_SPACE, cells=3)
    normal, reduction = (2, 2, 2, 2, 2), (1, 0, 2, 1, 1)
    arch = arch_config(space, Genotype(space.ops, (normal, reduction)), ["a", "b", "c", "d"])
    assert arch["choices"] == [list(normal), list(reduction), list(reduction)]
    net = build(arch)  # the package's builder knows nothing of shared rows
    per_cell = replace(space, cell_sharing="per_cell")
    same = build_discrete(per_cell, Genotype(space.ops, (normal, reduction, reduction)))
    assert describe_module(net, 12) == describe_module(same, 12)
    conv = reduction.index(2)
    edge = f"cells.1.edges.{conv}"  # the same op in cells 1 and 2, weights of their own
    assert net.get_submodule(edge) is not net.get_submodule(edge.replace("1", "2", 1))
    stem_and_head = 3 * 9 * 4 + 2 * 4 + 4 * 4 + 4
    preprocess = 2 * space.cells * conv_params(4, kernel=1)
    assert describe_module(net, 12)["params"] == stem_and_head + preprocess + 7 * conv_params(4)
