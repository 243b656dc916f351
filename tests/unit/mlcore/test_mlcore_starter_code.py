"""The package's starter code runs: predict.py --conf/--save-vis, batch_predict.py, serve.py,
report.png and the README that shows how to use them."""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from mlcore.package.plots import confusion_matrix_png, package_report_png, training_curves_png
from tests.unit.mlcore import test_mlcore_package_formats as formats
from tests.unit.mlcore.test_mlcore_pipeline import import_predict

pytestmark = pytest.mark.slow  # trains models

Built = formats.Built
built = formats.built  # the same module-scoped fixture: a package of an image-dependent model


def run_script(package: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=package, capture_output=True, text=True, check=True
    )


def predict_json(built: Built, val: Path, *args: str) -> dict[str, list[dict[str, Any]]]:
    out = run_script(built.package, "predict.py", str(val), "--json", *args)
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    return {line["file"]: line["top"] for line in lines}


def test_conf_keeps_only_labels_at_or_above_the_threshold(built: Built, flowers_dir: Path) -> None:
    val = flowers_dir / "val"
    full = predict_json(built, val, "--topk", "5")
    threshold = next(iter(full.values()))[1]["probability"]  # 2nd label of the first image
    filtered = predict_json(built, val, "--topk", "5", "--conf", repr(threshold))
    assert filtered.keys() == full.keys()
    for file, top in full.items():
        assert filtered[file] == [t for t in top if t["probability"] >= threshold], file
    assert len(next(iter(filtered.values()))) == 2  # a label exactly at the threshold stays
    assert sum(map(len, filtered.values())) < sum(map(len, full.values()))
    nothing = predict_json(built, val, "--conf", "1.01")
    assert nothing.keys() == full.keys() and not any(nothing.values())


def test_save_vis_writes_labelled_jpegs_of_the_input_size(
    built: Built, flowers_dir: Path, tmp_path: Path
) -> None:
    val = flowers_dir / "val"
    predict = import_predict(built.package)
    images = predict.find_images(val)
    vis = tmp_path / "vis"
    out = run_script(built.package, "predict.py", str(val), "--topk", "2", "--save-vis", str(vis))
    assert out.stdout.count("%") == 2 * len(images)  # the table output is unchanged
    assert sorted(p.name for p in vis.iterdir()) == sorted(f"{p.stem}.jpg" for p in images)
    for original in images:
        with Image.open(vis / f"{original.stem}.jpg") as drawn, Image.open(original) as source:
            assert drawn.format == "JPEG" and drawn.size == source.size, original.name
            drawn.load()


def test_draw_top_draws_the_labels() -> None:
    predict = import_predict(Path(formats.packaging.RUNTIME_DIR))
    blank = Image.new("RGB", (160, 120), "white")
    task = predict.Classification({}, ["daisy", "tulip"])
    drawn = task.draw(blank, [{"label": "daisy", "probability": 0.75}])
    assert drawn.size == blank.size and drawn.getbbox() is not None
    assert drawn.convert("L").getextrema()[0] < 128  # dark label box on a white image
    assert blank.getpixel((0, 0)) == (255, 255, 255)  # the input is left untouched


def test_batch_predict_csv_matches_the_evaluation(
    built: Built, flowers_dir: Path, tmp_path: Path
) -> None:
    out_csv = tmp_path / "predictions.csv"
    val = flowers_dir / "val"
    run_script(built.package, "batch_predict.py", str(val), "--out", str(out_csv), "--topk", "2")
    with open(out_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "file",
        "label",
        "probability",
        "label_1",
        "probability_1",
        "label_2",
        "probability_2",
    ]
    expected = {p["file"]: p for p in built.evaluation["predictions"]}
    assert sorted(f"val/{row['file']}" for row in rows) == sorted(expected)
    for row in rows:
        want = expected[f"val/{row['file']}"]
        assert row["label"] == row["label_1"] == want["predicted"], row["file"]
        assert float(row["probability"]) == pytest.approx(want["confidence"], abs=1e-4)
        assert float(row["probability_1"]) >= float(row["probability_2"])


