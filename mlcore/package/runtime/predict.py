"""Run this Konstruktor model package: classify images, or detect objects in them.

Usage:
    python predict.py IMAGE_OR_FOLDER [--backend BACKEND] [--topk K]
                      [--conf THRESHOLD] [--json] [--save-vis DIR]

BACKEND is onnx (the default), onnx_int8, torch or torchscript, each where its model file is in
this package (`--help` lists them; parity.json says why one is left out).

As a library:
    from predict import Predictor
    Predictor(".", backend="onnx").predict("photo.jpg")

preprocess.json says what the model does ("task": classify or detect) and lists the
preprocessing steps, applied in order; this file implements each step with numpy and pillow.
Needs numpy and pillow, plus onnxruntime (onnx, onnx_int8 backends) or torch (torchscript
backend; the torch backend rebuilds model.pt with torchvision, ultralytics for YOLO, or
nas_network.py for architectures Konstruktor searched).
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})
RESAMPLING = {"bilinear": Image.Resampling.BILINEAR}
Pixels = Image.Image | np.ndarray  # a PIL image before `to_tensor`, a CHW float array after
Result = dict[str, Any]


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


# ---------------------------------------------------------------------------------------------
# Preprocessing: the steps of preprocess.json. Geometric steps also say how they moved pixels,
# so boxes found on the network input can be mapped back onto the original image.


@dataclass(frozen=True)
class Geometry:
    """Network-input pixel u of original pixel x: u = x * scale + offset (per axis)."""

    width: int  # of the original image
    height: int
    scale_x: float = 1.0
    scale_y: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0

    def then(self, scale_x: float, scale_y: float, offset_x: float, offset_y: float) -> Geometry:
        """This mapping followed by u' = u * scale + offset."""
        return Geometry(
            self.width,
            self.height,
            self.scale_x * scale_x,
            self.scale_y * scale_y,
            self.offset_x * scale_x + offset_x,
            self.offset_y * scale_y + offset_y,
        )

    def to_original(self, boxes: np.ndarray) -> np.ndarray:
        """xyxy boxes on the network input -> on the original image, clipped to it."""
        out = np.empty_like(boxes, dtype=np.float64)
        out[:, 0::2] = (boxes[:, 0::2] - self.offset_x) / self.scale_x
        out[:, 1::2] = (boxes[:, 1::2] - self.offset_y) / self.scale_y
        out[:, 0::2] = out[:, 0::2].clip(0, self.width)
        out[:, 1::2] = out[:, 1::2].clip(0, self.height)
        return out


Step = Callable[[Pixels, dict[str, Any], Geometry], tuple[Pixels, Geometry]]


def _image(pixels: Pixels) -> Image.Image:
    return pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)


def resize(pixels: Pixels, step: dict[str, Any], geometry: Geometry) -> tuple[Pixels, Geometry]:
    """Resize to exactly `size` = [height, width] (aspect ratio not kept), PIL resampling."""
    image = _image(pixels)
    height, width = step["size"]
    resized = image.resize((width, height), RESAMPLING[step["interpolation"]])
    return resized, geometry.then(width / image.width, height / image.height, 0.0, 0.0)


def resize_shorter_side(
    pixels: Pixels, step: dict[str, Any], geometry: Geometry
) -> tuple[Pixels, Geometry]:
    """Scale the shorter side to `size`, the longer in proportion (rounded down), PIL resampling."""
    image = _image(pixels)
    short, long = sorted(image.size)
    new_short, new_long = step["size"], int(step["size"] * long / short)
    width, height = (new_short, new_long) if image.width <= image.height else (new_long, new_short)
    return resize(image, {**step, "size": [height, width]}, geometry)


def center_crop(
    pixels: Pixels, step: dict[str, Any], geometry: Geometry
) -> tuple[Pixels, Geometry]:
    """Cut the central `size` = [height, width] (zero-padded if the image is smaller)."""
    image = _image(pixels)
    height, width = step["size"]
    top = round((image.height - height) / 2.0)
    left = round((image.width - width) / 2.0)
    cropped = image.crop((left, top, left + width, top + height))
    return cropped, geometry.then(1.0, 1.0, -left, -top)


