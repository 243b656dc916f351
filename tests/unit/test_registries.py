"""Every registry is complete and agrees with the others: job kinds, engines, architectures
and the catalog, search strategies, compute backends, cell operations (timm's
tests/test_models.py style sweeps)."""

from __future__ import annotations

import json
import socket
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from backend.main import create_app
from backend.settings import Settings
from mlcore.contract.catalog import CATALOG_PATH, load_catalog
from mlcore.contract.job import JOB_KINDS, JobConfig
from mlcore.contract.search import STRATEGIES as DECLARED_STRATEGIES
from mlcore.contract.search import CellOp, SearchConfig
from mlcore.engines.registry import ENGINES
from mlcore.models.catalog import describe
from mlcore.models.registry import get_architecture, list_models
from mlcore.nas.data import SearchData
from mlcore.nas.selection import search
from mlcore.nas.space.latency import measure_latency_table
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.base import STATE_FILE, STRATEGIES, SearchContext
from mlcore.nas.strategies.blackbox import BlackBox
from mlcore.nas.strategies.differentiable import Differentiable
from mlcore.package.runtime.nas_network import OPERATIONS
from tests.unit.mlcore.nas.conftest import synthetic
from worker.compute.base import COMPUTE_BACKENDS

STRATEGY_CLASSES = {"differentiable": Differentiable, "blackbox": BlackBox}


@pytest.mark.parametrize("name", JOB_KINDS.names())
def test_every_job_kind_is_whole(name: str) -> None:
    kind = JOB_KINDS.get(name)
    assert issubclass(kind.config_type, kind.params_type)  # a config is resolved params
    assert issubclass(kind.config_type, JobConfig)
    for wanted in kind.inputs.values():
        assert wanted.field in kind.params_type.model_fields
    schemas = create_app().openapi()["components"]["schemas"]
    assert f"{name.title().replace('_', '')}JobCreate" in schemas  # the API accepts it


def test_every_engine_a_job_can_name_is_registered() -> None:
    engines = set(ENGINES.names())
    catalog_engines = {info.engine for info in load_catalog().values()}
    search_engine = SearchConfig(image_size=32, search_epochs=1, retrain_epochs=1).engine
    assert catalog_engines | {search_engine} == engines  # none unused, none missing
    for name in catalog_engines:  # a catalog engine carries the defaults its models train with
        assert ENGINES.get(name).recipe is not None


def test_the_catalog_is_the_registry_measured() -> None:
    assert list(load_catalog()) == list_models()


@pytest.mark.parametrize("name", list(DECLARED_STRATEGIES))
def test_every_declared_strategy_has_one_implementation_of_its_kind(name: str) -> None:
    assert STRATEGIES.get(name) is STRATEGY_CLASSES[DECLARED_STRATEGIES[name].kind]


def test_no_strategy_is_implemented_without_a_declaration() -> None:
    assert set(STRATEGIES.names()) == set(DECLARED_STRATEGIES)


def test_every_operation_the_api_accepts_is_built_by_the_network() -> None:
    assert set(typing.get_args(CellOp)) == set(OPERATIONS)


def test_the_default_compute_backend_is_registered() -> None:
    assert Settings().compute_backend in COMPUTE_BACKENDS


@pytest.fixture(scope="module")
def tiny() -> Iterator[tuple[SearchSpace, SearchData]]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    space = SearchSpace(cells=1, nodes=2, channels=4, in_channels=1, classes=4)
    yield space, SearchData(synthetic(96, seed=1, size=16), synthetic(64, seed=2, size=16))
    torch.set_num_threads(threads)


@pytest.mark.parametrize("name", list(DECLARED_STRATEGIES))
def test_every_strategy_runs_a_tiny_search(
    name: str, tiny: tuple[SearchSpace, SearchData], tmp_path: Path
) -> None:
    space, data = tiny
    config = SearchConfig(
        strategy=name, image_size=16, search_epochs=1, retrain_epochs=1, evaluations=3, cells=1
    )
    table = measure_latency_table(space, 16, "cpu", repeats=1, warmup=0)
    steps: list[int] = []
    context = SearchContext(
        config, space, data, table, torch.device("cpu"), tmp_path, lambda s, m, d: steps.append(s)
    )
    outcome = search(context)
    assert outcome.members and outcome.chosen in outcome.members and outcome.front
    assert steps == list(range(1, config.search_steps + 1))  # one event per search step
    assert (tmp_path / STATE_FILE).is_file()  # what a resumed job would continue from


def tensors_in(output: Any) -> list[torch.Tensor]:
    """Every tensor of a training-mode output: a tensor, or lists and dicts of them."""
    if isinstance(output, torch.Tensor):
        return [output]
    items = output.values() if isinstance(output, dict) else output
    return [t for item in items for t in tensors_in(item)]


def no_network(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("an architecture reached for the network")


HEAVY_PARAMS = 60_000_000  # above this, or built for one large size: the slow tier sweeps it


def sweep() -> list[Any]:
    """Every architecture; the heavy ones marked slow."""
    catalog = load_catalog()
    return [
        pytest.param(name, marks=pytest.mark.slow)
        if catalog[name].params > HEAVY_PARAMS or catalog[name].min_image_size >= 224
        else name
        for name in list_models()
    ]


@pytest.mark.parametrize("name", sweep())
def test_every_architecture_builds_trains_a_step_and_is_described(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At its smallest input: forward and backward reach every parameter with a finite
    gradient; its committed catalog entry is the network measured (describe) and has
    every group of facts: width and depth, FLOPs and parameters, family and year, features."""
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    arch = get_architecture(name)
    model = arch.build(3).train()
    size = arch.min_image_size
    loss = sum(t.float().mean() for t in tensors_in(model(torch.rand(2, 3, size, size))))
    assert isinstance(loss, torch.Tensor)
    loss.backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert grads and all(g is not None and torch.isfinite(g).all() for g in grads)

    committed = {e["name"]: e for e in json.loads(CATALOG_PATH.read_text())}[name]
    assert committed == describe(arch), "run: python -m mlcore catalog --write"
    entry = load_catalog()[name]
    assert (entry.family, entry.year) == (arch.family.name, arch.family.year)
    assert entry.params > 0 and entry.gflops > 0 and entry.depth > 0 and entry.width > 0
    assert entry.activations and entry.default_image_size >= size  # normalisation: [] = none
    assert entry.engine in ENGINES
    assert entry.recipe == (arch.family.recipe or ENGINES.get(entry.engine).recipe)
