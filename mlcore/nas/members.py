"""Konstruktor's own searched networks in the catalog: cell networks that its architecture
searches found on real data, registered like torchvision's and ultralytics' networks and
trained by the classifier engine from scratch (they have no publisher weights).

Each member is one genotype of `members.json` beside this module, built at the catalog's
width (`CHANNELS`: searched narrow, trained wider, as DARTS does) for RGB input; its
package ships `nas_network.py`, which rebuilds model.pt as it does a search job's.
members.json records where every genotype came from (strategy, data, settings, the
search's proxy accuracy and parameters, command, date); regenerate it with

    OMP_NUM_THREADS=1 python -m mlcore.nas.member_search --write
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from torch import nn

from mlcore.models.architecture import Architecture, Family
from mlcore.models.registry import register_architecture
from mlcore.nas.space.discrete import BUILDER, arch_config, build_discrete
from mlcore.nas.space.genotype import Genotype, check_genotype
from mlcore.nas.space.search_space import SearchSpace

MEMBERS_FILE = Path(__file__).with_name("members.json")
CHANNELS = 32  # the catalog's width of every member (its search ran narrower)
MIN_IMAGE_SIZE = 16  # the API's smallest image: 4 px left for the third cell

KONSTRUKTOR_NAS = Family(
    "konstruktor_nas",
    task="classify",
    year=2026,
    licence="MIT",
    source="konstruktor",
    engine="classifier",
)


@dataclass(frozen=True)
class SearchedArchitecture(Architecture):
    """A genotype one of Konstruktor's searches found, in its space's layout at the
    catalog's width; `layout.classes` is the searched data's (its published form)."""

    layout: SearchSpace
    genotype: Genotype
    image_size: int  # the size it was searched at
    found_by: str  # e.g. "hyper_darts on CIFAR-10", for the README

    def __post_init__(self) -> None:
        check_genotype(self.layout, self.genotype)

    @property
    def builder(self) -> str:
        return BUILDER

    @property
    def builder_options(self) -> dict[str, Any]:
        return {"layout": self.layout.to_dict(), "choices": self.genotype.to_dict()["choices"]}

    def arch_record(self, classes: list[str]) -> dict[str, Any]:
        """A search job's "arch" (`nas_network.build` reads its layout and choices) under
        this member's name."""
        space = replace(self.layout, classes=len(classes))
        return {**arch_config(space, self.genotype, classes), "name": self.name}

    @property
    def checkpoint_kind(self) -> str:
        return "konstruktor_nas"

    @property
    def readme_name(self) -> str:
        return f"Konstruktor's cell network `{self.name}` found by {self.found_by}"

    def rebuild_hint(self, num_classes: int) -> str:
        return (
            '`{"arch": {"name", "layout", "choices", "num_classes", "classes", "builder"}, '
            '"state_dict"}`; `nas_network.build(arch)` (torch only, in this folder) rebuilds '
            "it, then `load_state_dict`;"
        )

    @property
    def default_image_size(self) -> int:
        return self.image_size

    @property
    def min_image_size(self) -> int:
        return MIN_IMAGE_SIZE

    @property
    def published_classes(self) -> int:
        return self.layout.classes

    @property
    def weights_file(self) -> None:
        return None

    @property
    def weights_url(self) -> None:
        return None

    def build(self, num_classes: int) -> nn.Module:
        return build_discrete(replace(self.layout, classes=num_classes), self.genotype)


def member(entry: dict[str, Any], search: dict[str, Any]) -> SearchedArchitecture:
    """The catalog member of one members.json entry, from the search that found it."""
    space = SearchSpace.from_dict(search["space"])
    layout = replace(space, channels=CHANNELS, in_channels=3)
    return SearchedArchitecture(
        entry["name"],
        KONSTRUKTOR_NAS,
        layout=layout,
        genotype=Genotype.from_dict(entry["genotype"]),
        image_size=int(search["image_size"]),
        found_by=f"{search['strategy']} on {search['data']['name']}",
    )


def load_members(path: Path = MEMBERS_FILE) -> list[SearchedArchitecture]:
    """Every member members.json lists, in its order."""
    data = json.loads(path.read_text(encoding="utf-8"))
    searches = {search["id"]: search for search in data["searches"]}
    return [member(entry, searches[entry["search"]]) for entry in data["members"]]


for _member in load_members():
    register_architecture(_member)
