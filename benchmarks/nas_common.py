"""Shared pieces of the NAS benchmarks: CLI flags, data on the device, search and retrain."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import torch

from benchmarks.bench_env import BENCH_DATA, environment, shared_zip, write_result
from mlcore.contract.search import CELL_SHARING
from mlcore.models.metadata import count_params
from mlcore.nas.data import (
    FASHION_MNIST_DIR,
    ImageTensors,
    SearchData,
    load_fashion_mnist,
    load_image_folder,
    strategy_split,
)
from mlcore.nas.evaluators.retrain import retrain
from mlcore.nas.paper import EXPERIMENTS, S_VECTORS, Experiment, kind_counts
from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.hypernet import raised
from mlcore.nas.strategies.one_shot import OneShotConfig
from mlcore.nas.strategies.one_shot_loop import run_family_search
from mlcore.nas.strategies.one_shot_result import EpochReport, SearchResult

RESULTS = Path(__file__).parent / "results"
# Width at which an all-conv3 network of 3 cells x 4 nodes has ~153k parameters: the top of
# the thesis' 5k-160k range (the thesis does not state its width).
CHANNELS = 20
# Cost weight of the benchmarks. CPU calibration (Exp 1, 4k images, C = 8, 3 + 3 epochs,
# beta 10, warm-up 0.3): kappa 3 sent B to a parameter-free all-pool network (178 params,
# 28 %); kappa 1 kept B alive (31 pool / 5 conv / 6 identity, 3k params, 60 %).
KAPPA = 1.0
SMOKE = {"train_images": 256, "test_images": 200, "epochs": 1, "channels": 4}


def fashion_mnist() -> tuple[ImageTensors, ImageTensors]:
    """The official 60,000 train / 10,000 test images: from .bench-data/fashion-mnist/ (a
    GPU call carries them there), else the Debian package's folder."""
    carried = BENCH_DATA / "fashion-mnist"
    splits = load_fashion_mnist(carried if carried.is_dir() else FASHION_MNIST_DIR)
    return splits["train"], splits["test"]


def cifar10_small() -> tuple[ImageTensors, ImageTensors]:
    """cifar10_small.zip: 10,000 train, its 2,000 val images as the test set."""
    source = shared_zip("cifar10_small.zip")
    return load_image_folder(source, "train"), load_image_folder(source, "val")


DATASETS: dict[str, Callable[[], tuple[ImageTensors, ImageTensors]]] = {
    "fashion-mnist": fashion_mnist,
    "cifar10": cifar10_small,
}


@dataclass(frozen=True)
class ExperimentData:
    """The training images (retraining uses all of them), the test set, and the seed of
    every strategy's search split."""

    train: ImageTensors
    test: ImageTensors
    seed: int

    def search(self, strategy: str) -> SearchData:
        """The training images split as a search job splits them for `strategy`."""
        return strategy_split(self.train, strategy, self.seed)


def capped(data: ImageTensors, limit: int | None, generator: torch.Generator) -> ImageTensors:
    """A random `limit` of `data` (all of it when limit is None)."""
    if limit is None or limit >= len(data):
        return data
    return data.subset(torch.randperm(len(data), generator=generator)[:limit])


def load_data(
    experiment: Experiment,
    train_images: int | None,
    test_images: int | None,
    seed: int,
    device: torch.device,
) -> ExperimentData:
    """The experiment's data set on `device`, capped at random."""
    generator = torch.Generator().manual_seed(seed)
    train, test = DATASETS[experiment.dataset]()
    train = capped(train, train_images, generator).to(device)
    test = capped(test, test_images, generator).to(device)
    return ExperimentData(train, test, seed)


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    """The flags both NAS benchmarks share."""
    parser.add_argument("--epochs", type=int, help="search epochs (default: the thesis')")
    parser.add_argument("--retrain-epochs", type=int, help="default: the search epochs")
    parser.add_argument("--channels", type=int, help=f"network width (default {CHANNELS})")
    parser.add_argument(
        "--no-preprocess",
        dest="preprocess",
        action="store_false",
        help="cells without the 1x1 ReLU-conv-BN on their inputs",
    )
    parser.add_argument("--cell-sharing", choices=CELL_SHARING, default="shared")
    parser.add_argument("--kappa", type=float, default=KAPPA)
    parser.add_argument("--beta", type=float, default=OneShotConfig.beta)
    parser.add_argument("--monotone", type=float, default=OneShotConfig.monotone)
    parser.add_argument("--cost-warmup", type=float, default=OneShotConfig.cost_warmup)
    parser.add_argument("--arch-lr", type=float, default=OneShotConfig.arch_lr)
    parser.add_argument("--batch-size", type=int, default=OneShotConfig.batch_size)
    parser.add_argument("--train-images", type=int, help="cap on training images (default all)")
    parser.add_argument("--test-images", type=int, help="cap on test images (default all)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--smoke", action="store_true", help="tiny run that checks the wiring")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--tag", help="appended to the result file's name (e.g. monotone0)")


