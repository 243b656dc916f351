"""Facts measured from a module: parameters, FLOPs, depth, width, norms and skips."""

from __future__ import annotations

import torch
from torch import nn

from mlcore.models.metadata import describe_module


class Tiny(nn.Module):
    """conv(3->8) + BN, a residual conv(8->8), a concat with the input, a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8))
        self.block = nn.Conv2d(8, 8, 3, padding=1, bias=False)
        self.head = nn.Linear(11, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.stem(x)
        y = y + self.block(y)
        y = torch.cat([y, x], dim=1)
        return self.head(y.mean((2, 3)))


def test_describe_module_counts_what_is_there() -> None:
    facts = describe_module(Tiny(), image_size=4)
    pixels = 4 * 4
    conv_flops = 2 * pixels * (3 * 9 * 8 + 8 * 9 * 8)
    assert facts["params"] == 3 * 9 * 8 + 2 * 8 + 8 * 9 * 8 + 11 * 2 + 2
    assert facts["gflops"] == round((conv_flops + 2 * 11 * 2) / 1e9, 3)
    assert (facts["depth"], facts["width"]) == (3, 8)
    assert facts["normalisation"] == ["batch"]
    assert (facts["residual_connections"], facts["concat_connections"]) == (1, 1)


def test_plain_chain_has_no_skips_or_norms() -> None:
    chain = nn.Sequential(nn.Conv2d(3, 4, 1), nn.ReLU(), nn.Conv2d(4, 6, 1))
    facts = describe_module(chain, image_size=8)
    assert facts["normalisation"] == [] and facts["residual_connections"] == 0
    assert facts["concat_connections"] == 0 and facts["width"] == 6
