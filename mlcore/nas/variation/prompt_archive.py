"""LLMatic's prompt archive: which (instruction, temperature) asks the LLM for children that
succeed, scored by a curiosity that rises with their successes and falls with the rest."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

# What a mutation prompt asks for, besides "a child of this parent"; LLMatic evolves such
# instructions, here they are a fixed set the archive learns to prefer among.
INSTRUCTIONS = (
    "Propose a child that is likely more accurate for its size.",
    "Propose a smaller child (fewer parameters and FLOPs) that keeps the parent's accuracy.",
    "Propose a child with more capacity where it helps accuracy most.",
    "Propose a child that changes exactly one edge, the change most likely to help.",
    "Propose a bold child: a different mix of operations in several edges.",
)
TEMPERATURES = (0.3, 0.7, 1.0)
# LLMatic's curiosity: +1 for a child that succeeds (the strategy keeps it), -0.5 for one
# that fails, -1 for a reply that gave no child
REWARDS = {"success": 1.0, "failure": -0.5, "unusable": -1.0}


@dataclass(frozen=True)
class Prompt:
    """One archive cell: an instruction and the sampling temperature it is sent with."""

    instruction: str
    temperature: float


@dataclass
class PromptArchive:
    """Every (instruction, temperature) pair with its curiosity and how often it was used;
    `choose` samples a pair with probability softmax(curiosity), so pairs whose children keep
    succeeding are asked more and none is ever excluded."""

    instructions: tuple[str, ...] = INSTRUCTIONS
    temperatures: tuple[float, ...] = TEMPERATURES
    curiosity: dict[Prompt, float] = field(init=False)
    outcomes: dict[Prompt, dict[str, int]] = field(init=False)

    def __post_init__(self) -> None:
        if not self.instructions or not self.temperatures:
            raise ValueError("a prompt archive needs an instruction and a temperature")
        cells = [Prompt(i, t) for i in self.instructions for t in self.temperatures]
        self.curiosity = dict.fromkeys(cells, 0.0)
        self.outcomes = {cell: dict.fromkeys(REWARDS, 0) for cell in cells}

    def choose(self, rng: random.Random) -> Prompt:
        """A cell drawn with probability softmax(curiosity)."""
        cells = list(self.curiosity)
        top = max(self.curiosity.values())
        weights = [math.exp(self.curiosity[cell] - top) for cell in cells]
        return rng.choices(cells, weights)[0]

    def record(self, prompt: Prompt, outcome: str) -> None:
        """Score `prompt` for a child that was a "success", a "failure" or an "unusable" reply."""
        self.curiosity[prompt] += REWARDS[outcome]
        self.outcomes[prompt][outcome] += 1

    def to_dict(self) -> list[dict[str, Any]]:
        """JSON-ready cells, most curious first."""
        ranked = sorted(self.curiosity, key=lambda cell: -self.curiosity[cell])
        return [
            {
                "instruction": cell.instruction,
                "temperature": cell.temperature,
                "curiosity": self.curiosity[cell],
                **self.outcomes[cell],
            }
            for cell in ranked
        ]
