"""The engines by name, and running a job on the one its configuration names."""

from __future__ import annotations

from typing import Any

from mlcore.contract.registry import Registry
from mlcore.contract.results import JobResult
from mlcore.engines.base import Engine, EngineRequest

ENGINES: Registry[type[Engine[Any, Any]]] = Registry(
    "engine", providers=("mlcore.classify.engine", "mlcore.yolo.engine", "mlcore.nas.engine")
)


def run_job(request: EngineRequest[Any]) -> JobResult:
    """Run the job with the engine its configuration names (`JobConfig.engine`)."""
    return ENGINES.get(request.params.engine)().run(request)
