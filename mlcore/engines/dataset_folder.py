"""A dataset as the CLI is given it, made into the job layout every engine reads
(`manifest.json`, `train/CLASS/...`, `val/CLASS/...`): the job layout itself, or a plain
ImageFolder folder or .zip (class folders, with or without train/ and val/), read and split
as the service's ingest reads and splits an upload (mlcore.contract.imagefolder)."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

from mlcore.contract.imagefolder import (
    DatasetError,
    FolderImage,
    Parts,
    is_image_path,
    listed,
    read_imagefolder,
    stratified_split,
    wrapper_depth,
)
from mlcore.contract.results import write_json

MANIFEST = "manifest.json"
LAYOUTS = (
    "give the job layout (manifest.json + train/ + val/), class folders (CLASS/image.jpg), "
    "train/ and val/ class folders (train/CLASS/image.jpg), or a .zip of one of them"
)
Opener = Callable[[Parts], bytes]


def _folder(root: Path) -> tuple[list[Parts], list[Parts], Opener]:
    """(file paths, folder paths, reader) of a folder."""
    paths = sorted(root.rglob("*"))
    files = [p.relative_to(root).parts for p in paths if p.is_file()]
    dirs = [p.relative_to(root).parts for p in paths if p.is_dir()]
    return files, dirs, lambda parts: root.joinpath(*parts).read_bytes()


def _archive(archive: zipfile.ZipFile) -> tuple[list[Parts], list[Parts], Opener]:
    """(file paths, folder paths, reader) of a zip; entries escaping it are refused."""
    names = {
        tuple(p for p in name.split("/") if p): name
        for name in archive.namelist()
        if not name.startswith("__MACOSX/")
    }
    if any(".." in parts or not parts for parts in names):
        raise DatasetError("the zip has entries outside its folder ('..'); zip the folder again")
    files = sorted(parts for parts, name in names.items() if not name.endswith("/"))
    dirs = sorted({parts[:depth] for parts in files for depth in range(1, len(parts))})
    return files, dirs, lambda parts: archive.read(names[parts])


def _split(images: list[FolderImage], read: Opener) -> list[FolderImage]:
    """The images with a train/val split made as the service makes one."""
    digests = {image.parts: hashlib.sha256(read(image.parts)).hexdigest() for image in images}
    split = stratified_split(
        images,
        stratum=lambda image: image.label,
        group=lambda image: digests[image.parts],
        path=lambda image: "/".join(image.parts),
    )
    return [FolderImage(image.parts, name, image.label) for image, name in split]


def _classes(images: list[FolderImage]) -> list[str]:
    """The training classes; DatasetError unless there are two and each can be validated."""
    classes = sorted({image.label for image in images if image.split == "train"})
    if len(classes) < 2:
        raise DatasetError(f"found {len(classes)} class(es); a classifier needs at least 2")
    unknown = sorted({image.label for image in images} - set(classes))
    if unknown:
        raise DatasetError(f"val/ has class(es) not in train/: {listed(unknown)}")
    validated = {image.label for image in images if image.split == "val"}
    missing = [name for name in classes if name not in validated]
    if missing:
        raise DatasetError(
            f"class(es) {listed(missing)} have no validation image; add them under "
            "val/CLASS/, or give at least 2 images per class without train/ and val/ to "
            "have them split"
        )
    return classes


def _write(
    images: list[FolderImage], read: Opener, classes: list[str], out: Path, given: bool
) -> None:
    """The job layout in `out`, its manifest listing the classes and the images per split."""
    if out.exists():
        shutil.rmtree(out)
    counts = {split: dict.fromkeys(classes, 0) for split in ("train", "val")}
    depth = 2 if given else 1
    for image in images:
        assert image.split is not None
        name = "-".join(image.parts[depth:])  # nested folders of a class flattened, unique
        target = out / image.split / image.label / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(read(image.parts))
        counts[image.split][image.label] += 1
    manifest = {
        "task": "classify",
        "format": "imagefolder",
        "classes": classes,
        "split_source": "given" if given else "generated",
        "splits": counts,
    }
    write_json(out / MANIFEST, manifest)


def _prepare(files: list[Parts], dirs: list[Parts], read: Opener, out: Path, source: Path) -> None:
    """Read the layout inside any wrapper folders, split it when needed, write it to `out`."""
    images = [parts for parts in files if is_image_path(parts)]
    if not images:
        raise DatasetError(f"{source} holds no images (jpg, png, ...); {LAYOUTS}")
    depth = wrapper_depth(files)
    prefix = images[0][:depth]
    inner = [parts[depth:] for parts in images if parts[:depth] == prefix]
    folders = [parts[depth:] for parts in dirs if parts[:depth] == prefix and len(parts) > depth]
    found = read_imagefolder(inner, folders)
    given = found[0].split is not None
    ready = found if given else _split(found, lambda parts: read(prefix + parts))
    _write(ready, lambda parts: read(prefix + parts), _classes(ready), out, given)


def prepare_dataset(source: Path, out: Path) -> Path:
    """The folder in the job layout for `source`: `source` itself when it has a
    manifest.json; else `out`, written from a plain ImageFolder folder or .zip (split 80/20
    per class, at least one val image per class, when it has no train/ and val/).
    DatasetError says what to change when `source` is neither."""
    if source.is_dir() and (source / MANIFEST).is_file():
        return source
    if source.is_dir():
        _prepare(*_folder(source), out, source)
    elif source.is_file() and zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as archive:
            _prepare(*_archive(archive), out, source)
    else:
        raise DatasetError(f"{source} is neither a folder nor a .zip; {LAYOUTS}")
    return out
