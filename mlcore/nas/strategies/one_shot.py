"""One-shot updates of a supernet: hypernetwork-DARTS (the thesis), DARTS and GDAS.

Each owns the supernet, an architecture model `arch` mapping a complexity vector s to edge
logits alpha(s) (the baselines ignore s), and its optimisers; `step` does one update.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from mlcore.nas.space.relaxation import cost, gumbel_softmax
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.space.supernet import SuperNet
from mlcore.nas.strategies.hypernet import HyperNet, margins, raised, sample_simplex

Batch = tuple[torch.Tensor, torch.Tensor]  # float inputs, int64 labels


@dataclass(frozen=True)
class OneShotConfig:
    """Hyperparameters; kappa weighs the cost (averaged over edges), ramped linearly from 0
    over the first `cost_warmup` share of the steps (`cost_weight`) so the supernet learns
    before the cost can prune it; beta is the hypernet's sharpness, refs its reference
    points; `monotone` weighs hyper_darts' control term (`monotonicity_penalty`, raising
    s_m by `monotone_step`); cost_s is the baselines' fixed complexity vector (None: no cost
    term)."""

    name: str = "hyper_darts"
    kappa: float = 1.0
    cost_warmup: float = 0.3
    beta: float = 10.0
    refs: int = 6
    lr: float = 3e-3
    arch_lr: float = 3e-3
    weight_decay: float = 0.0
    batch_size: int = 64
    t_start: float = 1.0
    t_end: float = 0.2
    monotone: float = 10.0
    monotone_step: float = 0.1
    cost_s: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.cost_warmup <= 1.0:
            raise ValueError(f"cost_warmup must lie in [0, 1], got {self.cost_warmup}")


def cost_weight(config: OneShotConfig, progress: float) -> float:
    """The effective kappa at `progress` (0 at the first step, 1 at the last): linear from 0
    to kappa until progress reaches cost_warmup, kappa after."""
    if config.cost_warmup == 0.0:
        return config.kappa
    return config.kappa * min(progress / config.cost_warmup, 1.0)


def monotonicity_penalty(
    arch: nn.Module, s: torch.Tensor, alpha: torch.Tensor, step: float
) -> torch.Tensor:
    """How far raising each s_m by `step` (where s_m + step < 1) raises op m's margin over
    the best other op (`margins`), hinged at 0 and averaged over ops and edges. Where no
    margin rises, raising s_m cannot add an op m anywhere: the control the thesis claims."""
    before = margins(alpha)
    rises = [
        (margins(arch(raised(s, m, step)))[..., m] - before[..., m]).relu().mean()
        for m in range(s.numel())
        if float(s[m]) + step < 1
    ]
    return torch.stack(rises).mean() if rises else alpha.new_zeros(())


class FixedAlpha(nn.Module):
    """Plain architecture logits (rows, edges, k), the same for every s."""

    def __init__(self, shape: tuple[int, int, int], generator: torch.Generator) -> None:
        super().__init__()
        self.alpha = nn.Parameter(1e-3 * torch.randn(shape, generator=generator))

    def forward(self, s: torch.Tensor) -> torch.Tensor:
        return self.alpha


class OneShot(ABC):
    """Supernet + architecture model + optimisers; subclasses define the update."""

    def __init__(self, space: SearchSpace, config: OneShotConfig, arch: nn.Module) -> None:
        self.space = space
        self.config = config
        self.net = SuperNet(space)
        self.arch = arch
        self.optimizers: dict[str, torch.optim.Optimizer] = {}

    def to(self, device: torch.device) -> OneShot:
        """Move the networks (before building optimisers or loading state)."""
        self.net.to(device)
        self.arch.to(device)
        return self

    def mixing(self, s: torch.Tensor, temperature: float) -> torch.Tensor:
        """Deterministic op weights at s, used to evaluate the supernet."""
        return (self.arch(s) / temperature).softmax(dim=-1)

    @abstractmethod
    def build_optimizers(self) -> None:
        """Create `optimizers` for the networks on their final device."""

    @abstractmethod
    def step(
        self,
        train: Batch,
        val: Batch,
        temperature: float,
        kappa: float,
        generator: torch.Generator,
    ) -> float:
        """One update at this step's temperature and cost weight (`cost_weight`); returns
        the task loss on the training batch."""

    def state_dict(self) -> dict[str, Any]:
        """Everything a resumed search needs (the random generator is the caller's)."""
        return {
            "net": self.net.state_dict(),
            "arch": self.arch.state_dict(),
            "optimizers": {name: opt.state_dict() for name, opt in self.optimizers.items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of `state_dict`."""
        self.net.load_state_dict(state["net"])
        self.arch.load_state_dict(state["arch"])
        for name, opt in self.optimizers.items():
            opt.load_state_dict(state["optimizers"][name])


class HyperDarts(OneShot):
    """One level, jointly: s ~ U(simplex), alpha = hyper(s), gamma ~ GumbelSoftmax(alpha, t),
    loss = CE(net(x, gamma)) + kappa_t * cost(softmax(alpha / t), s)
    + monotone * monotonicity_penalty; Adam over both."""

    def __init__(
        self, space: SearchSpace, config: OneShotConfig, generator: torch.Generator
    ) -> None:
        super().__init__(
            space, config, HyperNet(space.alpha_shape, config.refs, config.beta, generator)
        )

    def build_optimizers(self) -> None:
        """Adam over network weights and hypernetwork jointly."""
        self.optimizers["joint"] = torch.optim.Adam(
            [
                {"params": self.net.parameters(), "weight_decay": self.config.weight_decay},
                {"params": self.arch.parameters(), "lr": self.config.arch_lr},
            ],
            lr=self.config.lr,
        )

    def step(
        self,
        train: Batch,
        val: Batch,
        temperature: float,
        kappa: float,
        generator: torch.Generator,
    ) -> float:
        x, y = train
        s = sample_simplex(self.space.k, generator).to(x.device)
        alpha = self.arch(s)
        gamma = gumbel_softmax(alpha, temperature, hard=False, generator=generator)
        task = F.cross_entropy(self.net(x, gamma), y)
        loss = task + kappa * cost((alpha / temperature).softmax(dim=-1), s)
        if self.config.monotone:
            penalty = monotonicity_penalty(self.arch, s, alpha, self.config.monotone_step)
            loss = loss + self.config.monotone * penalty
        optimizer = self.optimizers["joint"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return float(task.detach())


class Bilevel(OneShot):
    """First-order DARTS (softmax mixing) or GDAS (hard straight-through Gumbel-softmax):
    a weight step on the training batch, then an alpha step on the validation batch, with
    kappa_t * cost(probs, cost_s) added to the latter when cost_s is set."""

    def __init__(
        self, space: SearchSpace, config: OneShotConfig, generator: torch.Generator, hard: bool
    ) -> None:
        super().__init__(space, config, FixedAlpha(space.alpha_shape, generator))
        self.hard = hard

    def build_optimizers(self) -> None:
        """Adam for the weights, Adam (beta1 = 0.5, as DARTS) for alpha."""
        self.optimizers["weights"] = torch.optim.Adam(
            self.net.parameters(), lr=self.config.lr, weight_decay=self.config.weight_decay
        )
        self.optimizers["arch"] = torch.optim.Adam(
            self.arch.parameters(), lr=self.config.arch_lr, betas=(0.5, 0.999)
        )

    def mixing(self, s: torch.Tensor, temperature: float) -> torch.Tensor:
        return super().mixing(s, temperature if self.hard else 1.0)

    def relax(
        self, alpha: torch.Tensor, temperature: float, generator: torch.Generator
    ) -> torch.Tensor:
        """Op weights used in training."""
        if self.hard:
            return gumbel_softmax(alpha, temperature, hard=True, generator=generator)
        return alpha.softmax(dim=-1)

    def step(
        self,
        train: Batch,
        val: Batch,
        temperature: float,
        kappa: float,
        generator: torch.Generator,
    ) -> float:
        x, y = train
        s = torch.tensor(self.config.cost_s or [1.0 / self.space.k] * self.space.k)
        s = (s / s.sum()).to(x.device)
        weights, arch = self.optimizers["weights"], self.optimizers["arch"]
        gamma = self.relax(self.arch(s).detach(), temperature, generator)
        task = F.cross_entropy(self.net(x, gamma), y)
        weights.zero_grad(set_to_none=True)
        task.backward()
        weights.step()

        alpha = self.arch(s)
        loss = F.cross_entropy(self.net(val[0], self.relax(alpha, temperature, generator)), val[1])
        if self.config.cost_s is not None:
            loss = loss + kappa * cost(self.mixing(s, temperature), s)
        arch.zero_grad(set_to_none=True)
        loss.backward()
        arch.step()
        return float(task.detach())


OneShotFactory = Callable[[SearchSpace, OneShotConfig, torch.Generator], OneShot]

ONE_SHOTS: dict[str, OneShotFactory] = {
    "hyper_darts": HyperDarts,
    "darts": lambda space, config, gen: Bilevel(space, config, gen, hard=False),
    "gdas": lambda space, config, gen: Bilevel(space, config, gen, hard=True),
}


def create_one_shot(
    space: SearchSpace,
    config: OneShotConfig,
    seed: int,
    generator: torch.Generator,
    device: torch.device,
) -> OneShot:
    """The named one-shot update with weights initialised from `seed` (global RNG left
    untouched)."""
    if config.name not in ONE_SHOTS:
        raise ValueError(f"unknown strategy {config.name!r}; choose from {sorted(ONE_SHOTS)}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        strategy = ONE_SHOTS[config.name](space, config, generator).to(device)
    strategy.build_optimizers()
    return strategy
