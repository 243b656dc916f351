"""The `search` job kind: a neural architecture search, then the chosen architecture
retrained and packaged; or another member of an earlier search's family (torch-free).

The search strategies are declared here (`STRATEGIES`), so the API can validate a request
without torch; `mlcore.nas.strategies` registers one implementation for each.
"""

from __future__ import annotations

from collections.abc import Mapping
from math import inf
from typing import Annotated, Any, ClassVar, Literal, NamedTuple, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
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


class StrategyCard(NamedTuple):
    """A strategy's torch-free facts: how it searches (differentiable: one supernet;
    blackbox: candidates trained briefly), what it gives, and the share of the training
    split it holds out to choose with (`choice_share`): a bilevel search (DARTS, GDAS)
    learns its architecture on a second half, as those papers do; the others only rank
    and probe on the held-out part, so the weights (and hyper_darts' hypernetwork, learnt
    in one level with them, as in the thesis) learn from the rest."""

    kind: Literal["differentiable", "blackbox"]
    summary: str
    varies_parents: bool = False  # mutates or crosses earlier candidates (a mutator applies)
    choice_share: float = 0.2


STRATEGIES: dict[str, StrategyCard] = {
    "hyper_darts": StrategyCard(
        "differentiable",
        "one search gives a family of architectures along the accuracy/cost front "
        "(complexity vector s)",
    ),
    "darts": StrategyCard(
        "differentiable", "one architecture (first-order DARTS)", choice_share=0.5
    ),
    "gdas": StrategyCard(
        "differentiable", "one architecture (Gumbel-softmax sampling)", choice_share=0.5
    ),
    "random": StrategyCard("blackbox", "candidates drawn at random, trained briefly"),
    "evolution": StrategyCard("blackbox", "regularized evolution", varies_parents=True),
    "map_elites": StrategyCard(
        "blackbox", "MAP-Elites over depth x width x FLOPs", varies_parents=True
    ),
}


def _known_strategy(name: str) -> str:
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGIES)}")
    return name


StrategyName = Annotated[
    str,
    AfterValidator(_known_strategy),
    WithJsonSchema({"type": "string", "enum": list(STRATEGIES)}),
]
CellOp = Literal["conv3", "conv5", "dilconv3", "sepconv3", "maxpool3", "avgpool3", "identity"]
PAPER_OPS: tuple[CellOp, ...] = ("maxpool3", "identity", "conv3")  # the thesis' 3-op space
# shared: one normal and one reduction cell architecture (the thesis, DARTS); per_cell: one each
CellSharing = Literal["shared", "per_cell"]
CELL_SHARING: tuple[CellSharing, ...] = get_args(CellSharing)
Mutator = Literal["rules", "llm"]
SearchImageSize = Annotated[int, Field(ge=16, le=128)]
SearchEpochs = Annotated[int, Field(ge=1, le=500)]
RetrainEpochs = Annotated[int, Field(ge=1, le=1000)]

MIN_LAST_CELL = 2  # pixels: the last cell's input, after cells - 1 halvings
FAMILY = "family"  # the job input and model artifact: family.json of an earlier search
# (most training images, search epochs, retraining epochs) of a neural architecture search
SEARCH_EPOCHS = ((500, 30, 60), (5_000, 20, 40), (20_000, 15, 30), (inf, 10, 20))
SEARCH_IMAGE_SIZE = 32  # cell networks are searched and trained small
CANDIDATE_EPOCHS = 2  # black-box searches: a short training ranks candidates
# What a job retraining a member of an earlier search's family chooses itself; the rest
# (space, strategy, image size) is the earlier search's, and so is the retraining unless given
MEMBER_CHOICE = frozenset(
    {"family_model_id", "family_member", "complexity", "max_params", "max_latency_ms"}
)
RETRAINING = frozenset({"retrain_epochs", "batch_size", "seed"})


def is_blackbox(strategy: str) -> bool:
    """Whether `strategy` trains candidate networks briefly (rather than one supernet)."""
    return STRATEGIES[strategy].kind == "blackbox"


