"""Rank the portfolio for a dataset: the child process the API starts (torch-free: ONNX
Runtime, NumPy and Pillow).

    python -m mlcore.recommend.rank IMAGES_DIR --classes 5 --per-class 40 --side 96 \
        [--grey] [--bundle DIR]
    python -m mlcore.recommend.rank --serve [--bundle DIR]

reads up to 32 images of the folder (a seeded sample), runs the dataset tower, and prints
the `Recommendation` JSON: every catalog classifier with its score, predicted accuracy
under the meta-dataset's protocol, cost, and the groups that placed it, in words. With
`--serve` it stays up (the tower loaded once): one `RankRequest` JSON per stdin line, one
answer per stdout line (`{"ok": Recommendation}` or `{"error": "..."}`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mlcore.contract.recommend import GroupShare, RankedModel, Recommendation
from mlcore.package.runtime.predict import IMAGE_EXTENSIONS, to_rgb
from mlcore.recommend.features import GROUP_WORDS, GROUPS, IMAGE_SIDE, SAMPLE, dataset_vector
from mlcore.recommend.shipped import DEFAULT_BUNDLE, PORTFOLIO_FILE, TOWER_FILE

SEED = 0


def sample_images(folder: Path, count: int = SAMPLE) -> np.ndarray:
    """(1, n, 3, 32, 32) float32 in [-1, 1]: a seeded sample of the folder's images."""
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_EXTENSIONS)
    if not files:
        raise ValueError(f"no images in {folder}")
    picks = random.Random(SEED).sample(files, min(count, len(files)))
    pixels = []
    for path in picks:
        with Image.open(path) as image:
            rgb = to_rgb(image).resize((IMAGE_SIDE, IMAGE_SIDE), Image.Resampling.BILINEAR)
        pixels.append(np.asarray(rgb, dtype=np.float32).transpose(2, 0, 1))
    return (np.stack(pixels)[None] / 127.5 - 1.0).astype(np.float32)