def apply_smoke(args: argparse.Namespace) -> None:
    """--smoke: a few hundred images, 1 epoch, 4 channels, unless set explicitly."""
    if not args.smoke:
        return
    for name, value in SMOKE.items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    args.retrain_epochs = args.retrain_epochs or SMOKE["epochs"]


def experiment_names(choice: str) -> list[str]:
    """--experiment 1|2|3|all as EXPERIMENTS keys."""
    return list(EXPERIMENTS) if choice == "all" else [f"exp{choice}"]


def strategy_config(args: argparse.Namespace, name: str = "hyper_darts") -> OneShotConfig:
    """The strategy's hyperparameters from the flags."""
    return OneShotConfig(
        name=name,
        kappa=args.kappa,
        beta=args.beta,
        monotone=args.monotone,
        cost_warmup=args.cost_warmup,
        arch_lr=args.arch_lr,
        batch_size=args.batch_size,
    )


def settings(args: argparse.Namespace) -> dict[str, Any]:
    """The flags as recorded in a result file."""
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}


def print_epoch(tag: str) -> Callable[[EpochReport], None]:
    """A search callback printing one line per epoch."""

    def report(epoch: EpochReport) -> None:
        probes = " ".join(f"{k} {v:.3f}" for k, v in epoch.val_accuracy.items())
        print(
            f"{tag} search epoch {epoch.epoch} t {epoch.temperature:.2f} "
            f"loss {epoch.train_loss:.4f} val[{probes}] {epoch.seconds:.1f}s",
            flush=True,
        )

    return report


def search(
    tag: str,
    space: SearchSpace,
    config: OneShotConfig,
    data: ExperimentData,
    epochs: int,
    seed: int,
    device: torch.device,
) -> tuple[SearchResult, float]:
    """One search with per-epoch progress (probes: the thesis' s vectors); (result, seconds)."""
    began = time.perf_counter()
    result = run_family_search(
        space,
        config,
        data.search(config.name),
        epochs,
        seed,
        callback=print_epoch(tag),
        probes=S_VECTORS[space.ops] if config.name == "hyper_darts" else None,
        device=device,
    )
    return result, time.perf_counter() - began


def params_of(space: SearchSpace, genotype: Genotype) -> int:
    """Parameters of the discrete network, counted without allocating its weights."""
    with torch.device("meta"):
        return count_params(build_discrete(space, genotype))


def matched_width(space: SearchSpace, genotype: Genotype, target: int) -> SearchSpace:
    """`space` at the width (1..512) whose network for `genotype` has the parameter count
    nearest `target` (parameters grow with the width)."""
    low, high = 1, 512
    while low < high:
        middle = (low + high) // 2
        if params_of(replace(space, channels=middle), genotype) < target:
            low = middle + 1
        else:
            high = middle
    widths = {max(low - 1, 1), low}
    return min(
        (replace(space, channels=c) for c in widths),
        key=lambda s: abs(params_of(s, genotype) - target),
    )


