"""README facts of a YOLO model package (the layout is mlcore.package.readme's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlcore.contract.train import TrainConfig
from mlcore.package.markdown import md_text
from mlcore.package.notices import WeightsOrigin
from mlcore.package.readme import ReadmeFacts


@dataclass(frozen=True)
class TaskText:
    """The task-specific parts of the README."""

    noun: str
    columns: tuple[tuple[str, str], ...]  # per-class table: (header, evaluation key)
    table_note: str
    read_prediction: str  # Python lines reading `result`


TASK_TEXT = {
    "classify": TaskText(
        noun="image classifier",
        columns=(
            ("precision", "precision"),
            ("recall", "recall"),
            ("F1", "f1"),
            ("support", "support"),
        ),
        table_note="",
        read_prediction="top = result.probs.top1\n"
        "print(model.names[top], float(result.probs.top1conf))",
    ),
    "detect": TaskText(
        noun="object detector",
        columns=(
            ("AP50", "ap50"),
            ("AP50-95", "ap50_95"),
            ("precision", "precision"),
            ("recall", "recall"),
            ("instances", "instances"),
        ),
        table_note="\n\nClasses with no box in the validation split have no row.",
        read_prediction="for box in result.boxes:\n"
        "    print(model.names[int(box.cls)], float(box.conf), box.xyxy.tolist())",
    ),
}


def _cell(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _class_table(text: TaskText, per_class: dict[str, dict[str, Any]]) -> str:
    header = "| class | " + " | ".join(title for title, _ in text.columns) + " |"
    rule = "|---" * (len(text.columns) + 1) + "|"
    rows = [
        f"| {md_text(name)} | " + " | ".join(_cell(values[key]) for _, key in text.columns) + " |"
        for name, values in per_class.items()
    ]
    return "\n".join([header, rule, *rows])


def yolo_facts(
    config: TrainConfig,
    task: str,
    start: str,
    evaluation: dict[str, Any],
    metrics: dict[str, float],
    image_size: int,
    ultralytics_version: str,
) -> ReadmeFacts:
    """What the model is, its classes and metrics, and how ultralytics itself runs it."""
    text = TASK_TEXT[task]
    classes = evaluation["classes"]
    metric_lines = "\n".join(f"- {name}: {value:.4g}" for name, value in metrics.items())
    return ReadmeFacts(
        title=f"{config.model} {text.noun} ({len(classes)} classes)",
        training=f"Trained by Konstruktor with ultralytics {ultralytics_version} (YOLO11, "
        f"AGPL-3.0), {start}: {int(metrics['epochs_run'])} epoch(s) at {image_size} px, "
        f"batch size {config.batch_size}, seed {config.seed}.",
        classes=classes,
        metrics=f"{metric_lines}\n\n{_class_table(text, evaluation['per_class'])}{text.table_note}",
        model_pt=f'the ultralytics {ultralytics_version} checkpoint (`YOLO("model.pt")` '
        "loads it, see below);",
        origin=WeightsOrigin.of(config),
        extra=f"""
## With ultralytics

```bash
pip install -r requirements-torch.txt     # ultralytics=={ultralytics_version}
```

```python
from ultralytics import YOLO

model = YOLO("model.pt")
result = model.predict("image.jpg", imgsz={image_size})[0]
{text.read_prediction}
```

`model.predict` preprocesses by itself; for detection it pads to a multiple of 32 rather
than to a square (pass `rect=False` to match `predict.py` exactly).
""",
    )
