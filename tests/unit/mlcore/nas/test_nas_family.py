"""The family of one tiny search: the s grid, network costs, members and the Pareto front."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from mlcore.nas.data import SearchData
from mlcore.nas.family import (
    Member,
    default_resolution,
    dominates,
    family_json,
    grid_size,
    member_cost,
    pareto_front,
    simplex_grid,
)
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.latency import LatencyTable, measure_latency_table, predict_latency
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot import OneShotConfig
from mlcore.nas.strategies.one_shot_loop import run_family_search
from mlcore.nas.strategies.one_shot_result import SearchResult, enumerate_family, score_genotype
from tests.unit.mlcore.nas.conftest import CLASSES, synthetic

SPACE = SearchSpace(cells=1, nodes=2, channels=4, classes=CLASSES)
SIZE = 12
COST_KEYS = ("params", "flops", "latency")


def uniform(space: SearchSpace, op: str) -> Genotype:
    """`op` on every edge."""
    m = space.ops.index(op)
    return Genotype(space.ops, tuple((m,) * space.num_edges for _ in range(space.rows)))


@pytest.fixture(scope="module")
def searched() -> tuple[SearchResult, SearchData, LatencyTable]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    data = SearchData(synthetic(256, seed=1), synthetic(128, seed=2))
    config = OneShotConfig(kappa=20.0, beta=10.0, batch_size=32, lr=1e-2, arch_lr=3e-2)
    result = run_family_search(SPACE, config, data, epochs=2, seed=0)
    table = measure_latency_table(SPACE, SIZE, repeats=3, warmup=1)
    torch.set_num_threads(threads)
    return result, data, table


@pytest.fixture(scope="module")
def family(searched: tuple[SearchResult, SearchData, LatencyTable]) -> list[Member]:
    result, data, table = searched
    return enumerate_family(result, data.val, "cpu", SIZE, table)


def test_grid_covers_the_simplex_at_a_sane_size() -> None:
    grid = simplex_grid(3, 10)
    assert len(grid) == grid_size(3, 10) + 1 == 67  # 66 grid points + the centre
    assert grid[0] == pytest.approx((1 / 3,) * 3)
    assert {(1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)} <= set(grid)
    assert len(set(grid)) == len(grid)
    assert all(min(s) >= 0 and sum(s) == pytest.approx(1.0) for s in grid)
    assert (default_resolution(3), default_resolution(5)) == (10, 5)
    assert len(simplex_grid(5, 5)) == grid_size(5, 5) == 126  # the centre is on this grid
    assert len(simplex_grid(5, 4)) == grid_size(5, 4) + 1 == 71


@pytest.mark.parametrize("in_channels", [1, 3])
def test_network_cost_counts_the_real_network(in_channels: int) -> None:
    space = SearchSpace(cells=2, nodes=2, channels=4, in_channels=in_channels, classes=CLASSES)
    pools = network_cost(space, uniform(space, "maxpool3"), SIZE)
    convs = network_cost(space, uniform(space, "conv3"), SIZE)
    net = build_discrete(space, uniform(space, "conv3"))
    assert convs.params == sum(p.numel() for p in net.parameters())
    # pools only: FLOPs of the stem conv, the cells' two 1x1 input convs (at each cell's
    # resolution, halved between cells) and the linear head (2 per multiply-add)
    stem = 2 * in_channels * space.channels * 9 * SIZE * SIZE
    sides = [SIZE // 2**cell for cell in range(space.cells)]
    inputs = sum(2 * 2 * space.channels**2 * side * side for side in sides)
    assert pools.flops == stem + inputs + 2 * space.channels * space.classes
    assert convs.params > pools.params and convs.flops > pools.flops > 0


def test_members_are_the_distinct_genotypes_of_the_grid(
    searched: tuple[SearchResult, SearchData, LatencyTable], family: list[Member]
) -> None:
    result, _, table = searched
    assert len({m.genotype for m in family}) == len(family) > 1
    points = [s for m in family for s in m.s_all]
    assert sorted(points) == sorted(simplex_grid(SPACE.k, default_resolution(SPACE.k)))
    for m in family:
        assert m.s == m.s_all[0]
        assert all(result.derive(s) == m.genotype for s in m.s_all)
        assert (m.params, m.flops) == network_cost(SPACE, m.genotype, SIZE)
        assert m.predicted_latency_ms == predict_latency(table, m.genotype)
        assert 0.0 <= m.proxy_accuracy <= 1.0
        assert sum(m.counts.values()) == SPACE.rows * SPACE.num_edges


def test_a_genotype_scores_the_same_at_any_s(
    searched: tuple[SearchResult, SearchData, LatencyTable], family: list[Member]
) -> None:
    result, data, table = searched
    s = ((0.25, 0.25, 0.5),)
    scored = score_genotype(result, family[0].genotype, s, data.val, "cpu", SIZE, table)
    assert scored == replace(family[0], s=s[0], s_all=s)


@pytest.mark.parametrize("cost", COST_KEYS)
def test_front_is_non_dominated_and_spans_the_family(family: list[Member], cost: str) -> None:
    front = pareto_front(family, cost)
    assert not any(dominates(o, m, cost) for m in front for o in family)
    assert all(any(dominates(f, m, cost) for f in front) for m in family if m not in front)
    costs = [member_cost(m, cost) for m in front]
    assert costs == sorted(costs)
    assert max(m.proxy_accuracy for m in front) == max(m.proxy_accuracy for m in family)
    assert costs[0] == min(member_cost(m, cost) for m in family)


def test_front_of_known_members() -> None:
    def member(params: int, accuracy: float, edge: int) -> Member:
        genotype = Genotype(("maxpool3", "conv3"), ((edge, 0),))
        return Member((0.5, 0.5), ((0.5, 0.5),), genotype, params, 0, None, accuracy)

    cheap, middle, dominated, best = (
        member(10, 0.5, 0),
        member(20, 0.7, 1),
        member(30, 0.6, 2),
        member(40, 0.9, 3),
    )
    assert pareto_front([best, dominated, cheap, middle]) == [cheap, middle, best]
    with pytest.raises(ValueError, match="latency table"):
        pareto_front([cheap], "latency")
    with pytest.raises(ValueError, match="cost must be one of"):
        pareto_front([cheap], "energy")


def test_family_json_is_json_with_front_indices(family: list[Member]) -> None:
    front = pareto_front(family)
    summary = json.loads(json.dumps(family_json(family, front)))
    assert len(summary["members"]) == len(family)
    assert [family[i] for i in summary["front"]] == front
    first = summary["members"][0]
    assert first["s_count"] == len(first["s_all"]) == len(family[0].s_all)
    assert Genotype.from_dict(first["genotype"]) == family[0].genotype


def test_table_of_another_image_size_is_refused(
    searched: tuple[SearchResult, SearchData, LatencyTable],
) -> None:
    result, data, table = searched
    with pytest.raises(ValueError, match="another space or image size"):
        enumerate_family(result, data.val, "cpu", SIZE * 2, table)
