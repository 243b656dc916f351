"""Names users choose (class names, file names) show as written wherever a package renders
them: escaped Markdown in README.md, literal text in the figures; and every package's NOTICE.md
says where its weights started."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from markdown_it import MarkdownIt
from markdown_it.token import Token
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from mlcore.classify.data import ImageFolderSplit
from mlcore.classify.evaluation import evaluate
from mlcore.classify.readme import classifier_facts
from mlcore.classify.report import write_classification_report
from mlcore.classify.transforms import EvalTransform
from mlcore.contract.catalog import get_model_info
from mlcore.contract.verdict import classification_verdict
from mlcore.engines.outputs import judge
from mlcore.models.registry import arch_config
from mlcore.package.build import PackageSource, build_package
from mlcore.package.export import save_checkpoint
from mlcore.package.markdown import md_code, md_code_block, md_text
from mlcore.package.notices import (
    TORCHVISION_WEIGHTS_TERMS,
    notice_text,
)
from mlcore.package.plots import (
    confusion_matrix_png,
    error_gallery_png,
    literal,
    pr_curve_png,
    training_curves_png,
)
from mlcore.package.preprocess import preprocess_spec
from mlcore.package.readme import ReadmeFacts, render_readme
from mlcore.yolo.readme import yolo_facts
from tests.support.configs import tiny_config
from tests.unit.mlcore.test_mlcore_pipeline import calibrated_model
from tests.unit.mlcore.test_mlcore_plots import png_size

NAMES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a|b",
    "*bold* and _it_",
    "$x^$",
    "`tick`",
    "[link](http://example.com)",
    "&amp; \\*",
]
SPEC = {"task": "classify", "input_size": 32, "opset": 17, "steps": [], "checkpoint": "torchvision"}
PARITY = {
    "min_fp32_agreement": 0.995,
    "images": 8,
    "formats": {"onnx_int8": {"file": None, "error": "skipped", "quantization": None}},
}
MARKUP = {"html_inline", "html_block", "em_open", "strong_open", "link_open", "code_inline"}


def evaluation_of(classes: list[str]) -> dict[str, Any]:
    """A classifier's evaluation, one correct image per class."""
    scores = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    return {
        "classes": classes,
        "accuracy": 1.0,
        "macro_f1": 1.0,
        "val_loss": 0.1,
        "predictions": [{}] * len(classes),
        "per_class": {name: scores for name in classes},
    }


def inline_tokens(markdown: str) -> list[Token]:
    """The inline tokens (paragraphs, headings, table cells) of `markdown` as CommonMark with
    GitHub's tables reads it, raw HTML allowed."""
    return [
        t for t in MarkdownIt("commonmark").enable("table").parse(markdown) if t.type == "inline"
    ]


def shown(token: Token) -> str:
    """The text a reader sees in an inline token."""
    return "".join(child.content for child in token.children or [])


def markup(token: Token) -> set[str]:
    return {child.type for child in token.children or []} & MARKUP


@pytest.mark.parametrize("name", [*NAMES, "line\nbreak", "ends with `"])
def test_each_markdown_helper_shows_a_name_as_written(name: str) -> None:
    flat = name.replace("\n", " ")
    (text,) = inline_tokens(f"before {md_text(name)} after")
    assert shown(text) == f"before {flat} after" and not markup(text)
    (code,) = inline_tokens(md_code(name))
    assert [(c.type, c.content) for c in code.children or []] == [("code_inline", flat)]
    fence = MarkdownIt("commonmark").parse(md_code_block(f"{name}\n```\nmore"))
    assert [(t.type, t.content) for t in fence] == [("fence", f"{name}\n```\nmore\n")]


def test_the_readme_shows_hostile_class_names_as_text() -> None:
    verdict = classification_verdict([[4, 0], [4, 0]], NAMES[:2], [9, 1])  # a degenerate model
    facts = classifier_facts(tiny_config(), evaluation_of(NAMES))
    readme = render_readme(facts, SPEC, PARITY, "EXAMPLE", verdict)
    assert "<script" not in readme and "<img" not in readme
    html = MarkdownIt("commonmark").enable("table").render(readme)
    assert "<script" not in html and "<img" not in html
    tokens = inline_tokens(readme)
    cells = {shown(t) for t in tokens}
    assert set(NAMES) <= cells  # the per-class table: one cell per name, none split at `|`
    assert [shown(t) for t in tokens if shown(t) in NAMES] == NAMES
    classes = next(t for t in tokens if shown(t).startswith("Classes (output index order"))
    assert shown(classes).endswith(": " + ", ".join(NAMES))
    assert markup(classes) == {"code_inline"}  # `labels.json` only
    warning = next(t for t in tokens if shown(t).startswith("Warning: this model"))
    assert f"answers '{NAMES[0]}' for every validation image" in shown(warning)
    assert not {"html_inline", "link_open"} & markup(warning)


