"""What a running job reports and what a finished one leaves behind (torch-free)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlcore.contract.verdict import Verdict

# The artifacts every engine leaves in its output folder, by name (JobResult.files keys).
ARTIFACTS = {
    "package": "package.zip",
    "evaluation": "evaluation.json",
    "metrics": "metrics.json",
    "weights": "model.pt",
    "parity": "parity.json",  # the package's export parity, also served by the API
}


# ProgressEvent.details key of an epoch replayed from an earlier attempt's checkpoint (not
# trained again), so a resumed job's charts stay whole
RESTORED = "restored"
ETA = "eta_s"  # ProgressEvent.metrics key: seconds of training left at the current pace


class ProgressEvent(BaseModel):
    """A progress report from a running job."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["progress", "epoch", "log"] = "progress"
    epoch: int = 0
    epochs: int = 0
    progress: float = Field(0.0, ge=0.0, le=1.0, description="fraction of the whole job")
    message: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)
    details: dict[str, Any] = Field(
        default_factory=dict, description="structured progress, e.g. a search's current front"
    )


class JobResult(BaseModel):
    """What a finished job leaves in `result.json` under its output prefix."""

    architecture: str = Field(description="what the model is recorded as, e.g. efficientnet_b0")
    task: str
    classes: list[str]
    image_size: int
    metrics: dict[str, float]
    files: dict[str, str] = Field(description="artifact name -> key relative to output prefix")
    onnx_opset: int
    parity: dict[str, Any]
    info: dict[str, Any] = Field(default_factory=dict, description="the engine's own facts")
    verdict: Verdict | None = Field(
        None, description="the model against the majority-class baseline (None: older results)"
    )
    warnings: list[str] = Field(
        default_factory=list, description="what the job warns about, e.g. a format left out"
    )
    package_sha256: str | None = Field(None, description="set by the runner once packaged")
    package_size: int | None = None


def write_json(path: Path, data: Any) -> None:
    """Indented JSON with a final newline: how every JSON artifact is written."""
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
