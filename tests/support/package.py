"""What every classification model package must contain."""

from typing import Any

PACKAGE_FILES = frozenset(
    {
        "model.pt",
        "model.onnx",
        "model.torchscript",
        "parity.json",
        "labels.json",
        "preprocess.json",
        "predict.py",
        "serve.py",
        "batch_predict.py",
        "report.png",
        "requirements.txt",
        "requirements-torch.txt",
        "requirements-serve.txt",
        "README.md",
        "NOTICE.md",
    }
)
INT8_FILE = "model_int8.onnx"  # only where it passed its gate


def expected_files(parity: dict[str, Any]) -> frozenset[str]:
    """PACKAGE_FILES, and the INT8 model where parity.json says it shipped."""
    shipped = parity["formats"]["onnx_int8"]["shipped"]
    return PACKAGE_FILES | {INT8_FILE} if shipped else PACKAGE_FILES
