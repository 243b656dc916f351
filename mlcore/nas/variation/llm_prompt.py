"""What the LLM mutator asks (chat messages) and how its answer becomes a genotype."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mlcore.nas.space.genotype import Genotype, check_genotype
from mlcore.nas.space.search_space import SearchSpace

SYSTEM = (
    "You are an expert in neural architecture search. You propose architectures of a fixed "
    "cell search space, by mutating one parent or combining two, to raise their validation "
    "accuracy. Reply with one JSON object only."
)
SPACE = """Search space: a stem conv, then {cells} cells ({reduction} 2x down-sampling between \
them), then global average pooling and a linear layer. A cell is a DAG: vertices 0 and 1 are \
the outputs of the two previous cells{inputs}, each of the {nodes} later vertices sums one op \
applied to every earlier vertex, and the cell outputs the mean of its later vertices. Every op \
keeps the {channels} channels. {rows}
Ops by index: {ops}
Edges of a cell as [source, target], in the order of each list in "choices": {edges}
"""
ROWS = {
    "shared": "The first cell is the normal cell; every later cell shares one reduction-cell "
    'architecture (its own weights): "choices" lists the normal cell, then the reduction cell.',
    "per_cell": 'Every cell has its own architecture: "choices" lists one per cell.',
}
SCORES = "accuracy 0..1 on validation data, params, FLOPs, depth, width"
MUTATE = """Parent: {parent}
Parent scores ({scores_legend}): {scores}
{instruction} The child must differ from the parent. """
CROSS = """Parent A: {a}
Parent A scores ({scores_legend}): {scores_a}
Parent B: {b}
Parent B scores: {scores_b}
Propose one child that combines the strengths of both parents, taking some edges from each; \
it must differ from both. """
PREPROCESSED = " (each through a 1x1 ReLU-conv-BN)"
ANSWER = 'Answer {{"choices": [...]}}: {rows} lists of {num_edges} op indices.'


class ReplyError(Exception):
    """An answer that gives no usable genotype; `reason` names the failure."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def chat(space: SearchSpace, request: str) -> list[dict[str, str]]:
    """The system message and a user message describing `space`, then `request` and the
    answer format."""
    described = SPACE.format(
        cells=space.cells,
        reduction=space.reduction,
        nodes=space.nodes,
        inputs=PREPROCESSED if space.preprocess else "",
        channels=space.channels,
        rows=ROWS[space.cell_sharing],
        ops=json.dumps(dict(enumerate(space.ops))),
        edges=json.dumps([list(edge) for edge in space.edges]),
    )
    answer = ANSWER.format(rows=space.rows, num_edges=space.num_edges)
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": described + request + answer},
    ]


def as_json(genotype: Genotype) -> str:
    """{"choices": ...} of `genotype`, as the answer should look."""
    return json.dumps({"choices": genotype.to_dict()["choices"]})


def mutation_messages(
    space: SearchSpace, parent: Genotype, scores: Mapping[str, float] | None, instruction: str
) -> list[dict[str, str]]:
    """Asking for a child of `parent` as `instruction` says (a prompt archive's)."""
    request = MUTATE.format(
        parent=as_json(parent),
        scores_legend=SCORES,
        scores=json.dumps(dict(scores or {})),
        instruction=instruction,
    )
    return chat(space, request)


def crossover_messages(
    space: SearchSpace,
    parents: tuple[Genotype, Genotype],
    scores: tuple[Mapping[str, float], Mapping[str, float]] | None,
) -> list[dict[str, str]]:
    """Asking for a child mixing two parents."""
    scores_a, scores_b = scores or ({}, {})
    request = CROSS.format(
        a=as_json(parents[0]),
        b=as_json(parents[1]),
        scores_legend=SCORES,
        scores_a=json.dumps(dict(scores_a)),
        scores_b=json.dumps(dict(scores_b)),
    )
    return chat(space, request)


def first_object(text: str) -> dict[str, Any]:
    """The first JSON object in `text` holding "choices" (prose and code fences around it
    are skipped)."""
    decoder = json.JSONDecoder()
    for start in (i for i, char in enumerate(text) if char == "{"):
        try:
            found, _ = decoder.raw_decode(text, start)
        except ValueError:
            continue
        if isinstance(found, dict) and "choices" in found:
            return found
    raise ReplyError("format", "no JSON object with choices in the answer")


def op_index(space: SearchSpace, op: Any) -> Any:
    """An op given by name becomes its index; anything else is left to `check_genotype`."""
    return space.ops.index(op) if isinstance(op, str) else op


def parse_child(space: SearchSpace, parents: tuple[Genotype, ...], text: str) -> Genotype:
    """The genotype the answer `text` proposes; ReplyError unless it fits the space and
    differs from every parent."""
    found = first_object(text)
    try:
        ops = tuple(found.get("ops", space.ops))
        choices = tuple(tuple(op_index(space, op) for op in cell) for cell in found["choices"])
        child = Genotype(ops, choices)
        check_genotype(space, child)
    except (TypeError, ValueError) as error:
        raise ReplyError("invalid", str(error)) from error
    if child in parents:
        raise ReplyError("unchanged", "the child is a parent")
    return child