@cache
def load_bundle(folder: Path) -> tuple[ort.InferenceSession, dict[str, Any]]:
    """The tower's session and the portfolio document."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # a tiny tower: one thread answers in milliseconds
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        str(folder / TOWER_FILE), options, providers=["CPUExecutionProvider"]
    )
    return session, json.loads((folder / PORTFOLIO_FILE).read_text(encoding="utf-8"))


def explain(shares: dict[str, float], facts: dict[str, str]) -> str:
    """The groups that lifted a model (largest first) and the one that held it back most."""
    ordered = sorted(shares, key=lambda g: -shares[g])
    up = [g for g in ordered if shares[g] > 0][:2]
    down = [g for g in reversed(ordered) if shares[g] < 0][:1]
    parts = []
    if up:
        parts.append("lifted by its " + " and ".join(f"{GROUP_WORDS[g]} ({facts[g]})" for g in up))
    if down:
        parts.append(f"held back by its {GROUP_WORDS[down[0]]} ({facts[down[0]]})")
    text = "; ".join(parts) or "an average model on every group"
    return text[0].upper() + text[1:] + "."


WORDS = {"num_classes": "classes", "images_per_class": "images per class", "side": "px images"}


def outside(
    trained_on: dict[str, list[float]], classes: int, per_class: float, side: float
) -> list[str]:
    """Warnings for statistics beyond every task the recommender learned from."""
    found = []
    for key, value in (("num_classes", classes), ("images_per_class", per_class), ("side", side)):
        low, high = trained_on[key]
        if not low <= value <= high:
            found.append(
                f"{value:g} {WORDS[key]} is outside the meta-dataset's tasks ({low:g}-{high:g}): "
                "the ranking extrapolates"
            )
    return found


def rank(
    images: np.ndarray,
    classes: int,
    per_class: float,
    side: float,
    colour: bool,
    bundle: Path = DEFAULT_BUNDLE,
) -> Recommendation:
    """The whole portfolio ranked for a dataset."""
    start = time.perf_counter()
    session, document = load_bundle(bundle)
    statistics = np.array([dataset_vector(classes, per_class, side, colour)], dtype=np.float32)
    (embedding,) = session.run(None, {"images": images, "statistics": statistics})
    query = embedding[0]
    models = document["models"]
    parts = np.array([[m["parts"][g] for g in GROUPS] for m in models])  # (M, 4, dim)
    shares = parts @ query  # (M, 4): each group's share of each score
    centred = shares - shares.mean(axis=0)
    scores = shares.sum(axis=1)
    chance = 1.0 / classes
    calibration = document["calibration"]
    within = (scores - scores.mean()) / (scores.std(ddof=1) + 1e-6)
    level = calibration["b"] + float(statistics[0] @ np.array(calibration["w"]))
    lift = 1.0 / (1.0 + np.exp(-(calibration["a"] * within + level)))
    accuracy = chance + (1 - chance) * lift
    order = np.argsort(-scores, kind="stable")
    ranked = []
    for place, i in enumerate(order, start=1):
        entry = models[i]
        effect = {g: float(centred[i, j]) for j, g in enumerate(GROUPS)}
        ranked.append(
            RankedModel(
                rank=place,
                model=entry["name"],
                family=entry["family"],
                score=round(float(scores[i]), 4),
                predicted_accuracy=round(float(accuracy[i]), 4),
                params=entry["params"],
                gflops=entry["gflops"],
                latency_ms=entry["latency_ms"],
                measured=entry["measured"],
                pretrained_weights=entry["pretrained_weights"],
                why=explain(effect, entry["facts"]),
                groups=[
                    GroupShare(group=g, words=GROUP_WORDS[g], effect=round(effect[g], 4))
                    for g in GROUPS
                ],
            )
        )
    warnings = outside(document["trained_on"], classes, per_class, side)
    if any(not models[i]["measured"] for i in order[:3]):
        warnings.append(
            "the top three include models the meta-dataset never trained: their place comes "
            "from their metadata alone"
        )
    if images.shape[1] < SAMPLE:
        warnings.append(
            f"ranked from {images.shape[1]} images: the recommender reads {SAMPLE} when a "
            "dataset has them"
        )
    return Recommendation(
        recommender=document["name"],
        protocol=document["protocol_words"],
        latency_device=document["latency_device"],
        group_weights=document["group_weights"],
        models=ranked,
        warnings=warnings,
        elapsed_ms=round((time.perf_counter() - start) * 1000, 1),
    )


class RankRequest(BaseModel):
    """One ranking asked of a serving child."""

    model_config = ConfigDict(extra="forbid")

    images: Path
    classes: int = Field(ge=2)
    per_class: float = Field(gt=0)
    side: float = Field(gt=0)
    grey: bool = False


def answer(request: RankRequest, bundle: Path) -> Recommendation:
    """The ranking for one request, timed from the folder to the answer."""
    start = time.perf_counter()
    recommendation = rank(
        sample_images(request.images),
        request.classes,
        request.per_class,
        request.side,
        not request.grey,
        bundle,
    )
    recommendation.elapsed_ms = round((time.perf_counter() - start) * 1000, 1)
    return recommendation


def serve(bundle: Path) -> int:
    """Answer requests from stdin until it closes."""
    load_bundle(bundle)
    for line in sys.stdin:
        try:
            reply: dict[str, Any] = {
                "ok": answer(RankRequest.model_validate_json(line), bundle).model_dump()
            }
        except (ValueError, OSError) as exc:
            reply = {"error": str(exc)}
        print(json.dumps(reply), flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mlcore.recommend.rank", description=__doc__)
    parser.add_argument("images", type=Path, nargs="?")
    parser.add_argument("--classes", type=int)
    parser.add_argument("--per-class", type=float)
    parser.add_argument("--side", type=float, help="median image side, px")
    parser.add_argument("--grey", action="store_true")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE)
    parser.add_argument("--serve", action="store_true", help="answer requests from stdin")
    args = parser.parse_args(argv)
    if args.serve:
        return serve(args.bundle)
    try:
        request = RankRequest(
            images=args.images,
            classes=args.classes,
            per_class=args.per_class,
            side=args.side,
            grey=args.grey,
        )
    except ValidationError as exc:
        parser.error(str(exc))
    print(answer(request, args.bundle).model_dump_json())
    return 0


if __name__ == "__main__":
    sys.exit(main())
