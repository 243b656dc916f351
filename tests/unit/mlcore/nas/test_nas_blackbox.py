"""Black-box search: descriptors, Pareto front, mutation, the three strategies on a cheap
synthetic objective, and one real proxy evaluation."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
import torch

from mlcore.contract.search import SearchConfig
from mlcore.nas.data import SearchData
from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.evaluators.proxy import ProxyEvaluator, flops_range
from mlcore.nas.space.cost import network_cost
from mlcore.nas.space.descriptors import depth, width
from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype, check_genotype, random_genotype, uniform_genotype
from mlcore.nas.space.latency import measure_latency_table
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.algorithms import (
    ALGORITHMS,
    map_elites,
    random_search,
    regularized_evolution,
)
from mlcore.nas.strategies.archive import Archive, Axis, Grid, default_grid
from mlcore.nas.strategies.base import SearchContext
from mlcore.nas.strategies.blackbox import BlackBox, job_mutator
from mlcore.nas.strategies.blackbox_result import BlackBoxResult
from mlcore.nas.variation.crossover import uniform_crossover
from mlcore.nas.variation.llm import LLMMutator
from mlcore.nas.variation.mutator import RuleMutator
from tests.unit.mlcore.nas.conftest import synthetic

SPACE = SearchSpace(cells=3, nodes=3, channels=4, classes=4)  # 27 edges, 3 ops
CONV = SPACE.ops.index("conv3")
IDENTITY = SPACE.ops.index("identity")
GRID = Grid((Axis("depth", 0, 9, 5), Axis("width", 0, 3, 4), Axis("params", 0, 2700, 4)))


@dataclass
class TargetEvaluator:
    """Accuracy = share of edges matching a hidden target; 100 params per conv edge. Cheap,
    deterministic, and only a real search finds the target."""

    space: SearchSpace
    target: Genotype
    image_size: int = 8
    calls: int = 0
    seen: list[Genotype] = field(default_factory=list)

    def evaluate(self, genotype: Genotype) -> Candidate:
        self.calls += 1
        self.seen.append(genotype)
        pairs = [
            (a, b)
            for mine, theirs in zip(genotype.choices, self.target.choices, strict=True)
            for a, b in zip(mine, theirs, strict=True)
        ]
        convs = genotype.counts()["conv3"]
        return Candidate(
            genotype,
            sum(a == b for a, b in pairs) / len(pairs),
            100 * convs,
            10_000 * convs,
            depth(self.space, genotype),
            width(self.space, genotype),
        )


def target_evaluator(seed: int = 0) -> TargetEvaluator:
    """A target the strategies' own seeds (small integers) do not draw first."""
    return TargetEvaluator(SPACE, random_genotype(SPACE, random.Random(f"target {seed}")))


def edits(a: Genotype, b: Genotype) -> int:
    """Number of edges whose op differs."""
    return sum(
        x != y
        for mine, theirs in zip(a.choices, b.choices, strict=True)
        for x, y in zip(mine, theirs, strict=True)
    )


def test_depth_and_width_count_layers_not_identities() -> None:
    every_conv = uniform_genotype(SPACE, CONV)
    assert depth(SPACE, every_conv) == SPACE.cells * SPACE.nodes
    assert width(SPACE, every_conv) == (SPACE.nodes + 3) / 2
    every_identity = uniform_genotype(SPACE, IDENTITY)
    assert (depth(SPACE, every_identity), width(SPACE, every_identity)) == (0, 0)
    # a conv on edge 1 -> 2 (the previous cell's output) of every cell: one layer per cell
    chain = tuple((IDENTITY, CONV) + (IDENTITY,) * (SPACE.num_edges - 2) for _ in range(SPACE.rows))
    assert depth(SPACE, Genotype(SPACE.ops, chain)) == SPACE.cells
    assert width(SPACE, Genotype(SPACE.ops, chain)) == pytest.approx(1 / SPACE.nodes)
    # on edge 0 -> 2 it reads the cell before the previous one: cells 0 and 2 chain, 1 does not
    skip = tuple((CONV,) + (IDENTITY,) * (SPACE.num_edges - 1) for _ in range(SPACE.rows))
    assert depth(SPACE, Genotype(SPACE.ops, skip)) == 2


