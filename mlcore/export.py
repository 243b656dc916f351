"""Serialisation: model.pt (rebuildable with torchvision alone) and verified ONNX."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

OPSET = 18
TOP1_MARGIN = 1e-4  # PyTorch top-2 gaps below this are ties, not export errors


class ExportMismatch(RuntimeError):
    """ONNX Runtime and PyTorch disagree on the model's predictions."""


def save_checkpoint(model: nn.Module, arch: dict[str, Any], path: Path) -> None:
    """Write {"arch": ..., "state_dict": ...} (loadable with torch.load(weights_only=True))."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    torch.save({"arch": arch, "state_dict": state}, path)


def export_onnx(model: nn.Module, sample: torch.Tensor, path: Path) -> None:
    """Export with the dynamo exporter: input "input" (NCHW, dynamic batch), output "logits"."""
    model = model.cpu().eval()
    with contextlib.redirect_stdout(io.StringIO()):  # the exporter narrates its steps
        torch.onnx.export(
            model,
            (sample.cpu(),),
            path,
            input_names=["input"],
            output_names=["logits"],
            dynamic_shapes=({0: torch.export.Dim("batch")},),
            opset_version=OPSET,
            external_data=False,
            dynamo=True,
        )


def verify_onnx(path: Path, model: nn.Module, batch: torch.Tensor) -> float:
    """Max |ONNX - PyTorch| logit difference on `batch`; raises ExportMismatch on top-1 flips."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_logits = np.asarray(session.run(None, {"input": batch.numpy()})[0])
    with torch.inference_mode():
        torch_logits = model.cpu().eval()(batch).numpy()
    top2 = np.sort(torch_logits, axis=1)[:, -2:]
    decisive = (top2[:, 1] - top2[:, 0]) > TOP1_MARGIN
    flips = decisive & (onnx_logits.argmax(1) != torch_logits.argmax(1))
    if flips.any():
        raise ExportMismatch(f"ONNX top-1 differs from PyTorch on {int(flips.sum())} image(s)")
    return float(np.abs(onnx_logits - torch_logits).max())
