"""LLM-proposed mutations and crossovers (LLMatic) over an OpenAI-compatible chat-completions
endpoint, with a prompt archive learning which instructions work, falling back to a
rule-based mutator whenever the answer is unusable."""

from __future__ import annotations

import json
import logging
import random
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass, field
from http.client import HTTPException
from typing import Any

from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.variation.llm_prompt import (
    ReplyError,
    crossover_messages,
    mutation_messages,
    parse_child,
)
from mlcore.nas.variation.mutator import Mutator, RuleMutator, Scores
from mlcore.nas.variation.prompt_archive import Prompt, PromptArchive

LOG = logging.getLogger(__name__)
MAX_REPLY_BYTES = 1_000_000
GIVE_UP_AFTER = 5  # consecutive fallbacks, then the rules alone for the rest of the search
CROSSOVER_TEMPERATURE = 0.7


@dataclass
class LLMCounters:
    """Requests sent, children accepted, and fallbacks by reason (http, format, invalid,
    unchanged)."""

    requests: int = 0
    accepted: int = 0
    fallbacks: Counter[str] = field(default_factory=Counter)
    consecutive_fallbacks: int = 0

    @property
    def fallback_count(self) -> int:
        """Fallbacks of any reason."""
        return sum(self.fallbacks.values())

    @property
    def gave_up(self) -> bool:
        """Whether the rules alone answer from now on."""
        return self.consecutive_fallbacks >= GIVE_UP_AFTER

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready counts."""
        return {**asdict(self), "fallbacks": dict(self.fallbacks), "gave_up": self.gave_up}


class LLMMutator:
    """POSTs {url}/chat/completions (model, messages, temperature; Bearer `api_key` if set)
    and reads a genotype from the first choice's message; on an HTTP error, a timeout or an
    answer without a valid, new genotype it counts the fallback and asks `fallback`.
    Mutation prompts come from `archive` (instruction and temperature, chosen with the
    mutator's own generator seeded by `seed`, so the search's draws stay the same);
    crossovers send one fixed request at CROSSOVER_TEMPERATURE."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        *,
        archive: PromptArchive | None = None,
        seed: int = 0,
        timeout: float = 60.0,
        fallback: Mutator | None = None,
    ) -> None:
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"the LLM endpoint must be an http(s) URL, not {url!r}")
        self.url = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.archive = archive or PromptArchive()
        self.rng = random.Random(seed)
        self.timeout = timeout
        self.fallback: Mutator = fallback or RuleMutator()
        self.counters = LLMCounters()
        self.pending: dict[Genotype, Prompt] = {}

    def complete(self, chat: list[dict[str, str]], temperature: float) -> str:
        """The content of the first choice's message."""
        body = {"model": self.model, "messages": chat, "temperature": temperature}
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(
            self.url, data=json.dumps(body).encode(), headers=headers, method="POST"
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            raw = response.read(MAX_REPLY_BYTES + 1)
        if len(raw) > MAX_REPLY_BYTES:
            raise ReplyError("format", f"the reply is over {MAX_REPLY_BYTES} bytes")
        try:
            payload: Any = json.loads(raw)
            content = payload["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as error:
            raise ReplyError("format", f"not a chat-completions response: {error}") from error
        if not isinstance(content, str):
            raise ReplyError("format", "the message has no text content")
        return content

    def ask(
        self,
        space: SearchSpace,
        parents: tuple[Genotype, ...],
        chat: list[dict[str, str]],
        temperature: float,
    ) -> Genotype | None:
        """The child the LLM proposes, or None (counted as a fallback) when it gives none."""
        self.counters.requests += 1
        try:
            child = parse_child(space, parents, self.complete(chat, temperature))
        except (OSError, HTTPException, ReplyError, ValueError, RecursionError) as error:
            reason = error.reason if isinstance(error, ReplyError) else "http"
            self.counters.fallbacks[reason] += 1
            self.counters.consecutive_fallbacks += 1
            LOG.info("LLM proposal fell back to %s (%s)", type(self.fallback).__name__, error)
            if self.counters.gave_up:
                LOG.warning("%d LLM replies in a row were unusable: rules only", GIVE_UP_AFTER)
            return None
        self.counters.accepted += 1
        self.counters.consecutive_fallbacks = 0
        return child

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Scores | None = None,
    ) -> Genotype:
        if self.counters.gave_up:
            return self.fallback.mutate(genotype, space, rng, scores)
        prompt = self.archive.choose(self.rng)
        chat = mutation_messages(space, genotype, scores, prompt.instruction)
        child = self.ask(space, (genotype,), chat, prompt.temperature)
        if child is None:
            self.archive.record(prompt, "unusable")
            return self.fallback.mutate(genotype, space, rng, scores)
        self.pending[child] = prompt
        return child

    def crossover(
        self,
        parents: tuple[Genotype, Genotype],
        space: SearchSpace,
        rng: random.Random,
        scores: tuple[Scores, Scores] | None = None,
    ) -> Genotype:
        child = None
        if not self.counters.gave_up:
            chat = crossover_messages(space, parents, scores)
            child = self.ask(space, parents, chat, CROSSOVER_TEMPERATURE)
        return child or self.fallback.crossover(parents, space, rng, scores)

    def observe(self, child: Genotype, success: bool) -> None:
        """Scores the prompt that asked for `child` in the prompt archive."""
        prompt = self.pending.pop(child, None)
        if prompt is not None:
            self.archive.record(prompt, "success" if success else "failure")

    def report(self) -> dict[str, Any]:
        return {
            "kind": "llm",
            "model": self.model,
            **self.counters.to_dict(),
            "prompts": self.archive.to_dict(),
        }
