"""What a black-box search hands back: every candidate in order, the best, the front."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.family import Member, pareto_front


def as_member(candidate: Candidate) -> Member:
    """The candidate as a family member: derived from no s, no latency predicted."""
    return Member(
        s=(),
        s_all=(),
        genotype=candidate.genotype,
        params=candidate.params,
        flops=candidate.flops,
        predicted_latency_ms=None,
        proxy_accuracy=candidate.accuracy,
    )


@dataclass(frozen=True)
class BlackBoxResult:
    """`candidates` in evaluation order; `archive`: MAP-Elites' (`Archive.to_dict`), else
    None; `cancelled`: the callback stopped the search before its budget was spent;
    `variation`: children and successes per operator and the mutator's report (strategies
    that vary parents), else None."""

    strategy: str
    candidates: tuple[Candidate, ...]
    archive: dict[str, Any] | None = None
    cancelled: bool = False
    variation: dict[str, Any] | None = None

    @property
    def best(self) -> Candidate:
        """The most accurate candidate (the first such)."""
        return max(self.candidates, key=lambda c: c.accuracy)

    @property
    def pareto(self) -> list[Candidate]:
        """The distinct non-dominated candidates over (accuracy max, params min), by params
        (`family.pareto_front`)."""
        distinct = {as_member(c): c for c in self.candidates}
        return [distinct[m] for m in pareto_front(list(distinct), cost="params")]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; the front refers to candidates by evaluation index."""
        return {
            "strategy": self.strategy,
            "candidates": [c.to_dict() for c in self.candidates],
            "best": self.candidates.index(self.best),
            "pareto": [self.candidates.index(c) for c in self.pareto],
            "archive": self.archive,
            "cancelled": self.cancelled,
            "variation": self.variation,
        }
