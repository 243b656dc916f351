"""The `train` job kind: fine-tune or train a catalog model; every blank chosen from the data.

Torch-free: the API resolves a job's configuration at submission from the dataset
version's health report, so the job record shows exactly what will run; the CLI profiles
a dataset folder instead. A user's explicit value always wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import inf
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlcore.contract.catalog import ModelInfo, UnknownModel, get_model_info
from mlcore.contract.job import (
    JOB_KINDS,
    EarlierModel,
    JobConfig,
    JobKind,
    JobRejected,
    ModelInput,
    ServiceFacts,
)
from mlcore.contract.profile import DataProfile, by_size

Augmentation = Literal["none", "light", "strong"]
ClassBalance = Literal["none", "loss_weights", "sampler"]
Epochs = Annotated[int, Field(ge=1, le=1000)]
ImageSize = Annotated[int, Field(ge=16, le=1280)]
BatchSize = Annotated[int, Field(ge=1, le=1024)]
LearningRate = Annotated[float, Field(gt=0, le=10)]
WarmupEpochs = Annotated[float, Field(ge=0, le=100)]
LabelSmoothing = Annotated[float, Field(ge=0, lt=1)]
Patience = Annotated[int, Field(ge=1)]

INIT_WEIGHTS = "init_weights"  # the job input: model.pt of the earlier model to start from

STRIDE = 32  # image sizes are multiples of the networks' largest stride
SMALLEST_SHARE = 0.5  # never below half the model's own size: deep nets need pixels
# (most training images, epochs from scratch, epochs when starting from weights)
EPOCHS = ((500, 40, 20), (5_000, 30, 15), (20_000, 20, 10), (inf, 12, 6))
# (largest image side, batch size)
BATCH = ((64, 128), (160, 64), (320, 32), (640, 16), (inf, 8))
STRONG_AUGMENTATION_BELOW = 100  # training images per class
IMBALANCE_FOR_LOSS_WEIGHTS = 3.0  # largest / smallest class
EARLY_STOPPING_FROM_EPOCHS = 20


class TrainParams(BaseModel):
    """What a user asks for; every blank is chosen from the data (`TrainKind.resolve`)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(description="catalog model name, e.g. efficientnet_b0 or yolo11n")
    epochs: Epochs | None = Field(None, description="default: by dataset size")
    image_size: ImageSize | None = Field(
        None,
        description="square input size in pixels; default: the model's, lowered for small images",
    )
    batch_size: BatchSize | None = Field(None, description="default: by data and size")
    pretrained: bool = Field(
        False, description="start from the publisher's weights in the operator's weights directory"
    )
    init_model_id: str | None = Field(
        None,
        description="start from one of your earlier Konstruktor models of the same architecture "
        "(transfer learning); its classification head is replaced when the classes differ",
    )
    learning_rate: LearningRate | None = Field(None, description="default: by model")
    warmup_epochs: WarmupEpochs | None = Field(
        None,
        description="linear warm-up before the cosine decay; default: "
        "a tenth of the epochs, at most one",
    )
    label_smoothing: LabelSmoothing | None = Field(None, description="default: 0.1")
    augmentation: Augmentation | None = Field(
        None, description="augmentation preset; default: strong for few images per class"
    )
    class_balance: ClassBalance | None = Field(
        None,
        description="for imbalanced data: weight the loss by inverse class frequency, "
        "or draw training images class-balanced; default: loss_weights when imbalanced",
    )
    early_stopping_patience: Annotated[int, Field(ge=0)] | None = Field(
        None,
        description="stop after this many epochs without a better validation metric; 0: never "
        "stop early; default: a quarter of the epochs from 20 epochs up, else never",
    )
    seed: int = Field(0, ge=0)


class TrainConfig(TrainParams, JobConfig):
    """A resolved training run: every choice made, as the worker runs it."""

    epochs: Epochs
    image_size: ImageSize
    batch_size: BatchSize
    learning_rate: LearningRate
    warmup_epochs: WarmupEpochs
    label_smoothing: LabelSmoothing = 0.1
    augmentation: Augmentation = "light"
    class_balance: ClassBalance = "none"
    early_stopping_patience: Patience | None = None  # None: never stops early

    @property
    def engine(self) -> str:
        """The engine of the model's family."""
        return get_model_info(self.model).engine


