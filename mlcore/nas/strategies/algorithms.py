"""Black-box search strategies spending a budget of evaluations: random search, regularized
evolution (Real et al. 2019) and MAP-Elites with mutation and crossover (as in LLMatic)."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.evaluators.proxy import Evaluator, flops_range
from mlcore.nas.space.genotype import Genotype, random_genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.archive import Archive, Grid, default_grid
from mlcore.nas.strategies.blackbox_result import BlackBoxResult
from mlcore.nas.variation.mutator import Mutator, RuleMutator

# (index from 0, candidate, best so far) after every evaluation; returning False stops
Callback = Callable[[int, Candidate, Candidate], bool | None]


class Run:
    """The evaluations of one search: at most `budget`, fewer if the callback stops it."""

    def __init__(self, evaluator: Evaluator, budget: int, callback: Callback | None) -> None:
        if budget < 1:
            raise ValueError("budget must be >= 1 evaluation")
        self.evaluator = evaluator
        self.budget = budget
        self.callback = callback
        self.candidates: list[Candidate] = []
        self.best: Candidate | None = None
        self.cancelled = False
        self.children: Counter[str] = Counter()
        self.successes: Counter[str] = Counter()

    @property
    def open(self) -> bool:
        """Whether another evaluation may be spent."""
        return not self.cancelled and len(self.candidates) < self.budget

    def evaluate(self, genotype: Genotype) -> Candidate:
        """Score `genotype`, record it and tell the callback."""
        candidate = self.evaluator.evaluate(genotype)
        self.candidates.append(candidate)
        if self.best is None or candidate.accuracy > self.best.accuracy:
            self.best = candidate
        if self.callback is not None:
            self.cancelled = self.callback(len(self.candidates) - 1, candidate, self.best) is False
        return candidate

    def vary(
        self,
        operator: str,
        child: Genotype,
        mutator: Mutator,
        succeeded: Callable[[Candidate], bool],
    ) -> Candidate:
        """Evaluate a child `operator` made; count it and whether it `succeeded`, and tell the
        mutator."""
        candidate = self.evaluate(child)
        success = succeeded(candidate)
        self.children[operator] += 1
        self.successes[operator] += success
        mutator.observe(child, success)
        return candidate

    def variation(self, mutator: Mutator) -> dict[str, Any]:
        """Children and successes per operator, and the mutator's own report."""
        operators = {
            name: {"children": count, "successes": self.successes[name]}
            for name, count in sorted(self.children.items())
        }
        return {"operators": operators, "mutator": mutator.report()}

    def result(
        self,
        strategy: str,
        archive: Archive | None = None,
        mutator: Mutator | None = None,
    ) -> BlackBoxResult:
        """Everything evaluated so far."""
        return BlackBoxResult(
            strategy,
            tuple(self.candidates),
            None if archive is None else archive.to_dict(),
            self.cancelled,
            None if mutator is None else self.variation(mutator),
        )


def more_accurate_than(parent: Candidate) -> Callable[[Candidate], bool]:
    """Whether a child is more accurate than `parent`."""
    return lambda child: child.accuracy > parent.accuracy


def random_search(
    space: SearchSpace,
    evaluator: Evaluator,
    budget: int,
    seed: int,
    *,
    callback: Callback | None = None,
) -> BlackBoxResult:
    """`budget` uniformly drawn architectures."""
    rng = random.Random(seed)
    run = Run(evaluator, budget, callback)
    while run.open:
        run.evaluate(random_genotype(space, rng))
    return run.result("random")


def regularized_evolution(
    space: SearchSpace,
    evaluator: Evaluator,
    budget: int,
    seed: int,
    *,
    mutator: Mutator | None = None,
    population: int = 20,
    sample: int = 5,
    callback: Callback | None = None,
) -> BlackBoxResult:
    """`population` random architectures, then cycles: the most accurate of `sample` random
    members is mutated, the child joins and the oldest member leaves (aging). A child
    succeeds when it is more accurate than its parent."""
    if not 1 <= sample <= population:
        raise ValueError("need 1 <= sample <= population")
    rng = random.Random(seed)
    mutator = mutator or RuleMutator()
    run = Run(evaluator, budget, callback)
    alive: deque[Candidate] = deque()
    while run.open:
        if len(alive) < population:
            alive.append(run.evaluate(random_genotype(space, rng)))
            continue
        parent = max(rng.sample(list(alive), sample), key=lambda c: c.accuracy)
        child = mutator.mutate(parent.genotype, space, rng, parent.metrics)
        alive.append(run.vary("mutation", child, mutator, more_accurate_than(parent)))
        alive.popleft()
    return run.result("evolution", mutator=mutator)


def map_elites(
    space: SearchSpace,
    evaluator: Evaluator,
    budget: int,
    seed: int,
    *,
    mutator: Mutator | None = None,
    grid: Grid | None = None,
    initial: int = 10,
    crossover_rate: float = 0.2,
    callback: Callback | None = None,
) -> BlackBoxResult:
    """`initial` random architectures, then children of uniformly chosen elites: with
    probability `crossover_rate` (once there are two elites) a crossover of two, else a
    mutant of one. A candidate enters the archive, and a child succeeds, if its cell is empty
    or it is more accurate than the elite there. `grid` defaults to depth x width x FLOPs,
    4 bins each, over the space's ranges."""
    if initial < 1:
        raise ValueError("initial must be >= 1")
    if not 0.0 <= crossover_rate <= 1.0:
        raise ValueError("crossover_rate must be in [0, 1]")
    rng = random.Random(seed)
    mutator = mutator or RuleMutator()
    archive = Archive(grid or default_grid(space, flops_range(space, evaluator.image_size)))
    run = Run(evaluator, budget, callback)
    while run.open:
        if len(run.candidates) < initial:
            archive.insert(run.evaluate(random_genotype(space, rng)))
            continue
        elites = [archive.elites[key] for key in sorted(archive.elites)]
        if crossover_rate > 0 and len(elites) >= 2 and rng.random() < crossover_rate:
            a, b = rng.sample(elites, 2)
            pair = (a.genotype, b.genotype)
            operator, child = (
                "crossover",
                mutator.crossover(pair, space, rng, (a.metrics, b.metrics)),
            )
        else:
            parent = rng.choice(elites)
            operator, child = (
                "mutation",
                mutator.mutate(parent.genotype, space, rng, parent.metrics),
            )
        run.vary(operator, child, mutator, archive.insert)
    return run.result("map_elites", archive, mutator)


ALGORITHMS: dict[str, Callable[..., BlackBoxResult]] = {
    "random": random_search,
    "evolution": regularized_evolution,
    "map_elites": map_elites,
}