@pytest.fixture(scope="module")
def serve(built: Built) -> Iterator[ModuleType]:
    """serve.py imported from the unzipped package (as `uvicorn serve:app` would run it)."""
    sys.path.insert(0, str(built.package))
    saved = sys.modules.pop("predict", None)
    try:
        spec = importlib.util.spec_from_file_location("serve_starter", built.package / "serve.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.path.remove(str(built.package))
        sys.modules.pop("predict", None)
        if saved is not None:
            sys.modules["predict"] = saved


def test_serve_predicts_like_the_predictor(
    built: Built, flowers_dir: Path, serve: ModuleType
) -> None:
    predictor = import_predict(built.package).Predictor(built.package)
    client = TestClient(serve.app)
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json() == {
        "status": "ok",
        "task": "classify",
        "backend": "onnx",
        "classes": built.classes,
    }
    for want in built.evaluation["predictions"]:
        image = flowers_dir / want["file"]
        response = client.post("/predict?topk=2", content=image.read_bytes())
        assert response.status_code == 200, response.text
        top = response.json()["top"]
        expected = predictor.predict(image, topk=2)
        assert [t["label"] for t in top] == [t["label"] for t in expected]
        assert top[0]["label"] == want["predicted"], want["file"]
        assert top[0]["probability"] == pytest.approx(expected[0]["probability"], abs=1e-6)


def test_serve_rejects_what_is_not_an_image(serve: ModuleType) -> None:
    client = TestClient(serve.app)
    assert client.post("/predict", content=b"not an image").status_code == 400
    assert client.post("/predict", content=b"").status_code == 400
    assert client.post("/predict?topk=0", content=b"x").status_code == 422


def test_serve_takes_a_multipart_upload(built: Built, flowers_dir: Path, serve: ModuleType) -> None:
    want = built.evaluation["predictions"][0]
    image = flowers_dir / want["file"]
    files = {"file": (image.name, image.read_bytes(), "image/jpeg")}
    response = TestClient(serve.app).post("/predict?topk=1", files=files)
    assert response.status_code == 200, response.text
    assert response.json()["top"][0]["label"] == want["predicted"]


def test_report_png_is_in_the_package(built: Built) -> None:
    with Image.open(built.package / "report.png") as report:
        assert report.format == "PNG"
        report.verify()


def test_package_report_joins_curves_and_matrix(tmp_path: Path) -> None:
    history = [
        {"epoch": 1.0, "train_loss": 1.2, "val_loss": 1.0, "val_acc": 0.4, "lr": 1e-3},
        {"epoch": 2.0, "train_loss": 0.8, "val_loss": 0.9, "val_acc": 0.6, "lr": 5e-4},
    ]
    matrix, classes = [[3, 1], [0, 4]], ["cat", "dog"]
    training_curves_png(history, tmp_path / "curves.png")
    confusion_matrix_png(matrix, classes, tmp_path / "matrix.png")
    package_report_png([tmp_path / "curves.png", tmp_path / "matrix.png"], tmp_path / "report.png")
    sizes = {name: Image.open(tmp_path / f"{name}.png").size for name in ("curves", "matrix")}
    with Image.open(tmp_path / "report.png") as report:
        assert report.format == "PNG"
        assert report.width == sizes["curves"][0] + sizes["matrix"][0]
        assert report.height == max(sizes["curves"][1], sizes["matrix"][1])


def test_readme_and_requirements_cover_the_starter_code(built: Built) -> None:
    readme = (built.package / "README.md").read_text()
    first = built.evaluation["predictions"][0]
    name = Path(first["file"]).name
    assert f"$ python predict.py {name}\n{name}\n" in readme
    assert f"{first['confidence']:7.2%}  {first['predicted']}" in readme
    for snippet in ("uvicorn serve:app", "python batch_predict.py", "--conf", "--save-vis"):
        assert snippet in readme, snippet
    serve_reqs = (built.package / "requirements-serve.txt").read_text().split()
    names = [line.split(">=")[0] for line in serve_reqs]
    assert names == ["fastapi", "uvicorn", "python-multipart", "onnxruntime", "numpy", "pillow"]


def test_batch_predict_cells_never_run_as_spreadsheet_formulas(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = Path(__file__).parents[3] / "mlcore" / "package" / "runtime"
    monkeypatch.syspath_prepend(str(runtime))  # batch_predict imports predict beside it
    spec = importlib.util.spec_from_file_location(
        "batch_predict_cells", runtime / "batch_predict.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    row = ["=HYPERLINK(x)", "+1", "-cmd", "@SUM(A1)", "rose", 0.5, -1.0]
    assert module.spreadsheet_safe(row) == [
        "'=HYPERLINK(x)",
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "rose",
        0.5,
        -1.0,
    ]
