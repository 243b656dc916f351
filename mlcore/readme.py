"""README.md of a model package."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from mlcore.spec import TrainConfig


def _class_table(evaluation: dict[str, Any]) -> str:
    rows = [
        f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |"
        for name, m in evaluation["per_class"].items()
    ]
    header = "| class | precision | recall | F1 | support |\n|---|---|---|---|---|"
    return "\n".join([header, *rows])


def _origin(params: TrainConfig) -> str:
    if params.init_model_id:
        return f"fine-tuned from the earlier Konstruktor model {params.init_model_id}"
    return "fine-tuned from ImageNet weights" if params.pretrained else "trained from scratch"


def _parity_table(parity: dict[str, Any]) -> str:
    rows = []
    for name, m in parity["formats"].items():
        if m["file"] is None:
            rows.append(f"| {name} | not packaged: {m.get('error', '')} | | | | |")
            continue
        rows.append(
            f"| {name} (`{m['file']}`) | {m['agreement']:.2%} | {m['max_abs_logit_diff']:.3g} "
            f"| {m['max_abs_prob_diff']:.3g} | {m['accuracy']:.4f} | {m['accuracy_drop']:+.4f} |"
        )
    header = (
        "| format | top-1 agreement | max abs logit diff | max abs prob diff | accuracy "
        "| accuracy drop |\n|---|---|---|---|---|---|"
    )
    return "\n".join([header, *rows])


def _example(evaluation: dict[str, Any]) -> str:
    """A predict.py command and its output for the first validation image."""
    if not evaluation["predictions"]:
        return ""
    first = evaluation["predictions"][0]
    name = PurePosixPath(first["file"]).name
    return f"""Example, on validation image `{first["file"]}` (true class: {first["label"]}):

```
$ python predict.py {name} --topk 1
{name}
  {first["confidence"]:7.2%}  {first["predicted"]}
```
"""


def render_readme(
    params: TrainConfig,
    evaluation: dict[str, Any],
    spec: dict[str, Any],
    parity: dict[str, Any],
) -> str:
    """Markdown: what the model is, its classes and metrics, how to run it, its preprocessing."""
    size = spec["input_size"]
    classes = evaluation["classes"]
    return f"""# {params.model} image classifier ({len(classes)} classes)

Trained by Konstruktor: torchvision `{params.model}` (Apache-2.0 code),
{_origin(params)},
{params.epochs} epoch(s) at {size}x{size} px, batch size {params.batch_size}, seed {params.seed}.

Classes (output index order, also in `labels.json`): {", ".join(classes)}

## Validation metrics

- accuracy: {evaluation["accuracy"]:.4f}
- macro F1: {evaluation["macro_f1"]:.4f}
- loss: {evaluation["val_loss"]:.4f}
- images: {len(evaluation["predictions"])}

{_class_table(evaluation)}

## Files

- `model.onnx`: ONNX opset {spec["opset"]}, input `input` float32 [N, 3, {size}, {size}],
  output `logits` [N, {len(classes)}] (apply softmax for probabilities).
- `model_int8.onnx`: the same graph quantised to INT8 by ONNX Runtime
  ({parity["formats"]["onnx_int8"]["quantization"] or "not produced"}); smaller and faster on
  CPU, slightly less exact (see below).
- `model.torchscript`: `torch.jit.load` it; needs torch only.
- `model.pt`: `{{"arch": {{"name", "num_classes", "builder"}}, "state_dict"}}`; rebuild with
  `torchvision.models.{params.model}(num_classes={len(classes)})` and `load_state_dict`.
- `labels.json`, `preprocess.json`, `predict.py`, `parity.json`, `requirements.txt` (ONNX
  backends), `requirements-torch.txt` (PyTorch and TorchScript backends).
- `serve.py` (HTTP service), `batch_predict.py` (folder to CSV) and `requirements-serve.txt`:
  starter code, see below.
- `report.png`: training curves and the validation confusion matrix.

## Parity with PyTorch

Measured at export on all {parity["images"]} validation images with this package's
preprocessing (PyTorch accuracy {parity["pytorch_accuracy"]:.4f}); also in `parity.json`.
Export fails if an fp32 format (onnx, torchscript) agrees on top-1 with PyTorch for fewer
than {parity["min_fp32_agreement"]:.1%} of images (near-ties count as agreeing).

{_parity_table(parity)}

## How to run

```
pip install -r requirements.txt          # ONNX Runtime backends: onnx (default), onnx_int8
python predict.py photo.jpg              # or a folder (searched recursively)
python predict.py photos/ --topk 3 --json
python predict.py photos/ --conf 0.2       # only labels with probability >= 0.2
python predict.py photos/ --save-vis vis/  # vis/<name>.jpg with the labels drawn on
python predict.py photo.jpg --backend onnx_int8
pip install -r requirements-torch.txt    # optional PyTorch backends: torch, torchscript
python predict.py photo.jpg --backend torchscript
```

{_example(evaluation)}
From Python: `from predict import Predictor; Predictor(".").predict("photo.jpg", topk=3)`.

## Starter code

Folder to CSV (columns `file`, `label`, `probability` for the top-1, then `label_1`,
`probability_1`, ... for the top-k):

```
python batch_predict.py photos/ --out predictions.csv --topk 3
```

HTTP service (FastAPI; `PREDICT_BACKEND=onnx_int8` etc. picks another backend):

```
pip install -r requirements-serve.txt
uvicorn serve:app --host 0.0.0.0 --port 8000      # run in this folder
curl -F "file=@photo.jpg" "http://localhost:8000/predict?topk=3"
curl http://localhost:8000/health
```

`POST /predict` answers `{{"top": [{{"label": ..., "probability": ...}}, ...]}}`, most likely
first; it also takes the raw image bytes as the request body.

## Preprocessing

1. Open the image, apply its EXIF orientation, convert to RGB.
2. Resize to {size}x{size} pixels with PIL bilinear resampling (aspect ratio not kept).
3. Scale to [0, 1] (divide by 255), then per channel `(x - mean) / std` with
   mean {spec["mean"]} and std {spec["std"]}.
4. Lay out as CHW float32 and stack into an NCHW batch.

`predict.py`'s `preprocess` is the exact function Konstruktor used for validation.
"""