def test_grid_bins_clamp_and_count_cells() -> None:
    axis = Axis("flops", 10, 20, 4)
    assert [axis.index(v) for v in (0, 10, 12.4, 12.5, 19.9, 20, 99)] == [0, 0, 0, 1, 3, 3, 3]
    assert Axis("flops", 5, 5, 3).index(7) == 0
    assert GRID.size == 5 * 4 * 4
    grid = default_grid(SPACE, (100, 900), bins=3)
    assert [a.name for a in grid.axes] == ["depth", "width", "flops"]
    with pytest.raises(ValueError, match="bins"):
        Axis("depth", 1, 0, 2)


def test_rule_mutator_always_changes_a_few_edges() -> None:
    rng = random.Random(0)
    parent = random_genotype(SPACE, rng)
    mutator = RuleMutator(edges=3)
    for _ in range(200):
        child = mutator.mutate(parent, SPACE, rng)
        check_genotype(SPACE, child)
        assert 1 <= edits(parent, child) <= 3


def test_the_job_names_its_mutator() -> None:
    sizes = {"image_size": 16, "search_epochs": 1, "retrain_epochs": 1, "strategy": "evolution"}
    assert isinstance(job_mutator(SearchConfig(**sizes)), RuleMutator)
    endpoint = {"llm_url": "http://127.0.0.1:9/v1", "llm_model": "m"}
    config = SearchConfig(**sizes, **endpoint, mutator="llm", seed=5)
    llm = job_mutator(config, "secret")
    assert isinstance(llm, LLMMutator) and (llm.model, llm.api_key) == ("m", "secret")
    assert llm.rng.random() == random.Random(5).random()  # prompts drawn with the search seed
    with pytest.raises(ValueError, match="endpoint"):
        SearchConfig(**sizes, mutator="llm")
    with pytest.raises(ValueError, match="must be an http"):
        LLMMutator("file:///etc/passwd", "m")


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_strategies_spend_exactly_the_budget_deterministically(name: str) -> None:
    strategy = ALGORITHMS[name]
    evaluator = target_evaluator()
    first = strategy(SPACE, evaluator, 37, seed=5)
    again = strategy(SPACE, target_evaluator(), 37, seed=5)
    other = strategy(SPACE, target_evaluator(), 37, seed=6)
    assert evaluator.calls == len(first.candidates) == 37
    assert [c.genotype for c in first.candidates] == [c.genotype for c in again.candidates]
    assert [c.genotype for c in first.candidates] != [c.genotype for c in other.candidates]
    assert first.best.accuracy == max(c.accuracy for c in first.candidates)
    assert not first.cancelled
    json.dumps(first.to_dict())


def test_regularized_evolution_beats_random_search_on_the_synthetic_objective() -> None:
    seeds = range(5)
    evolved = [
        regularized_evolution(SPACE, target_evaluator(s), 150, s, population=10, sample=3)
        for s in seeds
    ]
    drawn = [random_search(SPACE, target_evaluator(s), 150, s) for s in seeds]
    evolved_best = [r.best.accuracy for r in evolved]
    drawn_best = [r.best.accuracy for r in drawn]
    assert sum(evolved_best) / 5 > sum(drawn_best) / 5 + 0.1, (evolved_best, drawn_best)
    assert sum(e >= d for e, d in zip(evolved_best, drawn_best, strict=True)) >= 4


def test_evolution_ages_out_and_mutates_tournament_winners() -> None:
    evaluator = target_evaluator()
    result = regularized_evolution(SPACE, evaluator, 30, 0, population=10, sample=10)
    alive = list(result.candidates[:10])
    for child in result.candidates[10:]:
        top = max(c.accuracy for c in alive)  # sample = population: a best member is mutated
        assert 1 in {edits(c.genotype, child.genotype) for c in alive if c.accuracy == top}
        alive = [*alive[1:], child]