class SearchParams(BaseModel):
    """A neural architecture search: what a user asks for; blanks are chosen from the data."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    strategy: StrategyName = Field(
        "hyper_darts",
        description="; ".join(f"{name}: {card.summary}" for name, card in STRATEGIES.items()),
    )
    ops: list[CellOp] = Field(
        default_factory=lambda: list(PAPER_OPS),
        min_length=2,
        description="candidate operations on every edge of a cell",
    )
    cells: int = Field(3, ge=1, le=8)
    nodes: int = Field(4, ge=1, le=6, description="intermediate vertices per cell")
    cell_sharing: CellSharing = Field(
        "shared",
        description="shared: one normal cell (the first) and one reduction cell (every cell "
        "after a down-sampling) architecture, as the thesis and DARTS; per_cell: every cell "
        "chooses its own ops",
    )
    channels: int = Field(16, ge=4, le=256, description="feature channels of every cell")
    image_size: SearchImageSize | None = Field(
        None, description="default: 32 (the splits are held in memory)"
    )
    search_epochs: SearchEpochs | None = Field(
        None,
        description="supernet training epochs (hyper_darts, darts, gdas; default by data size), "
        "or training epochs per candidate (random, evolution, map_elites; default 2)",
    )
    retrain_epochs: RetrainEpochs | None = Field(None, description="default: by data size")
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
    mutator: Mutator | None = Field(
        None,
        description="evolution, map_elites: how children are proposed, by rules or by the "
        "service's LLM (LLMatic); default: llm when the service has one, else rules",
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
    family_member: int | None = Field(
        None,
        ge=0,
        description="with family_model_id: the member to retrain, by its index in the earlier "
        "search's family.json members (instead of `complexity` or a budget)",
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
        if self.family_member is not None and self.family_model_id is None:
            raise ValueError("family_member picks a member of family_model_id's family: give both")
        if self.family_member is not None and self.complexity is not None:
            raise ValueError("give family_member or complexity, not both")
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


class SearchConfig(SearchParams, JobConfig):
    """A resolved search: every choice made, as the worker runs it."""

    image_size: SearchImageSize
    search_epochs: SearchEpochs
    retrain_epochs: RetrainEpochs
    mutator: Mutator = "rules"
    llm_url: str | None = Field(None, description="the service's LLM endpoint (mutator llm)")
    llm_model: str | None = None

    @model_validator(mode="after")
    def _cells_fit_the_image(self) -> Self:
        last = self.image_size >> (self.cells - 1)
        if last < MIN_LAST_CELL:
            raise ValueError(
                f"{self.cells} cells halve a {self.image_size} px image to {last} px; use "
                f"fewer cells or image_size >= {MIN_LAST_CELL << (self.cells - 1)}"
            )
        if self.mutator == "llm" and not (self.llm_url and self.llm_model):
            raise ValueError("the llm mutator needs the service's LLM endpoint and model")
        return self

    @property
    def engine(self) -> str:
        """Searches run on the NAS engine."""
        return "nas"

    @property
    def search_steps(self) -> int:
        """Progress units of the search: supernet epochs, or candidates evaluated (none when
        the architecture comes from an earlier search's family)."""
        if self.family_model_id is not None:
            return 0
        return self.evaluations if is_blackbox(self.strategy) else self.search_epochs

    @property
    def epochs(self) -> int:
        """Search steps and retraining epochs together: the job's progress scale."""
        return self.search_steps + self.retrain_epochs


def resolve_search(
    params: SearchParams, profile: DataProfile, service: ServiceFacts = ServiceFacts()
) -> SearchConfig:
    """Fill a search's blanks: 32 px (smaller images stay as they are), epochs by data size
    (a black-box search's candidates train CANDIDATE_EPOCHS each), the LLM mutator where
    the service has an LLM and the strategy varies parents."""
    _, search_epochs, retrain_epochs = by_size(SEARCH_EPOCHS, profile.train_images)
    card = STRATEGIES[params.strategy]
    llm = service.llm_url is not None and card.varies_parents
    chosen: dict[str, Any] = {
        "image_size": min(SEARCH_IMAGE_SIZE, max(profile.median_side or SEARCH_IMAGE_SIZE, 16)),
        "search_epochs": CANDIDATE_EPOCHS if card.kind == "blackbox" else int(search_epochs),
        "retrain_epochs": int(retrain_epochs),
    }
    if card.varies_parents:  # the only strategies a mutator applies to
        chosen["mutator"] = "llm" if llm else "rules"
    given = params.model_dump(exclude_none=True)
    picked = [name for name in chosen if name not in given]
    endpoint: dict[str, Any] = {}
    if given.get("mutator", chosen.get("mutator")) == "llm":
        endpoint = {"llm_url": service.llm_url, "llm_model": service.llm_model}
    return SearchConfig(**{**chosen, **given, **endpoint, "chosen": picked})


def family_params(params: SearchParams, family: EarlierModel) -> SearchParams:
    """The earlier search's settings with this request's choice of member and retraining."""
    if family.job_kind != "search":
        raise JobRejected(
            f"family_model_id {family.id} is a {family.architecture} model; give the model of "
            "an architecture search"
        )
    fixed = sorted(params.model_fields_set - MEMBER_CHOICE - RETRAINING)
    if fixed:
        raise JobRejected(
            f"{', '.join(fixed)} come from the earlier search with family_model_id; leave "
            "them out (a new search takes them)"
        )
    inherited = {
        name: value
        for name, value in SearchConfig.model_validate(family.job_params).model_dump().items()
        if name in SearchParams.model_fields and name not in MEMBER_CHOICE
    }
    return SearchParams(**{**inherited, **params.model_dump(include=params.model_fields_set)})


@JOB_KINDS.register("search")
class SearchKind(JobKind):
    """Search an architecture (NAS), then retrain and package the chosen one."""

    params_type = SearchParams
    config_type = SearchConfig
    summary = "Search an architecture (NAS), then retrain and package the chosen one."
    inputs: ClassVar[Mapping[str, ModelInput]] = {
        FAMILY: ModelInput(
            "family_model_id",
            FAMILY,
            same_project=True,
            missing="it is a {architecture} model; give the model of an architecture search",
        )
    }

    @classmethod
    def resolve(
        cls,
        params: SearchParams,
        profile: DataProfile,
        earlier: Mapping[str, EarlierModel],
        service: ServiceFacts,
    ) -> SearchConfig:
        """Cell networks classify images; a family member inherits the earlier search."""
        if profile.task != "classify":
            raise JobRejected(
                f"architecture search builds image classifiers and this dataset is for "
                f"{profile.task}; train a catalog detector instead (GET /api/v1/catalog)"
            )
        if params.mutator == "llm" and service.llm_url is None:
            raise JobRejected(
                "mutator llm needs an LLM endpoint, and this service has none configured "
                "(KONSTRUKTOR_NAS_LLM_URL); use mutator rules"
            )
        try:
            if FAMILY in earlier:
                params = family_params(params, earlier[FAMILY])
            return resolve_search(params, profile, service)
        except ValidationError as exc:
            problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
            raise JobRejected(problems) from exc