def _linear_taps(source: int, target: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source indices and weights of linear interpolation with half-pixel centres (OpenCV's)."""
    position = np.clip((np.arange(target) + 0.5) * (source / target) - 0.5, 0, None)
    low = np.minimum(np.floor(position).astype(np.int64), source - 1)
    return low, np.minimum(low + 1, source - 1), (position - low).astype(np.float32)


def resize_linear(pixels: np.ndarray, width: int, height: int) -> np.ndarray:
    """HWC uint8 resize as OpenCV's INTER_LINEAR does it (no antialiasing), in numpy."""
    y0, y1, fy = _linear_taps(pixels.shape[0], height)
    x0, x1, fx = _linear_taps(pixels.shape[1], width)
    values = pixels.astype(np.float32)
    rows = values[y0] * (1 - fy)[:, None, None] + values[y1] * fy[:, None, None]
    out = rows[:, x0] * (1 - fx)[None, :, None] + rows[:, x1] * fx[None, :, None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def letterbox(pixels: Pixels, step: dict[str, Any], geometry: Geometry) -> tuple[Pixels, Geometry]:
    """Scale the long side to `size` keeping the aspect ratio, centre on a `pad_value` square."""
    array = np.asarray(_image(pixels).convert("RGB"))
    height, width = array.shape[:2]
    size = int(step["size"])
    ratio = min(size / height, size / width)
    new_w, new_h = max(round(width * ratio), 1), max(round(height * ratio), 1)
    if (new_w, new_h) != (width, height):
        array = resize_linear(array, new_w, new_h)
    top, left = round((size - new_h) / 2 - 0.1), round((size - new_w) / 2 - 0.1)
    canvas = np.full((size, size, 3), step["pad_value"], dtype=np.uint8)
    canvas[top : top + new_h, left : left + new_w] = array
    return canvas, geometry.then(new_w / width, new_h / height, left, top)


def to_tensor(pixels: Pixels, step: dict[str, Any], geometry: Geometry) -> tuple[Pixels, Geometry]:
    """RGB HWC 8-bit -> CHW float32 divided by `divisor` (255: values in [0, 1])."""
    array = np.asarray(_image(pixels).convert("RGB"), dtype=np.float32) / np.float32(
        step["divisor"]
    )
    return np.ascontiguousarray(array.transpose(2, 0, 1)), geometry


def normalize(pixels: Pixels, step: dict[str, Any], geometry: Geometry) -> tuple[Pixels, Geometry]:
    """Per channel (x - mean) / std on the CHW array."""
    mean = np.asarray(step["mean"], dtype=np.float32)[:, None, None]
    std = np.asarray(step["std"], dtype=np.float32)[:, None, None]
    return np.ascontiguousarray((np.asarray(pixels) - mean) / std), geometry


STEPS: dict[str, Step] = {
    "resize": resize,
    "resize_shorter_side": resize_shorter_side,
    "center_crop": center_crop,
    "letterbox": letterbox,
    "to_tensor": to_tensor,
    "normalize": normalize,
}


def prepare(image: Image.Image, spec: dict[str, Any]) -> tuple[np.ndarray, Geometry]:
    """Apply preprocess.json's steps: the CHW float32 network input and its geometry."""
    pixels: Pixels = image.convert("RGB")
    geometry = Geometry(image.width, image.height)
    for step in spec["steps"]:
        pixels, geometry = STEPS[step["op"]](pixels, step, geometry)
    if not isinstance(pixels, np.ndarray):
        raise ValueError("preprocess.json's steps must end with a CHW array (to_tensor)")
    return pixels, geometry


def preprocess(image: Image.Image, spec: dict[str, Any]) -> np.ndarray:
    """Image -> the CHW float32 network input (see `prepare`)."""
    return prepare(image, spec)[0]


# ---------------------------------------------------------------------------------------------
# Decoding the network's output for each task.


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def box_iou(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """IoU of one xyxy box with each of `boxes`."""
    left_top = np.maximum(box[:2], boxes[:, :2])
    right_bottom = np.minimum(box[2:], boxes[:, 2:])
    inter = np.prod(np.clip(right_bottom - left_top, 0, None), axis=1)
    area = np.prod(box[2:] - box[:2])
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-12))


def non_max_suppression(boxes: np.ndarray, scores: np.ndarray, iou: float) -> np.ndarray:
    """Indices kept by greedy NMS, best score first: a box overlapping a kept one by > iou goes."""
    order = np.argsort(-scores, kind="stable")
    keep: list[int] = []
    while order.size:
        best, order = order[0], order[1:]
        keep.append(int(best))
        order = order[box_iou(boxes[best], boxes[order]) <= iou]
    return np.asarray(keep, dtype=np.int64)


CLASS_SHIFT = 7680.0  # larger than any box coordinate: boxes of two classes never overlap
PALETTE = [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180)]


@dataclass(frozen=True)
class Detections:
    """Boxes (xyxy, network-input pixels), scores, class and anchor indices, best first."""

    boxes: np.ndarray
    scores: np.ndarray
    classes: np.ndarray
    anchors: np.ndarray  # which column of the network output each box came from


def xywh_to_xyxy(output: np.ndarray) -> np.ndarray:
    """(4, n) centre x, y, width, height -> (n, 4) corners."""
    cx, cy, w, h = output[:4]
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)


