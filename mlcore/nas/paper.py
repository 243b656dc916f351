"""The thesis' (research 002) op orders, complexity vectors and published results, as data."""

from __future__ import annotations

from dataclasses import dataclass

from mlcore.contract.search import CellSharing
from mlcore.nas.space.search_space import SearchSpace

OPS_3 = ("maxpool3", "identity", "conv3")  # thesis order: pool, ident, conv
OPS_5 = ("maxpool3", "avgpool3", "identity", "conv3", "conv5")  # pool1, pool2, ident, conv1, conv2

S_VECTORS: dict[tuple[str, ...], dict[str, tuple[float, ...]]] = {
    OPS_3: {
        "A": (0.33, 0.33, 0.33),
        "B": (0.15, 0.15, 0.70),
        "C": (0.70, 0.15, 0.15),
        "D": (0.15, 0.70, 0.15),
    },
    OPS_5: {
        "A": (0.2, 0.2, 0.2, 0.2, 0.2),
        "B": (0.077, 0.077, 0.077, 0.38, 0.38),
        "C": (0.38, 0.38, 0.077, 0.077, 0.077),
        "D": (0.11, 0.11, 0.55, 0.11, 0.11),
    },
}


@dataclass(frozen=True)
class Experiment:
    """One search of the thesis: data set, ops and search epochs (3 cells x 4 nodes)."""

    name: str
    dataset: str
    ops: tuple[str, ...]
    epochs: int

    def space(
        self, channels: int, preprocess: bool = True, cell_sharing: CellSharing = "shared"
    ) -> SearchSpace:
        """Our space for this experiment at `channels` (the thesis does not state its width)."""
        return SearchSpace(
            ops=self.ops,
            channels=channels,
            in_channels=1 if self.dataset == "fashion-mnist" else 3,
            preprocess=preprocess,
            cell_sharing=cell_sharing,
        )


@dataclass(frozen=True)
class PaperRow:
    """A published architecture: test accuracy %, parameters, #pool / #conv / #identity."""

    experiment: str
    label: str
    accuracy: float
    params: int
    pool: int
    conv: int
    identity: int


EXPERIMENTS = {
    "exp1": Experiment("exp1", "fashion-mnist", OPS_3, 10),
    "exp2": Experiment("exp2", "fashion-mnist", OPS_5, 20),
    "exp3": Experiment("exp3", "cifar10", OPS_3, 50),
}

PAPER_TABLE = (
    PaperRow("exp1", "A", 82.5, 38_304, 12, 6, 10),
    PaperRow("exp1", "B", 79.2, 5_120, 17, 0, 11),
    PaperRow("exp1", "C", 85.0, 143_488, 0, 13, 15),
    PaperRow("exp1", "D", 81.4, 12_320, 18, 9, 1),
    PaperRow("exp2", "A", 85.62, 93_888, 16, 8, 4),
    PaperRow("exp2", "B", 82.37, 25_280, 22, 1, 5),
    PaperRow("exp2", "C", 85.63, 137_632, 4, 13, 11),
    PaperRow("exp2", "D", 85.60, 72_928, 22, 6, 0),
    PaperRow("exp3", "A", 71.02, 113_984, 4, 18, 6),
    PaperRow("exp3", "B", 52.37, 10_240, 12, 0, 16),
    PaperRow("exp3", "C", 73.77, 159_456, 0, 9, 19),
    PaperRow("exp3", "D", 68.43, 8_800, 17, 11, 0),
)

OP_KINDS = {
    "maxpool3": "pool",
    "avgpool3": "pool",
    "identity": "identity",
    "conv3": "conv",
    "conv5": "conv",
}


def kind_counts(counts: dict[str, int]) -> dict[str, int]:
    """Op counts merged into the thesis' columns: pool, conv, identity."""
    merged = {"pool": 0, "conv": 0, "identity": 0}
    for op, n in counts.items():
        merged[OP_KINDS[op]] += n
    return merged
