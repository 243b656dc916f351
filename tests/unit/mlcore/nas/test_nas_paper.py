"""The thesis' complexity vectors and published table, as data for benchmarks."""

from __future__ import annotations

import pytest

from mlcore.nas.paper import EXPERIMENTS, PAPER_TABLE, S_VECTORS, kind_counts


def test_vectors_are_on_the_simplex_in_the_thesis_order() -> None:
    for ops, vectors in S_VECTORS.items():
        assert set(vectors) == {"A", "B", "C", "D"}
        for s in vectors.values():
            assert len(s) == len(ops)
            assert sum(s) == pytest.approx(1.0, abs=0.015)


def test_table_rows_match_their_experiments() -> None:
    assert {(row.experiment, row.label) for row in PAPER_TABLE} == {
        (name, label) for name in EXPERIMENTS for label in "ABCD"
    }
    for row in PAPER_TABLE:
        assert row.pool + row.conv + row.identity == 28  # the thesis counts 28 layers each
    assert EXPERIMENTS["exp3"].space(channels=8).in_channels == 3
    assert kind_counts({"maxpool3": 2, "avgpool3": 1, "identity": 0, "conv3": 4, "conv5": 1}) == {
        "pool": 3,
        "conv": 5,
        "identity": 0,
    }