def draws_like(text: str, expected: str) -> bool:
    """Whether matplotlib draws `text` exactly as it draws `expected` with mathtext off."""

    def pixels(value: str, parse_math: bool) -> np.ndarray:
        figure = Figure(figsize=(3, 1), dpi=50)
        canvas = FigureCanvasAgg(figure)
        figure.text(0.05, 0.5, value, parse_math=parse_math)
        canvas.draw()
        return np.asarray(canvas.buffer_rgba())

    return bool(np.array_equal(pixels(text, True), pixels(expected, False)))


@pytest.mark.parametrize("name", ["$x$", "a $5 and $6 b", "$x^$", "cost: $5"])
def test_plots_draw_names_literally(name: str) -> None:
    assert draws_like(literal(name), name)


def test_unescaped_names_would_be_mathtext_and_hidden_legend_labels() -> None:
    assert not draws_like("$x$", "$x$")  # the test above can fail
    assert literal("_hidden") == " _hidden"  # a legend leaves out labels starting with `_`


def test_every_figure_takes_hostile_class_names(tmp_path: Path) -> None:
    classes = ["$x^$", "_u_", NAMES[0]]
    confusion_matrix_png(np.eye(3, dtype=int).tolist(), classes, tmp_path / "matrix.png")
    curve = ([0.0, 0.5, 1.0], [1.0, 0.8, 0.5])
    pr_curve_png({name: curve for name in classes}, tmp_path / "pr.png")
    verdict = classification_verdict([[4, 0, 0], [4, 0, 0], [4, 0, 0]], classes, [9, 1, 1])
    history = [{"epoch": 1.0, "val_accuracy": 0.3}, {"epoch": 2.0, "val_accuracy": 0.4}]
    training_curves_png(history, tmp_path / "curves.png", verdict)
    gallery = [(Image.new("RGB", (32, 32), (200, 30, 30)), f"{classes[0]} → {classes[1]} (0.9)")]
    error_gallery_png(gallery, tmp_path / "errors.png")
    for name in ("matrix", "pr", "curves"):
        png_size(tmp_path / f"{name}.png")
    with Image.open(tmp_path / "errors.png") as errors:
        assert errors.format == "PNG"


def facts_notice(facts: ReadmeFacts, checkpoint: str) -> tuple[str, str]:
    """(NOTICE.md, the README's item about it on one line)."""
    spec = {**SPEC, "checkpoint": checkpoint}
    verdict = classification_verdict([[5, 0], [0, 5]], ["a", "b"], [5, 5])
    readme = render_readme(facts, spec, PARITY, "", verdict)
    item = readme.split("\n- `NOTICE.md`: ")[1].split("\n\n")[0]
    return notice_text(facts.origin, checkpoint), " ".join(item.split())


def test_publisher_weights_name_torchvision_and_where_they_came_from() -> None:
    facts = classifier_facts(tiny_config(pretrained=True), evaluation_of(["a", "b"]))
    notice, line = facts_notice(facts, "torchvision")
    weights = get_model_info("efficientnet_b0")
    assert f"weights torchvision publishes ({weights.pretrained_weights})" in notice
    assert weights.weights_url is not None and weights.weights_url in notice
    assert TORCHVISION_WEIGHTS_TERMS in notice
    assert "torchvision network (BSD-3-Clause)" in notice and "your own" not in notice
    assert f"`{weights.weights_file}` torchvision publishes, whose terms apply" in line


def test_weights_trained_from_scratch_are_the_users_own() -> None:
    facts = classifier_facts(tiny_config(pretrained=False), evaluation_of(["a", "b"]))
    notice, line = facts_notice(facts, "torchvision")
    assert "were trained from scratch" in notice and "they are your own" in notice
    assert "publishes" not in notice and "the weights are your own" in line


