"""PNG figures for evaluation reports: training curves, confusion matrix, PR curves, errors.

Figures are built on `matplotlib.figure.Figure` with the Agg canvas (no pyplot, no display,
no global state), use the DejaVu fonts bundled with matplotlib and never touch the network.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image, ImageDraw, ImageFont

from mlcore.contract.verdict import Verdict

DPI = 100
FONT = "DejaVu Sans"
QUALITY_TOKENS = ("acc", "map", "precision", "recall", "f1")
LEGEND_LIMIT = 10
RECALL_GRID = np.linspace(0.0, 1.0, 101)
# (max classes, write counts in cells, tick label font size); beyond the last row: no labels.
MATRIX_STYLES = ((12, True, 10.0), (25, True, 7.0), (60, False, 6.0))
GALLERY_COLUMNS = 4
BANNER_FONT_SIZE = 22
BANNER_COLOUR = (180, 30, 30)


def literal(text: str) -> str:
    """`text` as matplotlib should draw it, as written: `$` would start mathtext (which can
    fail to parse), and a legend leaves out labels that begin with `_`."""
    escaped = text.replace("$", r"\$")
    return f" {escaped}" if escaped.startswith("_") else escaped


def _is_loss(key: str) -> bool:
    return "loss" in key


def _is_lr(key: str) -> bool:
    return key == "lr" or key.startswith(("lr/", "lr_", "lr-"))


def _is_quality(key: str) -> bool:
    return not _is_loss(key) and any(token in key.lower() for token in QUALITY_TOKENS)


# (panel title, y-axis limits or None, which history keys go on it)
CURVE_PANELS: tuple[tuple[str, tuple[float, float] | None, Callable[[str], bool]], ...] = (
    ("Loss", None, _is_loss),
    ("Quality", (0.0, 1.05), _is_quality),
    ("Learning rate", None, _is_lr),
)


def _new_figure(width: float, height: float) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png", dpi=DPI)


def _no_data_png(path: Path, message: str) -> None:
    """A small PNG saying there is nothing to plot."""
    figure = _new_figure(4.0, 2.0)
    figure.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, family=FONT)
    _save(figure, path)


def _epochs(history: Sequence[dict[str, float]]) -> list[float]:
    """Each row's "epoch", or its 1-based position where it has none."""
    return [float(row.get("epoch", index + 1)) for index, row in enumerate(history)]


def _series(history: Sequence[dict[str, float]], key: str) -> tuple[list[float], list[float]]:
    """(epochs, values) of the epochs that logged a finite value for `key`."""
    points = [
        (epoch, float(row[key]))
        for epoch, row in zip(_epochs(history), history, strict=True)
        if key in row and math.isfinite(float(row[key]))
    ]
    return [x for x, _ in points], [y for _, y in points]


def warning_text(verdict: Verdict) -> str | None:
    """The warning a figure shows when the model is no better than the baseline."""
    return None if verdict.better else f"WARNING, no better than the baseline: {verdict.reason}"


def training_curves_png(
    history: list[dict[str, float]], path: Path, verdict: Verdict | None = None
) -> None:
    """Per-epoch curves: losses, quality metrics (0-1) and learning rate, one panel each.
    With a `verdict`, the quality panel draws a classifier's majority-class baseline and
    the figure carries its warning when the model is no better."""
    keys = sorted({key for row in history for key in row if key != "epoch"})
    panels = [
        (title, limits, [key for key in keys if wanted(key)])
        for title, limits, wanted in CURVE_PANELS
    ]
    panels = [panel for panel in panels if panel[2]]
    if not panels:
        _no_data_png(path, "no training history")
        return
    epochs = _epochs(history)
    pad = max(0.5, 0.03 * (max(epochs) - min(epochs)))
    figure = _new_figure(4.2 * len(panels), 3.4)
    for axes, (title, limits, panel_keys) in zip(
        figure.subplots(1, len(panels), squeeze=False)[0], panels, strict=True
    ):
        for key in panel_keys:
            axes.plot(*_series(history, key), marker="o", markersize=3, label=key)
        if verdict and verdict.metric == "accuracy" and limits:
            label = literal(f"baseline: always {verdict.baseline_class} ({verdict.baseline:.2f})")
            axes.axhline(verdict.baseline, color="0.35", linestyle="--", label=label)
        axes.set_title(title, family=FONT)
        axes.set_xlabel("epoch", family=FONT)
        axes.set_xlim(min(epochs) - pad, max(epochs) + pad)
        axes.xaxis.get_major_locator().set_params(integer=True, min_n_ticks=1)
        if limits:
            axes.set_ylim(*limits)
        axes.grid(alpha=0.3)
        axes.legend(fontsize=7)
    warning = warning_text(verdict) if verdict else None
    if warning:
        figure.suptitle(literal(warning), color="tab:red", fontsize=9, family=FONT, wrap=True)
    _save(figure, path)


