"""The LLM mutator against a real local HTTP server speaking the chat-completions format."""

from __future__ import annotations

import contextlib
import json
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from mlcore.nas.evaluators.candidate import Candidate
from mlcore.nas.space.descriptors import depth, width
from mlcore.nas.space.genotype import Genotype, check_genotype, random_genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.algorithms import map_elites, regularized_evolution
from mlcore.nas.variation.crossover import uniform_crossover
from mlcore.nas.variation.llm import (
    CROSSOVER_TEMPERATURE,
    GIVE_UP_AFTER,
    MAX_REPLY_BYTES,
    LLMMutator,
)
from mlcore.nas.variation.mutator import RuleMutator
from mlcore.nas.variation.prompt_archive import INSTRUCTIONS, PromptArchive

SPACE = SearchSpace(cells=2, nodes=2, channels=4, classes=4)  # 10 edges
PARENT = Genotype(SPACE.ops, ((0, 1, 2, 0, 1), (2, 2, 2, 1, 0)))
CHILD = Genotype(SPACE.ops, ((0, 1, 2, 0, 1), (2, 2, 0, 1, 0)))
SCORES = {"accuracy": 0.5, "params": 1000.0}

Reply = Callable[[dict[str, Any]], tuple[int, str]]  # request body -> (status, response body)


def completion(content: str) -> tuple[int, str]:
    """A 200 chat-completions response whose first choice says `content`."""
    message = {"role": "assistant", "content": content}
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
    }
    return 200, json.dumps(body)


@dataclass
class ChatServer:
    """Answers POST /v1/chat/completions with `reply`; records bodies and headers."""

    reply: Reply = lambda body: completion("")
    requests: list[tuple[dict[str, Any], dict[str, str]]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def chat() -> Iterator[ChatServer]:
    state = ChatServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = json.loads(self.rfile.read(length))
            state.requests.append((body, dict(self.headers)))
            status, text = state.reply(body) if self.path == "/v1/chat/completions" else (404, "")
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(payload)  # the timeout test's client has given up by now

        def log_message(self, format: str, *args: Any) -> None:
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()


def fallback_child(seed: int) -> Genotype:
    """What the rule-based fallback proposes for PARENT with rng seed `seed`."""
    return RuleMutator().mutate(PARENT, SPACE, random.Random(seed))


def test_a_valid_answer_becomes_the_child(chat: ChatServer) -> None:
    answer = "Swap one conv for a pool:\n```json\n" + json.dumps(CHILD.to_dict()) + "\n```"
    chat.reply = lambda body: completion(answer)
    archive = PromptArchive(instructions=("Make it leaner.",), temperatures=(0.3,))
    mutator = LLMMutator(chat.url + "/", "tiny-llm", "secret", archive=archive)
    assert mutator.mutate(PARENT, SPACE, random.Random(0), SCORES) == CHILD
    assert (mutator.counters.requests, mutator.counters.accepted) == (1, 1)
    assert mutator.counters.fallback_count == 0
    body, headers = chat.requests[0]
    assert (body["model"], body["temperature"]) == ("tiny-llm", 0.3)
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    prompt = body["messages"][1]["content"]
    assert json.dumps({"choices": PARENT.to_dict()["choices"]}) in prompt
    assert json.dumps(SCORES) in prompt and '"2": "conv3"' in prompt
    assert "Make it leaner." in prompt
    assert headers["Authorization"] == "Bearer secret"


def test_ops_may_be_named(chat: ChatServer) -> None:
    named = [[SPACE.ops[i] for i in cell] for cell in CHILD.choices]
    chat.reply = lambda body: completion(json.dumps({"choices": named}))
    mutator = LLMMutator(chat.url, "tiny-llm")
    assert mutator.mutate(PARENT, SPACE, random.Random(0)) == CHILD
    assert "Authorization" not in chat.requests[0][1]


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (lambda body: completion("A deeper network should help."), "format"),
        (lambda body: completion('{"choices": [[0, 1, 2]]}'), "invalid"),
        (lambda body: completion('{"choices": [[0, 1, 2, 0, 9], [2, 2, 2, 1, 0]]}'), "invalid"),
        (lambda body: completion(json.dumps(PARENT.to_dict())), "unchanged"),
        (lambda body: (200, "not json"), "format"),
        (lambda body: (200, '{"choices": []}'), "format"),
        (lambda body: (500, '{"error": "overloaded"}'), "http"),
    ],
)
def test_unusable_answers_fall_back_to_rule_mutation(
    chat: ChatServer, reply: Reply, reason: str
) -> None:
    chat.reply = reply
    mutator = LLMMutator(chat.url, "tiny-llm")
    child = mutator.mutate(PARENT, SPACE, random.Random(7), SCORES)
    check_genotype(SPACE, child)
    assert child == fallback_child(7) != PARENT
    assert mutator.counters.fallbacks == {reason: 1}
    assert (mutator.counters.requests, mutator.counters.accepted) == (1, 0)