def test_weights_from_an_earlier_model_carry_its_notices() -> None:
    facts = classifier_facts(tiny_config(init_model_id="m-1"), evaluation_of(["a", "b"]))
    notice, _ = facts_notice(facts, "torchvision")
    assert "earlier Konstruktor model m-1" in notice and "carry over" in notice


def test_a_yolo_package_names_ultralytics_agpl() -> None:
    scores = dict.fromkeys(("ap50", "ap50_95", "precision", "recall"), 0.5)
    evaluation = {**evaluation_of(["a"]), "per_class": {"a": {**scores, "instances": 3}}}
    for pretrained in (True, False):
        config = tiny_config(model="yolo11n", pretrained=pretrained)
        facts = yolo_facts(config, "detect", "", evaluation, {"epochs_run": 1.0}, 64, "8")
        notice, _ = facts_notice(facts, "ultralytics")
        assert "ultralytics checkpoint (AGPL-3.0)" in notice
        assert "ultralytics is licensed under AGPL-3.0" in notice
        assert ("yolo11n.pt" in notice) == pretrained
        assert ("they are your own" in notice) != pretrained


@pytest.fixture(scope="module")
def hostile_dataset(flowers_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The flowers subset with its class folders renamed to names that are markup (no
    slashes: a class name cannot hold one)."""
    classes = ["<img src=x onerror=alert(1)>", "a|b *c* $x^$", "`tick` _u_ [l](x)"]
    root = tmp_path_factory.mktemp("hostile")
    flowers = json.loads((flowers_dir / "manifest.json").read_text())["classes"]
    for split in ("train", "val"):
        for old, new in zip(flowers, classes, strict=True):
            shutil.copytree(flowers_dir / split / old, root / split / new)
    (root / "manifest.json").write_text(json.dumps({"classes": classes}), encoding="utf-8")
    return root


@pytest.mark.slow  # exports and checks a model
def test_a_package_of_hostile_class_names_shows_them_as_written(
    hostile_dataset: Path, tmp_path: Path
) -> None:
    classes = json.loads((hostile_dataset / "manifest.json").read_text())["classes"]
    params = tiny_config(pretrained=False)
    spec = preprocess_spec(params.image_size)
    model = calibrated_model(hostile_dataset, classes, spec)
    save_checkpoint(model, arch_config(params.model, classes), tmp_path / "model.pt")
    val = ImageFolderSplit(hostile_dataset, "val", classes, EvalTransform(spec))
    evaluation = evaluate(model, val, classes, 4, torch.device("cpu"))
    verdict = judge(evaluation, hostile_dataset)
    figures = write_classification_report(evaluation, [], hostile_dataset, tmp_path, verdict)
    source = PackageSource(
        checkpoint=tmp_path / "model.pt",
        classes=classes,
        spec=spec,
        images=[hostile_dataset / file for file, _ in val.samples],
        labels=[label for _, label in val.samples],
        figures=[tmp_path / figures[name] for name in ("training_curves", "confusion_matrix")],
        facts=classifier_facts(params, evaluation),
        verdict=verdict,
    )
    info = build_package(source, tmp_path / "staging", tmp_path / "package.zip")
    with zipfile.ZipFile(info.path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert json.loads(files["labels.json"]) == classes
    readme = files["README.md"].decode()
    html = MarkdownIt("commonmark").enable("table").render(readme)
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    output = next(
        t.content
        for t in MarkdownIt("commonmark").parse(readme)
        if t.type == "fence" and t.content.startswith("$ python predict.py ")
    )  # predict.py's own output, verbatim in a code block: the one place a name is raw
    assert "<img" not in readme.replace(output, "")
    cells = [shown(t) for t in inline_tokens(readme) if shown(t) in classes]
    assert cells == classes  # the per-class table
    captions = [shown(t) for t in inline_tokens(readme) if "(true class: " in shown(t)]
    assert len(captions) == 1 and f"(true class: {classes[val.samples[0][1]]})" in captions[0]
    notice = files["NOTICE.md"].decode()
    assert "trained from scratch" in notice and "MIT License" in notice
    with Image.open(tmp_path / "staging" / "report.png") as report:
        assert report.width > 200
