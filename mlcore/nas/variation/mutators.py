"""The mutator a search job asked for: the service's LLM (LLMatic) or the rules."""

from __future__ import annotations

from mlcore.contract.search import SearchConfig
from mlcore.nas.variation.llm import LLMMutator
from mlcore.nas.variation.mutator import Mutator, RuleMutator


def job_mutator(config: SearchConfig, api_key: str | None = None) -> Mutator:
    """`LLMMutator` at the config's endpoint (prompts drawn with the job's seed; it falls back
    to rules on bad replies) when the job's mutator is llm, else `RuleMutator`."""
    if config.mutator == "llm" and config.llm_url and config.llm_model:
        return LLMMutator(config.llm_url, config.llm_model, api_key, seed=config.seed)
    return RuleMutator()
