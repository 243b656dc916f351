"""Benchmark: how often the packaged INT8 model agrees with PyTorch, before and after the
quantiser keeps its output tail float, and under the settings suspected of the failures.

Models, trained here by Konstruktor's engine unless WORK/NAME/package already holds one (a
second run, or models trained earlier by `python -m mlcore train` into WORK/NAME):

- classifiers from scratch on the CIFAR-10 subset (10,000 training, 2,000 validation
  images) at 32 px, `--classifiers MODEL:EPOCHS ...`;
- a yolo11n detector from scratch on COCO128 at 128 px, `--detector MODEL:EPOCHS`. A few
  CPU epochs from scratch find no box at all, which every INT8 copy matches trivially, so
  its class head is re-initialised to give image-dependent boxes (as
  tests/unit/mlcore/test_yolo_package.py does); its backbone and box head are as trained.

Every variant is written by `mlcore.package.quantize.quantize_int8` from the package's
model.onnx, calibrated on the 64 validation images the package build uses, and measured by
`mlcore.package.parity.measure_parity` on every validation image through predict.py's
preprocessing; `gate` is `int8_gate`'s reason for not shipping it (null: it ships).

    .venv/bin/python benchmarks/int8_agreement.py --work /tmp/int8-bench
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_env import environment, shared_zip, write_result
from benchmarks.yolo_train import unpack_coco128
from mlcore.contract.catalog import get_model_info
from mlcore.contract.train import TrainParams, choose_start, resolve
from mlcore.contract.verdict import Verdict
from mlcore.engines.base import EngineRequest
from mlcore.engines.data_profile import profile_folder
from mlcore.engines.dataset_folder import prepare_dataset
from mlcore.engines.outputs import VERDICT
from mlcore.engines.registry import run_job
from mlcore.package.build import OUTPUT_NAMES, SAMPLE_IMAGES, PackageSource, batches, spread
from mlcore.package.export import export_onnx
from mlcore.package.notices import WeightsOrigin
from mlcore.package.parity import Runner, int8_gate, measure_parity
from mlcore.package.quantize import quantize_int8
from mlcore.package.readme import ReadmeFacts
from mlcore.package.runtime.predict import load_model, load_preprocess, onnx_session, torch_runner
from mlcore.yolo.evaluation import VAL_IMAGES

# name -> (quantize_int8 keyword arguments, calibration images); "after" is what packages use
Variant = tuple[dict[str, Any], int]


def variants() -> dict[str, Variant]:
    """The quantiser as it was, as it is, and one suspected setting changed at a time."""
    from onnxruntime.quantization import CalibrationMethod, QuantType

    return {
        "before (as shipped until now)": ({"float_tail": False}, 64),
        "after (output tail float)": ({}, 64),
        "per-tensor weights": ({"per_channel": False}, 64),
        "QInt8 activations": ({"activation_type": QuantType.QInt8}, 64),
        "reduce_range": ({"reduce_range": True}, 64),
        "Entropy calibration": ({"calibrate_method": CalibrationMethod.Entropy}, 64),
        "Percentile calibration": ({"calibrate_method": CalibrationMethod.Percentile}, 64),
        "256 calibration images": ({}, 256),
        "only Conv quantised": ({"op_types_to_quantize": ["Conv"]}, 64),
        "16-bit activations (not INT8; a bound)": (
            {"activation_type": QuantType.QInt16, "extra_options": {"UseQDQContribOps": True}},
            64,
        ),
    }


def prepare_classify(job: Path) -> Path:
    """The CIFAR-10 subset in the job layout, as `python -m mlcore train` writes it."""
    if (job / "dataset" / "manifest.json").is_file():
        return job / "dataset"
    return prepare_dataset(shared_zip("cifar10_small.zip"), job / "dataset")


def prepare_detect(job: Path) -> Path:
    """COCO128 in the detection layout."""
    root = job / "data" / "coco128"
    return root if (root / "manifest.json").is_file() else unpack_coco128(job / "data")


TASKS: dict[str, tuple[Callable[[Path], Path], int]] = {  # dataset, image size
    "classify": (prepare_classify, 32),
    "detect": (prepare_detect, 128),
}


def trained(task: str, model: str, epochs: int, work: Path) -> tuple[Path, dict[str, Any]]:
    """The job folder of MODEL trained for EPOCHS (trained now unless it holds a package)."""
    job = work / f"{model}-{epochs}ep"
    prepare, image_size = TASKS[task]
    dataset = prepare(job)
    taken = (job / "package" / "model.onnx").is_file()
    start = time.perf_counter()
    if not taken:
        params = TrainParams(model=model, epochs=epochs, image_size=image_size, pretrained=False)
        params, reasons = choose_start(params, task, None)
        config = resolve(params, get_model_info(model), profile_folder(dataset), reasons)
        run_job(EngineRequest(config, dataset, job, lambda event: None))
    metrics = json.loads((job / "output" / "metrics.json").read_text())["metrics"]
    return job, {
        "model": model,
        "epochs": epochs,
        "image_size": image_size,
        "trained": "taken from the work folder" if taken else "in this run",
        "train_seconds": None if taken else round(time.perf_counter() - start, 1),
        "metrics": metrics,
    }


def boost_class_scores(checkpoint: Path, target: Path) -> Path:
    """A copy of a detector whose class head has random weights: image-dependent scores of
    about 0.05, so even a tiny detector gives boxes (the YOLO package tests use it too)."""
    from ultralytics import YOLO

    yolo = YOLO(str(checkpoint))
    network: Any = yolo.model
    torch.manual_seed(0)
    for branch in network.model[-1].cv3:
        torch.nn.init.normal_(branch[-1].weight, std=0.05)
        torch.nn.init.constant_(branch[-1].bias, -3.0)
    yolo.save(str(target))
    return target


def package_source(job: Path, task: str, checkpoint: Path) -> PackageSource:
    """What the package build of this job read: its preprocessing and validation images."""
    package = job / "package"
    classes: list[str] = json.loads((package / "labels.json").read_text())
    images, labels = VAL_IMAGES[task](TASKS[task][0](job), classes)
    evaluation = json.loads((job / "output" / "evaluation.json").read_text())
    facts = ReadmeFacts("", "", classes, "", "", WeightsOrigin())
    verdict = Verdict.model_validate(evaluation[VERDICT])
    spec = load_preprocess(package / "preprocess.json")
    return PackageSource(checkpoint, classes, spec, images, labels, [], facts, verdict)


def margins(reference: np.ndarray) -> dict[str, float]:
    """PyTorch's top-1 minus top-2 logit over the validation images (classifiers)."""
    top2 = np.sort(reference, axis=1)[:, -2:]
    gap = top2[:, 1] - top2[:, 0]
    return {f"p{q}": float(np.percentile(gap, q)) for q in (10, 50, 90)}


