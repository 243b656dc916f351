"""Classify images with this Konstruktor model package.

Usage:
    python predict.py IMAGE_OR_FOLDER [--backend onnx|onnx_int8|torch|torchscript] [--topk K]
                      [--conf THRESHOLD] [--json] [--save-vis DIR]

As a library:
    from predict import Predictor
    Predictor(".", backend="onnx").predict("flower.jpg", topk=3)

Needs numpy and pillow, plus onnxruntime (onnx, onnx_int8 backends) or torch (torchscript
backend; the torch backend also needs torchvision).
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
RESAMPLING = {"bilinear": Image.Resampling.BILINEAR}


def load_preprocess(path: str | Path) -> dict[str, Any]:
    """Read preprocess.json."""
    with open(path, encoding="utf-8") as f:
        spec: dict[str, Any] = json.load(f)
    return spec


def to_rgb(image: Image.Image) -> Image.Image:
    """Upright 8-bit RGB: EXIF orientation applied, 16/32-bit scaled, transparency on white."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        pixels = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if image.mode.startswith("I;16") or pixels.max() > 255 else 255.0
        image = Image.fromarray(np.clip(pixels / peak * 255.0, 0, 255).astype(np.uint8), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return image.convert("RGB")


def load_image(path: str | Path) -> Image.Image:
    """Open an image as upright 8-bit RGB (see `to_rgb`)."""
    with Image.open(path) as image:
        return to_rgb(image)


def preprocess(image: Image.Image, spec: dict[str, Any]) -> np.ndarray:
    """Image -> CHW float32: RGB, resize to (size, size), scale to [0, 1], (x - mean) / std."""
    size = int(spec["input_size"])
    resized = image.convert("RGB").resize((size, size), RESAMPLING[spec["resize"]])
    pixels = np.asarray(resized, dtype=np.float32) / 255.0
    mean = np.asarray(spec["mean"], dtype=np.float32)
    std = np.asarray(spec["std"], dtype=np.float32)
    return np.ascontiguousarray(((pixels - mean) / std).transpose(2, 0, 1))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def onnx_session(model_file: Path) -> Callable[[np.ndarray], np.ndarray]:
    """NCHW batch -> logits with onnxruntime on `model_file`."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        return np.asarray(session.run(None, {input_name: batch})[0])

    return run


def onnx_backend(package_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """NCHW batch -> logits with onnxruntime on model.onnx."""
    return onnx_session(package_dir / "model.onnx")


def onnx_int8_backend(package_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """NCHW batch -> logits with onnxruntime on the INT8-quantised model_int8.onnx."""
    return onnx_session(package_dir / "model_int8.onnx")


def torch_backend(package_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """NCHW batch -> logits with the model rebuilt by torchvision from model.pt."""
    import torch

    checkpoint = torch.load(package_dir / "model.pt", map_location="cpu", weights_only=True)
    arch = checkpoint["arch"]
    module_name, builder_name = arch["builder"].rsplit(".", 1)
    builder = getattr(importlib.import_module(module_name), builder_name)
    model = builder(num_classes=arch["num_classes"])
    model.load_state_dict(checkpoint["state_dict"])
    model.eval()

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return np.asarray(model(torch.from_numpy(batch)).numpy())

    return run


def torchscript_backend(package_dir: Path) -> Callable[[np.ndarray], np.ndarray]:
    """NCHW batch -> logits with torch.jit on model.torchscript (no torchvision needed)."""
    import torch

    model = torch.jit.load(str(package_dir / "model.torchscript"), map_location="cpu")
    model.eval()

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return np.asarray(model(torch.from_numpy(batch)).numpy())

    return run


BACKENDS: dict[str, Callable[[Path], Callable[[np.ndarray], np.ndarray]]] = {
    "onnx": onnx_backend,
    "onnx_int8": onnx_int8_backend,
    "torch": torch_backend,
    "torchscript": torchscript_backend,
}


class Predictor:
    """Labels for images, using this package's model, labels and preprocessing."""

    def __init__(self, package_dir: str | Path = ".", backend: str = "onnx") -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}; choose from {sorted(BACKENDS)}")
        root = Path(package_dir)
        self.spec = load_preprocess(root / "preprocess.json")
        with open(root / "labels.json", encoding="utf-8") as f:
            self.labels: list[str] = json.load(f)
        self.run = BACKENDS[backend](root)

    def probabilities(self, image: str | Path | Image.Image) -> np.ndarray:
        """Class probabilities for one image (path or PIL image)."""
        picture = image if isinstance(image, Image.Image) else load_image(image)
        logits = self.run(preprocess(picture, self.spec)[np.newaxis])
        return softmax(logits.astype(np.float64))[0]

    def predict(
        self, image: str | Path | Image.Image, topk: int = 5, conf: float = 0.0
    ) -> list[dict[str, Any]]:
        """The `topk` most likely labels with probability >= `conf`, most likely first."""
        probs = self.probabilities(image)
        order = np.argsort(-probs, kind="stable")[:topk]
        return [
            {"label": self.labels[i], "probability": float(probs[i])}
            for i in order
            if probs[i] >= conf
        ]


def find_images(target: Path) -> list[Path]:
    """The image itself, or the images under a folder (recursive, sorted)."""
    if target.is_dir():
        found = (p for p in target.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
        return sorted(p for p in found if p.is_file())
    return [target]


def format_table(file: Path, top: list[dict[str, Any]]) -> str:
    """Human-readable result for one image."""
    rows = [f"  {entry['probability']:7.2%}  {entry['label']}" for entry in top]
    return "\n".join([str(file), *rows])


def draw_top(image: Image.Image, top: list[dict[str, Any]]) -> Image.Image:
    """A copy of `image` with one "label  probability" line per entry of `top`, top left."""
    canvas = image.convert("RGB")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    lines = [f"{entry['label']}  {entry['probability']:.1%}" for entry in top] or ["(none)"]
    y: float = 2
    for line in lines:
        left, top_edge, right, bottom = draw.textbbox((4, y), line, font=font)
        draw.rectangle((left - 2, top_edge - 2, right + 2, bottom + 2), fill=(0, 0, 0))
        draw.text((4, y), line, fill=(255, 255, 255), font=font)
        y = bottom + 4
    return canvas


def save_visualisation(file: Path, top: list[dict[str, Any]], folder: Path) -> Path:
    """Write `file` with its labels drawn on it to `folder`/<file stem>.jpg; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file.stem}.jpg"
    draw_top(load_image(file), top).save(target, format="JPEG", quality=90)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    if hasattr(signal, "SIGPIPE"):  # `python predict.py photos/ | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(description="Classify images with this model package.")
    parser.add_argument("target", type=Path, help="an image or a folder of images")
    parser.add_argument("--backend", choices=sorted(BACKENDS), default="onnx")
    parser.add_argument("--topk", type=int, default=5)
    parser.add_argument(
        "--conf", type=float, default=0.0, help="only report labels with probability >= this"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--save-vis", type=Path, metavar="DIR", help="write each image with its labels drawn"
    )
    args = parser.parse_args(argv)
    images = find_images(args.target)
    if not images:
        print(f"no images found in {args.target}", file=sys.stderr)
        return 1
    predictor = Predictor(Path(__file__).resolve().parent, backend=args.backend)
    for file in images:
        top = predictor.predict(file, topk=args.topk, conf=args.conf)
        if args.save_vis is not None:
            save_visualisation(file, top, args.save_vis)
        line = json.dumps({"file": str(file), "top": top}) if args.json else format_table(file, top)
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
