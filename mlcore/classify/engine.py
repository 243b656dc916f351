"""The classifier engine: the catalog's classifiers (torchvision's, Konstruktor's searched
networks) trained by Konstruktor's own trainer."""

from __future__ import annotations

from typing import Any

from mlcore.classify.data import ImageFolderSplit
from mlcore.classify.evaluation import evaluate
from mlcore.classify.readme import classifier_facts
from mlcore.classify.report import write_classification_report
from mlcore.classify.training import TrainOutcome, train_classifier
from mlcore.classify.transforms import EvalTransform
from mlcore.contract.catalog import EngineRecipe
from mlcore.contract.train import INIT_WEIGHTS, TrainConfig
from mlcore.engines.base import Engine, EngineRequest, Evaluated, PackageInputs
from mlcore.engines.device import pick_device
from mlcore.engines.outputs import judge
from mlcore.engines.registry import ENGINES

HEADLINE = ("accuracy", "macro_f1", "val_loss")
REPORT_FIGURES = ("training_curves", "confusion_matrix")


def val_split(
    request: EngineRequest[Any], classes: list[str], spec: dict[str, Any]
) -> ImageFolderSplit:
    """The validation split, read exactly as the package's predict.py reads images."""
    return ImageFolderSplit(request.dataset_dir, "val", classes, EvalTransform(spec))


def evaluate_classifier(
    request: EngineRequest[Any], trained: TrainOutcome, batch_size: int
) -> Evaluated:
    """Metrics, per-image predictions, confusion matrix, curves and the error gallery of a
    classifier trained in plain PyTorch (this engine's and the NAS engine's)."""
    split = val_split(request, trained.classes, trained.spec)
    evaluation = evaluate(trained.model, split, trained.classes, batch_size, pick_device())
    verdict = judge(evaluation, request.dataset_dir)
    figures = write_classification_report(
        evaluation, trained.history, request.dataset_dir, request.output_dir, verdict
    )
    headline = {name: float(evaluation[name]) for name in HEADLINE}
    return Evaluated(evaluation, headline, figures, REPORT_FIGURES)


def classifier_package_inputs(
    request: EngineRequest[Any], trained: TrainOutcome, facts: Any
) -> PackageInputs:
    """The package of a plain PyTorch classifier: its preprocessing and every val image."""
    split = val_split(request, trained.classes, trained.spec)
    return PackageInputs(
        spec=trained.spec,
        images=[request.dataset_dir / file for file, _ in split.samples],
        labels=[label for _, label in split.samples],
        facts=facts,
    )


@ENGINES.register("classifier")
class ClassifierEngine(Engine[TrainConfig, TrainOutcome]):
    """AdamW or Nesterov SGD, warm-up + cosine, best-validation-accuracy weights
    (mlcore.classify.training)."""

    recipe = EngineRecipe(
        learning_rate=1e-3, warm_learning_rate=3e-4, label_smoothing=0.1, loss_weights=True
    )

    def train(self, request: EngineRequest[TrainConfig]) -> TrainOutcome:
        return train_classifier(
            request.params,
            request.dataset_dir,
            request.resume_dir,
            request.report,
            request.weights,
            resume=request.resume,
            init_weights=request.inputs.get(INIT_WEIGHTS),
        )

    def evaluate(self, request: EngineRequest[TrainConfig], trained: TrainOutcome) -> Evaluated:
        return evaluate_classifier(request, trained, request.params.batch_size)

    def package_inputs(
        self,
        request: EngineRequest[TrainConfig],
        trained: TrainOutcome,
        evaluated: Evaluated,
        metrics: dict[str, float],
    ) -> PackageInputs:
        facts = classifier_facts(request.params, evaluated.evaluation)
        return classifier_package_inputs(request, trained, facts)

    def architecture(self, request: EngineRequest[TrainConfig]) -> str:
        return request.params.model

    def info(
        self, request: EngineRequest[TrainConfig], trained: TrainOutcome, evaluated: Evaluated
    ) -> dict[str, Any]:
        return {"data_mode": trained.data_mode}
