"""What every classification model package must contain."""

PACKAGE_FILES = frozenset(
    {
        "model.pt",
        "model.onnx",
        "model_int8.onnx",
        "model.torchscript",
        "parity.json",
        "labels.json",
        "preprocess.json",
        "predict.py",
        "requirements.txt",
        "requirements-torch.txt",
        "README.md",
    }
)
