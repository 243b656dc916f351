"""What the LLM mutator asks (chat messages) and how its answer becomes a genotype."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mlcore.nas.genotype import Genotype, check_genotype
from mlcore.nas.space import SearchSpace

SYSTEM = (
    "You are an expert in neural architecture search. You mutate architectures of a fixed "
    "cell search space to raise their validation accuracy. Reply with one JSON object only."
)
TASK = """Search space: a stem conv, then {cells} cells ({reduction} 2x down-sampling between \
them), then global average pooling and a linear layer. A cell is a DAG: vertices 0 and 1 are \
the outputs of the two previous cells, each of the {nodes} later vertices sums one op applied \
to every earlier vertex, and the cell outputs the mean of its later vertices. Every op keeps \
the {channels} channels.
Ops by index: {ops}
Edges of a cell as [source, target], in the order of each cell's list in "choices": {edges}
Parent: {parent}
Parent scores (accuracy 0..1 on validation data, params, FLOPs, depth, width): {scores}
Propose one child that differs from the parent in a few edges and is likely more accurate \
for its size. Answer {{"choices": [...]}}: {cells} lists of {num_edges} op indices."""


class ReplyError(Exception):
    """An answer that gives no usable genotype; `reason` names the failure."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason


def messages(
    space: SearchSpace, parent: Genotype, scores: Mapping[str, float] | None
) -> list[dict[str, str]]:
    """The system and user messages asking for a child of `parent`."""
    task = TASK.format(
        cells=space.cells,
        reduction=space.reduction,
        nodes=space.nodes,
        channels=space.channels,
        ops=json.dumps(dict(enumerate(space.ops))),
        edges=json.dumps([list(edge) for edge in space.edges]),
        parent=json.dumps({"choices": parent.to_dict()["choices"]}),
        scores=json.dumps(dict(scores or {})),
        num_edges=space.num_edges,
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": task}]


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


def parse_child(space: SearchSpace, parent: Genotype, text: str) -> Genotype:
    """The genotype the answer `text` proposes; ReplyError unless it fits the space and
    differs from `parent`."""
    found = first_object(text)
    try:
        ops = tuple(found.get("ops", space.ops))
        choices = tuple(tuple(op_index(space, op) for op in cell) for cell in found["choices"])
        child = Genotype(ops, choices)
        check_genotype(space, child)
    except (TypeError, ValueError) as error:
        raise ReplyError("invalid", str(error)) from error
    if child == parent:
        raise ReplyError("unchanged", "the child is the parent")
    return child
