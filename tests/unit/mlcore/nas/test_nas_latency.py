"""The latency lookup table: its shape, JSON round trip, and the prediction's arithmetic."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch

from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.latency import (
    LatencyTable,
    cell_sizes,
    latency_vector,
    measure_latency_table,
    measure_network_latency,
    predict_latency,
)
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot_result import as_simplex

SPACE = SearchSpace(cells=3, nodes=2, channels=4, classes=4)
PARTS = ["stem", "cell_0", "reduce_0", "cell_1", "reduce_1", "cell_2", "head"]


@pytest.fixture(scope="module")
def table() -> LatencyTable:
    return measure_latency_table(SPACE, image_size=12, repeats=3, warmup=1)


def hand_table() -> LatencyTable:
    """2 cells x 2 edges (1 node), known entries."""
    space = SearchSpace(cells=2, nodes=1, channels=4, classes=4)
    return LatencyTable(
        space=space,
        image_size=8,
        batch_size=1,
        sizes=(8, 4),
        op_ms=((1.0, 2.0, 3.0), (10.0, 20.0, 30.0)),
        fixed_ms=0.5,
        parts_ms={"stem": 0.1},
        device="test",
        torch_version=torch.__version__,
        repeats=1,
        warmup=0,
        date="2025-01-01T00:00:00+00:00",
    )


def test_table_has_every_op_at_every_cell_and_round_trips(table: LatencyTable) -> None:
    assert table.sizes == (12, 6, 3)
    assert len(table.op_ms) == SPACE.cells
    assert all(len(row) == SPACE.k for row in table.op_ms)
    assert all(ms >= 0 for row in table.op_ms for ms in row)
    assert list(table.parts_ms) == PARTS
    assert table.fixed_ms > 0
    assert table.device and table.torch_version == torch.__version__
    assert (table.batch_size, table.image_size, table.repeats) == (1, 12, 3)
    assert LatencyTable.from_dict(json.loads(json.dumps(table.to_dict()))) == table


def test_cells_follow_the_reduction() -> None:
    assert cell_sizes(SPACE, 28) == (28, 14, 7)
    assert cell_sizes(replace(SPACE, reduction="none"), 28) == (28, 28, 28)


def test_prediction_is_fixed_plus_the_chosen_entries(table: LatencyTable) -> None:
    assert predict_latency(hand_table(), Genotype(SPACE.ops, ((0, 2), (1, 1)))) == pytest.approx(
        0.5 + 1.0 + 3.0 + 20.0 + 20.0
    )
    normal, reduction = (2, 0, 1, 2, 2), (1, 2, 1, 2, 1)  # cells 1 and 2 share the second
    expected = table.fixed_ms + sum(
        table.op_ms[c][m] for c, cell in enumerate((normal, reduction, reduction)) for m in cell
    )
    genotype = Genotype(SPACE.ops, (normal, reduction))
    assert predict_latency(table, genotype) == pytest.approx(expected)


def test_prediction_rejects_another_space(table: LatencyTable) -> None:
    with pytest.raises(ValueError, match="does not fit"):
        predict_latency(table, Genotype(SPACE.ops, ((0, 0),)))


def test_latency_vector_is_on_the_simplex(table: LatencyTable) -> None:
    assert latency_vector(hand_table()) == pytest.approx((1 / 6, 1 / 3, 1 / 2))
    s = latency_vector(table)
    assert len(s) == SPACE.k
    assert sum(s) == pytest.approx(1.0)
    assert all(v >= 0 for v in s)
    assert as_simplex(s, SPACE.k).tolist() == pytest.approx(list(s))


def test_whole_network_is_timed() -> None:
    genotype = Genotype(SPACE.ops, tuple((2,) * SPACE.num_edges for _ in range(SPACE.rows)))
    assert measure_network_latency(SPACE, genotype, 12, repeats=3, warmup=1) > 0
