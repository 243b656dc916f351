"""`python -m mlcore train` on a plain ImageFolder folder or zip (mlcore.engines.dataset_folder)."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from mlcore import cli
from mlcore.contract.imagefolder import DatasetError
from mlcore.engines.dataset_folder import prepare_dataset

CLASSES = {"ants": (200, 40, 40), "bees": (40, 40, 200)}


def make_folder(root: Path, per_class: int = 5, split: bool = False) -> Path:
    """CLASS/N.png (or train|val/CLASS/N.png), every image different."""
    for name, colour in CLASSES.items():
        for index in range(per_class):
            where = ("val" if index == 0 else "train") if split else ""
            folder = root / where / name
            folder.mkdir(parents=True, exist_ok=True)
            shade = tuple(min(255, c + 8 * index) for c in colour)
            Image.new("RGB", (40, 40), shade).save(folder / f"{index}.png")
    return root


def zipped(folder: Path, archive: Path, wrapper: str) -> Path:
    with zipfile.ZipFile(archive, "w") as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, f"{wrapper}/{path.relative_to(folder).as_posix()}")
    return archive


def layout(dataset: Path) -> dict[str, list[str]]:
    """split/class -> file names."""
    return {
        f"{split}/{name}": sorted(p.name for p in (dataset / split / name).iterdir())
        for split in ("train", "val")
        for name in CLASSES
    }


def test_a_plain_class_folder_is_split_per_class_deterministically(tmp_path: Path) -> None:
    source = make_folder(tmp_path / "photos")
    dataset = prepare_dataset(source, tmp_path / "out" / "dataset")
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["classes"] == ["ants", "bees"] and manifest["split_source"] == "generated"
    assert manifest["splits"] == {"train": {"ants": 4, "bees": 4}, "val": {"ants": 1, "bees": 1}}
    again = prepare_dataset(source, tmp_path / "again")
    assert layout(again) == layout(dataset)


def test_given_train_and_val_folders_are_kept(tmp_path: Path) -> None:
    dataset = prepare_dataset(make_folder(tmp_path / "src", split=True), tmp_path / "out")
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert manifest["split_source"] == "given"
    assert layout(dataset)["val/ants"] == ["0.png"]


def test_a_zip_with_a_wrapper_folder_is_read_like_the_folder(tmp_path: Path) -> None:
    source = make_folder(tmp_path / "photos")
    archive = zipped(source, tmp_path / "photos.zip", "hymenoptera")
    from_zip = prepare_dataset(archive, tmp_path / "zip")
    assert layout(from_zip) == layout(prepare_dataset(source, tmp_path / "folder"))


def test_the_job_layout_is_used_as_it_is(tmp_path: Path) -> None:
    dataset = prepare_dataset(make_folder(tmp_path / "src"), tmp_path / "made")
    assert prepare_dataset(dataset, tmp_path / "unused") == dataset
    assert not (tmp_path / "unused").exists()


def loose_image(root: Path) -> None:
    make_folder(root)
    Image.new("RGB", (4, 4)).save(root / "loose.png")


def one_class(root: Path) -> None:
    shutil.rmtree(make_folder(root) / "bees")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root.mkdir(), "holds no images"),
        (loose_image, "'loose.png' is not inside a class folder: use CLASS/image.jpg"),
        (one_class, "found 1 class(es)"),
        (lambda root: root.write_text("not a dataset"), "is neither a folder nor a .zip"),
        (lambda root: make_folder(root, per_class=1), "have no validation image"),
    ],
)
def test_other_folders_are_refused_saying_what_to_give(
    tmp_path: Path, make: object, message: str
) -> None:
    source = tmp_path / "source"
    make(source)  # type: ignore[operator]
    with pytest.raises(DatasetError) as refused:
        prepare_dataset(source, tmp_path / "out")
    assert message in str(refused.value)


def test_the_cli_reports_a_bad_folder_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "empty").mkdir()
    assert cli.main(["train", str(tmp_path / "empty"), str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "class folders (CLASS/image.jpg)" in error


@pytest.mark.slow
def test_the_cli_trains_from_a_zip_and_prints_an_estimate_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = zipped(make_folder(tmp_path / "photos"), tmp_path / "photos.zip", "photos")
    out = tmp_path / "work"
    argv = ["train", str(archive), str(out), "--epochs", "1", "--image-size", "32"]
    assert cli.main([*argv, "--batch-size", "4", "--offline"]) == 0
    printed = capsys.readouterr().out
    assert printed.index("estimate: ") < printed.index("epoch 1/1")
    evaluation = json.loads((out / "output" / "evaluation.json").read_text())
    assert set(evaluation["verdict"]) >= {"better", "baseline", "reason"}
    result = json.loads(printed[printed.index("{\n") :])
    assert result["verdict"] == evaluation["verdict"]
    assert "better_than_baseline" in result["metrics"]
