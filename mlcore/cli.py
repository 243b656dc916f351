"""Command line: `python -m mlcore train ...` and `python -m mlcore catalog [--write]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, get_args, get_origin

from mlcore.contract.catalog import CATALOG_PATH, get_model_info
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import TrainParams

CLI_SKIPS = frozenset({"model", "init_model_id"})  # given as --model and --init-weights


def print_event(event: ProgressEvent) -> None:
    """One progress line per event."""
    metrics = " ".join(f"{k}={v:.4g}" for k, v in event.metrics.items())
    print(f"[{event.progress:6.1%}] {event.type:8} {event.message} {metrics}".rstrip(), flush=True)


def cmd_train(args: argparse.Namespace) -> int:
    """Run a training job and print where the artifacts are."""
    from mlcore.contract.train import INIT_WEIGHTS, resolve
    from mlcore.engines.base import EngineRequest
    from mlcore.engines.data_profile import profile_folder
    from mlcore.engines.registry import run_job

    given = {name: getattr(args, name) for name in TrainParams.model_fields if name in args}
    if args.init_weights is not None:  # a warm start: fine-tuning defaults, README says so
        given["init_model_id"] = args.init_weights.name
    params = TrainParams(**{k: v for k, v in given.items() if v is not None})
    info = get_model_info(params.model)
    config = resolve(params, info, profile_folder(args.dataset_dir))
    print(f"configuration: {config.model_dump_json()}", flush=True)
    inputs = {} if args.init_weights is None else {INIT_WEIGHTS: args.init_weights}
    request = EngineRequest(
        config,
        args.dataset_dir,
        args.out_dir,
        print_event,
        inputs=inputs,
        weights_dir=args.weights_dir,
        resume=args.resume,
    )
    print(run_job(request).model_dump_json(indent=2))
    return 0


def add_param_options(parser: argparse.ArgumentParser) -> None:
    """One --option per TrainParams field (blank = chosen from the data)."""
    for name, field in TrainParams.model_fields.items():
        if name in CLI_SKIPS:
            continue
        flag = "--" + name.replace("_", "-")
        kinds = [t for t in get_args(field.annotation) if t is not type(None)] or [field.annotation]
        kind = kinds[0]
        if kind is bool:
            parser.add_argument(flag, action="store_true", help=field.description)
        elif get_origin(kind) is Literal:
            parser.add_argument(flag, choices=get_args(kind), help=field.description)
        else:
            parser.add_argument(flag, type=kind, default=field.default, help=field.description)


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


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with the `train` and `catalog` subcommands."""
    parser = argparse.ArgumentParser(prog="python -m mlcore", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train, evaluate and package a classifier")
    train.add_argument("dataset_dir", type=Path, help="manifest.json + train/ + val/")
    train.add_argument("out_dir", type=Path, help="work directory; artifacts go to OUT/output")
    train.add_argument(
        "--resume",
        action="store_true",
        help="continue from the checkpoint in OUT/resume/",
    )
    train.add_argument("--model", default="efficientnet_b0", help="catalog model name")
    add_param_options(train)
    train.add_argument("--weights-dir", type=Path, default=None, help="pretrained weights")
    train.add_argument(
        "--init-weights", type=Path, default=None, help="model.pt of an earlier model to start from"
    )

    catalog = sub.add_parser("catalog", help="print the model catalog computed from the registry")
    catalog.add_argument("--write", action="store_true", help=f"write it to {CATALOG_PATH.name}")
    return parser


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "train": cmd_train,
    "catalog": cmd_catalog,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)
