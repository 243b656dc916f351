"""README facts of a classifier package: its metrics, and how a torchvision model was trained
(the layout is mlcore.package.readme's)."""

from __future__ import annotations

from typing import Any

from mlcore.contract.catalog import get_model_info
from mlcore.contract.train import TrainConfig
from mlcore.package.markdown import md_text
from mlcore.package.notices import WeightsOrigin
from mlcore.package.readme import ReadmeFacts


def _class_table(evaluation: dict[str, Any]) -> str:
    rows = [
        f"| {md_text(name)} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} "
        f"| {m['support']} |"
        for name, m in evaluation["per_class"].items()
    ]
    header = "| class | precision | recall | F1 | support |\n|---|---|---|---|---|"
    return "\n".join([header, *rows])


def _origin(params: TrainConfig) -> str:
    if params.init_model_id:
        return f"fine-tuned from the earlier Konstruktor model {params.init_model_id}"
    return "fine-tuned from ImageNet weights" if params.pretrained else "trained from scratch"


def classification_metrics(evaluation: dict[str, Any]) -> str:
    """Accuracy, macro F1, loss and the per-class table."""
    return f"""- accuracy: {evaluation["accuracy"]:.4f}
- macro F1: {evaluation["macro_f1"]:.4f}
- loss: {evaluation["val_loss"]:.4f}
- images: {len(evaluation["predictions"])}

{_class_table(evaluation)}"""


def torchvision_facts(params: TrainConfig, evaluation: dict[str, Any]) -> ReadmeFacts:
    """The README facts of a torchvision classifier trained by the classifier engine."""
    classes = evaluation["classes"]
    size = params.image_size
    return ReadmeFacts(
        title=f"{params.model} image classifier ({len(classes)} classes)",
        training=f"Trained by Konstruktor: torchvision `{params.model}` "
        f"({get_model_info(params.model).licence}), {_origin(params)}, {params.epochs} "
        f"epoch(s) at {size}x{size} px, batch size {params.batch_size}, {params.optimizer} "
        f"at learning rate {params.learning_rate:.3g}, seed {params.seed}.",
        classes=classes,
        metrics=classification_metrics(evaluation),
        model_pt='`{"arch": {"name", "num_classes", "builder"}, "state_dict"}`; rebuild with '
        f"`torchvision.models.{params.model}(num_classes={len(classes)})` and "
        "`load_state_dict`;",
        origin=WeightsOrigin.of(params),
    )
