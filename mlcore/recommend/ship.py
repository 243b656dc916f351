"""Train the recommender on a whole meta-dataset matrix and write the bundle the service
ranks with (`python -m mlcore recommender MATRIX [--out DIR]`): the dataset tower (ONNX),
the portfolio's group shares, and the matrix itself (gzipped), so the shipped recommender
says exactly what it learned from."""

from __future__ import annotations

import gzip
import json
import statistics
from pathlib import Path
from typing import Any

from mlcore.recommend.bundle import export_bundle, portfolio
from mlcore.recommend.fit import FitSettings, fit
from mlcore.recommend.metadata import load_metadata
from mlcore.recommend.shipped import DEFAULT_BUNDLE, MATRIX_FILE


def read_matrix(path: Path) -> dict[str, Any]:
    """A matrix.json, gzipped or not."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    matrix: dict[str, Any] = json.loads(raw)
    return matrix


def protocol_words(matrix: dict[str, Any]) -> str:
    """What the matrix's accuracies mean, in words."""
    p = matrix["protocol"]
    sides = sorted({int(t["side"]) for t in matrix["tasks"]})
    return (
        f"accuracy after training from scratch for {p['steps']} AdamW steps of {p['batch']} "
        f"images at {'/'.join(map(str, sides))} px, on 5-50 images per class "
        f"({p['name']} v{p['version']}, meta-dataset {matrix['name']})"
    )


def ship(
    matrix_path: Path, out: Path = DEFAULT_BUNDLE, settings: FitSettings = FitSettings()
) -> Path:
    """Fit on every task and cell of the matrix; write the bundle to `out`."""
    matrix = read_matrix(matrix_path)
    table = portfolio()
    data = load_metadata(matrix, table.families)
    model, calibration = fit(data, settings)
    devices = [str(c["device"]) for c in matrix["cells"]]
    facts = {
        "name": f"konstruktor-recommender-v1 ({matrix['name']}: {len(data.tasks.ids)} tasks x "
        f"{len(data.models.names)} models, {len(matrix['cells'])} cells)",
        "protocol_words": protocol_words(matrix),
        "latency_device": statistics.mode(devices) if devices else "unknown",
        "settings": dict(vars(settings)),
        "trained_on": {
            key: [min(t[key] for t in matrix["tasks"]), max(t[key] for t in matrix["tasks"])]
            for key in ("num_classes", "images_per_class", "side")
        },
    }
    export_bundle(model, calibration, table, matrix["cells"], facts, out)
    (out / MATRIX_FILE).write_bytes(gzip.compress(json.dumps(matrix).encode(), mtime=0))
    return out
