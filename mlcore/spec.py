"""The job contract: versioned, JSON-serialisable, torch-free (the API imports it)."""

from __future__ import annotations

from typing import Any, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

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


SearchStrategy = Literal["hyper_darts", "darts", "gdas", "random", "evolution", "map_elites"]
BLACKBOX_SEARCHES = frozenset({"random", "evolution", "map_elites"})  # train candidates briefly
CellOp = Literal["conv3", "conv5", "dilconv3", "sepconv3", "maxpool3", "avgpool3", "identity"]
PAPER_OPS: tuple[CellOp, ...] = ("maxpool3", "identity", "conv3")  # the thesis' 3-op space


MIN_LAST_CELL = 2  # pixels: the last cell's input, after cells - 1 halvings


class SearchParams(BaseModel):
    """A neural architecture search: what a user asks for; blanks are chosen from the data."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    strategy: SearchStrategy = Field(
        "hyper_darts",
        description="hyper_darts: one search gives a family of architectures along the "
        "accuracy/cost front (complexity vector s); darts, gdas: one architecture; random, "
        "evolution, map_elites: train candidate architectures briefly and keep the best",
    )
    ops: list[CellOp] = Field(
        default_factory=lambda: list(PAPER_OPS),
        min_length=2,
        description="candidate operations on every edge of a cell",
    )
    cells: int = Field(3, ge=1, le=8)
    nodes: int = Field(4, ge=1, le=6, description="intermediate vertices per cell")
    channels: int = Field(16, ge=4, le=256, description="feature channels of every cell")
    image_size: int | None = Field(
        None, ge=16, le=128, description="default: 32 (the splits are held in memory)"
    )
    search_epochs: int | None = Field(
        None,
        ge=1,
        le=500,
        description="supernet training epochs (hyper_darts, darts, gdas; default by data size), "
        "or training epochs per candidate (random, evolution, map_elites; default 2)",
    )
    retrain_epochs: int | None = Field(None, ge=1, le=1000, description="default: by data size")
    batch_size: int = Field(128, ge=8, le=1024)
    evaluations: int = Field(
        24, ge=2, le=2000, description="random, evolution, map_elites: architectures trained"
    )
    kappa: float = Field(
        1.0,
        ge=0,
        le=100,
        description="hyper_darts: weight of the cost term (at 3 a penalised member can lose "
        "every weighted op on small data)",
    )
    complexity: list[float] | None = Field(
        None,
        description="hyper_darts: the complexity vector s (one penalty per op, in `ops` order) "
        "of the family member to retrain; default: the most accurate member within the budget",
    )
    family_model_id: str | None = Field(
        None,
        description="a model of an earlier search in this project: retrain the member of its "
        "family at `complexity` (the nearest of its grid points) or the most accurate within "
        "the budget, without searching again; the space and strategy are the earlier search's",
    )
    max_params: int | None = Field(None, ge=1, description="budget: parameters at most")
    max_latency_ms: float | None = Field(
        None, gt=0, description="budget: latency per image on the worker's device, at most"
    )
    seed: int = Field(0, ge=0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.ops)) != len(self.ops):
            raise ValueError(f"ops must be distinct: {self.ops}")
        if self.complexity is None or (self.family_model_id and "ops" not in self.model_fields_set):
            return self  # checked against the earlier search's ops and strategy once merged
        if self.strategy != "hyper_darts":
            raise ValueError("complexity picks a family member: only hyper_darts has a family")
        if len(self.complexity) != len(self.ops) or min(self.complexity) < 0:
            raise ValueError(
                f"complexity needs one non-negative penalty per op ({len(self.ops)}: {self.ops})"
            )
        if sum(self.complexity) <= 0:
            raise ValueError("complexity must not be all zeros")
        return self


class SearchConfig(SearchParams):
    """A resolved search: every choice made, as the worker runs it."""

    image_size: int = Field(ge=16)
    search_epochs: int = Field(ge=1)
    retrain_epochs: int = Field(ge=1)
    chosen: list[str] = Field(
        default_factory=list, description="fields chosen by Konstruktor rather than the user"
    )

    @model_validator(mode="after")
    def _cells_fit_the_image(self) -> Self:
        last = self.image_size >> (self.cells - 1)
        if last < MIN_LAST_CELL:
            raise ValueError(
                f"{self.cells} cells halve a {self.image_size} px image to {last} px; use "
                f"fewer cells or image_size >= {MIN_LAST_CELL << (self.cells - 1)}"
            )
        return self

    @property
    def model(self) -> str:
        """The architecture name its models are recorded under."""
        return "nas"

    @property
    def search_steps(self) -> int:
        """Progress units of the search: supernet epochs, or candidates evaluated (none when
        the architecture comes from an earlier search's family)."""
        if self.family_model_id is not None:
            return 0
        return self.evaluations if self.strategy in BLACKBOX_SEARCHES else self.search_epochs

    @property
    def epochs(self) -> int:
        """Search steps and retraining epochs together: the job's progress scale."""
        return self.search_steps + self.retrain_epochs


JOB_PARAMS: dict[str, type[TrainConfig] | type[SearchConfig]] = {
    "train": TrainConfig,
    "search": SearchConfig,
}


class JobSpec(BaseModel):
    """One job: inputs and outputs are storage keys, so the same spec runs anywhere."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = SPEC_VERSION
    job_id: str
    kind: Literal["train", "search"]
    inputs: dict[str, str] = Field(
        description="input name -> storage key: dataset, and init_weights for transfer"
    )
    params: TrainConfig | SearchConfig
    output_prefix: str

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> Self:
        if not isinstance(self.params, JOB_PARAMS[self.kind]):
            raise ValueError(f"a {self.kind} job needs {JOB_PARAMS[self.kind].__name__} params")
        return self


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

    metrics: dict[str, float]
    files: dict[str, str] = Field(description="artifact name -> key relative to output prefix")
    info: dict[str, Any] = Field(default_factory=dict)