def detect(output: np.ndarray, conf: float, iou: float, max_detections: int) -> Detections:
    """YOLO output (4 + classes, anchors: cx, cy, w, h, class scores) -> boxes after class-wise NMS.

    Each anchor keeps its best class if that score is > conf; boxes of different classes never
    suppress each other (they are shifted apart by class before NMS, as ultralytics does).
    """
    scores_all = output[4:]
    classes, scores = scores_all.argmax(axis=0), scores_all.max(axis=0)
    chosen = np.flatnonzero(scores > conf)
    boxes = xywh_to_xyxy(output[:4, chosen])
    shift = (classes[chosen] * CLASS_SHIFT)[:, None]
    keep = non_max_suppression(boxes + shift, scores[chosen], iou)[:max_detections]
    return Detections(boxes[keep], scores[chosen][keep], classes[chosen][keep], chosen[keep])


class Classification:
    """Labels for the whole image: probabilities (softmax of the logits), most likely first."""

    result_key = "top"

    def __init__(self, spec: dict[str, Any], labels: list[str]) -> None:
        self.labels = labels

    def decode(
        self, output: np.ndarray, geometry: Geometry, topk: int | None, conf: float | None
    ) -> list[Result]:
        """The `topk` (default 5) labels with probability >= `conf` (default 0)."""
        probs = softmax(output.astype(np.float64))
        order = np.argsort(-probs, kind="stable")[: 5 if topk is None else topk]
        threshold = 0.0 if conf is None else conf
        return [
            {"label": self.labels[i], "probability": float(probs[i])}
            for i in order
            if probs[i] >= threshold
        ]

    def lines(self, results: list[Result]) -> list[str]:
        return [f"  {r['probability']:7.2%}  {r['label']}" for r in results]

    def draw(self, image: Image.Image, results: list[Result]) -> Image.Image:
        lines = [f"{r['label']}  {r['probability']:.1%}" for r in results] or ["(none)"]
        return draw_lines(image.convert("RGB"), lines)


class Detection:
    """Objects in the image: boxes in original-image pixels with label and confidence."""

    result_key = "boxes"

    def __init__(self, spec: dict[str, Any], labels: list[str]) -> None:
        self.labels = labels
        self.nms = spec["nms"]

    def decode(
        self, output: np.ndarray, geometry: Geometry, topk: int | None, conf: float | None
    ) -> list[Result]:
        """Boxes with confidence > `conf` (default preprocess.json's), at most `topk`."""
        limit = self.nms["max_detections"] if topk is None else topk
        threshold = self.nms["conf"] if conf is None else conf
        found = detect(output.astype(np.float64), threshold, self.nms["iou"], limit)
        boxes = geometry.to_original(found.boxes)
        return [
            {
                "label": self.labels[int(c)],
                "confidence": float(s),
                "box": [round(float(v), 2) for v in box],
            }
            for box, s, c in zip(boxes, found.scores, found.classes, strict=True)
        ]

    def lines(self, results: list[Result]) -> list[str]:
        return [
            f"  {r['confidence']:7.2%}  {r['label']}  [{', '.join(f'{v:.1f}' for v in r['box'])}]"
            for r in results
        ]

    def draw(self, image: Image.Image, results: list[Result]) -> Image.Image:
        canvas = image.convert("RGB")
        draw = ImageDraw.Draw(canvas)
        font = ImageFont.load_default()
        width = max(2, round(max(canvas.size) / 300))
        for r in results:
            colour = PALETTE[self.labels.index(r["label"]) % len(PALETTE)]
            draw.rectangle(r["box"], outline=colour, width=width)
            text = f"{r['label']} {r['confidence']:.0%}"
            left, top, right, bottom = draw.textbbox((r["box"][0], r["box"][1]), text, font=font)
            draw.rectangle((left - 1, top - 1, right + 1, bottom + 1), fill=colour)
            draw.text((r["box"][0], r["box"][1]), text, fill=(255, 255, 255), font=font)
        return canvas


