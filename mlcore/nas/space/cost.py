"""Parameters and FLOPs of a genotype's real network, for any number of input channels."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch.utils.flop_counter import FlopCounterMode

from mlcore.nas.space.discrete import build_discrete
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace


class NetworkCost(NamedTuple):
    """params: every parameter; flops: FlopCounterMode's count (2 x multiply-adds of the
    convolutions and the linear head; pooling, BatchNorm and sums count 0) for one image."""

    params: int
    flops: int


def network_cost(space: SearchSpace, genotype: Genotype, image_size: int) -> NetworkCost:
    """Build the genotype's network and count its parameters and one image's FLOPs
    (`space.in_channels` x image_size x image_size input)."""
    net = build_discrete(space, genotype).eval()
    counter = FlopCounterMode(display=False)
    with torch.inference_mode(), counter:
        net(torch.zeros(1, space.in_channels, image_size, image_size))
    return NetworkCost(
        params=sum(p.numel() for p in net.parameters()), flops=counter.get_total_flops()
    )
