"""Request and response bodies of the REST API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    EmailStr,
    Field,
    Tag,
    ValidationError,
    computed_field,
    create_model,
    field_validator,
)

from backend.compute_targets import JobCost
from backend.datasets.health import verdict as health_verdict
from mlcore.contract.catalog import ModelInfo, load_catalog
from mlcore.contract.job import JOB_KINDS, JobKind
from mlcore.contract.recommend import Recommendation
from mlcore.contract.verdict import Verdict
from mlcore.contract.weights import WeightsStatus


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="where: `body`, `query`, `path` or `header`, then the field's path"
    )
    msg: str = Field(description="what is wrong with it")
    type: str = Field(description="the kind of problem, e.g. `missing`, `string_too_long`")


class ErrorOut(BaseModel):
    """The body of every error the API answers with."""

    detail: str = Field(description="what went wrong and, where it can, what to do instead")
    errors: list[FieldError] | None = Field(
        None, description="422 for an invalid request: each field that is wrong"
    )


class Credentials(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    email: str
    created_at: datetime


class TokenOut(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime | None


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="the secret; shown only in this response")


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    name: str
    created_at: datetime


class DatasetVersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    dataset_id: str
    version: int
    content_hash: str
    class_names: list[str]
    split_source: str
    stats: dict[str, Any]
    warnings: list[str]
    report: dict[str, Any] = Field(description="the health report (see docs/datasets.md)")
    created_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="whether it can train, first: status ready | warnings | blocked, and why"
    )
    @property
    def verdict(self) -> dict[str, Any]:
        return health_verdict(self.report)


class DatasetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    project_id: str
    name: str
    task: str
    created_at: datetime
    versions: list[DatasetVersionOut] = []


DEFAULT_KIND = "train"  # a body without "kind" (the original request shape)


class JobCreateBase(BaseModel):
    """What every job request has; each registered job kind narrows `kind` and `params`."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    dataset_version_id: str
    params: BaseModel
    compute_backend: str | None = Field(
        None, description="where to run it (GET /service lists them); default: the service's"
    )


def _params_field(kind: type[JobKind]) -> Any:
    """The params field: required, unless every parameter of the kind has a default."""
    try:
        kind.params_type()
    except ValidationError:
        return Field(description="the job's parameters")
    return Field(default_factory=kind.params_type, description="the job's parameters")


def _create_body(name: str, kind: type[JobKind]) -> type[JobCreateBase]:
    """The request body of job kind `name`, e.g. TrainJobCreate."""
    kind_type: Any = Literal[name]
    return create_model(
        f"{name.title().replace('_', '')}JobCreate",
        __base__=JobCreateBase,
        __doc__=kind.summary,
        kind=(kind_type, name if name == DEFAULT_KIND else ...),
        params=(kind.params_type, _params_field(kind)),
    )


def _job_kind(body: Any) -> str:
    """The body's kind; DEFAULT_KIND when left out."""
    kind = body.get("kind", DEFAULT_KIND) if isinstance(body, dict) else getattr(body, "kind", None)
    return str(kind or DEFAULT_KIND)


if TYPE_CHECKING:
    JobCreate = JobCreateBase
else:
    JobCreate = Annotated[
        Union[  # noqa: UP007  (built from the registry at run time)
            tuple(
                Annotated[_create_body(name, kind), Tag(name)] for name, kind in JOB_KINDS.items()
            )
        ],
        Discriminator(_job_kind),
    ]


class JobPreview(BaseModel):
    """What a job request would run, resolved from the data, without creating it."""

    kind: str
    params: dict[str, Any] = Field(description="the full configuration; `chosen` lists blanks")
    epochs: int
    compute_backend: str
    estimate_s: float | None = Field(
        description="expected duration in seconds (null: no estimate for this kind of job)"
    )
    estimate_basis: str = Field(description="how the duration was estimated")
    cost: JobCost | None = Field(description="on a paid compute backend: the expected cost")


class JobLogOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    created_at: datetime
    message: str


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    project_id: str
    kind: str
    state: str
    dataset_version_id: str | None
    params: dict[str, Any]
    compute_backend: str
    progress: float
    epoch: int
    epochs: int
    message: str
    metrics_history: list[dict[str, Any]]
    log: list[JobLogOut] = Field(description="the job's log lines, oldest first")
    error: str | None
    attempts: int
    max_attempts: int
    cancel_requested: bool
    estimate_s: float | None = Field(description="the duration expected when it was submitted")
    estimate_basis: str | None = Field(description="how that was estimated")
    eta_s: float | None = Field(description="seconds of training left, as last reported")
    cost: JobCost | None = Field(
        description="on a paid compute backend: estimated at submission, then the machine "
        "time used and what it cost"
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    model_id: str | None = None


class CatalogModelOut(ModelInfo):
    """A catalog model and whether this service can start it from its publisher's weights."""

    weights: WeightsStatus = Field(
        description="the publisher's weights: cached (on this service), fetchable (on first "
        "use) or absent (pretrained: true is refused)"
    )


class ModelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    @field_validator("files", mode="before")
    @classmethod
    def _names_only(cls, files: Any) -> Any:
        return sorted(files) if isinstance(files, dict) else files

    id: str
    project_id: str
    job_id: str
    dataset_version_id: str | None
    architecture: str
    class_names: list[str]
    metrics: dict[str, Any]
    verdict: Verdict | None = Field(
        description="whether the model is clearly better than the majority-class baseline "
        "(null: trained before verdicts were recorded)"
    )
    files: list[str] = Field(description="artifact names for GET /models/{id}/files/{name}")
    package_sha256: str
    package_size: int
    created_at: datetime

    @computed_field(  # type: ignore[prop-decorator]
        description="classify | detect: the catalog model's task; searched networks classify"
    )
    @property
    def task(self) -> str:
        info = load_catalog().get(self.architecture)
        return info.task if info else "classify"


class RecommendationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset_version_id: str = Field(
        description="a classification dataset version of yours (from any of your projects)"
    )


class TrainStartParams(BaseModel):
    model: str = Field(
        description="the catalog model; every other setting is left to Konstruktor, chosen "
        "from the data as for any job"
    )


class TrainStartBody(BaseModel):
    kind: Literal["train"]
    dataset_version_id: str
    params: TrainStartParams


class TrainStart(BaseModel):
    """The one request that trains a ranked model with its recommended settings."""

    method: Literal["POST"]
    path: str = Field(description="the project's jobs route, e.g. /api/v1/projects/{id}/jobs")
    body: TrainStartBody = Field(
        description="the job request for the top-ranked model; for another ranked model send "
        "the same body with its `model`"
    )


class RecommendationOut(Recommendation):
    """The whole classification portfolio ranked for a dataset version, best first."""

    dataset_version_id: str
    start: TrainStart
