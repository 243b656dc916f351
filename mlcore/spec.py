"""The job contract: versioned, JSON-serialisable, torch-free (the API imports it)."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION: Final = 1


class TrainParams(BaseModel):
    """What a user chooses for a training run."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="catalog model name, e.g. efficientnet_b0")
    epochs: int = Field(10, ge=1, le=1000)
    image_size: int = Field(224, ge=16, le=1024, description="square input size in pixels")
    batch_size: int = Field(32, ge=1, le=1024)
    pretrained: bool = Field(
        False, description="start from ImageNet weights in the operator's weights directory"
    )
    learning_rate: float | None = Field(None, gt=0, le=10, description="default: by model")
    warmup_epochs: float | None = Field(
        None,
        ge=0,
        le=100,
        description="linear warm-up before the cosine decay; default: "
        "a tenth of the epochs, at most one",
    )
    label_smoothing: float = Field(0.1, ge=0, lt=1)
    class_balance: Literal["none", "loss_weights", "sampler"] = Field(
        "none",
        description="for imbalanced data: weight the loss by inverse class frequency, "
        "or draw training images class-balanced",
    )
    early_stopping_patience: int | None = Field(
        None, ge=1, description="stop after this many epochs without a better validation accuracy"
    )
    seed: int = Field(0, ge=0)


class JobSpec(BaseModel):
    """One job: inputs and outputs are storage keys, so the same spec runs anywhere."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = SPEC_VERSION
    job_id: str
    kind: Literal["train"]
    inputs: dict[str, str] = Field(description="input name -> storage key, e.g. dataset")
    params: TrainParams
    output_prefix: str


class ProgressEvent(BaseModel):
    """A progress report from a running job."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["progress", "epoch", "log"] = "progress"
    epoch: int = 0
    epochs: int = 0
    progress: float = Field(0.0, ge=0.0, le=1.0, description="fraction of the whole job")
    message: str = ""
    metrics: dict[str, float] = Field(default_factory=dict)


class JobResult(BaseModel):
    """What a finished job leaves in `result.json` under its output prefix."""

    metrics: dict[str, float]
    files: dict[str, str] = Field(description="artifact name -> key relative to output prefix")
    info: dict[str, Any] = Field(default_factory=dict)
