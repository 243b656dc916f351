"""The job contract: job kinds (a registry), their resolved configurations and the JobSpec a
worker runs. Torch-free: the API imports it.

A job kind is one module (`mlcore.contract.train`, `mlcore.contract.search`) declaring what
a user sends (`params_type`), what the worker runs (`config_type`, every blank chosen by
`resolve`), and which earlier models it reads (`inputs`); the API, the worker and the runner
work from that declaration alone.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Final, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, model_validator

from mlcore.contract.profile import DataProfile
from mlcore.contract.registry import Registry, UnknownName
from mlcore.contract.weights import WeightsStatus

SPEC_VERSION: Final = 1
DATASET_INPUT = "dataset"  # every job's first input: the dataset version's zip


class JobRejected(ValueError):
    """A request that cannot become a job; the message says what to change."""


class JobConfig(BaseModel):
    """A resolved job: every choice made, as the worker runs it."""

    model_config = ConfigDict(extra="forbid")

    chosen: list[str] = Field(
        default_factory=list, description="fields chosen by Konstruktor rather than the user"
    )

    if TYPE_CHECKING:  # each kind's config defines them (as fields or properties)

        @property
        def engine(self) -> str:
            """The engine (mlcore.engines) that runs the job."""

        @property
        def epochs(self) -> int:
            """The job's progress scale in epochs."""


@dataclass(frozen=True)
class ModelInput:
    """A job input that is a file of an earlier model the user names in a params field."""

    field: str  # the params field holding the model id
    file: str  # the artifact of that model the job reads (JobResult.files name)
    same_project: bool  # whether the model must belong to the job's project
    missing: str  # what to do when the model lacks the file ({architecture} is filled in)


@dataclass(frozen=True)
class ServiceFacts:
    """What the running service offers a job beyond the data (its operator's settings)."""

    llm_url: str | None = None  # an OpenAI-compatible endpoint for LLM-assisted search
    llm_model: str | None = None
    # a catalog model's publisher weights: cached, fetchable or absent (None: not checked)
    weights_status: Callable[[str], WeightsStatus] | None = None


@dataclass(frozen=True)
class EarlierModel:
    """What the API tells a job kind about an earlier model a request names (owned by the
    same user, and in the same project where the input requires it)."""

    id: str
    architecture: str
    files: frozenset[str]
    job_kind: str
    job_params: dict[str, Any]


class JobKind(ABC):
    """One kind of job; subclasses register with `JOB_KINDS.register(name)`."""

    params_type: ClassVar[type[BaseModel]]
    config_type: ClassVar[type[JobConfig]]
    summary: ClassVar[str]  # what the job does, for the API's request body
    inputs: ClassVar[Mapping[str, ModelInput]] = {}  # job input name -> earlier model file

    @classmethod
    @abstractmethod
    def resolve(
        cls,
        params: Any,
        profile: DataProfile,
        earlier: Mapping[str, EarlierModel],
        service: ServiceFacts,
    ) -> JobConfig:
        """The configuration to run: the user's values, a data-driven choice for each blank.
        `earlier` holds the models named by `inputs` fields, by input name. Raises
        JobRejected when the request does not fit the data, those models or the service."""


JOB_KINDS: Registry[type[JobKind]] = Registry(
    "job kind", providers=("mlcore.contract.train", "mlcore.contract.search")
)


def job_kind(name: str) -> type[JobKind]:
    """The registered kind `name`."""
    return JOB_KINDS.get(name)


class JobSpec(BaseModel):
    """One job: inputs and outputs are storage keys, so the same spec runs anywhere."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = SPEC_VERSION
    job_id: str
    kind: str
    inputs: dict[str, str] = Field(
        description="input name -> storage key: the dataset, and the earlier models' files"
    )
    params: SerializeAsAny[JobConfig]
    output_prefix: str
    llm_api_key: str | None = Field(
        None, repr=False, description="the LLM endpoint's key, for searches with an LLM mutator"
    )

    @model_validator(mode="before")
    @classmethod
    def _params_of_the_kind(cls, data: Any) -> Any:
        """Parse `params` as the kind's configuration."""
        if isinstance(data, dict) and "kind" in data and "params" in data:
            try:
                config_type = job_kind(str(data["kind"])).config_type
            except UnknownName as exc:
                raise ValueError(str(exc)) from exc
            if not isinstance(data["params"], config_type):
                data = {**data, "params": config_type.model_validate(data["params"])}
        return data

    @model_validator(mode="after")
    def _kind_matches(self) -> Self:
        if not isinstance(self.params, job_kind(self.kind).config_type):
            raise ValueError(f"a {self.kind} job needs {job_kind(self.kind).config_type.__name__}")
        return self
