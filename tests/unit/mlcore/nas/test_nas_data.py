"""Fashion-MNIST from the Debian idx files and ImageFolder zips as uint8 tensors."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mlcore.nas.data import (
    FASHION_MNIST_DIR,
    FASHION_MNIST_FILES,
    flip_and_shift,
    load_fashion_mnist,
    load_image_folder,
    read_idx,
    search_split,
)


def test_fashion_mnist_has_the_official_splits() -> None:
    files = [FASHION_MNIST_DIR / name for pair in FASHION_MNIST_FILES.values() for name in pair]
    if not all(file.is_file() for file in files):
        pytest.skip(
            f"Fashion-MNIST absent from {FASHION_MNIST_DIR}: apt-get install dataset-fashion-mnist"
        )
    splits = load_fashion_mnist()
    assert {name: len(data) for name, data in splits.items()} == {"train": 60000, "test": 10000}
    for data in splits.values():
        assert data.images.shape[1:] == (1, 28, 28)
        assert data.images.dtype == torch.uint8
        assert sorted(data.labels.unique().tolist()) == list(range(10))
    assert len(splits["train"].classes) == 10


def test_missing_fashion_mnist_names_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        load_fashion_mnist(tmp_path)


def test_idx_files_parse(tmp_path: Path) -> None:
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 0x08, 3]) + b"".join(d.to_bytes(4, "big") for d in pixels.shape)
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + pixels.tobytes()))
    assert np.array_equal(read_idx(path), pixels)


def png(colour: tuple[int, int, int], size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_folder_zip_becomes_uint8_tensors(tmp_path: Path) -> None:
    archive = tmp_path / "data.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for split, n in (("train", 3), ("val", 1)):
            for name, colour in (("cat", (255, 0, 0)), ("ant", (0, 0, 255))):
                for i in range(n):
                    z.writestr(f"wrap/{split}/{name}/{i}.png", png(colour, 40))
    train = load_image_folder(archive, "train", size=32)
    assert train.classes == ("ant", "cat")
    assert train.images.shape == (6, 3, 32, 32) and train.images.dtype == torch.uint8
    assert train.labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert int(train.images[0, 2].float().mean()) == 255  # ant is blue
    assert len(load_image_folder(archive, "val")) == 2
    with pytest.raises(FileNotFoundError, match="test"):
        load_image_folder(archive, "test")
    half = search_split(train, 0.5, seed=0)
    assert len(half.train) == len(half.val) == 3
    held = search_split(train, 0.2, seed=0)
    assert (len(held.train), len(held.val)) == (5, 1)  # 20 % of 6, rounded, at least one
    both = torch.cat([held.train.labels, held.val.labels]).sort().values
    assert both.tolist() == train.labels.tolist()  # every image in one part, none twice
    with pytest.raises(ValueError, match="hold out"):
        search_split(train, 1.0, seed=0)


def test_flip_and_shift_mirrors_and_moves_each_image_by_its_own_draw() -> None:
    x = torch.arange(1.0, 2 * 3 * 5 * 5 + 1).reshape(2, 3, 5, 5)
    seen = set()
    for seed in range(40):
        out = flip_and_shift(x, torch.Generator().manual_seed(seed), pad=1)
        assert out.shape == x.shape
        for n in range(2):
            # the image, maybe mirrored, shifted by at most 1 pixel: zeros where it moved in
            candidates = [x[n], x[n].flip(-1)]
            padded = [torch.nn.functional.pad(c, (1, 1, 1, 1)) for c in candidates]
            found = [
                (f, dy, dx)
                for f, p in enumerate(padded)
                for dy in range(3)
                for dx in range(3)
                if torch.equal(p[:, dy : dy + 5, dx : dx + 5], out[n])
            ]
            assert found, (seed, n)
            seen.add(found[0])
    assert len(seen) == 18  # both flips and every shift occur