def test_map_elites_keeps_the_best_of_every_bin_it_visits() -> None:
    result = map_elites(SPACE, target_evaluator(), 120, 3, grid=GRID, initial=15)
    assert result.archive is not None
    cells = {tuple(cell["bins"]): cell["elite"] for cell in result.archive["cells"]}
    best_per_bin: dict[tuple[int, ...], float] = {}
    for c in result.candidates:
        key = GRID.key(c)
        best_per_bin[key] = max(best_per_bin.get(key, 0.0), c.accuracy)
    assert set(cells) == set(best_per_bin)
    assert {k: e["accuracy"] for k, e in cells.items()} == best_per_bin
    assert 5 <= len(cells) < len(result.candidates)
    assert result.archive["axes"][0] == {"name": "depth", "low": 0, "high": 9, "bins": 5}


def best_per_bin(candidates: tuple[Candidate, ...]) -> dict[tuple[int, ...], float]:
    """The highest accuracy seen in each bin of GRID."""
    best: dict[tuple[int, ...], float] = {}
    for c in candidates:
        key = GRID.key(c)
        best[key] = max(best.get(key, 0.0), c.accuracy)
    return best


def test_map_elites_elites_beat_random_search_in_the_bins_both_reach() -> None:
    margins = []
    for seed in range(5):
        elites = best_per_bin(
            map_elites(SPACE, target_evaluator(seed), 120, seed, grid=GRID).candidates
        )
        drawn = best_per_bin(random_search(SPACE, target_evaluator(seed), 120, seed).candidates)
        shared = set(elites) & set(drawn)
        margins.append(sum(elites[k] - drawn[k] for k in shared) / len(shared))
    assert sum(m > 0 for m in margins) >= 4 and sum(margins) / 5 > 0.03, margins


def test_uniform_crossover_mixes_both_parents_and_equals_neither() -> None:
    rng = random.Random(0)
    for _ in range(50):
        a, b = random_genotype(SPACE, rng), random_genotype(SPACE, rng)
        child = uniform_crossover(a, b, rng)
        assert child is not None and child not in (a, b)
        check_genotype(SPACE, child)
        for mine, left, right in zip(child.choices, a.choices, b.choices, strict=True):
            assert all(op in (x, y) for op, x, y in zip(mine, left, right, strict=True))
        assert edits(child, a) + edits(child, b) == edits(a, b)


def test_crossover_of_near_twins_mutates_instead() -> None:
    a = random_genotype(SPACE, random.Random(4))
    twin = RuleMutator().mutate(a, SPACE, random.Random(5))
    assert edits(a, twin) == 1
    assert uniform_crossover(a, a, random.Random(0)) is None
    assert uniform_crossover(a, twin, random.Random(0)) is None
    child = RuleMutator().crossover((a, twin), SPACE, random.Random(6))
    assert child == RuleMutator().mutate(a, SPACE, random.Random(6))
    other = Genotype(SPACE.ops[:2], ((0,) * SPACE.num_edges,) * SPACE.cells)
    with pytest.raises(ValueError, match="same space"):
        uniform_crossover(a, other, random.Random(0))


def test_map_elites_crosses_elites_and_counts_what_each_operator_achieved() -> None:
    evaluator = target_evaluator(2)
    result = map_elites(SPACE, evaluator, 100, 2, grid=GRID, initial=10, crossover_rate=0.5)
    assert result.variation is not None
    operators = result.variation["operators"]
    assert set(operators) == {"crossover", "mutation"}
    assert sum(o["children"] for o in operators.values()) == 90
    assert operators["crossover"]["children"] > 25
    assert all(0 < o["successes"] <= o["children"] for o in operators.values())
    assert result.variation["mutator"] == {"kind": "rules", "edges": 1}
    # successes are exactly the archive insertions after the random start
    archive = Archive(GRID)
    inserted = [archive.insert(c) for c in result.candidates]
    assert sum(inserted[10:]) == sum(o["successes"] for o in operators.values())
    no_crossover = map_elites(SPACE, target_evaluator(2), 40, 2, grid=GRID, crossover_rate=0.0)
    assert no_crossover.variation is not None
    assert set(no_crossover.variation["operators"]) == {"mutation"}
    with pytest.raises(ValueError, match="crossover_rate"):
        map_elites(SPACE, evaluator, 10, 0, crossover_rate=1.5)


def test_evolution_counts_children_that_beat_their_parent() -> None:
    result = regularized_evolution(SPACE, target_evaluator(), 60, 0, population=10, sample=3)
    assert result.variation is not None
    mutation = result.variation["operators"]["mutation"]
    assert mutation["children"] == 50 and 0 < mutation["successes"] < 50
    assert random_search(SPACE, target_evaluator(), 5, 0).variation is None
    json.dumps(result.to_dict())


