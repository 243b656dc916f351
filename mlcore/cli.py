"""Command line: `python -m mlcore train ...`, `python -m mlcore catalog [--write]`,
`python -m mlcore weights pull NAME...` and `python -m mlcore recommender MATRIX`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, get_args, get_origin

from mlcore.contract.catalog import CATALOG_PATH, UnknownModel, get_model_info, load_catalog
from mlcore.contract.estimate import (
    estimate_duration,
    format_duration,
    model_family,
    training_gflop,
)
from mlcore.contract.imagefolder import DatasetError
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import TrainParams
from mlcore.contract.weights import PublisherWeights, WeightsSource, default_weights_dir

CLI_SKIPS = frozenset({"model", "init_model_id"})  # given as --model and --init-weights
BAR_WIDTH = 30


def print_event(event: ProgressEvent) -> None:
    """One progress line per event."""
    metrics = " ".join(f"{k}={v:.4g}" for k, v in event.metrics.items())
    print(f"[{event.progress:6.1%}] {event.type:8} {event.message} {metrics}".rstrip(), flush=True)


def cmd_train(args: argparse.Namespace) -> int:
    """Run a training job and print where the artifacts are."""
    from mlcore.contract.job import JobRejected
    from mlcore.contract.train import INIT_WEIGHTS, choose_start, resolve
    from mlcore.engines.base import EngineRequest
    from mlcore.engines.data_profile import profile_folder
    from mlcore.engines.dataset_folder import prepare_dataset
    from mlcore.engines.device import pick_device
    from mlcore.engines.registry import run_job

    given = {name: getattr(args, name) for name in TrainParams.model_fields if name in args}
    if args.init_weights is not None:  # a transfer: the README says where it started
        given["init_model_id"] = args.init_weights.name
    params = TrainParams(**{k: v for k, v in given.items() if v is not None})
    try:
        dataset = prepare_dataset(args.dataset_dir, args.out_dir / "dataset")
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    profile = profile_folder(dataset)
    before = None if args.init_weights is None else earlier_architecture(args.init_weights)
    params, reasons = choose_start(params, profile.task, weights_source(args).status_of, before)
    assert params.model is not None
    try:
        config = resolve(params, get_model_info(params.model), profile, reasons)
    except JobRejected as exc:  # e.g. pretrained for a model without publisher weights
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"dataset: {dataset}", flush=True)
    print(f"configuration: {config.model_dump_json()}", flush=True)
    work = training_gflop(config, profile.train_images)
    estimate = estimate_duration(work, [], pick_device().type, model_family(config))
    print(f"estimate: {format_duration(estimate.seconds)} ({estimate.basis})", flush=True)
    inputs = {} if args.init_weights is None else {INIT_WEIGHTS: args.init_weights}
    request = EngineRequest(
        config,
        dataset,
        args.out_dir,
        print_event,
        inputs=inputs,
        weights=weights_source(args),
        resume=args.resume,
    )
    print(run_job(request).model_dump_json(indent=2))
    return 0


def earlier_architecture(checkpoint: Path) -> str:
    """The catalog name of an earlier Konstruktor model.pt."""
    import torch

    saved = torch.load(checkpoint, map_location="cpu", weights_only=True)
    return str(saved["arch"]["name"])


def add_param_options(parser: argparse.ArgumentParser) -> None:
    """One --option per TrainParams field (blank = chosen from the data)."""
    for name, field in TrainParams.model_fields.items():
        if name in CLI_SKIPS:
            continue
        flag = "--" + name.replace("_", "-")
        kinds = [t for t in get_args(field.annotation) if t is not type(None)] or [field.annotation]
        kind = kinds[0]
        if kind is bool:
            parser.add_argument(
                flag, action=argparse.BooleanOptionalAction, default=None, help=field.description
            )
        elif get_origin(kind) is Literal:
            parser.add_argument(flag, choices=get_args(kind), help=field.description)
        else:
            parser.add_argument(flag, type=kind, default=field.default, help=field.description)


def add_weights_options(parser: argparse.ArgumentParser) -> None:
    """Where publisher weights are cached and fetched from."""
    parser.add_argument(
        "--weights-dir",
        type=Path,
        default=None,
        help=f"publisher weights cache (default: {default_weights_dir()})",
    )
    parser.add_argument(
        "--weights-mirror",
        metavar="URL",
        default=None,
        help="fetch publisher weights from URL/<file name> instead of their publishers",
    )
    parser.add_argument(
        "--offline", action="store_true", help="never fetch publisher weights; use the cache"
    )


def weights_source(args: argparse.Namespace) -> WeightsSource:
    """The weights cache and mirror the options name."""
    folder = args.weights_dir or default_weights_dir()
    return WeightsSource(folder, args.weights_mirror, args.offline)


def progress_bar(event: ProgressEvent) -> None:
    """A download's progress events as a text bar on stderr."""
    done, total = event.metrics.get("download_bytes", 0.0), event.metrics.get("download_total")
    if not total:
        print(event.message, file=sys.stderr, flush=True)
        return
    filled = int(BAR_WIDTH * done / total)
    bar = "#" * filled + "." * (BAR_WIDTH - filled)
    end = "\n" if done >= total else ""
    sys.stderr.write(f"\r[{bar}] {event.message} of {total / (1 << 20):.1f} MiB{end}")
    sys.stderr.flush()