def evaluate(
    tag: str,
    space: SearchSpace,
    genotype: Genotype,
    data: ExperimentData,
    epochs: int,
    seed: int,
    device: torch.device,
) -> dict[str, Any]:
    """Retrain `genotype` from scratch: `describe` plus test accuracy, losses, seconds."""
    began = time.perf_counter()
    trained = retrain(space, genotype, data.train, data.test, epochs, seed, device=device)
    seconds = time.perf_counter() - began
    described = describe(space, genotype)
    losses = " ".join(f"{loss:.3f}" for loss in trained.losses)
    print(
        f"{tag} retrain C={space.channels} {described['kinds']} params {trained.params:,} "
        f"loss/epoch [{losses}] test {trained.accuracy:.4f} {seconds:.1f}s",
        flush=True,
    )
    return {
        **described,
        "test_accuracy": trained.accuracy,
        "retrain_losses": trained.losses,
        "retrain_seconds": seconds,
    }


def describe(space: SearchSpace, genotype: Genotype) -> dict[str, Any]:
    """Width, op counts (per op and per thesis kind), parameters and the genotype."""
    counts = genotype.counts()
    return {
        "channels": space.channels,
        "op_counts": counts,
        "kinds": kind_counts(counts),
        "params": params_of(space, genotype),
        "genotype": genotype.to_dict(),
    }


MONOTONICITY_SAMPLES = 300
MONOTONICITY_STEP = OneShotConfig.monotone_step  # 0.1: the raise the control term trains at


def control_monotonicity(
    result: SearchResult,
    samples: int = MONOTONICITY_SAMPLES,
    step: float = MONOTONICITY_STEP,
    seed: int = 0,
) -> dict[str, Any]:
    """At `samples` s drawn uniformly from the simplex, raise each s_m by `step` (where it
    fits below 1): the share of those raises after which op m's count went up (control
    says it never should), per op and over all, and the share where it went down."""
    ops, k = result.space.ops, result.space.k
    with torch.random.fork_rng(devices=[]):  # Dirichlet draws from the global generator
        torch.manual_seed(seed)
        points = torch.distributions.Dirichlet(torch.ones(k)).sample((samples,))
    starts = [tuple(point) for point in points.tolist()]
    counts = [result.derive(s).counts() for s in starts]  # each start derived once
    per_op: dict[str, Any] = {}
    rises = falls = total = 0
    for m, op in enumerate(ops):
        up = down = tried = 0
        for s, at_s in zip(starts, counts, strict=True):
            if s[m] + step >= 1:
                continue
            before = at_s[op]
            after = result.derive(raised(torch.tensor(s), m, step)).counts()[op]
            up, down, tried = up + (after > before), down + (after < before), tried + 1
        per_op[op] = {"raises": tried, "count_rose": up / tried, "count_fell": down / tried}
        rises, falls, total = rises + up, falls + down, total + tried
    return {
        "samples": samples,
        "step": step,
        "count_rose": rises / total,
        "count_fell": falls / total,
        "per_op": per_op,
    }


def history(result: SearchResult) -> list[dict[str, Any]]:
    """The search's per-epoch reports as JSON."""
    return [asdict(report) for report in result.history]


def run_and_record(
    args: argparse.Namespace,
    name: str,
    run_experiment: Callable[[Experiment, argparse.Namespace, torch.device], dict[str, Any]],
    table: Callable[[dict[str, Any]], str],
) -> None:
    """Run the chosen experiments, print each as a table and record them as
    results/<name>-<experiments>[-bare][-per_cell][-<tag>]-<device>-<date>.json (bare:
    --no-preprocess; per_cell: --cell-sharing per_cell)."""
    device = torch.device(args.device)
    run = environment()  # the commit and date the run started at
    began = time.perf_counter()
    entries = [
        run_experiment(EXPERIMENTS[key], args, device) for key in experiment_names(args.experiment)
    ]
    for entry in entries:
        print(table(entry))
    result = {
        **run,
        "seed": args.seed,
        "settings": settings(args),
        "total_seconds": time.perf_counter() - began,
        "experiments": entries,
    }
    tag = "-".join(
        [
            *experiment_names(args.experiment),
            *([] if args.preprocess else ["bare"]),
            *([] if args.cell_sharing == "shared" else [args.cell_sharing]),
            *([args.tag] if args.tag else []),
        ]
    )
    print(write_result(args.out, f"{name}-{tag}", result))