class Task(Protocol):
    """What a task does with the network's output for one image."""

    result_key: str  # the results' key in JSON output

    def decode(
        self, output: np.ndarray, geometry: Geometry, topk: int | None, conf: float | None
    ) -> list[Result]: ...

    def lines(self, results: list[Result]) -> list[str]: ...

    def draw(self, image: Image.Image, results: list[Result]) -> Image.Image: ...


TASKS: dict[str, Callable[[dict[str, Any], list[str]], Task]] = {
    "classify": Classification,
    "detect": Detection,
}


def draw_lines(canvas: Image.Image, lines: list[str]) -> Image.Image:
    """`canvas` with the text lines drawn white on black, top left."""
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    y: float = 2
    for line in lines:
        left, top_edge, right, bottom = draw.textbbox((4, y), line, font=font)
        draw.rectangle((left - 2, top_edge - 2, right + 2, bottom + 2), fill=(0, 0, 0))
        draw.text((4, y), line, fill=(255, 255, 255), font=font)
        y = bottom + 4
    return canvas


# ---------------------------------------------------------------------------------------------
# Backends: a function from an NCHW float32 batch to the network's output.

Runner = Callable[[np.ndarray], np.ndarray]


def onnx_session(model_file: Path) -> Runner:
    """NCHW batch -> output with onnxruntime on `model_file`."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(model_file), providers=["CPUExecutionProvider"])
    input_name = session.get_inputs()[0].name

    def run(batch: np.ndarray) -> np.ndarray:
        return np.asarray(session.run(None, {input_name: batch})[0])

    return run


# the model file each backend reads: a package has the backends whose file it has
BACKEND_FILES = {
    "onnx": "model.onnx",
    "onnx_int8": "model_int8.onnx",
    "torch": "model.pt",
    "torchscript": "model.torchscript",
}


def onnx_backend(package_dir: Path) -> Runner:
    """onnxruntime on model.onnx."""
    return onnx_session(package_dir / BACKEND_FILES["onnx"])


def onnx_int8_backend(package_dir: Path) -> Runner:
    """onnxruntime on the INT8-quantised model_int8.onnx."""
    return onnx_session(package_dir / BACKEND_FILES["onnx_int8"])


def load_torchvision(package_dir: Path, spec: dict[str, Any]) -> Any:
    """model.pt = {"arch": {"builder", "num_classes", "options"}, "state_dict"}: rebuilt with
    torchvision."""
    import torch

    checkpoint = torch.load(package_dir / "model.pt", map_location="cpu", weights_only=True)
    arch = checkpoint["arch"]
    if not arch["builder"].startswith("torchvision.models."):
        raise ValueError(f"model.pt names a builder outside torchvision.models: {arch['builder']}")
    module_name, builder_name = arch["builder"].rsplit(".", 1)
    builder = getattr(importlib.import_module(module_name), builder_name)
    model = builder(num_classes=arch["num_classes"], **arch.get("options", {}))
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


def load_ultralytics(package_dir: Path, spec: dict[str, Any]) -> Any:
    """model.pt is an ultralytics checkpoint: its network, returning what model.onnx returns."""
    import torch
    from ultralytics import YOLO

    network: Any = YOLO(str(package_dir / "model.pt")).model
    network = network.float().fuse(verbose=False).eval()
    for module in network.modules():
        if hasattr(module, "dynamic"):
            module.dynamic = True  # detection anchors follow the input shape, batch included
    # in eval mode ultralytics returns (probabilities, logits) / (predictions, raw feature maps)
    index = {"classify": 1, "detect": 0}[spec["task"]]

    class Output(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, batch: torch.Tensor) -> torch.Tensor:
            return self.network(batch)[index]

    return Output().eval()


def load_konstruktor_nas(package_dir: Path, spec: dict[str, Any]) -> Any:
    """model.pt = {"arch": {"layout", "choices"}, "state_dict"}: rebuilt by nas_network.py."""
    import importlib.util

    import torch

    source = (package_dir / "nas_network.py").resolve()
    name = f"nas_network_{abs(hash(str(source)))}"  # this package's own, beside any other
    location = importlib.util.spec_from_file_location(name, source)
    assert location is not None and location.loader is not None
    network = importlib.util.module_from_spec(location)
    sys.modules[name] = network  # its dataclasses look their module up
    location.loader.exec_module(network)
    checkpoint = torch.load(package_dir / "model.pt", map_location="cpu", weights_only=True)
    model = network.build(checkpoint["arch"])
    model.load_state_dict(checkpoint["state_dict"])
    return model.eval()


LOADERS: dict[str, Callable[[Path, dict[str, Any]], Any]] = {
    "torchvision": load_torchvision,
    "ultralytics": load_ultralytics,
    "konstruktor_nas": load_konstruktor_nas,
}


def load_model(package_dir: str | Path = ".") -> Any:
    """The trained network as a torch module in eval mode; it outputs what model.onnx does."""
    root = Path(package_dir)
    spec = load_preprocess(root / "preprocess.json")
    return LOADERS[spec["checkpoint"]](root, spec)


def torch_runner(model: Any) -> Runner:
    """NCHW batch -> output of a torch module (or TorchScript module)."""
    import torch

    def run(batch: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return np.asarray(model(torch.from_numpy(batch)).numpy())

    return run


def torch_backend(package_dir: Path) -> Runner:
    """The model rebuilt from model.pt (see `load_model`)."""
    return torch_runner(load_model(package_dir))


def torchscript_backend(package_dir: Path) -> Runner:
    """torch.jit on model.torchscript (needs torch only)."""
    import torch

    model = torch.jit.load(str(package_dir / "model.torchscript"), map_location="cpu")
    return torch_runner(model.eval())


BACKENDS: dict[str, Callable[[Path], Runner]] = {
    "onnx": onnx_backend,
    "onnx_int8": onnx_int8_backend,
    "torch": torch_backend,
    "torchscript": torchscript_backend,
}


def package_backends(package_dir: str | Path) -> list[str]:
    """The backends whose model file is in `package_dir`, sorted."""
    return sorted(
        name for name, file in BACKEND_FILES.items() if (Path(package_dir) / file).is_file()
    )


class Predictor:
    """Predictions for images, using this package's model, labels and preprocessing."""

    def __init__(self, package_dir: str | Path = ".", backend: str = "onnx") -> None:
        root = Path(package_dir)
        if backend not in package_backends(root):
            raise ValueError(
                f"backend {backend!r} is not in this package; choose from {package_backends(root)}"
                " (parity.json says why a format was left out)"
            )
        self.spec = load_preprocess(root / "preprocess.json")
        with open(root / "labels.json", encoding="utf-8") as f:
            self.labels: list[str] = json.load(f)
        self.task: Task = TASKS[self.spec["task"]](self.spec, self.labels)
        self.run = BACKENDS[backend](root)

    def predict(
        self, image: str | Path | Image.Image, topk: int | None = None, conf: float | None = None
    ) -> list[Result]:
        """Classify: the `topk` most likely labels with probability >= `conf`.
        Detect: at most `topk` boxes with confidence > `conf` (default from preprocess.json)."""
        picture = to_rgb(image) if isinstance(image, Image.Image) else load_image(image)
        batch, geometry = prepare(picture, self.spec)
        output = self.run(batch[np.newaxis])[0]
        return self.task.decode(output, geometry, topk, conf)


