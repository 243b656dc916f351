"""README.md of a model package."""

from __future__ import annotations

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


def render_readme(
    params: TrainConfig,
    evaluation: dict[str, Any],
    spec: dict[str, Any],
    onnx_max_abs_diff: float,
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
  output `logits` [N, {len(classes)}] (apply softmax for probabilities). Checked against
  PyTorch on validation images: max abs logit difference {onnx_max_abs_diff:.3g}.
- `model.pt`: `{{"arch": {{"name", "num_classes", "builder"}}, "state_dict"}}`; rebuild with
  `torchvision.models.{params.model}(num_classes={len(classes)})` and `load_state_dict`.
- `labels.json`, `preprocess.json`, `predict.py`, `requirements.txt`, `requirements-torch.txt`.

## How to run

```
pip install -r requirements.txt          # ONNX Runtime backend
python predict.py photo.jpg              # or a folder (searched recursively)
python predict.py photos/ --topk 3 --json
pip install -r requirements-torch.txt    # optional PyTorch backend
python predict.py photo.jpg --backend torch
```

From Python: `from predict import Predictor; Predictor(".").predict("photo.jpg", topk=3)`.

## Preprocessing

1. Open the image, apply its EXIF orientation, convert to RGB.
2. Resize to {size}x{size} pixels with PIL bilinear resampling (aspect ratio not kept).
3. Scale to [0, 1] (divide by 255), then per channel `(x - mean) / std` with
   mean {spec["mean"]} and std {spec["std"]}.
4. Lay out as CHW float32 and stack into an NCHW batch.

`predict.py`'s `preprocess` is the exact function Konstruktor used for validation.
"""