def _matrix_style(n: int) -> tuple[bool, float | None]:
    """(write counts in cells, tick label size or None for no labels) for n classes."""
    for limit, counts, label_size in MATRIX_STYLES:
        if n <= limit:
            return counts, label_size
    return False, None


def confusion_matrix_png(matrix: list[list[int]], classes: list[str], path: Path) -> None:
    """Rows = true class, columns = predicted; colours are row-normalised, cells show counts."""
    counts = np.asarray(matrix, dtype=np.int64).reshape(len(classes), len(classes))
    if not classes:
        _no_data_png(path, "no classes")
        return
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros(counts.shape), where=totals > 0)
    show_counts, label_size = _matrix_style(len(classes))
    side = float(np.clip(2.5 + 0.28 * len(classes), 4.0, 16.0))
    figure = _new_figure(side + 1.2, side)
    axes = figure.subplots()
    image = axes.imshow(share, cmap="Blues", vmin=0.0, vmax=1.0)
    figure.colorbar(image, ax=axes, shrink=0.8, aspect=30, label="share of true class")
    axes.set_xlabel("predicted", family=FONT)
    axes.set_ylabel("true", family=FONT)
    axes.set_title("Confusion matrix", family=FONT)
    ticks = range(len(classes))
    if label_size is None:
        axes.set_xticks([])
        axes.set_yticks([])
    else:
        labels = [literal(name) for name in classes]
        axes.set_xticks(ticks, labels, rotation=90, fontsize=label_size, family=FONT)
        axes.set_yticks(ticks, labels, fontsize=label_size, family=FONT)
    if show_counts:
        _write_counts(axes, counts, share, label_size or 6.0)
    _save(figure, path)


def _write_counts(axes: Axes, counts: np.ndarray, share: np.ndarray, size: float) -> None:
    for (row, column), count in np.ndenumerate(counts):
        colour = "white" if share[row, column] > 0.5 else "black"
        axes.text(column, row, str(count), ha="center", va="center", fontsize=size, color=colour)


def _sorted_curve(recall: Sequence[float], precision: Sequence[float]) -> tuple[np.ndarray, ...]:
    """Recall ascending with its precision, ready for `np.interp` and `np.trapezoid`."""
    r, p = np.asarray(recall, dtype=np.float64), np.asarray(precision, dtype=np.float64)
    order = np.argsort(r, kind="stable")
    return r[order], p[order]


def pr_curve_png(curves: dict[str, tuple[list[float], list[float]]], path: Path) -> None:
    """One precision-recall line per class (legend: top 10 by area) plus the bold class mean."""
    sorted_curves = {name: _sorted_curve(*curve) for name, curve in curves.items() if curve[0]}
    if not sorted_curves:
        _no_data_png(path, "no precision-recall data")
        return
    area = {name: float(np.trapezoid(p, r)) for name, (r, p) in sorted_curves.items()}
    ranked = sorted(sorted_curves, key=lambda name: -area[name])
    figure = _new_figure(6.0, 5.0)
    axes = figure.subplots()
    for rank, name in enumerate(ranked):
        r, p = sorted_curves[name]
        if rank < LEGEND_LIMIT:
            axes.plot(r, p, linewidth=1.2, label=literal(f"{name} ({area[name]:.2f})"))
        else:
            axes.plot(r, p, linewidth=0.6, color="0.7")
    mean = np.mean([np.interp(RECALL_GRID, r, p) for r, p in sorted_curves.values()], axis=0)
    mean_area = float(np.trapezoid(mean, RECALL_GRID))
    axes.plot(
        RECALL_GRID, mean, color="black", linewidth=2.5, label=f"all classes mean ({mean_area:.2f})"
    )
    axes.set(xlim=(0.0, 1.0), ylim=(0.0, 1.05), xlabel="recall", ylabel="precision")
    axes.set_title("Precision-recall", family=FONT)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower left")
    _save(figure, path)


