"""LLM-proposed mutations (LLMatic) over an OpenAI-compatible chat-completions endpoint,
falling back to a rule-based mutator whenever the answer is unusable."""

from __future__ import annotations

import json
import logging
import os
import random
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from mlcore.nas.blackbox.llm_prompt import ReplyError, messages, parse_child
from mlcore.nas.blackbox.mutation import Mutator, RuleMutator
from mlcore.nas.genotype import Genotype
from mlcore.nas.space import SearchSpace

URL_ENV = "KONSTRUKTOR_NAS_LLM_URL"
MODEL_ENV = "KONSTRUKTOR_NAS_LLM_MODEL"
API_KEY_ENV = "KONSTRUKTOR_NAS_LLM_API_KEY"
LOG = logging.getLogger(__name__)
MAX_REPLY_BYTES = 1_000_000
GIVE_UP_AFTER = 5  # consecutive fallbacks, then the rules alone for the rest of the search


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


class LLMMutator:
    """POSTs {url}/chat/completions (model, messages, temperature; Bearer `api_key` if set)
    and reads a genotype from the first choice's message; on an HTTP error, a timeout or an
    answer without a valid, new genotype it counts the fallback and asks `fallback`."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        *,
        temperature: float = 0.7,
        timeout: float = 60.0,
        fallback: Mutator | None = None,
    ) -> None:
        self.url = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.temperature = temperature
        self.timeout = timeout
        self.fallback: Mutator = fallback or RuleMutator()
        self.counters = LLMCounters()

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LLMMutator | None:
        """From KONSTRUKTOR_NAS_LLM_URL, _MODEL and _API_KEY; None (off) when the URL is
        unset or empty."""
        env = os.environ if environ is None else environ
        url = env.get(URL_ENV, "")
        if not url:
            return None
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise ValueError(f"{URL_ENV} must be an http(s) URL, not {url!r}")
        model = env.get(MODEL_ENV, "")
        if not model:
            raise ValueError(f"{URL_ENV} is set but {MODEL_ENV} is not")
        return cls(url, model, env.get(API_KEY_ENV) or None)

    def complete(self, chat: list[dict[str, str]]) -> str:
        """The content of the first choice's message."""
        body = {"model": self.model, "messages": chat, "temperature": self.temperature}
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

    def mutate(
        self,
        genotype: Genotype,
        space: SearchSpace,
        rng: random.Random,
        scores: Mapping[str, float] | None = None,
    ) -> Genotype:
        if self.counters.consecutive_fallbacks >= GIVE_UP_AFTER:
            return self.fallback.mutate(genotype, space, rng, scores)
        self.counters.requests += 1
        try:
            child = parse_child(space, genotype, self.complete(messages(space, genotype, scores)))
        except (OSError, HTTPException, ReplyError, ValueError, RecursionError) as error:
            reason = error.reason if isinstance(error, ReplyError) else "http"
            self.counters.fallbacks[reason] += 1
            self.counters.consecutive_fallbacks += 1
            LOG.info("LLM mutation fell back to %s (%s)", type(self.fallback).__name__, error)
            if self.counters.consecutive_fallbacks == GIVE_UP_AFTER:
                LOG.warning("%d LLM replies in a row were unusable: rules only", GIVE_UP_AFTER)
            return self.fallback.mutate(genotype, space, rng, scores)
        self.counters.accepted += 1
        self.counters.consecutive_fallbacks = 0
        return child
