"""Benchmark: the training engine's images/s against a bare PyTorch loop on the same model.

`synthetic` is the reference: random tensors already on the device, forward + backward +
the model's optimizer, nothing else. The engine modes run
`mlcore.classify.training.train_one_epoch` on real CIFAR-10 images (resized to
--image-size) with the configured augmentation, scheduler and
progress events: `resident` decodes once and augments on the device, `streamed` decodes
every epoch in DataLoader workers and augments on the device, `loader` decodes and augments
every epoch in the workers (albumentations). The second epoch is timed.

    .venv/bin/python benchmarks/train_throughput.py --image-size 224 --batch-size 256   # GPU
    .venv/bin/python benchmarks/train_throughput.py --image-size 64 --batch-size 32 \\
        --augmentation none light                                                      # CPU
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_env import environment, unpack_image_folder, write_result
from mlcore.classify.data import read_classes
from mlcore.classify.feeds import build_feeds
from mlcore.classify.schedule import build_optimizer, warmup_cosine
from mlcore.classify.training import Precision, train_one_epoch
from mlcore.contract.catalog import get_model_info
from mlcore.contract.train import TrainConfig
from mlcore.engines.device import pick_device
from mlcore.engines.progress import TrainingProgress
from mlcore.models.registry import create_model


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _setup(config: TrainConfig, classes: int, device: torch.device) -> tuple[Any, ...]:
    precision = Precision(device)
    model = create_model(config.model, classes).to(device).to(memory_format=precision.memory_format)
    optimizer = build_optimizer(model, config)
    return precision, model, optimizer


def synthetic(config: TrainConfig, classes: int, steps: int, warmup: int) -> dict[str, float]:
    """The bare loop: same model, precision and optimizer; no data, no bookkeeping."""
    device = pick_device()
    precision, model, optimizer = _setup(config, classes, device)
    size, batch = config.image_size, config.batch_size
    images = precision.inputs(torch.randn(batch, 3, size, size, device=device))
    labels = torch.randint(0, classes, (batch,), device=device)
    model.train()
    for step in range(warmup + steps):
        if step == warmup:
            _sync(device)
            start = time.perf_counter()
        with precision.autocast():
            loss = F.cross_entropy(model(images), labels, label_smoothing=0.1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    _sync(device)
    seconds = time.perf_counter() - start
    return {"images_per_s": steps * batch / seconds, "seconds_per_step": seconds / steps}


def engine(config: TrainConfig, dataset: Path, mode: str) -> dict[str, float]:
    """Two epochs of the engine; the second (steady state) is timed."""
    device = pick_device()
    classes = read_classes(dataset)
    start = time.perf_counter()
    feeds = build_feeds(config, dataset, classes, device, mode)  # type: ignore[arg-type]
    _sync(device)
    prepare = time.perf_counter() - start
    precision, model, optimizer = _setup(config, len(classes), device)
    steps = len(feeds.train)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps, 2 * steps))
    events: list[Any] = []
    progress = TrainingProgress(events.append, 2, steps)
    criterion = partial(F.cross_entropy, label_smoothing=0.1)
    timings = []
    for epoch in (1, 2):
        progress.start_epoch(epoch)
        _sync(device)
        start = time.perf_counter()
        train_one_epoch(model, feeds.train, optimizer, scheduler, precision, criterion, progress)
        _sync(device)
        timings.append(time.perf_counter() - start)
    images = steps * config.batch_size
    return {
        "images_per_s": images / timings[1],
        "seconds_per_step": timings[1] / steps,
        "first_epoch_s": timings[0],
        "prepare_s": prepare,
        "steps_per_epoch": steps,
        "progress_events": len(events),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", default="efficientnet_b0")
    parser.add_argument("--image-size", type=int, default=224)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=30, help="timed synthetic steps")
    parser.add_argument("--augmentation", nargs="+", default=["light"])
    parser.add_argument("--modes", nargs="+", default=["resident", "streamed", "loader"])
    parser.add_argument("--dataset", default="cifar10_small.zip")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    torch.manual_seed(0)
    recipe = get_model_info(args.model).recipe
    base = {
        "model": args.model,
        "epochs": 2,
        "image_size": args.image_size,
        "batch_size": args.batch_size,
        "learning_rate": recipe.learning_rate,
        "optimizer": recipe.optimizer,
        "weight_decay": recipe.weight_decay,
        "warmup_epochs": 1.0,
    }
    with tempfile.TemporaryDirectory() as tmp:
        dataset = unpack_image_folder(args.dataset, Path(tmp) / "data")
        classes = len(read_classes(dataset))
        reference = synthetic(TrainConfig(**base), classes, args.steps, warmup=5)
        print("synthetic", reference, flush=True)
        runs = []
        for augmentation in args.augmentation:
            for mode in args.modes:
                config = TrainConfig(**base, augmentation=augmentation)
                run = engine(config, dataset, mode)
                run["share_of_synthetic"] = run["images_per_s"] / reference["images_per_s"]
                run["step_overhead"] = run["seconds_per_step"] / reference["seconds_per_step"] - 1
                print(mode, augmentation, run, flush=True)
                runs.append({"mode": mode, "augmentation": augmentation, **run})
    result = {
        **environment(),
        "settings": {**base, "dataset": args.dataset, "precision": "bf16 + channels_last on CUDA"},
        "synthetic": reference,
        "engine": runs,
    }
    print(write_result(args.out, "train-throughput", result))


if __name__ == "__main__":
    main()