def family_png(family: dict[str, Any], chosen: int, path: Path) -> None:
    """A search's architectures: proxy accuracy against parameters (log scale), the
    accuracy/cost front joined, the retrained member starred. `family` as family.json."""
    members = family["members"]
    if not members:
        _no_data_png(path, "no architectures")
        return
    params = np.array([m["params"] for m in members], dtype=np.float64)
    accuracy = np.array([m["proxy_accuracy"] for m in members], dtype=np.float64)
    front = sorted(family["front"], key=lambda i: params[i])
    figure = _new_figure(6.0, 4.5)
    axes = figure.subplots()
    axes.scatter(params, accuracy, s=18, color="0.6", label="architectures")
    axes.plot(params[front], accuracy[front], "o-", color="tab:blue", label="front")
    axes.scatter(
        params[chosen],
        accuracy[chosen],
        s=160,
        marker="*",
        color="tab:red",
        zorder=3,
        label="retrained",
    )
    axes.set_xscale("log")
    axes.set(xlabel="parameters", ylabel="proxy accuracy (supernet / short training)")
    axes.set_title("Architectures found", family=FONT)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=7, loc="lower right")
    _save(figure, path)


def error_gallery_png(items: list[tuple[Image.Image, str]], path: Path) -> None:
    """Grid of thumbnails, each captioned (e.g. "cat → dog (0.97)")."""
    if not items:
        _no_data_png(path, "no errors")
        return
    columns = min(GALLERY_COLUMNS, len(items))
    rows = math.ceil(len(items) / columns)
    figure = _new_figure(2.4 * columns, 2.6 * rows)
    grid = figure.subplots(rows, columns, squeeze=False).ravel()
    for axes in grid:
        axes.set_axis_off()
    for axes, (image, caption) in zip(grid, items, strict=False):
        axes.imshow(np.asarray(image.convert("RGB")))
        axes.set_title(literal(caption), fontsize=8, family=FONT, wrap=True)
    _save(figure, path)


def _banner(text: str, width: int) -> Image.Image:
    """White-on-red lines of `text` across `width` pixels."""
    font = ImageFont.truetype(font_manager.findfont(FONT), BANNER_FONT_SIZE)
    per_line = max(width // (BANNER_FONT_SIZE * 6 // 10), 20)
    lines = textwrap.wrap(text, per_line)
    line_height = BANNER_FONT_SIZE + 6
    banner = Image.new("RGB", (width, line_height * len(lines) + 12), BANNER_COLOUR)
    pen = ImageDraw.Draw(banner)
    for index, line in enumerate(lines):
        pen.text((10, 6 + index * line_height), line, fill="white", font=font)
    return banner


def package_report_png(figures: Sequence[Path], path: Path, warning: str | None = None) -> None:
    """The PNG `figures` (e.g. training curves, confusion matrix) side by side in one PNG,
    under a red banner when there is a `warning`."""
    panels = []
    for figure in figures:
        with Image.open(figure) as file:
            panels.append(file.convert("RGB"))
    width = sum(panel.width for panel in panels)
    banner = _banner(warning, width) if warning else None
    top = banner.height if banner else 0
    height = max(panel.height for panel in panels)
    report = Image.new("RGB", (width, top + height), "white")
    if banner:
        report.paste(banner, (0, 0))
    left = 0
    for panel in panels:
        report.paste(panel, (left, top + (height - panel.height) // 2))
        left += panel.width
    path.parent.mkdir(parents=True, exist_ok=True)
    report.save(path, format="PNG")
