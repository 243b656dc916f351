"""Command line: `python -m mlcore train ...` and `python -m mlcore catalog [--write]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from mlcore.catalog import CATALOG_PATH
from mlcore.spec import ProgressEvent, TrainParams


def print_event(event: ProgressEvent) -> None:
    """One progress line per event."""
    metrics = " ".join(f"{k}={v:.4g}" for k, v in event.metrics.items())
    print(f"[{event.progress:6.1%}] {event.type:8} {event.message} {metrics}".rstrip(), flush=True)


def cmd_train(args: argparse.Namespace) -> int:
    """Run a training job and print where the artifacts are."""
    from mlcore.pipeline import run_train_job

    params = TrainParams(
        model=args.model,
        epochs=args.epochs,
        image_size=args.image_size,
        batch_size=args.batch_size,
        pretrained=args.pretrained,
        learning_rate=args.lr,
        seed=args.seed,
    )
    result = run_train_job(
        params, args.dataset_dir, args.out_dir, print_event, args.weights_dir, resume=args.resume
    )
    print(result.model_dump_json(indent=2))
    return 0


def cmd_catalog(args: argparse.Namespace) -> int:
    """Print the computed catalog, or write it to catalog.json."""
    from mlcore.models import build_catalog

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
        "--resume", action="store_true", help="continue from OUT/train/last.pt if a run left one"
    )
    train.add_argument("--model", default="efficientnet_b0")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--image-size", type=int, default=224)
    train.add_argument("--batch-size", type=int, default=32)
    train.add_argument("--pretrained", action="store_true")
    train.add_argument("--weights-dir", type=Path, default=None)
    train.add_argument("--lr", type=float, default=None)
    train.add_argument("--seed", type=int, default=0)

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
