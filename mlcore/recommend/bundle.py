"""The shipped recommender as files the ranking child reads without torch: the dataset
tower as ONNX, and every catalog classifier's group shares of its embedding
(`portfolio.json`), computed once here since a model's embedding does not depend on the
dataset."""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from mlcore.contract.catalog import load_catalog
from mlcore.recommend.encoder import DualEncoder, with_one
from mlcore.recommend.features import DATASET_STATISTICS, GROUPS, IMAGE_SIDE, SAMPLE, group_facts
from mlcore.recommend.fit import Calibration
from mlcore.recommend.metadata import ModelTable
from mlcore.recommend.shipped import BUNDLE_FORMAT, PORTFOLIO_FILE, TOWER_FILE


class TowerForExport(nn.Module):
    """The dataset tower with the prior's constant coordinate, so the child's score is one
    dot product per group share."""

    def __init__(self, model: DualEncoder) -> None:
        super().__init__()
        self.tower = model.datasets

    def forward(self, images: torch.Tensor, statistics: torch.Tensor) -> torch.Tensor:
        return with_one(self.tower(images, statistics))


def portfolio() -> ModelTable:
    """Every catalog classifier, with the catalog's family vocabulary."""
    infos = [info.model_dump() for info in load_catalog().values() if info.task == "classify"]
    return ModelTable.build(infos, families(infos))


def families(infos: Sequence[Mapping[str, Any]]) -> list[str]:
    """The family vocabulary: every classifier family of the catalog, in catalog order."""
    return list(dict.fromkeys(str(info["family"]) for info in infos))


def export_bundle(
    model: DualEncoder,
    calibration: Calibration,
    table: ModelTable,
    cells: Sequence[Mapping[str, Any]],
    facts: Mapping[str, Any],
    out: Path,
) -> None:
    """Write the tower and the portfolio's group shares to `out`."""
    out.mkdir(parents=True, exist_ok=True)
    model.eval()
    torch.onnx.export(
        TowerForExport(model),
        (
            torch.zeros(1, SAMPLE, 3, IMAGE_SIDE, IMAGE_SIDE),
            torch.zeros(1, len(DATASET_STATISTICS)),
        ),
        out / TOWER_FILE,
        input_names=["images", "statistics"],
        output_names=["embedding"],
        dynamic_axes={"images": {1: "count"}},
        dynamo=False,
    )
    with torch.no_grad():
        parts = model.models.parts(table.groups)  # (M, 4, dim)
    latency: dict[str, list[float]] = {}
    for cell in cells:
        latency.setdefault(str(cell["model"]), []).append(float(cell["latency_ms"]))
    entries = []
    for i, info in enumerate(table.infos):
        name = table.names[i]
        entries.append(
            {
                "name": name,
                "family": info["family"],
                "params": info["params"],
                "gflops": info["gflops"],
                "pretrained_weights": info.get("pretrained_weights") is not None,
                "measured": name in latency,
                "latency_ms": round(statistics.median(latency[name]), 3)
                if name in latency
                else None,
                "facts": group_facts(info),
                "parts": {
                    g: [round(float(v), 6) for v in parts[i, j]] for j, g in enumerate(GROUPS)
                },
            }
        )
    document = {
        "format": BUNDLE_FORMAT,
        **facts,
        "calibration": {"a": calibration.a, "b": calibration.b, "w": list(calibration.w)},
        "group_weights": {
            g: round(float(w), 4) for g, w in zip(GROUPS, model.models.group_weights(), strict=True)
        },
        "models": entries,
    }
    (out / PORTFOLIO_FILE).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
