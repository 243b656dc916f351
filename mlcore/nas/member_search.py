"""Run the searches behind the catalog's searched members and write members.json.

    OMP_NUM_THREADS=1 python -m mlcore.nas.member_search --write

Each search in `SEARCHES` runs through the same path as a search job (`selection.search`
on a `SearchContext`) at a small CPU scale on a class-balanced sample of CIFAR-10's
training images (`cifar10_small.zip`, found in ../shared/datasets/ or given with --data):
`WEIGHT_IMAGES` of them train the supernet's weights, the rest score the choices (fewer
than a job's equal halves: scoring every distinct member of a family is most of a small
search's time). A search keeps up to `take` distinct genotypes of its
family: the accuracy/parameters front first (evenly spread when it is longer), then the most
accurate others; they are named `<prefix>_a`, `_b`, ... by parameters. Without --write the
file is printed instead.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch

from mlcore.contract.search import PAPER_OPS, SearchConfig
from mlcore.nas.data import ImageTensors, load_image_folder, search_split
from mlcore.nas.family import Member, pareto_front
from mlcore.nas.selection import search
from mlcore.nas.space.latency import device_name, measure_latency_table
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.base import SearchContext

COMMAND = "OMP_NUM_THREADS=1 python -m mlcore.nas.member_search --write"
MEMBERS_FILE = Path(__file__).with_name("members.json")  # what mlcore.nas.members registers
NUMBERS = re.compile(r"\[\s*([-+\d.e,\s]*?)\s*\]")  # a JSON list of numbers, to print on one line
DATA_FILE = "cifar10_small.zip"
DATA_NAME = "CIFAR-10"
DEFAULT_DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets" / DATA_FILE
IMAGE_SIZE = 32
PER_CLASS = 160  # training images per class the searches see
WEIGHT_IMAGES = 1200  # of them train the weights; the other 400 score the choices


@dataclass(frozen=True)
class SearchPlan:
    """One search and how many of its family's members the catalog keeps."""

    prefix: str  # members are named <prefix>_a, <prefix>_b, ...
    strategy: str
    epochs: int
    take: int
    ops: tuple[str, ...] = PAPER_OPS
    channels: int = 8
    batch_size: int = 32
    kappa: float = 1.0
    seed: int = 0

    @property
    def id(self) -> str:
        return self.prefix

    def config(self) -> SearchConfig:
        return SearchConfig(
            strategy=self.strategy,
            ops=list(self.ops),
            channels=self.channels,
            image_size=IMAGE_SIZE,
            search_epochs=self.epochs,
            retrain_epochs=1,  # no retraining here: the classifier engine trains members
            batch_size=self.batch_size,
            kappa=self.kappa,
            seed=self.seed,
        )


SEARCHES = (
    SearchPlan("knas_c10", "hyper_darts", epochs=4, take=8),
    SearchPlan("knas_c10_darts", "darts", epochs=3, take=1),
)


def balanced_sample(data: ImageTensors, per_class: int, seed: int) -> ImageTensors:
    """`per_class` images of every class, drawn at random with `seed`."""
    generator = torch.Generator().manual_seed(seed)
    picks = []
    for label in range(len(data.classes)):
        found = (data.labels == label).nonzero().flatten()
        picks.append(found[torch.randperm(len(found), generator=generator)[:per_class]])
    return data.subset(torch.cat(picks).sort().values)


def spread(items: Sequence[Member], count: int) -> list[Member]:
    """`count` items evenly spaced over `items` (its ends included), or all of them."""
    if len(items) <= count:
        return list(items)
    step = (len(items) - 1) / (count - 1) if count > 1 else 0.0
    return [items[round(i * step)] for i in range(count)]


def keep(members: list[Member], take: int) -> list[Member]:
    """Up to `take` members of distinct parameter counts (near-twins that differ by a free
    op or two are left out): the front by parameters first, evenly spread, then the most
    accurate others; ordered by parameters."""
    front: list[Member] = []
    for member in pareto_front(members, "params"):  # cheapest first, most accurate first
        if not front or front[-1].params != member.params:
            front.append(member)
    kept = spread(front, take)
    for member in sorted(members, key=lambda m: (-m.proxy_accuracy, m.params)):
        if len(kept) < take and all(member.params != m.params for m in kept):
            kept.append(member)
    return sorted(kept, key=lambda m: (m.params, -m.proxy_accuracy))


