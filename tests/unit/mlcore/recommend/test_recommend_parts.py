"""The recommender's parts: rank metrics, LogME, the four metadata groups, explanations."""

from __future__ import annotations

import numpy as np
import pytest

from mlcore.contract.catalog import load_catalog
from mlcore.recommend.features import GROUPS, group_facts, group_sizes, group_vectors
from mlcore.recommend.logme import logme
from mlcore.recommend.metrics import rank_quality
from mlcore.recommend.rank import explain


def test_a_perfect_ranking_has_tau_one_and_no_regret() -> None:
    measured = np.array([0.9, 0.5, 0.7, np.nan, 0.2])
    perfect = rank_quality(measured, np.array([4.0, 2.0, 3.0, 9.0, 1.0]))
    assert perfect.weighted_tau == pytest.approx(1.0) and perfect.top1_regret == 0
    reversed_ = rank_quality(measured, -np.array([4.0, 2.0, 3.0, 9.0, 1.0]))
    assert reversed_.weighted_tau < -0.9
    assert reversed_.top1_regret == pytest.approx(70.0)  # took 0.2 instead of 0.9
    assert reversed_.top3_regret == pytest.approx(20.0)  # best of 0.2, 0.5, 0.7


def test_logme_prefers_features_that_separate_the_classes() -> None:
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(4), 30)
    noise = rng.normal(size=(120, 16))
    separating = noise * 0.3 + np.eye(4)[labels] @ rng.normal(size=(4, 16)) * 3
    assert logme(separating, labels) > logme(noise, labels) + 0.1


def test_every_catalog_classifier_fills_the_four_groups() -> None:
    infos = [i.model_dump() for i in load_catalog().values() if i.task == "classify"]
    families = sorted({i["family"] for i in infos})
    sizes = group_sizes(families)
    assert set(sizes) == set(GROUPS)
    vectors = [group_vectors(info, families) for info in infos]
    for vector in vectors:
        assert {g: len(v) for g, v in vector.items()} == sizes
        assert sum(vector["basics"][: len(families)]) == 1  # its family, one-hot
        assert all(np.isfinite(v).all() for v in vector.values())
    # the groups tell the models apart: no two architectures share all four
    assert len({str(v) for v in vectors}) == len(vectors)
    facts = group_facts(next(i for i in infos if i["name"] == "mobilenet_v3_small"))
    assert "depthwise convolutions" in facts["features"]
    assert "squeeze-excitation" in facts["features"]


def test_an_explanation_names_what_lifted_and_what_held_back() -> None:
    facts = {g: f"{g} facts" for g in GROUPS}
    text = explain({"architecture": 0.5, "complexity": -0.8, "basics": 0.1, "features": 0.0}, facts)
    assert text.startswith("Lifted by its width and depth (architecture facts)")
    assert "held back by its FLOPs and parameters (complexity facts)" in text