def test_a_timeout_falls_back(chat: ChatServer) -> None:
    def slow(body: dict[str, Any]) -> tuple[int, str]:
        time.sleep(0.5)
        return completion(json.dumps(CHILD.to_dict()))

    chat.reply = slow
    mutator = LLMMutator(chat.url, "tiny-llm", timeout=0.1)
    assert mutator.mutate(PARENT, SPACE, random.Random(3)) == fallback_child(3)
    assert mutator.counters.fallbacks == {"http": 1}


def test_an_unreachable_endpoint_falls_back() -> None:
    mutator = LLMMutator("http://127.0.0.1:9", "tiny-llm", timeout=1.0)
    assert mutator.mutate(PARENT, SPACE, random.Random(3)) == fallback_child(3)
    assert mutator.counters.fallbacks == {"http": 1}


def test_oversized_and_deeply_nested_replies_fall_back(chat: ChatServer) -> None:
    replies = iter([(200, " " * (MAX_REPLY_BYTES + 10)), completion("[" * 100_000)])
    chat.reply = lambda body: next(replies)
    mutator = LLMMutator(chat.url, "tiny-llm")
    for seed in (1, 2):
        assert mutator.mutate(PARENT, SPACE, random.Random(seed)) == fallback_child(seed)
    assert mutator.counters.fallback_count == 2


def test_rules_alone_after_repeated_failures(chat: ChatServer) -> None:
    chat.reply = lambda body: (500, "")
    mutator = LLMMutator(chat.url, "tiny-llm")
    for seed in range(GIVE_UP_AFTER + 3):
        assert mutator.mutate(PARENT, SPACE, random.Random(seed)) == fallback_child(seed)
    assert len(chat.requests) == mutator.counters.requests == GIVE_UP_AFTER


OTHER = Genotype(SPACE.ops, ((1, 1, 0, 2, 2), (0, 2, 1, 1, 2)))


def test_crossover_asks_for_a_mix_of_both_parents(chat: ChatServer) -> None:
    mix = Genotype(SPACE.ops, ((0, 1, 2, 0, 1), (0, 2, 1, 1, 2)))
    replies = iter([completion(json.dumps(mix.to_dict())), completion(json.dumps(OTHER.to_dict()))])
    chat.reply = lambda body: next(replies)
    mutator = LLMMutator(chat.url, "tiny-llm")
    scores = ({"accuracy": 0.5}, {"accuracy": 0.25})
    assert mutator.crossover((PARENT, OTHER), SPACE, random.Random(0), scores) == mix
    body = chat.requests[0][0]
    prompt = body["messages"][1]["content"]
    assert body["temperature"] == CROSSOVER_TEMPERATURE
    assert f"Parent A: {json.dumps({'choices': PARENT.to_dict()['choices']})}" in prompt
    assert f"Parent B: {json.dumps({'choices': OTHER.to_dict()['choices']})}" in prompt
    assert '{"accuracy": 0.25}' in prompt
    # an answer repeating a parent falls back to the rule-based crossover
    child = mutator.crossover((PARENT, OTHER), SPACE, random.Random(5))
    assert child == uniform_crossover(PARENT, OTHER, random.Random(5))
    assert mutator.counters.fallbacks == {"unchanged": 1}