def find_images(target: Path) -> list[Path]:
    """The image itself, or the images under a folder (recursive, sorted)."""
    if target.is_dir():
        found = (p for p in target.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
        return sorted(p for p in found if p.is_file())
    return [target]


def save_visualisation(
    predictor: Predictor, file: Path, results: list[Result], folder: Path
) -> Path:
    """Write `file` with its results drawn on it to `folder`/<file stem>.jpg; returns the path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file.stem}.jpg"
    predictor.task.draw(load_image(file), results).save(target, format="JPEG", quality=90)
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    if hasattr(signal, "SIGPIPE"):  # `python predict.py photos/ | head` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    parser = argparse.ArgumentParser(description="Run this model package on images.")
    parser.add_argument("target", type=Path, help="an image or a folder of images")
    here = Path(__file__).resolve().parent
    parser.add_argument("--backend", choices=package_backends(here), default="onnx")
    parser.add_argument(
        "--topk", type=int, help="labels per image (default 5) / boxes per image (default 300)"
    )
    parser.add_argument(
        "--conf",
        type=float,
        help="labels with probability >= this (default 0) / boxes with confidence > this "
        "(default in preprocess.json)",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--save-vis", type=Path, metavar="DIR", help="write each image with its results drawn"
    )
    args = parser.parse_args(argv)
    images = find_images(args.target)
    if not images:
        print(f"no images found in {args.target}", file=sys.stderr)
        return 1
    predictor = Predictor(here, backend=args.backend)
    key = predictor.task.result_key
    for file in images:
        results = predictor.predict(file, topk=args.topk, conf=args.conf)
        if args.save_vis is not None:
            save_visualisation(predictor, file, results, args.save_vis)
        if args.json:
            print(json.dumps({"file": str(file), key: results}), flush=True)
        else:
            print("\n".join([str(file), *predictor.task.lines(results)]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
