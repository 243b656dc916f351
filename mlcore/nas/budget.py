"""Pick the family member a user's hardware budget allows: the most accurate that fits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

from mlcore.nas.family import Member, member_cost

LIMITS = {"max_params": "params", "max_flops": "flops", "max_latency_ms": "latency"}


class BudgetTooSmall(ValueError):
    """No member of the family fits the budget."""


@dataclass(frozen=True)
class Budget:
    """Upper limits; None leaves that cost free. A latency limit needs members enumerated
    with a latency table."""

    max_params: int | None = None
    max_flops: int | None = None
    max_latency_ms: float | None = None

    def __post_init__(self) -> None:
        if any(limit is not None and limit <= 0 for limit in self.limits().values()):
            raise ValueError(f"budget limits must be positive: {self}")

    def limits(self) -> dict[str, float]:
        """{cost key: limit} of the limits given."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {LIMITS[name]: value for name, value in values.items() if value is not None}

    def fits(self, member: Member) -> bool:
        """Whether the member is within every given limit."""
        return all(member_cost(member, key) <= limit for key, limit in self.limits().items())

    def overshoot(self, member: Member) -> float:
        """The largest cost / limit ratio over the given limits (<= 1: the member fits)."""
        ratios = [member_cost(member, key) / limit for key, limit in self.limits().items()]
        return max(ratios, default=0.0)


def describe(member: Member) -> str:
    """The member's costs and s, for messages."""
    latency = member.predicted_latency_ms
    shown = "unknown" if latency is None else f"{latency:.3g} ms"
    s = ", ".join(f"{v:.2f}" for v in member.s)
    return f"params={member.params:,}, flops={member.flops:,}, latency={shown} (s=({s}))"


def choose_member(members: Sequence[Member], budget: Budget) -> Member:
    """The most accurate member within every limit of `budget`; ties go to the cheaper in
    the budget's costs, then in params. Raises BudgetTooSmall naming the member closest to
    fitting (smallest largest cost / limit ratio)."""
    if not members:
        raise ValueError("the family has no members")
    keys = list(budget.limits())
    fitting = [m for m in members if budget.fits(m)]
    if not fitting:
        closest = min(members, key=budget.overshoot)
        raise BudgetTooSmall(
            f"no member of the family fits {budget}; the closest needs {describe(closest)}"
        )
    return min(
        fitting,
        key=lambda m: (-m.proxy_accuracy, *(member_cost(m, key) for key in keys), m.params),
    )
