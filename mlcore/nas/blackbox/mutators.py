"""Which mutator a search uses: the LLM endpoint configured by env, else the rule-based one."""

from __future__ import annotations

from collections.abc import Mapping

from mlcore.nas.blackbox.llm_mutator import LLMMutator
from mlcore.nas.blackbox.mutation import Mutator, RuleMutator


def configured_mutator(environ: Mapping[str, str] | None = None, seed: int = 0) -> Mutator:
    """`LLMMutator.from_env` (prompts drawn with `seed`) when KONSTRUKTOR_NAS_LLM_URL is set
    (it falls back to rules on bad replies), else `RuleMutator`."""
    return LLMMutator.from_env(environ, seed) or RuleMutator()
