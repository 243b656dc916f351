"""README.md of a model package: one layout for every task and engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mlcore.contract.verdict import Verdict
from mlcore.package.markdown import md_text
from mlcore.package.notices import NOTICE_FILE, WeightsOrigin, weights_summary
from mlcore.package.parity import MAX_INT8_ACCURACY_DROP, MIN_INT8_AGREEMENT


@dataclass(frozen=True)
class ReadmeFacts:
    """The model-specific parts of the README."""

    title: str  # e.g. "efficientnet_b0 image classifier (3 classes)"
    training: str  # how it was trained, one paragraph
    classes: list[str]
    metrics: str  # markdown: headline metrics and the per-class table
    model_pt: str  # what model.pt holds and how to load it without Konstruktor
    origin: WeightsOrigin  # what the weights started from: NOTICE.md
    extra: str = ""  # an engine-specific section


@dataclass(frozen=True)
class TaskDocs:
    """What the package's files and scripts do for one task."""

    output: str  # model.onnx's output, `{classes}` filled in
    predict_options: str  # predict.py command lines
    predictor_call: str
    csv_columns: str
    serve_answer: str
    serve_query: str
    parity_rule: str
    parity_columns: tuple[tuple[str, Callable[[dict[str, Any]], str]], ...]  # (header, cell)


TASK_DOCS = {
    "classify": TaskDocs(
        output="`logits` [N, {classes}] (apply softmax for probabilities)",
        predict_options="python predict.py photos/ --topk 3 --json\n"
        "python predict.py photos/ --conf 0.2       # only labels with probability >= 0.2\n"
        "python predict.py photos/ --save-vis vis/  # vis/<name>.jpg with the labels drawn on",
        predictor_call='Predictor(".").predict("photo.jpg", topk=3)',
        csv_columns="columns `file`, `label`, `probability` for the top-1, then `label_1`, "
        "`probability_1`, ... for the top-k",
        serve_answer='`{"top": [{"label": ..., "probability": ...}, ...]}`, most likely first',
        serve_query="?topk=3",
        parity_rule="agrees on top-1 with PyTorch for fewer than {min:.1%} of images "
        "(near-ties count as agreeing)",
        parity_columns=(
            ("top-1 agreement", lambda m: f"{m['agreement']:.2%}"),
            ("max abs logit diff", lambda m: f"{m['max_abs_logit_diff']:.3g}"),
            ("max abs prob diff", lambda m: f"{m['max_abs_prob_diff']:.3g}"),
            ("accuracy", lambda m: f"{m['accuracy']:.4f}"),
            ("accuracy drop", lambda m: f"{m['accuracy_drop']:+.4f}"),
        ),
    ),
    "detect": TaskDocs(
        output="`predictions` [N, 4 + {classes}, anchors]: box centre x, y, width, height "
        "in input pixels, then each class's score; `predict.py` does the non-maximum "
        "suppression",
        predict_options="python predict.py photos/ --json\n"
        "python predict.py photos/ --conf 0.5       # only boxes with confidence > 0.5\n"
        "python predict.py photos/ --save-vis vis/  # vis/<name>.jpg with the boxes drawn on",
        predictor_call='Predictor(".").predict("photo.jpg", conf=0.4)',
        csv_columns="one row per box: `file`, `label`, `confidence`, `x1`, `y1`, `x2`, `y2` "
        "(pixels of the original image)",
        serve_answer='`{"boxes": [{"label": ..., "confidence": ..., "box": [x1, y1, x2, y2]}, '
        "...]}`, most confident first",
        serve_query="?conf=0.4",
        parity_rule="agrees on fewer than {min:.1%} of PyTorch's boxes (all boxes above "
        "confidence {conf} after NMS; a box agrees when the export's output at the same anchor "
        "has the same class and IoU >= {match_iou}). The export's own NMS is compared too: "
        "near-equal overlapping boxes may swap there, so it is reported, not enforced",
        parity_columns=(
            ("box agreement", lambda m: f"{m['agreement']:.2%} of {m['boxes']}"),
            ("min IoU", lambda m: "n/a" if m["min_iou"] is None else f"{m['min_iou']:.4f}"),
            ("max abs score diff", lambda m: f"{m['max_abs_score_diff']:.3g}"),
            ("max abs output diff", lambda m: f"{m['max_abs_output_diff']:.3g}"),
            (
                "own NMS: matched / missed / extra",
                lambda m: "{matched} / {missed} / {extra}".format(**m["after_nms"]),
            ),
        ),
    ),
}