def measure(job: Path, task: str, checkpoint: Path) -> dict[str, Any]:
    """Every variant's parity with the PyTorch model on all validation images."""
    source = package_source(job, task, checkpoint)
    with tempfile.TemporaryDirectory() as tmp:
        staging = Path(tmp)
        (staging / "preprocess.json").write_text(json.dumps(source.spec))
        (staging / "model.pt").write_bytes(checkpoint.read_bytes())
        model = load_model(staging)
        fp32 = staging / "model.onnx"  # exported as the package build exports it
        sample = torch.from_numpy(next(batches(source, SAMPLE_IMAGES, SAMPLE_IMAGES))[0])
        export_onnx(model, sample, fp32, OUTPUT_NAMES[task])
        runners: dict[str, Runner] = {}
        methods: dict[str, str] = {}
        seconds: dict[str, float] = {}
        for name, (options, count) in variants().items():
            target = staging / f"{len(runners)}.onnx"
            calibration = [x for x, _ in batches(spread(source, count), size=SAMPLE_IMAGES)]
            start = time.perf_counter()
            methods[name] = quantize_int8(fp32, target, calibration, **options)
            seconds[name] = round(time.perf_counter() - start, 1)
            runners[name] = onnx_session(target)
        reference = torch_runner(model)
        parity = measure_parity(source.spec, reference, runners, batches(source))
        graph = onnx.load(fp32).graph
    results = {
        name: {**entry, "quantization": methods[name], "quantize_seconds": seconds[name]}
        for name, entry in parity.pop("formats").items()
    }
    for entry in results.values():
        entry["gate"] = int8_gate(entry)
    facts: dict[str, Any] = {
        "batchnorm_nodes_in_model_onnx": sum(n.op_type == "BatchNormalization" for n in graph.node),
        **{key: parity[key] for key in ("images", "pytorch_accuracy") if key in parity},
    }
    if task == "classify":
        logits = np.concatenate([reference(x) for x, _ in batches(source)])
        facts["pytorch_top1_top2_logit_gap"] = margins(logits)
    return {**facts, "variants": results}


def spec_pair(text: str) -> tuple[str, int]:
    """MODEL:EPOCHS"""
    model, epochs = text.split(":")
    return model, int(epochs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--classifiers",
        type=spec_pair,
        nargs="*",
        default=[("resnet18", 6), ("resnet18", 12), ("efficientnet_b0", 5)],
    )
    parser.add_argument("--detector", type=spec_pair, default=("yolo11n", 4))
    parser.add_argument("--work", type=Path, help="job folders (default: a new temporary one)")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    args.work = args.work or Path(tempfile.mkdtemp(prefix="int8-bench-"))
    models = []
    for model, epochs in args.classifiers:
        job, run = trained("classify", model, epochs, args.work)
        models.append(
            {"task": "classify", **run, **measure(job, "classify", job / "package" / "model.pt")}
        )
        print(json.dumps(models[-1]["variants"], indent=1), flush=True)
    model, epochs = args.detector
    job, run = trained("detect", model, epochs, args.work)
    boosted = boost_class_scores(job / "package" / "model.pt", job / "boosted.pt")
    models.append(
        {"task": "detect", **run, "class_head": "re-initialised", **measure(job, "detect", boosted)}
    )
    print(json.dumps(models[-1]["variants"], indent=1), flush=True)
    print(
        write_result(
            args.out, "int8-agreement", {**environment(), "work": str(args.work), "models": models}
        )
    )


if __name__ == "__main__":
    main()
