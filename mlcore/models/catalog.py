"""The torch-free catalog (mlcore/contract/catalog.json) computed from the registry: each
architecture measured on its published form, with its engine's training recipe."""

from __future__ import annotations

from typing import Any

from mlcore.engines.registry import ENGINES
from mlcore.models.architecture import Architecture
from mlcore.models.metadata import describe_module
from mlcore.models.registry import ARCHITECTURES


def describe(arch: Architecture) -> dict[str, Any]:
    """Catalog entry of one architecture, measured on its published form."""
    family = arch.family
    recipe = family.recipe or ENGINES.get(family.engine).recipe
    if recipe is None:
        raise ValueError(f"engine {family.engine} trains no catalog model (it has no recipe)")
    return {
        "name": arch.name,
        "family": family.name,
        "task": family.task,
        "source": family.source,
        "engine": family.engine,
        "recipe": recipe.model_dump(),
        "builder": arch.builder,
        "default_image_size": arch.default_image_size,
        "min_image_size": arch.min_image_size,
        "year": family.year,
        "licence": family.licence,
        "weights_file": arch.weights_file,
        "weights_url": arch.weights_url,
        "weights_sha256_prefix": arch.weights_sha256_prefix,
        **describe_module(arch.build(arch.published_classes), arch.default_image_size),
        **arch.published(),
    }


def build_catalog() -> list[dict[str, Any]]:
    """The catalog as written to catalog.json."""
    return [describe(arch) for _, arch in ARCHITECTURES.items()]
