"""The numbers the recommender's towers read (torch-free: the ranking child imports it).

A model is described in four groups, each encoded by its own tower:
architecture (width and depth), complexity (FLOPs and parameters), basics (family and
year) and features (normalisation, activations, skip connections, attention, gating,
depthwise and grouped convolutions); all of it measured from the built network
(`mlcore.models.metadata`), family and year looked up. A dataset is described by simple
statistics beside its images.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

GROUPS = ("architecture", "complexity", "basics", "features")
GROUP_WORDS = {
    "architecture": "width and depth",
    "complexity": "FLOPs and parameters",
    "basics": "family and year",
    "features": "building blocks",
}
NORMALISATIONS = ("batch", "layer", "group", "instance")
ACTIVATIONS = ("relu", "relu6", "silu", "gelu", "hardswish", "leaky_relu", "mish")
BLOCK_COUNTS = (
    "residual_connections",
    "concat_connections",
    "attention_layers",
    "channel_gates",
    "depthwise_convolutions",
    "grouped_convolutions",
)
YEAR_ORIGIN, YEAR_SCALE = 2012, 14.0
IMAGE_SIDE = 32  # the dataset tower sees every image at this side
SAMPLE = 32  # images sampled per dataset


def log2p(value: float) -> float:
    """log2(1 + value): counts and sizes on a scale the towers learn from."""
    return math.log2(1.0 + max(0.0, float(value)))


def group_vectors(info: Mapping[str, Any], families: Sequence[str]) -> dict[str, list[float]]:
    """A catalog entry's four groups as numbers (`families`: the family vocabulary; a family
    outside it is all zeros in its one-hot part)."""
    family = [1.0 if info["family"] == name else 0.0 for name in families]
    return {
        "architecture": [
            log2p(info["depth"]) / 8,
            log2p(info["width"]) / 12,
            log2p(info["min_image_size"]) / 8,
        ],
        "complexity": [
            log2p(info["params"]) / 30,
            log2p(info["gflops"] * 1000) / 20,
            log2p(info["gflops"] * 1e9 / max(1, info["params"])) / 16,
        ],
        "basics": [*family, (info["year"] - YEAR_ORIGIN) / YEAR_SCALE],
        "features": [
            *(1.0 if kind in info["normalisation"] else 0.0 for kind in NORMALISATIONS),
            1.0 if not info["normalisation"] else 0.0,
            *(1.0 if kind in info["activations"] else 0.0 for kind in ACTIVATIONS),
            *(log2p(info[key]) / 8 for key in BLOCK_COUNTS),
        ],
    }


def group_sizes(families: Sequence[str]) -> dict[str, int]:
    """Length of each group's vector."""
    probe = {
        "family": "",
        "depth": 1,
        "width": 1,
        "min_image_size": 32,
        "params": 1,
        "gflops": 1.0,
        "year": YEAR_ORIGIN,
        "normalisation": [],
        "activations": [],
        **dict.fromkeys(BLOCK_COUNTS, 0),
    }
    return {group: len(v) for group, v in group_vectors(probe, families).items()}


DATASET_STATISTICS = ("log_classes", "log_shots", "log_side", "colour")


def dataset_vector(
    num_classes: int, images_per_class: float, side: float, colour: bool
) -> list[float]:
    """A dataset's simple statistics as the dataset tower reads them."""
    return [
        log2p(num_classes) / 7,
        log2p(images_per_class) / 12,
        log2p(side) / 10,
        1.0 if colour else 0.0,
    ]


def group_facts(info: Mapping[str, Any]) -> dict[str, str]:
    """Each group of a catalog entry in words, for explanations."""
    blocks = [
        *(f"{kind} norm" for kind in info["normalisation"]),
        *(
            words
            for key, words in (
                ("residual_connections", "residual connections"),
                ("concat_connections", "dense concatenations"),
                ("attention_layers", "attention"),
                ("channel_gates", "squeeze-excitation"),
                ("depthwise_convolutions", "depthwise convolutions"),
                ("grouped_convolutions", "grouped convolutions"),
            )
            if info[key]
        ),
    ]
    return {
        "architecture": f"{info['depth']} layers, up to {info['width']} channels",
        "complexity": f"{info['params'] / 1e6:.1f} M parameters, {info['gflops']:.2f} GFLOPs",
        "basics": f"{info['family']}, {info['year']}",
        "features": ", ".join(blocks) or "plain convolutions",
    }