def cmd_weights_pull(args: argparse.Namespace) -> int:
    """Put catalog models' publisher weights into the cache (`all`: every model's)."""
    from mlcore.models.architecture import NoPublisherWeights
    from mlcore.models.weights import WeightsUnavailable, fetch_weights

    every = args.models == ["all"]
    names = [n for n, i in load_catalog().items() if i.has_weights] if every else args.models
    try:
        models = [get_model_info(name) for name in names]
        source = weights_source(args)
        for info in models:
            weights = PublisherWeights.of(info)
            if weights is None:
                raise NoPublisherWeights(info.name)
            path = fetch_weights(weights, source, progress_bar)
            print(f"{info.name}: {path}", flush=True)
    except (UnknownModel, WeightsUnavailable, NoPublisherWeights) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Print the computed catalog, or write it to catalog.json."""
    from mlcore.models.catalog import build_catalog

    text = json.dumps(build_catalog(), indent=2) + "\n"
    if args.write:
        CATALOG_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {CATALOG_PATH}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_recommender(args: argparse.Namespace) -> int:
    """Train the recommender on a meta-dataset matrix and write its bundle."""
    from mlcore.recommend.ship import ship

    print(f"wrote {ship(args.matrix, args.out)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with the `train`, `catalog`, `weights` and `recommender` subcommands."""
    parser = argparse.ArgumentParser(prog="python -m mlcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train, evaluate and package a classifier")
    train.add_argument(
        "dataset_dir",
        type=Path,
        help="class folders (CLASS/image.jpg, split 80/20 here), train/ and val/ class "
        "folders, a .zip of either, or the job layout (manifest.json + train/ + val/); "
        "the first three are written to OUT/dataset",
    )
    train.add_argument("out_dir", type=Path, help="work directory; artifacts go to OUT/output")
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint in OUT/resume/",
    )
    train.add_argument(
        "--model", default=None, help="catalog model name (default: chosen from the data)"
    )
    add_param_options(train)
    add_weights_options(train)
    train.add_argument(
        "--init-weights", type=Path, default=None, help="model.pt of an earlier model to start from"
    )

    catalog = sub.add_parser("catalog", help="print the model catalog computed from the registry")
    catalog.add_argument("--write", action="store_true", help=f"write it to {CATALOG_PATH.name}")

    weights = sub.add_parser("weights", help="the publisher weights cache")
    pull = weights.add_subparsers(dest="action", required=True).add_parser(
        "pull", help="fetch catalog models' publisher weights into the cache"
    )
    pull.add_argument("models", nargs="+", metavar="NAME", help="catalog model names, or all")
    add_weights_options(pull)

    from mlcore.recommend.shipped import DEFAULT_BUNDLE

    recommender = sub.add_parser(
        "recommender", help="train the recommender on a meta-dataset matrix and ship it"
    )
    recommender.add_argument("matrix", type=Path, help="matrix.json (or .gz) of a meta-dataset")
    recommender.add_argument("--out", type=Path, default=DEFAULT_BUNDLE)
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "train": cmd_train,
    "catalog": cmd_catalog,
    "weights": cmd_weights_pull,  # its one action: pull
    "recommender": cmd_recommender,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)