def _size(step: dict[str, Any]) -> str:
    height, width = step["size"]
    return f"{width}x{height}"


STEP_TEXT: dict[str, Callable[[dict[str, Any]], str]] = {
    "resize": lambda s: (
        f"Resize to {_size(s)} pixels with PIL {s['interpolation']} "
        "resampling (aspect ratio not kept)."
    ),
    "resize_shorter_side": lambda s: (
        f"Resize so the shorter side is {s['size']} pixels "
        f"(aspect ratio kept, longer side rounded down) with PIL {s['interpolation']} resampling."
    ),
    "center_crop": lambda s: f"Cut the central {_size(s)} pixels.",
    "letterbox": lambda s: (
        f"Letterbox: scale so the longer side is {s['size']} pixels "
        "(aspect ratio kept; bilinear interpolation as OpenCV's INTER_LINEAR), centre it on a "
        f"{s['size']}x{s['size']} canvas of grey {s['pad_value']}."
    ),
    "to_tensor": lambda s: (
        f"Divide the {s['color']} values by {s['divisor']:g} and lay out as {s['layout']} float32."
    ),
    "normalize": lambda s: (
        f"Per channel `(x - mean) / std` with mean {s['mean']} and std {s['std']}."
    ),
}


def preprocessing_steps(spec: dict[str, Any]) -> str:
    """preprocess.json's steps as a numbered list."""
    steps = ["Open the image, apply its EXIF orientation, convert to RGB."]
    steps += [STEP_TEXT[step["op"]](step) for step in spec["steps"]]
    steps.append("Stack into an NCHW batch.")
    return "\n".join(f"{number}. {text}" for number, text in enumerate(steps, 1))


def parity_table(docs: TaskDocs, parity: dict[str, Any]) -> str:
    """One row per format: the task's parity measures (also of a format measured and left
    out), or why it could not be made."""
    columns = docs.parity_columns
    rows = []
    for name, entry in parity["formats"].items():
        if "agreement" not in entry:
            rows.append(
                f"| {name} | not packaged: {entry.get('reason', '')} |" + " |" * (len(columns) - 1)
            )
            continue
        shipped = "not shipped" if entry["file"] is None else f"`{entry['file']}`"
        cells = " | ".join(cell(entry) for _, cell in columns)
        rows.append(f"| {name} ({shipped}) | {cells} |")
    header = "| format | " + " | ".join(title for title, _ in columns) + " |"
    return "\n".join([header, "|---" * (len(columns) + 1) + "|", *rows])


def int8_rule(parity: dict[str, Any]) -> str:
    """When the INT8 copy ships: the gate of `mlcore.package.parity.int8_gate` in words."""
    accuracy = (
        f" and its accuracy is at most {MAX_INT8_ACCURACY_DROP * 100:g} point below PyTorch's"
        if "pytorch_accuracy" in parity
        else ""
    )
    return (
        f"The INT8 copy ships only if it agrees on at least {MIN_INT8_AGREEMENT:.0%}{accuracy}; "
        "otherwise it is left out of the package, with the reason here and in `parity.json`."
    )


def int8_file(entry: dict[str, Any]) -> str:
    """The Files line of model_int8.onnx: what it is, or why the package has none."""
    if entry["file"] is None:
        return f"- No INT8 model (`model_int8.onnx`): {entry.get('reason', '')}."
    return (
        f"- `{entry['file']}`: the same graph quantised to INT8 by ONNX Runtime "
        f"({entry['quantization']}); smaller and faster on CPU. It passed the INT8 gate "
        "(see below)."
    )