def default_image_size(info: ModelInfo, profile: DataProfile) -> int:
    """The model's own size, lowered for small images, but not below about half of it.

    A network that downsamples 32x leaves a 1x1 map of a 32 px image: CIFAR-sized data
    learns far better upsampled to half the model's size (a multiple of 32).
    """
    if not profile.median_side:  # sizes unknown
        return info.default_image_size
    floor = max(STRIDE, int(info.default_image_size * SMALLEST_SHARE) // STRIDE * STRIDE)
    wanted = -(-profile.median_side // STRIDE) * STRIDE
    return min(info.default_image_size, max(floor, wanted))


def resolve(params: TrainParams, info: ModelInfo, profile: DataProfile) -> TrainConfig:
    """A complete configuration: the user's values, and a data-driven choice for each blank."""
    warm_start = params.pretrained or params.init_model_id is not None
    recipe = info.recipe
    image_size = params.image_size or default_image_size(info, profile)
    _, scratch_epochs, warm_epochs = by_size(EPOCHS, profile.train_images)
    epochs = params.epochs or int(warm_epochs if warm_start else scratch_epochs)
    batch = int(by_size(BATCH, image_size)[1])
    batch = max(1, min(batch, profile.train_images // 2))  # at least two steps an epoch
    imbalanced = profile.imbalance_ratio > IMBALANCE_FOR_LOSS_WEIGHTS and recipe.loss_weights
    few = profile.images_per_class < STRONG_AUGMENTATION_BELOW
    choices: dict[str, Any] = {
        "image_size": image_size,
        "epochs": epochs,
        "batch_size": batch,
        "learning_rate": recipe.warm_learning_rate if warm_start else recipe.learning_rate,
        "warmup_epochs": min(1.0, epochs / 10),
        "label_smoothing": recipe.label_smoothing,
        "augmentation": "strong" if few else "light",
        "class_balance": "loss_weights" if imbalanced else "none",
        "early_stopping_patience": (
            max(5, epochs // 4) if epochs >= EARLY_STOPPING_FROM_EPOCHS else None
        ),
    }
    given = params.model_dump(exclude_none=True)
    chosen = sorted(k for k in choices if k not in given)
    if given.get("early_stopping_patience") == 0:  # the user's "never stop early"
        given["early_stopping_patience"] = None
    return TrainConfig(**{**choices, **given, "chosen": chosen})


@JOB_KINDS.register("train")
class TrainKind(JobKind):
    """Train a catalog model (transfer learning: from one of your earlier models)."""

    params_type = TrainParams
    config_type = TrainConfig
    summary = "Train a catalog model."
    inputs: ClassVar[Mapping[str, ModelInput]] = {
        INIT_WEIGHTS: ModelInput(
            "init_model_id",
            "weights",
            same_project=False,
            missing="the model predates transfer learning; retrain it to reuse it",
        )
    }

    @classmethod
    def resolve(
        cls,
        params: TrainParams,
        profile: DataProfile,
        earlier: Mapping[str, EarlierModel],
        service: ServiceFacts,
    ) -> TrainConfig:
        """The model must exist, fit the dataset's task and, for transfer, match the
        earlier model's architecture."""
        try:
            info = get_model_info(params.model)
        except UnknownModel as exc:
            raise JobRejected(str(exc)) from exc
        if info.task != profile.task:
            raise JobRejected(
                f"{info.name} is a {info.task} model and this dataset is for {profile.task}; "
                f"pick a model whose task is {profile.task} (GET /api/v1/catalog)"
            )
        start = earlier.get(INIT_WEIGHTS)
        if start is not None and start.architecture != info.name:
            raise JobRejected(
                f"init_model_id {start.id} is a {start.architecture} model; transfer needs the "
                f"same architecture, so train {start.architecture} or pick a {info.name} model"
            )
        return resolve(params, info, profile)
