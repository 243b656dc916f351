"""Choosing a family member under a budget, and saying what to ask for when none fits."""

from __future__ import annotations

import pytest

from mlcore.nas.budget import Budget, BudgetTooSmall, choose_member
from mlcore.nas.family import Member
from mlcore.nas.space.genotype import Genotype


def member(
    params: int, flops: int, latency: float | None, accuracy: float, edge: int = 0
) -> Member:
    s = (0.5, 0.5)
    return Member(
        s=s,
        s_all=(s,),
        genotype=Genotype(("maxpool3", "conv3"), ((edge,),)),
        params=params,
        flops=flops,
        predicted_latency_ms=latency,
        proxy_accuracy=accuracy,
    )


A = member(100, 1_000, 1.0, 0.5)
B = member(200, 3_000, 2.0, 0.7)
C = member(400, 2_000, 4.0, 0.9, edge=1)
D = member(150, 1_500, 1.5, 0.7)
FAMILY = [A, B, C, D]


@pytest.mark.parametrize(
    ("budget", "expected"),
    [
        (Budget(), C),
        (Budget(max_params=300), D),  # B and D tie on accuracy: D has fewer params
        (Budget(max_flops=2_500), C),
        (Budget(max_latency_ms=1.6), D),
        (Budget(max_params=120, max_flops=5_000, max_latency_ms=10.0), A),
    ],
)
def test_most_accurate_within_every_limit(budget: Budget, expected: Member) -> None:
    assert choose_member(FAMILY, budget) is expected


def test_ties_go_to_the_cheaper_in_the_budget_cost() -> None:
    slow_small = member(100, 1_000, 3.0, 0.8)
    fast_big = member(300, 1_000, 1.0, 0.8)
    assert choose_member([slow_small, fast_big], Budget(max_latency_ms=5.0)) is fast_big
    assert choose_member([slow_small, fast_big], Budget(max_params=500)) is slow_small


def test_too_small_a_budget_names_what_to_ask_for() -> None:
    with pytest.raises(BudgetTooSmall, match=r"params=100, flops=1,000, latency=1 ms") as error:
        choose_member(FAMILY, Budget(max_params=50))
    assert isinstance(error.value, ValueError)
    # the closest to fitting (smallest largest cost / limit), not the one with fewest params
    few_params = member(50, 5_000, 5.0, 0.6)
    with pytest.raises(BudgetTooSmall, match=r"params=100,"):
        choose_member([*FAMILY, few_params], Budget(max_params=90, max_flops=1_000))


def test_latency_limit_needs_predicted_latencies() -> None:
    with pytest.raises(ValueError, match="latency table"):
        choose_member([member(100, 1_000, None, 0.5)], Budget(max_latency_ms=1.0))


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Budget(max_params=0)