def verdict_text(verdict: Verdict) -> tuple[str, str]:
    """(the warning at the top, empty for a model clearly better than the baseline; the
    baseline line of the metrics)."""
    baseline = f"- compared with the baseline: {md_text(verdict.reason)}"
    if verdict.better:
        return "", baseline
    warning = (
        "> **Warning: this model is no better than a trivial baseline; do not use its "
        f"predictions.** {md_text(verdict.reason[0].upper() + verdict.reason[1:])}. Add more or "
        "clearer images per class, train longer or start from pretrained weights, then "
        "train again.\n\n"
    )
    return warning, baseline


def render_readme(
    facts: ReadmeFacts,
    spec: dict[str, Any],
    parity: dict[str, Any],
    example: str,
    verdict: Verdict,
) -> str:
    """Markdown: what the model is (first a warning when it is no better than the baseline),
    its classes and metrics, how to run it, its preprocessing."""
    docs = TASK_DOCS[spec["task"]]
    size = spec["input_size"]
    accuracy = (
        f" (PyTorch accuracy {parity['pytorch_accuracy']:.4f})"
        if "pytorch_accuracy" in parity
        else ""
    )
    rule = docs.parity_rule.format(min=parity["min_fp32_agreement"], **parity)
    int8 = parity["formats"]["onnx_int8"]
    onnx_backends, int8_run = "onnx (default)", ""
    if int8["file"] is not None:
        onnx_backends += ", onnx_int8"
        int8_run = "python predict.py photo.jpg --backend onnx_int8\n"
    warning, baseline = verdict_text(verdict)
    return f"""# {facts.title}

{warning}{facts.training}

Classes (output index order, also in `labels.json`): {", ".join(map(md_text, facts.classes))}

## Validation metrics

{baseline}

{facts.metrics}

## Files

- `model.onnx`: ONNX opset {spec["opset"]}, input `input` float32 [N, 3, {size}, {size}],
  output {docs.output.format(classes=len(facts.classes))}.
{int8_file(int8)}
- `model.torchscript`: `torch.jit.load` it; needs torch only.
- `model.pt`: {facts.model_pt} `predict.load_model()` rebuilds it.
- `labels.json`, `preprocess.json`, `predict.py`, `parity.json`, `requirements.txt` (ONNX
  backends), `requirements-torch.txt` (PyTorch and TorchScript backends).
- `serve.py` (HTTP service), `batch_predict.py` (folder to CSV) and `requirements-serve.txt`:
  starter code, see below.
- `report.png`: training curves and the validation results.
- `{NOTICE_FILE}`: where the weights come from and the licences that apply; in short,
  {weights_summary(facts.origin)}.

## Parity with PyTorch

Measured at export on all {parity["images"]} validation images with this package's
preprocessing{accuracy}; also in `parity.json`. Export fails if an fp32 format (onnx,
torchscript) {rule}. {int8_rule(parity)}

{parity_table(docs, parity)}

## How to run

```
pip install -r requirements.txt          # ONNX Runtime backends: {onnx_backends}
python predict.py photo.jpg              # or a folder (searched recursively)
{docs.predict_options}
{int8_run}pip install -r requirements-torch.txt    # optional PyTorch backends: torch, torchscript
python predict.py photo.jpg --backend torchscript
```

{example}
From Python: `from predict import Predictor; {docs.predictor_call}`.

## Starter code

Folder to CSV ({docs.csv_columns}):

```
python batch_predict.py photos/ --out predictions.csv
```

HTTP service (FastAPI; the environment variable `PREDICT_BACKEND` picks another of the
backends above):

```
pip install -r requirements-serve.txt
uvicorn serve:app --host 0.0.0.0 --port 8000      # run in this folder
curl -F "file=@photo.jpg" "http://localhost:8000/predict{docs.serve_query}"
curl http://localhost:8000/health
```

`POST /predict` answers {docs.serve_answer}; it also takes the raw image bytes as the
request body.
{facts.extra}
## Preprocessing

{preprocessing_steps(spec)}

`predict.py`'s `preprocess` is the exact function Konstruktor used for validation and parity.
"""