def test_the_prompt_archive_learns_which_instruction_works(chat: ChatServer) -> None:
    """Only the one-edge instruction gets an answer; its children always succeed."""
    good = INSTRUCTIONS[3]

    def answer_one_instruction(body: dict[str, Any]) -> tuple[int, str]:
        if good in body["messages"][1]["content"]:
            return completion(json.dumps(CHILD.to_dict()))
        return completion("I would rather not.")

    chat.reply = answer_one_instruction
    mutator = LLMMutator(chat.url, "tiny-llm", seed=1)
    asked = []
    for seed in range(60):
        before = len(chat.requests)
        child = mutator.mutate(PARENT, SPACE, random.Random(seed))
        asked.append(good in chat.requests[before][0]["messages"][1]["content"])
        mutator.observe(child, success=True)
    report = mutator.report()
    assert report["kind"] == "llm" and report["model"] == "tiny-llm"
    assert report["requests"] == 60 and report["accepted"] == sum(asked)
    assert report["fallbacks"] == {"format": 60 - sum(asked)} and not report["gave_up"]
    prompts = report["prompts"]
    assert len(prompts) == len(INSTRUCTIONS) * 3
    assert prompts[0]["instruction"] == good and prompts[0]["curiosity"] > 0  # most curious
    for p in prompts:
        assert p["curiosity"] == p["success"] - p["unusable"]
        assert p["unusable" if p["instruction"] == good else "success"] == 0
    assert sum(p["success"] for p in prompts) == sum(asked)
    assert sum(asked[:10]) < sum(asked[-10:]) == 10  # asked once it is known to work


class Ones:
    """Accuracy = a tenth of the edges holding op 1: cheap and deterministic."""

    image_size = 8

    def evaluate(self, genotype: Genotype) -> Candidate:
        ones = sum(op == 1 for cell in genotype.choices for op in cell)
        return Candidate(genotype, ones / 10, 0, 0, depth(SPACE, genotype), width(SPACE, genotype))


def flip_first_edge(body: dict[str, Any]) -> tuple[int, str]:
    """A mutation answer: the parent in the prompt with its first edge's op moved on; 500
    for a prompt without one parent (a crossover)."""
    prompt = body["messages"][1]["content"]
    line = next((x for x in prompt.splitlines() if x.startswith("Parent: ")), None)
    if line is None:
        return 500, ""
    choices = json.loads(line.removeprefix("Parent: "))["choices"]
    choices[0][0] = (choices[0][0] + 1) % SPACE.k
    return completion(json.dumps({"choices": choices}))


def test_evolution_runs_on_llm_proposals(chat: ChatServer) -> None:
    chat.reply = flip_first_edge
    mutator = LLMMutator(chat.url, "tiny-llm")
    result = regularized_evolution(SPACE, Ones(), 12, 0, mutator=mutator, population=4, sample=2)
    assert len(result.candidates) == 12
    assert (mutator.counters.requests, mutator.counters.accepted) == (8, 8)
    assert len(chat.requests) == 8
    for child in result.candidates[4:]:
        check_genotype(SPACE, child.genotype)
    assert random_genotype(SPACE, random.Random(0)) == result.candidates[0].genotype
    assert result.variation is not None
    assert result.variation["mutator"]["accepted"] == 8


def test_map_elites_reports_the_llm_counters_and_prompt_archive(chat: ChatServer) -> None:
    """Mutation answers are the parent's first edge flipped; crossovers get no answer."""
    chat.reply = flip_first_edge
    mutator = LLMMutator(chat.url, "tiny-llm")
    result = map_elites(SPACE, Ones(), 30, 0, mutator=mutator, initial=5, crossover_rate=0.3)
    assert result.variation is not None
    operators, report = result.variation["operators"], result.variation["mutator"]
    assert operators["mutation"]["children"] + operators["crossover"]["children"] == 25
    assert report["accepted"] == operators["mutation"]["children"]
    assert report["fallbacks"] == {"http": operators["crossover"]["children"]}
    outcomes = sum(p["success"] + p["failure"] for p in report["prompts"])
    assert outcomes == operators["mutation"]["children"]
    assert sum(p["success"] for p in report["prompts"]) == operators["mutation"]["successes"]
    json.dumps(result.to_dict())
