"""Where the shipped recommender lives and what its files are called (torch-free)."""

from __future__ import annotations

from pathlib import Path

DEFAULT_BUNDLE = Path(__file__).with_name("default")
TOWER_FILE = "dataset_tower.onnx"
PORTFOLIO_FILE = "portfolio.json"
MATRIX_FILE = "matrix.json.gz"  # the meta-dataset the shipped recommender learned from
BUNDLE_FORMAT = 1
