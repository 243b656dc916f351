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
        "serve.py",
        "batch_predict.py",
        "report.png",
        "requirements.txt",
        "requirements-torch.txt",
        "requirements-serve.txt",
        "README.md",
    }
)