@dataclass(frozen=True)
class Searched:
    """A search's record for members.json, the members it keeps and its family's front."""

    record: dict[str, Any]
    kept: list[Member]
    front: list[Member]


def run_search(plan: SearchPlan, train: ImageTensors) -> Searched:
    """Search as a search job does, at the plan's settings."""
    config = plan.config()
    space = SearchSpace(
        ops=plan.ops,
        channels=plan.channels,
        in_channels=3,
        classes=len(train.classes),
        cells=config.cells,
        nodes=config.nodes,
    )
    device = torch.device("cpu")
    table = measure_latency_table(space, IMAGE_SIZE, device, repeats=10, warmup=2)
    epochs: list[dict[str, float]] = []

    def progress(step: int, metrics: dict[str, float], details: dict[str, Any]) -> None:
        epochs.append({"epoch": step, **{k: round(v, 4) for k, v in metrics.items()}})
        print(f"{plan.id} epoch {step}: {epochs[-1]}", file=sys.stderr, flush=True)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as resume:
        context = SearchContext(
            config,
            space,
            search_split(train, 1 - WEIGHT_IMAGES / len(train), plan.seed),
            table,
            device,
            Path(resume),
            progress,
        )
        outcome = search(context)
    seconds = time.perf_counter() - began
    record = {
        "id": plan.id,
        "strategy": plan.strategy,
        "data": {
            "name": DATA_NAME,
            "file": DATA_FILE,
            "split": "train",
            "images": len(train),
            "sample": f"{PER_CLASS} per class at random (seed 0); {WEIGHT_IMAGES} of them "
            f"train the weights, {len(train) - WEIGHT_IMAGES} score the choices (seed "
            f"{plan.seed})",
        },
        "image_size": IMAGE_SIZE,
        "space": space.to_dict(),
        "settings": {
            "search_epochs": plan.epochs,
            "batch_size": plan.batch_size,
            "kappa": plan.kappa,
            "seed": plan.seed,
        },
        "family_size": len(outcome.members),
        "epochs": epochs,
        "seconds": round(seconds, 1),
        "device": device_name(device),
        "torch": torch.__version__,
    }
    return Searched(record, keep(outcome.members, plan.take), outcome.front)


def member_entry(name: str, search_id: str, member: Member, front: bool) -> dict[str, Any]:
    """One members.json entry: the genotype and what the search measured of it."""
    return {
        "name": name,
        "search": search_id,
        "genotype": member.genotype.to_dict(),
        "counts": member.counts,
        "s": list(member.s),
        "search_params": member.params,
        "search_flops": member.flops,
        "proxy_accuracy": round(member.proxy_accuracy, 4),
        "on_front": front,
    }


def members_json(data: Path, plans: Sequence[SearchPlan] = SEARCHES) -> dict[str, Any]:
    """Run every plan on the sample of `data`; the members.json content."""
    train = balanced_sample(load_image_folder(data, "train", IMAGE_SIZE), PER_CLASS, seed=0)
    searches, entries, seen = [], [], set()
    for plan in plans:
        searched = run_search(plan, train)
        searches.append(searched.record)
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for member in searched.kept:
            if member.genotype in seen:  # another search found it already
                continue
            seen.add(member.genotype)
            name = plan.prefix if plan.take == 1 else f"{plan.prefix}_{next(letters)}"
            entries.append(member_entry(name, plan.id, member, member in searched.front))
    return {
        "about": "genotypes of the catalog's searched members (mlcore.nas.members); "
        "search_params and proxy_accuracy are the search's, at its own width and on its "
        "choice half (the supernet's accuracy with the genotype's ops alone, no retraining)",
        "command": COMMAND,
        "date": datetime.now(UTC).date().isoformat(),
        "searches": searches,
        "members": entries,
    }


def one_line(found: re.Match[str]) -> str:
    """A JSON list of numbers (a `NUMBERS` match) on one line."""
    return "[" + ", ".join(part.strip() for part in found.group(1).split(",")) + "]"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"{DATA_FILE}")
    parser.add_argument("--write", action="store_true", help=f"write {MEMBERS_FILE.name}")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    began = time.perf_counter()
    content = members_json(args.data)
    content["seconds"] = round(time.perf_counter() - began, 1)
    text = NUMBERS.sub(one_line, json.dumps(content, indent=1)) + "\n"
    if args.write:
        MEMBERS_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {MEMBERS_FILE} ({shlex.join(sys.argv)})", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
