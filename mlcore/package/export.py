"""Serialisation: model.pt (rebuildable with torchvision alone), ONNX and TorchScript."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path
from typing import Any

import torch
from torch import nn

OPSET = 18


class ExportMismatch(RuntimeError):
    """An exported format disagrees with PyTorch on the model's predictions."""


def save_checkpoint(model: nn.Module, arch: dict[str, Any], path: Path) -> None:
    """Write {"arch": ..., "state_dict": ...} (loadable with torch.load(weights_only=True))."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"arch": arch, "state_dict": state}, path)


def export_onnx(model: nn.Module, sample: torch.Tensor, path: Path, output_name: str) -> None:
    """Export with the dynamo exporter: input "input" (NCHW, dynamic batch), one output."""
    model = model.cpu().eval()
    with contextlib.redirect_stdout(io.StringIO()):  # the exporter narrates its steps
        torch.onnx.export(
            model,
            (sample.cpu(),),
            path,
            input_names=["input"],
            output_names=[output_name],
            dynamic_shapes=({0: torch.export.Dim("batch")},),
            opset_version=OPSET,
            external_data=False,
            dynamo=True,
        )


def export_torchscript(model: nn.Module, sample: torch.Tensor, path: Path) -> None:
    """torch.jit.trace the eval model on `sample` and torch.jit.save it."""
    model = model.cpu().eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # deprecated, still what people deploy
        traced = torch.jit.trace(model, sample.cpu())
        torch.jit.save(traced, str(path))
