"""The MAP-Elites archive: the most accurate candidate seen in each cell of a grid."""

from __future__ import annotations

from typing import Any

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.space.descriptors import Grid


class Archive:
    """Elites keyed by their grid cell."""

    def __init__(self, grid: Grid) -> None:
        self.grid = grid
        self.elites: dict[tuple[int, ...], Candidate] = {}

    def insert(self, candidate: Candidate) -> bool:
        """Keep `candidate` if its cell is empty or it beats the elite there; True if kept."""
        key = self.grid.key(candidate)
        elite = self.elites.get(key)
        if elite is not None and candidate.accuracy <= elite.accuracy:
            return False
        self.elites[key] = candidate
        return True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the axes and every occupied cell's bins and elite, in bin order."""
        return {
            "axes": [axis.to_dict() for axis in self.grid.axes],
            "cells": [
                {"bins": list(key), "elite": self.elites[key].to_dict()}
                for key in sorted(self.elites)
            ],
        }
