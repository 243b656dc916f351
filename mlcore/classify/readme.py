"""README facts of a classifier package: its metrics, and how a catalog model was trained and
is rebuilt (its `Architecture` says which network it is; the layout is mlcore.package.readme's)."""

from __future__ import annotations

from typing import Any

from mlcore.contract.catalog import get_model_info
from mlcore.contract.train import TrainConfig
from mlcore.models.registry import get_architecture
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


def classifier_facts(params: TrainConfig, evaluation: dict[str, Any]) -> ReadmeFacts:
    """The README facts of a catalog classifier trained by the classifier engine."""
    classes = evaluation["classes"]
    size = params.image_size
    arch = get_architecture(params.model)
    return ReadmeFacts(
        title=f"{params.model} image classifier ({len(classes)} classes)",
        training=f"Trained by Konstruktor: {arch.readme_name} "
        f"({get_model_info(params.model).licence}), {_origin(params)}, {params.epochs} "
        f"epoch(s) at {size}x{size} px, batch size {params.batch_size}, {params.optimizer} "
        f"at learning rate {params.learning_rate:.3g}, seed {params.seed}.",
        classes=classes,
        metrics=classification_metrics(evaluation),
        model_pt=arch.rebuild_hint(len(classes)),
        origin=WeightsOrigin.of(params),
    )
