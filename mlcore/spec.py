"""The job contract: versioned, JSON-serialisable, torch-free (the API imports it)."""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

SPEC_VERSION: Final = 1


Augmentation = Literal["none", "light", "strong"]
ClassBalance = Literal["none", "loss_weights", "sampler"]


class TrainParams(BaseModel):
    """What a user asks for; every blank is chosen from the data (see mlcore.defaults)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="catalog model name, e.g. efficientnet_b0 or yolo11n")
    epochs: int | None = Field(None, ge=1, le=1000, description="default: by dataset size")
    image_size: int | None = Field(
        None,
        ge=16,
        le=1280,
        description="square input size in pixels; default: the model's, lowered for small images",
    )
    batch_size: int | None = Field(None, ge=1, le=1024, description="default: by data and size")
    pretrained: bool = Field(
        False, description="start from the publisher's weights in the operator's weights directory"
    )
    init_model_id: str | None = Field(
        None,
        description="start from one of your earlier Konstruktor models of the same architecture "
        "(transfer learning); its classification head is replaced when the classes differ",
    )
    learning_rate: float | None = Field(None, gt=0, le=10, description="default: by model")
    warmup_epochs: float | None = Field(
        None,
        ge=0,
        le=100,
        description="linear warm-up before the cosine decay; default: "
        "a tenth of the epochs, at most one",
    )
    label_smoothing: float | None = Field(None, ge=0, lt=1, description="default: 0.1")
    augmentation: Augmentation | None = Field(
        None, description="augmentation preset; default: strong for few images per class"
    )
    class_balance: ClassBalance | None = Field(
        None,
        description="for imbalanced data: weight the loss by inverse class frequency, "
        "or draw training images class-balanced; default: loss_weights when imbalanced",
    )
    early_stopping_patience: int | None = Field(
        None, ge=1, description="stop after this many epochs without a better validation metric"
    )
    seed: int = Field(0, ge=0)


class TrainConfig(BaseModel):
    """A resolved training run: every choice made, as the worker runs it."""

    model_config = ConfigDict(extra="forbid")

    model: str
    epochs: int = Field(ge=1)
    image_size: int = Field(ge=16)
    batch_size: int = Field(ge=1)
    pretrained: bool = False
    init_model_id: str | None = None
    learning_rate: float = Field(gt=0)
    warmup_epochs: float = Field(ge=0)
    label_smoothing: float = Field(0.1, ge=0, lt=1)
    augmentation: Augmentation = "light"
    class_balance: ClassBalance = "none"
    early_stopping_patience: int | None = Field(None, ge=1)
    seed: int = Field(0, ge=0)
    chosen: list[str] = Field(
        default_factory=list, description="fields chosen by Konstruktor rather than the user"
    )


class JobSpec(BaseModel):
    """One job: inputs and outputs are storage keys, so the same spec runs anywhere."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = SPEC_VERSION
    job_id: str
    kind: Literal["train"]
    inputs: dict[str, str] = Field(
        description="input name -> storage key: dataset, and init_weights for transfer"
    )
    params: TrainConfig
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
