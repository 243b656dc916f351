"""INT8 ONNX: static QDQ quantisation calibrated on images, dynamic quantisation as fallback.

The output tail stays float: the nodes between the last weighted layers (Conv, Gemm, MatMul)
and the graph's outputs. A detector's output concatenates box coordinates in input pixels
with class probabilities, and one INT8 scale for both set every class score of about 0.05 to
0: the INT8 copy of benchmarks/int8_agreement.py's detector kept none of PyTorch's 7,714 boxes
(largest score error 0.050); with the tail float, 0.00027. A classifier's tail is empty.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import onnx

log = logging.getLogger(__name__)

WEIGHTED_OPS = frozenset({"Conv", "Gemm", "MatMul"})  # what INT8 speeds up


class _Calibration:
    """onnxruntime CalibrationDataReader over preprocessed NCHW batches."""

    def __init__(self, batches: list[np.ndarray]) -> None:
        self._batches: Iterator[np.ndarray] = iter(batches)

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._batches, None)
        return None if batch is None else {"input": batch}


def output_tail(model: onnx.ModelProto) -> list[str]:
    """Names of the nodes from which a graph output is reached without passing a weighted
    layer: the decoding after the network's last Conv/Gemm/MatMul (none for a classifier,
    whose output is its last Gemm)."""
    producers = {output: node for node in model.graph.node for output in node.output}
    tail: dict[str, None] = {}
    pending = [output.name for output in model.graph.output]
    while pending:
        node = producers.get(pending.pop())
        if node is None or node.name in tail or node.op_type in WEIGHTED_OPS:
            continue
        tail[node.name] = None
        pending.extend(node.input)
    return list(tail)


def quantize_int8(
    source: Path,
    target: Path,
    calibration: list[np.ndarray],
    float_tail: bool = True,
    **options: Any,
) -> str:
    """Write an INT8 copy of `source`, its output tail float unless `float_tail` is False;
    returns the method used ("static_qdq" or "dynamic"). `options` override the arguments
    of onnxruntime's `quantize_static` (benchmarks/int8_agreement.py compares some)."""
    from onnxruntime.quantization import (
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_dynamic,
        quantize_static,
    )

    with tempfile.TemporaryDirectory() as tmp:
        prepared = Path(tmp) / "prepared.onnx"
        # ONNX's own shape inference suffices for CNNs; the symbolic one gives up on YOLO's
        # graph and leaves its temporary files in the working directory when it does
        quant_pre_process(str(source), str(prepared), skip_symbolic_shape=True)
        excluded = output_tail(onnx.load(prepared)) if float_tail else []
        settings: dict[str, Any] = {
            "quant_format": QuantFormat.QDQ,
            "activation_type": QuantType.QUInt8,
            "weight_type": QuantType.QInt8,
            "per_channel": True,
            "nodes_to_exclude": excluded,
            **options,
        }
        try:
            quantize_static(str(prepared), str(target), _Calibration(calibration), **settings)
            return "static_qdq"
        except Exception as error:  # any calibration failure falls back
            log.warning("static INT8 quantisation failed (%s); using dynamic", error)
            quantize_dynamic(
                str(prepared), str(target), weight_type=QuantType.QInt8, nodes_to_exclude=excluded
            )
            return "dynamic"
