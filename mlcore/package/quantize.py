"""INT8 ONNX: static QDQ quantisation calibrated on images, dynamic quantisation as fallback."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)


class _Calibration:
    """onnxruntime CalibrationDataReader over preprocessed NCHW batches."""

    def __init__(self, batches: list[np.ndarray]) -> None:
        self._batches: Iterator[np.ndarray] = iter(batches)

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._batches, None)
        return None if batch is None else {"input": batch}


def quantize_int8(source: Path, target: Path, calibration: list[np.ndarray]) -> str:
    """Write an INT8 copy of `source`; returns the method used ("static_qdq" or "dynamic")."""
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
        try:
            quantize_static(
                str(prepared),
                str(target),
                _Calibration(calibration),
                quant_format=QuantFormat.QDQ,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
                per_channel=True,
            )
            return "static_qdq"
        except Exception as error:  # any calibration failure falls back
            log.warning("static INT8 quantisation failed (%s); using dynamic", error)
            quantize_dynamic(str(prepared), str(target), weight_type=QuantType.QInt8)
            return "dynamic"
