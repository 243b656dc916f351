"""NOTICE.md of a model package: where its weights started from and the terms of the
third-party code and weights behind it, for every engine; the README links to it."""

from __future__ import annotations

from dataclasses import dataclass

from mlcore.contract.catalog import ModelInfo, get_model_info
from mlcore.contract.train import TrainConfig
from mlcore.package.markdown import md_code_block

NOTICE_FILE = "NOTICE.md"
# the repository's LICENSE (a test keeps them equal): the package's Python files are Konstruktor's
KONSTRUKTOR_LICENSE = """MIT License

Copyright (c) 2026 Konstruktor authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""
TORCHVISION_WEIGHTS_TERMS = "https://github.com/pytorch/vision#pre-trained-model-license"
ULTRALYTICS_LICENSE = "https://github.com/ultralytics/ultralytics/blob/main/LICENSE"
ULTRALYTICS_LICENSING = "https://www.ultralytics.com/license"
# what model.pt is, by preprocess.json's "checkpoint": (section title, text)
CHECKPOINTS = {
    "ultralytics": (
        "ultralytics checkpoint (AGPL-3.0)",
        "The model was trained with ultralytics, and `model.pt` is an ultralytics checkpoint: "
        'loading it (`YOLO("model.pt")`, or `predict.py --backend torch`) needs ultralytics. '
        f"ultralytics is licensed under AGPL-3.0 (<{ULTRALYTICS_LICENSE}>); Ultralytics also "
        "offers an Enterprise License for using its software and models in business products "
        f"without the AGPL-3.0's open-source requirements (<{ULTRALYTICS_LICENSING}>). "
        "`model.onnx`, `model_int8.onnx` and `model.torchscript` run without ultralytics "
        "installed; `requirements-torch.txt` names it.",
    ),
    "torchvision": (
        "torchvision network (BSD-3-Clause)",
        "`model.pt` holds the weights of a network defined by torchvision (BSD-3-Clause); "
        "`predict.py --backend torch` rebuilds it with torchvision installed "
        "(`requirements-torch.txt`). The other formats run without torchvision.",
    ),
    "konstruktor_nas": (
        "Searched network",
        "`model.pt` holds the weights of a network found by Konstruktor's architecture search; "
        "`nas_network.py` in this package (Konstruktor's code, below) rebuilds it.",
    ),
}


@dataclass(frozen=True)
class WeightsOrigin:
    """What a model's weights started from: a catalog model's publisher weights, an earlier
    Konstruktor model, or neither (random initialisation)."""

    publisher_model: str | None = None  # the catalog model whose published weights they were
    earlier_model_id: str | None = None

    @classmethod
    def of(cls, config: TrainConfig) -> WeightsOrigin:
        """The start of a catalog model's run: an earlier model before publisher weights."""
        if config.init_model_id:
            return cls(earlier_model_id=config.init_model_id)
        return cls(publisher_model=config.model if config.pretrained else None)


def _publisher(info: ModelInfo) -> str:
    """How weights that started from `info`'s published ones came about, and their terms."""
    fetched = f"downloaded from <{info.weights_url}>"
    if info.source == "torchvision":
        return (
            f"started from the pretrained `{info.name}` weights torchvision publishes "
            f"({info.pretrained_weights}), {fetched}. torchvision's README "
            f"(<{TORCHVISION_WEIGHTS_TERMS}>) says that its pre-trained models may have their "
            "own licences or terms derived from the dataset they were trained on, and that it "
            "is your responsibility to determine whether you may use them."
        )
    return (
        f"started from the pretrained `{info.weights_file}` {info.source} publishes, {fetched}; "
        f"Konstruktor's model catalog lists `{info.name}` under {info.licence}."
    )


def weights_summary(origin: WeightsOrigin) -> str:
    """Where the weights started, in one clause for the README."""
    if origin.earlier_model_id:
        return (
            f"fine-tuned from your earlier Konstruktor model {origin.earlier_model_id}, "
            "whose notices carry over"
        )
    if origin.publisher_model:
        info = get_model_info(origin.publisher_model)
        return (
            f"fine-tuned from the `{info.weights_file}` {info.source} publishes, whose terms apply"
        )
    return "trained from scratch on your data: the weights are your own"


def _weights(origin: WeightsOrigin) -> str:
    """What the weights started from and the terms that come with it, after "The weights"."""
    if origin.earlier_model_id:
        return (
            f"were fine-tuned from your earlier Konstruktor model {origin.earlier_model_id}: "
            "the notices in that model's package (its `NOTICE.md`) carry over to them."
        )
    if origin.publisher_model:
        return _publisher(get_model_info(origin.publisher_model))
    return (
        "were trained from scratch (random initialisation) on your dataset: no third-party "
        "weights went into them; they are your own. The terms of the images you trained on "
        "are yours to check."
    )


def notice_text(origin: WeightsOrigin, checkpoint: str) -> str:
    """NOTICE.md: the weights' origin, what `model.pt` needs, the licence of the package's code."""
    title, network = CHECKPOINTS[checkpoint]
    return f"""# Third-party notices

## Weights

The weights in `model.pt`, `model.onnx`, `model_int8.onnx` and `model.torchscript`
{_weights(origin)}

## {title}

{network}

## Code in this package

The Python files in this package are Konstruktor's, under the MIT License below. The
`requirements*.txt` files name packages that pip installs from PyPI, each under its own
licence; none of them is included here.

{md_code_block(KONSTRUKTOR_LICENSE.rstrip())}"""
