"""A retrained network that lands well below the proxy accuracy its search ranked it by is
a warning of the job's (the margin is PROXY_MARGIN); one within the margin is not."""

from __future__ import annotations

import pytest

from mlcore.nas.family import Member
from mlcore.nas.readme import PROXY_MARGIN, proxy_gap_warning
from mlcore.nas.space.genotype import uniform_genotype
from mlcore.nas.space.search_space import SearchSpace


def member(proxy_accuracy: float) -> Member:
    space = SearchSpace(cells=1, nodes=2, channels=4, classes=2)
    s = (1 / 3, 1 / 3, 1 / 3)
    return Member(s, (s,), uniform_genotype(space, 0), 100, 1000, None, proxy_accuracy)


@pytest.mark.parametrize("retrained", [0.64, 0.60, 0.64 - PROXY_MARGIN])
def test_a_retrained_network_within_the_margin_is_not_a_warning(retrained: float) -> None:
    assert proxy_gap_warning(member(0.64), retrained, 5) is None


def test_a_network_answering_one_class_after_its_proxy_promised_more_is_a_warning() -> None:
    warning = proxy_gap_warning(member(0.64), 0.5, 1)  # 2 balanced classes: chance
    assert warning is not None
    assert "50.0%" in warning and "64.0%" in warning and "14 points" in warning
    assert "1 retraining epoch" in warning and "retrain_epochs" in warning
