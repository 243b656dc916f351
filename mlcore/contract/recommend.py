"""What a recommendation answers (torch-free: the API returns it, the ranking child writes
it)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Group = Literal["architecture", "complexity", "basics", "features"]


class GroupShare(BaseModel):
    """How much one metadata group moved a model's score against the portfolio's average."""

    model_config = ConfigDict(extra="forbid")

    group: Group
    words: str = Field(description="what the group holds, e.g. 'FLOPs and parameters'")
    effect: float = Field(description="score points this group adds (+) or takes (-)")


class RankedModel(BaseModel):
    """One catalog model's place in the ranking."""

    model_config = ConfigDict(extra="forbid")

    rank: int = Field(ge=1)
    model: str = Field(description="catalog name: train it with this `model`")
    family: str
    score: float = Field(description="the recommender's score (higher ranks first)")
    predicted_accuracy: float = Field(
        ge=0,
        le=1,
        description="expected test accuracy under the meta-dataset's protocol (`protocol`), "
        "not after a full training",
    )
    params: int
    gflops: float = Field(description="at the model's published input size")
    latency_ms: float | None = Field(
        None,
        description="median CPU time of one image in the meta-dataset (one thread, "
        "`latency_device`); null: never measured there",
    )
    measured: bool = Field(
        description="whether the meta-dataset trained this model (false: ranked from its "
        "metadata alone)"
    )
    pretrained_weights: bool = Field(description="whether its publisher has ImageNet weights")
    why: str = Field(description="the groups that placed it here, in words")
    groups: list[GroupShare]


class Recommendation(BaseModel):
    """The whole portfolio ranked for one dataset."""

    model_config = ConfigDict(extra="forbid")

    recommender: str = Field(description="the recommender's name and version")
    protocol: str = Field(description="what predicted_accuracy predicts, in words")
    latency_device: str
    group_weights: dict[str, float] = Field(
        description="the learned weighting of the four metadata groups"
    )
    models: list[RankedModel]
    warnings: list[str] = Field(default_factory=list)
    elapsed_ms: float = Field(description="time the ranking took")
