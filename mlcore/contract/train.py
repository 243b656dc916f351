"""The `train` job kind: fine-tune or train a catalog model; every blank chosen from the data.

Torch-free: the API resolves a job's configuration at submission from the dataset
version's health report, so the job record shows exactly what will run; the CLI profiles
a dataset folder instead. A user's explicit value always wins.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import inf
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlcore.contract.catalog import (
    ModelInfo,
    Optimizer,
    UnknownModel,
    get_model_info,
    load_catalog,
)
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
from mlcore.contract.weights import WeightsStatus, pull_command

Augmentation = Literal["none", "light", "strong"]
ClassBalance = Literal["none", "loss_weights", "sampler"]
Epochs = Annotated[int, Field(ge=1, le=1000)]
ImageSize = Annotated[int, Field(ge=16, le=1280)]
BatchSize = Annotated[int, Field(ge=1, le=1024)]
LearningRate = Annotated[float, Field(gt=0, le=10)]
WarmupEpochs = Annotated[float, Field(ge=0, le=100)]
LabelSmoothing = Annotated[float, Field(ge=0, lt=1)]
WeightDecay = Annotated[float, Field(ge=0, le=1)]
Patience = Annotated[int, Field(ge=1)]

INIT_WEIGHTS = "init_weights"  # the job input: model.pt of the earlier model to start from

STRIDE = 32  # image sizes are multiples of the networks' largest stride
# (most training images, epochs from scratch, epochs when starting from weights)
EPOCHS = ((500, 40, 20), (5_000, 30, 15), (20_000, 20, 10), (inf, 12, 6))
# (largest image side, batch size)
BATCH = ((64, 256), (160, 64), (320, 32), (640, 16), (inf, 8))
STRONG_AUGMENTATION_BELOW = 100  # training images per class
IMBALANCE_FOR_LOSS_WEIGHTS = 3.0  # largest / smallest class
EARLY_STOPPING_FROM_EPOCHS = 20  # fine-tuning runs this long stop early; scratch runs never
# The model a blank `model` gets (docs/training.md and benchmarks/results/ say why):
# by task, and for classification by whether publisher weights can be had.
DEFAULT_MODELS = {
    ("classify", True): "efficientnet_b0",
    ("classify", False): "resnet18",
    ("detect", True): "yolo11n",
    ("detect", False): "yolo11n",
}


class TrainParams(BaseModel):
    """What a user asks for; every blank is chosen from the data (`TrainKind.resolve`)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field(
        None,
        description="catalog model name, e.g. efficientnet_b0 or yolo11n; default: by task, "
        "a fine-tuning model where publisher weights can be had, else one that trains fast "
        "from scratch",
    )
    epochs: Epochs | None = Field(None, description="default: by dataset size")
    image_size: ImageSize | None = Field(
        None,
        description="square input size in pixels; default: the model's, lowered for small images",
    )
    batch_size: BatchSize | None = Field(None, description="default: by data and size")
    pretrained: bool | None = Field(
        None,
        description="start from the publisher's weights (fetched into the service's weights "
        "cache on first use); default: whenever they can be had and no init_model_id is given",
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
    label_smoothing: LabelSmoothing | None = Field(None, description="default: by model")
    optimizer: Optimizer | None = Field(
        None, description="adamw or sgd (Nesterov momentum 0.9); default: by model"
    )
    weight_decay: WeightDecay | None = Field(None, description="default: by model")
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

    model: str
    pretrained: bool = False
    epochs: Epochs
    image_size: ImageSize
    batch_size: BatchSize
    learning_rate: LearningRate
    warmup_epochs: WarmupEpochs
    label_smoothing: LabelSmoothing = 0.1
    optimizer: Optimizer = "adamw"
    weight_decay: WeightDecay = 0.05
    augmentation: Augmentation = "light"
    class_balance: ClassBalance = "none"
    early_stopping_patience: Patience | None = None  # None: never stops early
    reasons: dict[str, str] = Field(
        default_factory=dict, description="why Konstruktor chose each of `chosen`"
    )

    @property
    def engine(self) -> str:
        """The engine of the model's family."""
        return get_model_info(self.model).engine


def default_image_size(info: ModelInfo, profile: DataProfile) -> int:
    """The model's own size, lowered for small images, but not below the share of it its
    recipe sets (`smallest_image_share`), and always a multiple of 32.

    EfficientNet learns CIFAR-sized data far better upsampled to half its size; ResNet-18
    from scratch reaches more per second at the images' native size
    (benchmarks/results/time-to-accuracy-cpu-*.json).
    """
    if not profile.median_side:  # sizes unknown
        return info.default_image_size
    share = info.recipe.smallest_image_share
    floor = max(info.min_image_size, int(info.default_image_size * share) // STRIDE * STRIDE)
    wanted = -(-profile.median_side // STRIDE) * STRIDE
    return min(info.default_image_size, max(floor, wanted))


def default_batch(image_size: int, train_images: int) -> int:
    """By image size (more images a step where they are small), leaving two steps an epoch."""
    return max(1, min(int(by_size(BATCH, image_size)[1]), train_images // 2))


def publishes_weights(name: str) -> bool:
    """Whether catalog model `name` has publisher weights (an unknown name is not judged
    here: its job is rejected as unknown)."""
    info = load_catalog().get(name)
    return info is None or info.has_weights


def reject_unpublished_start(info: ModelInfo, pretrained: bool | None) -> None:
    """A pretrained start of a model that has no publisher weights cannot run."""
    if pretrained and not info.has_weights:
        raise JobRejected(
            f"{info.name} has no publisher weights: it trains from scratch only; set "
            "pretrained to false or leave it blank"
        )


def choose_start(
    params: TrainParams,
    task: str,
    weights: Callable[[str], WeightsStatus] | None,
    earlier_architecture: str | None = None,
) -> tuple[TrainParams, dict[str, str]]:
    """`params` with a blank model and pretrained filled in, and the reasons for each.

    A transfer keeps its earlier model's architecture (`earlier_architecture`); otherwise
    pretrained fine-tuning wherever the publisher's weights are cached or answer now (as
    every peer does), and without them a model that trains fast from scratch.
    """
    if params.model is None and earlier_architecture is not None:
        params = params.model_copy(update={"model": earlier_architecture})

    def obtainable(name: str) -> bool:
        return weights is not None and weights(name) != "absent"

    transfer = params.init_model_id is not None
    may_fine_tune = params.pretrained is not False and not transfer
    reasons: dict[str, str] = {}
    model = params.model
    if model is None:
        warm = may_fine_tune and obtainable(DEFAULT_MODELS[(task, True)])
        model = DEFAULT_MODELS[(task, warm)]
        reasons["model"] = (
            "fine-tunes well from its publisher's weights, which are at hand"
            if warm
            else "trains fast from scratch (no publisher weights at hand)"
        )
    pretrained = params.pretrained
    if pretrained is None:
        published = publishes_weights(model)
        pretrained = may_fine_tune and published and obtainable(model)
        reasons["pretrained"] = (
            "starts from your earlier model instead"
            if transfer
            else "its publisher's weights are cached or can be fetched"
            if pretrained
            else f"{model} has no publisher weights: it trains from scratch"
            if not published
            else "no publisher weights at hand (offline, or their URL does not answer)"
        )
    return params.model_copy(update={"model": model, "pretrained": pretrained}), reasons


def resolve(
    params: TrainParams,
    info: ModelInfo,
    profile: DataProfile,
    start_reasons: Mapping[str, str] | None = None,
) -> TrainConfig:
    """A complete configuration: the user's values, and a data-driven choice for each blank
    with the reason for it (`start_reasons`: those of `choose_start`, which filled in the
    model and pretrained; a blank pretrained here means from scratch).

    Only publisher weights get the fine-tuning schedule (fewer epochs, a smaller learning
    rate, early stopping); a start from the user's own earlier model keeps the from-scratch
    schedule, which transferred far better (benchmarks/results/
    time-to-accuracy-transfer-cpu-2026-12-05.json: 77.5 % against 31.7 %).
    """
    reject_unpublished_start(info, params.pretrained)
    warm_start = bool(params.pretrained)
    recipe = info.recipe
    image_size = params.image_size or default_image_size(info, profile)
    if image_size < info.min_image_size or (
        info.recipe.smallest_image_share >= 1 and image_size != info.default_image_size
    ):
        fixed = info.recipe.smallest_image_share >= 1
        raise JobRejected(
            f"{info.name} trains only at {info.default_image_size} px"
            if fixed
            else f"{info.name} needs images of at least {info.min_image_size} px: "
            f"set image_size to {info.min_image_size} or more"
        )
    _, scratch_epochs, warm_epochs = by_size(EPOCHS, profile.train_images)
    epochs = params.epochs or int(warm_epochs if warm_start else scratch_epochs)
    batch = params.batch_size or default_batch(image_size, profile.train_images)
    scale = batch / recipe.reference_batch if recipe.reference_batch else 1.0
    imbalanced = profile.imbalance_ratio > IMBALANCE_FOR_LOSS_WEIGHTS and recipe.loss_weights
    few = profile.images_per_class < STRONG_AUGMENTATION_BELOW
    start = (
        "fine-tuning"
        if warm_start
        else "from your earlier model, on the from-scratch schedule"
        if params.init_model_id is not None
        else "from scratch"
    )
    choices: dict[str, tuple[Any, str]] = {
        "image_size": (
            image_size,
            f"{info.name}'s own size"
            if image_size == info.default_image_size
            else f"the images' median side is {profile.median_side} px",
        ),
        "epochs": (epochs, f"{start} on {profile.train_images} training images"),
        "batch_size": (batch, f"for {image_size} px images, at least two steps an epoch"),
        "learning_rate": (
            (recipe.warm_learning_rate if warm_start else recipe.learning_rate) * scale,
            f"{info.name}'s recipe {start}"
            + (f", scaled to a batch of {batch}" if recipe.reference_batch else ""),
        ),
        "warmup_epochs": (
            min(1.0, epochs / 10) if warm_start else epochs * recipe.warmup_share,
            f"{info.name}'s recipe {start}",
        ),
        "label_smoothing": (recipe.label_smoothing, f"{info.name}'s recipe"),
        "optimizer": (recipe.optimizer, f"{info.name}'s recipe"),
        "weight_decay": (recipe.weight_decay, f"{info.name}'s recipe"),
        "augmentation": (
            "strong" if few else "light",
            f"{profile.images_per_class:.0f} training images per class",
        ),
        "class_balance": (
            "loss_weights" if imbalanced else "none",
            f"largest / smallest class = {profile.imbalance_ratio:.1f}",
        ),
        "early_stopping_patience": (
            max(5, epochs // 4) if warm_start and epochs >= EARLY_STOPPING_FROM_EPOCHS else None,
            "a fine-tuning run stops when it stops improving"
            if warm_start
            else f"{start}, a run learns late: its schedule always runs to the end",
        ),
    }
    given = params.model_dump(exclude_none=True)
    chosen = sorted(k for k in choices if k not in given)
    reasons = {k: choices[k][1] for k in chosen} | dict(start_reasons or {})
    if given.get("early_stopping_patience") == 0:  # the user's "never stop early"
        given["early_stopping_patience"] = None
    values = {k: value for k, (value, _why) in choices.items()}
    return TrainConfig(
        **{**values, **given, "chosen": sorted({*chosen, *reasons}), "reasons": reasons}
    )


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
        earlier model's architecture (a blank model: by task and the weights at hand)."""
        start = earlier.get(INIT_WEIGHTS)
        before = start.architecture if start is not None else None
        try:
            params, start_reasons = choose_start(
                params, profile.task, service.weights_status, before
            )
            assert params.model is not None
            info = get_model_info(params.model)
        except UnknownModel as exc:
            raise JobRejected(str(exc)) from exc
        if info.task != profile.task:
            raise JobRejected(
                f"{info.name} is a {info.task} model and this dataset is for {profile.task}; "
                f"pick a model whose task is {profile.task} (GET /api/v1/catalog)"
            )
        if start is not None and start.architecture != info.name:
            raise JobRejected(
                f"init_model_id {start.id} is a {start.architecture} model; transfer needs the "
                f"same architecture, so train {start.architecture} or pick a {info.name} model"
            )
        reject_unpublished_start(info, params.pretrained)
        if params.pretrained:
            require_publisher_weights(info, service)
        return resolve(params, info, profile, start_reasons)


def require_publisher_weights(info: ModelInfo, service: ServiceFacts) -> None:
    """Reject a pretrained start whose weights the service neither has nor may fetch."""
    if service.weights_status is None or service.weights_status(info.name) != "absent":
        return
    raise JobRejected(
        f"pretrained weights for {info.name} ({info.weights_file}) are not on this service "
        "and it cannot fetch them (KONSTRUKTOR_WEIGHTS_OFFLINE is on, or their URL does not "
        "answer); train with "
        "pretrained=false, or ask the operator to run `make weights "
        f"MODELS={info.name}` (or {pull_command(info.name, '$KONSTRUKTOR_WEIGHTS_DIR')}) "
        "on the server, or to turn KONSTRUKTOR_WEIGHTS_OFFLINE off (with "
        "KONSTRUKTOR_WEIGHTS_MIRROR set where the publishers are unreachable)"
    )
