"""Catalog JSON vs registry, unknown names, and the import boundaries of mlcore."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlcore.contract.catalog import CATALOG_PATH, UnknownModel, get_model_info, load_catalog
from mlcore.models.registry import create_model, get_architecture, list_models
from mlcore.models.torchvision_classifiers import TorchvisionArchitecture

MLCORE = Path(__file__).resolve().parents[3] / "mlcore"
TEMPLATES = MLCORE / "package" / "runtime"  # the package's starter code, not the library


def test_committed_catalog_agrees_with_the_publishers() -> None:
    """Each entry is the registry measured (test_registries sweeps them one by one); here,
    the measured figures agree with what torchvision publishes for its weights."""
    computed = json.loads(CATALOG_PATH.read_text())
    names = [e["name"] for e in computed]
    assert {f"efficientnet_b{i}" for i in range(8)} <= set(names)
    assert {f"yolo11{scale}{task}" for scale in "nsmlx" for task in ("-cls", "")} <= set(names)
    for entry in (e for e in computed if e["source"] == "torchvision"):
        arch = get_architecture(entry["name"])
        assert isinstance(arch, TorchvisionArchitecture)
        if arch.builder_options:  # built without the auxiliary heads the publisher counts
            continue
        meta = arch.weights.meta
        assert entry["params"] == meta["num_params"]
        # MACs there, rounded (0.04 for the smallest); ViT also counts more than matmuls
        assert entry["gflops"] == pytest.approx(2 * meta["_ops"], rel=0.05, abs=0.01)
    efficientnets = [e for e in computed if e["family"] == "efficientnet"]
    assert all(e["normalisation"] == ["batch"] and e["residual_connections"] for e in efficientnets)


def test_load_catalog_gives_model_info_by_name() -> None:
    catalog = load_catalog()
    assert list(catalog) == list_models()
    info = get_model_info("efficientnet_b3")
    assert (info.family, info.task, info.year, info.licence) == (
        "efficientnet",
        "classify",
        2019,
        "Apache-2.0",
    )
    assert info.default_image_size == 300


@pytest.mark.parametrize("lookup", [get_model_info, lambda name: create_model(name, 3)])
def test_unknown_model_lists_valid_names(lookup: object) -> None:
    with pytest.raises(UnknownModel) as caught:
        lookup("resnet9000")  # type: ignore[operator]
    assert isinstance(caught.value, KeyError)
    assert "resnet9000" in str(caught.value)
    assert "efficientnet_b0" in str(caught.value) and "efficientnet_b7" in str(caught.value)


def test_api_facing_modules_do_not_import_torch() -> None:
    code = (
        "import sys, mlcore.contract.job, mlcore.contract.catalog\n"
        "from mlcore.contract.job import JOB_KINDS\n"
        "JOB_KINDS.names()\n"
        "mlcore.contract.catalog.load_catalog()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'torchvision')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=MLCORE.parent,
    )
    assert out.stdout.strip() == "[]"


def imported_modules(source: Path) -> set[str]:
    """Top-level names of every module `source` imports."""
    tree = ast.parse(source.read_text())
    return {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }


@pytest.mark.parametrize("source", sorted(TEMPLATES.glob("*.py")), ids=lambda p: p.name)
def test_package_starter_code_stands_alone(source: Path) -> None:
    # Shipped inside model packages: runs where no Konstruktor code is installed.
    assert not imported_modules(source) & {"mlcore", "backend", "worker", "tests"}
