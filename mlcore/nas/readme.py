"""README facts of a searched network's package (the layout is mlcore.package.readme's)."""

from __future__ import annotations

from typing import Any

from mlcore.classify.readme import classification_metrics
from mlcore.contract.search import SearchConfig, is_blackbox
from mlcore.nas.family import Member
from mlcore.package.notices import WeightsOrigin
from mlcore.package.readme import ReadmeFacts

SEARCH_EFFORT = {  # keyed by "is a black-box strategy"
    False: lambda config: f"{config.search_epochs} search epochs",
    True: lambda config: (
        f"{config.evaluations} candidates trained {config.search_epochs} epoch(s) each"
    ),
}


def chosen_by(config: SearchConfig, member: Member) -> str:
    """Why this architecture: the user's s, the budget, or the most accurate."""
    if config.complexity is not None:
        return f"the family member at the complexity vector s = {list(member.s)}"
    limits = {"parameters": config.max_params, "ms latency": config.max_latency_ms}
    given = [f"{value} {name}" for name, value in limits.items() if value is not None]
    budget = f" within {' and '.join(given)}" if given else ""
    return f"the most accurate architecture found{budget}"


SHARING = {
    "shared": "a normal cell and a reduction cell shared by the later cells",
    "per_cell": "each cell its own ops",
}
PROXY_MARGIN = 0.10  # how far below its proxy a retrained network may land unwarned


def proxy_gap_warning(member: Member, accuracy: float, retrain_epochs: int) -> str | None:
    """A warning when the retrained network's validation accuracy is more than PROXY_MARGIN
    below the proxy accuracy the search ranked it by; None otherwise."""
    gap = member.proxy_accuracy - accuracy
    if gap <= PROXY_MARGIN:
        return None
    return (
        f"the retrained network reaches {accuracy:.1%} on the validation split, "
        f"{gap * 100:.0f} points below the {member.proxy_accuracy:.1%} the search's proxy "
        f"promised (more than the {PROXY_MARGIN:.0%} margin): it did not learn what the "
        f"search saw in it in {retrain_epochs} retraining epoch(s); retrain it longer "
        "(retrain_epochs) or train another member of family.json"
    )


def nas_facts(
    config: SearchConfig,
    member: Member,
    evaluation: dict[str, Any],
    latency_device: str,
    measured_ms: float,
) -> ReadmeFacts:
    """What was searched, which architecture was kept and why, its metrics."""
    classes = evaluation["classes"]
    counts = ", ".join(f"{op} x{n}" for op, n in member.counts.items())
    latency = member.predicted_latency_ms
    effort = SEARCH_EFFORT[is_blackbox(config.strategy)](config)
    predicted = "" if latency is None else f"predicted {latency:.3g} ms, "
    timing = f"; {predicted}measured {measured_ms:.3g} ms per image on {latency_device}"
    return ReadmeFacts(
        title=f"Searched cell network ({config.strategy}, {len(classes)} classes)",
        training=f"Found by Konstruktor's architecture search ({config.strategy}, ops "
        f"{', '.join(config.ops)}, {config.cells} cells x {config.nodes} nodes "
        f"({SHARING[config.cell_sharing]}), {config.channels} channels, {effort}, seed "
        f"{config.seed}); kept {chosen_by(config, member)}: {counts}; {member.params:,} "
        f"parameters, {member.flops:,} FLOPs at {config.image_size} px{timing}. Retrained "
        f"from scratch for {config.retrain_epochs} epochs on randomly flipped and shifted "
        f"images (the search's proxy accuracy was {member.proxy_accuracy:.1%}; retrained, "
        f"{evaluation['accuracy']:.1%} on the validation split). `family.json` in the job's "
        "files lists every architecture the search found.",
        classes=classes,
        metrics=classification_metrics(evaluation),
        model_pt='`{"arch": {"layout", "choices", ...}, "state_dict"}`; `nas_network.build'
        "(arch)` (torch only, in this folder) rebuilds it, then `load_state_dict`;",
        origin=WeightsOrigin(),  # retrained from scratch
    )
