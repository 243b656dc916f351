"""Ultralytics trainer arguments for a resolved Konstruktor `TrainConfig`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from mlcore.contract.train import TrainConfig

GPU_WORKERS = 8

# Augmentation presets as ultralytics hyperparameters. "strong" keeps ultralytics' own
# defaults (cfg/default.yaml: mosaic, HSV jitter, scale/translate, flips, RandAugment and
# random erasing for classifiers); "none" switches off everything ultralytics lets us
# (classifiers keep its RandomResizedCrop, here at full area).
AUGMENTATION: dict[str, dict[str, Any]] = {
    "none": {
        "hsv_h": 0.0,
        "hsv_s": 0.0,
        "hsv_v": 0.0,
        "degrees": 0.0,
        "translate": 0.0,
        "scale": 0.0,
        "shear": 0.0,
        "perspective": 0.0,
        "flipud": 0.0,
        "fliplr": 0.0,
        "mosaic": 0.0,
        "mixup": 0.0,
        "cutmix": 0.0,
        "copy_paste": 0.0,
        "auto_augment": None,
        "erasing": 0.0,
        "augmentations": [],  # no albumentations blur/CLAHE/grey either
    },
    "light": {
        "hsv_h": 0.01,
        "hsv_s": 0.35,
        "hsv_v": 0.2,
        "translate": 0.05,
        "scale": 0.25,
        "mosaic": 0.5,
        "auto_augment": None,
        "erasing": 0.0,
    },
    "strong": {},
}

# (task, class_balance) -> arguments; ultralytics weights classes only in detection losses.
CLASS_BALANCE: dict[tuple[str, str], dict[str, Any]] = {
    ("detect", "loss_weights"): {"cls_pw": 1.0},  # full inverse-frequency class weights
}


def not_applied(config: TrainConfig, task: str) -> list[str]:
    """Settings of `config` that ultralytics has no way to apply for `task`."""
    skipped = ["label_smoothing"] if config.label_smoothing > 0 else []
    if config.class_balance != "none" and (task, config.class_balance) not in CLASS_BALANCE:
        skipped.append("class_balance")
    return skipped


ULTRALYTICS_OPTIMIZERS = {"adamw": "AdamW", "sgd": "SGD"}  # ultralytics' SGD is Nesterov


def ultralytics_device(device: torch.device) -> str:
    """Ultralytics' device argument for a torch device: the GPU's index, or "cpu"."""
    return str(device.index or 0) if device.type == "cuda" else "cpu"


def device_arguments(device: str) -> dict[str, Any]:
    """Device, dataloader workers and mixed precision (fp16 AMP on CUDA only)."""
    cuda = device != "cpu"
    return {"device": device, "workers": GPU_WORKERS if cuda else 0, "amp": cuda}


def train_arguments(
    config: TrainConfig,
    task: str,
    model: str,
    data: str,
    run_dir: Path,
    device: str,
    start_weights: Path | None,
) -> dict[str, Any]:
    """Overrides for a fresh ultralytics run of `config` in `run_dir`."""
    return {
        "model": model,
        "data": data,
        "project": str(run_dir.parent),
        "name": run_dir.name,
        "exist_ok": True,
        "pretrained": str(start_weights) if start_weights else False,
        "epochs": config.epochs,
        "imgsz": config.image_size,
        "batch": config.batch_size,
        # one optimizer step per batch, as in the classifier engine; ultralytics' default
        # accumulates 64 images a step, leaving small datasets a step or two per epoch
        "nbs": config.batch_size,
        "seed": config.seed,
        "deterministic": True,
        "optimizer": ULTRALYTICS_OPTIMIZERS[config.optimizer],
        "weight_decay": config.weight_decay,
        "lr0": config.learning_rate,
        "warmup_epochs": config.warmup_epochs,
        "cos_lr": True,
        "patience": config.early_stopping_patience or config.epochs,
        "val": True,
        "plots": False,  # Konstruktor draws its own figures
        "verbose": False,
        **device_arguments(device),
        **AUGMENTATION[config.augmentation],
        **CLASS_BALANCE.get((task, config.class_balance), {}),
    }


def resume_arguments(last: Path, data: str, device: str) -> dict[str, Any]:
    """Overrides that continue the run saved in `last` (its own arguments are kept)."""
    return {"model": str(last), "resume": str(last), "data": data, **device_arguments(device)}