def test_map_elites_default_grid_uses_measured_flops() -> None:
    tiny = SearchSpace(cells=1, nodes=2, channels=4, classes=4)
    evaluator = TargetEvaluator(tiny, random_genotype(tiny, random.Random(1)))
    low, high = flops_range(tiny, evaluator.image_size)
    assert low < high == network_cost(tiny, uniform_genotype(tiny, CONV), 8).flops
    result = map_elites(tiny, evaluator, 3, 0, initial=3)
    assert result.archive is not None
    assert result.archive["axes"][2] == {"name": "flops", "low": low, "high": high, "bins": 4}


def test_the_front_of_a_result_is_non_dominated_complete_and_distinct() -> None:
    result = random_search(SPACE, target_evaluator(), 80, 1)
    front = result.pareto
    twice = BlackBoxResult("random", result.candidates + result.candidates)

    def dominates(a: Candidate, b: Candidate) -> bool:
        no_worse = a.accuracy >= b.accuracy and a.params <= b.params
        return no_worse and (a.accuracy > b.accuracy or a.params < b.params)

    assert not any(dominates(a, b) for a in result.candidates for b in front)
    assert all(c in front or any(dominates(f, c) for f in front) for c in result.candidates)
    assert [c.params for c in front] == sorted(c.params for c in front)
    assert front[-1].accuracy == result.best.accuracy
    assert twice.pareto == front
    assert twice.to_dict()["pareto"] == [result.candidates.index(c) for c in front]


def test_callback_sees_every_evaluation_and_cancels() -> None:
    seen: list[tuple[int, float]] = []

    def stop_after_seven(index: int, candidate: Candidate, best: Candidate) -> bool:
        seen.append((index, best.accuracy))
        assert best.accuracy >= candidate.accuracy
        return index < 6

    evaluator = target_evaluator()
    result = regularized_evolution(SPACE, evaluator, 100, 0, callback=stop_after_seven)
    assert result.cancelled and evaluator.calls == len(result.candidates) == 7
    assert [i for i, _ in seen] == list(range(7))
    assert [b for _, b in seen] == sorted(b for _, b in seen)


def test_proxy_evaluator_trains_measures_and_caches(
    tiny_space: SearchSpace, tiny_data: SearchData
) -> None:
    genotype = uniform_genotype(tiny_space, tiny_space.ops.index("conv3"))
    data = SearchData(synthetic(512, seed=1), tiny_data.val)
    evaluator = ProxyEvaluator(tiny_space, data, epochs=1, seed=0, lr=3e-2, batch_size=16)
    candidate = evaluator.evaluate(genotype)
    net = build_discrete(tiny_space, genotype)
    assert candidate.params == sum(p.numel() for p in net.parameters())
    assert (candidate.params, candidate.flops) == network_cost(tiny_space, genotype, 12)
    assert candidate.accuracy > 0.5  # 4 classes: chance is 0.25
    assert (candidate.depth, candidate.width) == (2, 2.5)
    assert evaluator.evaluate(Genotype.from_json(genotype.to_json())) is candidate


def test_a_blackbox_state_is_restored_only_in_its_own_space(
    tiny_space: SearchSpace, tiny_data: SearchData, tmp_path: Path
) -> None:
    config = SearchConfig(
        strategy="random", evaluations=2, image_size=16, search_epochs=1, retrain_epochs=1, cells=1
    )

    def context(space: SearchSpace) -> SearchContext:
        table = measure_latency_table(space, 16, torch.device("cpu"), repeats=1, warmup=0)
        device = torch.device("cpu")
        return SearchContext(config, space, tiny_data, table, device, tmp_path, lambda *a: None)

    first = BlackBox(context(tiny_space))
    first.run()
    assert len(first.evaluator.cache) >= 1
    again = BlackBox(context(tiny_space))
    assert again.restore() and again.evaluator.cache == first.evaluator.cache
    other = BlackBox(context(replace(tiny_space, preprocess=False)))
    assert not other.restore() and other.evaluator.cache == {}
