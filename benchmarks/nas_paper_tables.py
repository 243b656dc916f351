"""Benchmark: the thesis' (research 002) three experiments with hypernetwork-DARTS.

Per experiment one search (3 cells x 4 nodes) trains the whole family; architectures A-D are
derived at the thesis' s vectors and retrained from scratch, and set beside the published
row. The control check asks whether raising s_m lowered the count of op m against A; the
control sweep raises each s_m from 0.05 to 0.95 and counts op m along the way; the control
monotonicity raises s_m by 0.1 at random s and counts how often op m's count rose.

    .venv/bin/python benchmarks/nas_paper_tables.py --experiment all [--smoke --out /tmp]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.nas_common import (
    CHANNELS,
    add_common_flags,
    apply_smoke,
    control_monotonicity,
    describe,
    evaluate,
    history,
    load_data,
    params_of,
    run_and_record,
    search,
    strategy_config,
)
from mlcore.nas.paper import OP_KINDS, PAPER_TABLE, S_VECTORS, Experiment, PaperRow
from mlcore.nas.space.genotype import Genotype
from mlcore.nas.space.search_space import SearchSpace
from mlcore.nas.strategies.one_shot_result import SearchResult


def penalised_kind(s: tuple[float, ...], ops: tuple[str, ...]) -> str:
    """The op kind (pool, conv, identity) the largest entries of s penalise."""
    return OP_KINDS[ops[max(range(len(s)), key=s.__getitem__)]]


def control_check(members: dict[str, dict[str, Any]], ops: tuple[str, ...]) -> dict[str, Any]:
    """For B, C, D: did the kind their s penalises appear less often than in A (uniform)?
    `lowered` is None where A has none of it (nothing to lower); the check holds when no
    member kept or raised a count it could have lowered."""
    rows = []
    for label in "BCD":
        kind = penalised_kind(S_VECTORS[ops][label], ops)
        at_a, at_member = members["A"]["kinds"][kind], members[label]["kinds"][kind]
        rows.append(
            {
                "member": label,
                "penalised": kind,
                "count_A": at_a,
                "count_member": at_member,
                "lowered": at_member < at_a if at_a else None,
            }
        )
    return {"holds": all(row["lowered"] is not False for row in rows), "members": rows}


def thesis_counts_params(space: SearchSpace, row: PaperRow) -> dict[str, int]:
    """Parameters of our network (shared rows) carrying the thesis row's op counts: fewest
    with its weighted ops in the normal row first (built once), most with them in the
    reduction row first (built in every later cell). Only for one op of each kind (Exp 1
    and 3): the thesis does not say which of Exp 2's convs or pools its counts are."""
    kinds = {"pool": row.pool, "conv": row.conv, "identity": row.identity}
    by_kind = {OP_KINDS[op]: i for i, op in enumerate(space.ops) if op in OP_KINDS}
    ordered = [by_kind[kind] for kind in ("conv", "pool", "identity") for _ in range(kinds[kind])]
    edges = space.num_edges

    def placed(ops: list[int]) -> Genotype:
        return Genotype(space.ops, (tuple(ops[:edges]), tuple(ops[edges:])))

    return {
        "fewest": params_of(space, placed(ordered)),
        "most": params_of(space, placed(ordered[::-1])),
    }


SWEEP = (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95)


def control_sweep(result: SearchResult) -> dict[str, Any]:
    """For every op m: its count in the architecture at s_m = x (the rest shared equally),
    for x in SWEEP; whether the count never rises with x and ends lower than it started."""
    ops, k = result.space.ops, result.space.k
    sweep: dict[str, Any] = {}
    for m, op in enumerate(ops):
        counts = []
        for x in SWEEP:
            s = tuple(x if i == m else (1 - x) / (k - 1) for i in range(k))
            counts.append(result.derive(s).counts()[op])
        sweep[op] = {
            "s_m": list(SWEEP),
            "count": counts,
            "non_increasing": all(b <= a for a, b in pairwise(counts)),
            "lowered": counts[-1] < counts[0],
        }
    return sweep


def run_experiment(
    experiment: Experiment, args: argparse.Namespace, device: torch.device
) -> dict[str, Any]:
    """Search once, derive and retrain A-D; the experiment's result entry."""
    epochs = args.epochs or experiment.epochs
    retrain_epochs = args.retrain_epochs or epochs
    space = experiment.space(args.channels, args.preprocess, args.cell_sharing)
    config = strategy_config(args)
    data = load_data(experiment, args.train_images, args.test_images, args.seed, device)
    split = data.search(config.name)
    print(
        f"{experiment.name}: {experiment.dataset} ops {space.ops} C={space.channels} "
        f"{space.cell_sharing} cells, search {len(split.train)} weights + {len(split.val)} "
        f"choices, test {len(data.test)}",
        flush=True,
    )
    result, search_seconds = search(experiment.name, space, config, data, epochs, args.seed, device)
    paper = {row.label: row for row in PAPER_TABLE if row.experiment == experiment.name}
    members = {}
    for label, s in S_VECTORS[space.ops].items():
        genotype = result.derive(s)
        member = (
            describe(space, genotype)
            if args.search_only
            else evaluate(
                f"{experiment.name} {label}",
                space,
                genotype,
                data,
                retrain_epochs,
                args.seed,
                device,
            )
        )
        members[label] = {"s": list(s), **member, "paper": asdict(paper[label])}
        if space.cell_sharing == "shared" and len(space.ops) == 3:  # one op of each kind
            members[label]["paper_counts_params"] = thesis_counts_params(space, paper[label])
    check = control_check(members, space.ops)
    sweep = control_sweep(result)
    monotonicity = control_monotonicity(result, seed=args.seed)
    print(f"{experiment.name} control check holds: {check['holds']}", flush=True)
    print(
        f"{experiment.name} raising s_m by {monotonicity['step']} raised op m's count in "
        f"{monotonicity['count_rose']:.1%} of {monotonicity['samples']} random s",
        flush=True,
    )
    for op, row in sweep.items():
        print(f"{experiment.name} sweep s_{op} {row['s_m']}: count {row['count']}", flush=True)
    return {
        "experiment": experiment.name,
        "dataset": experiment.dataset,
        "space": space.to_dict(),
        "strategy": asdict(config),
        "search_epochs": epochs,
        "retrain_epochs": retrain_epochs,
        "search_images": {"weights": len(split.train), "choices": len(split.val)},
        "retrain_images": len(data.train),
        "test_images": len(data.test),
        "search_seconds": search_seconds,
        "search_history": history(result),
        "members": members,
        "control_check": check,
        "control_sweep": sweep,
        "control_monotonicity": monotonicity,
    }


def table(entry: dict[str, Any]) -> str:
    """One experiment as text: ours against the thesis per member."""
    lines = [f"{entry['experiment']} (ours | thesis): accuracy %, params, pool/conv/identity"]
    for label, m in entry["members"].items():
        k, p = m["kinds"], m["paper"]
        accuracy = f"{100 * m['test_accuracy']:.2f}" if "test_accuracy" in m else "-"
        lines.append(
            f"  {label}: {accuracy}, {m['params']:,}, "
            f"{k['pool']}/{k['conv']}/{k['identity']} | {p['accuracy']}, {p['params']:,}, "
            f"{p['pool']}/{p['conv']}/{p['identity']}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--experiment", choices=["1", "2", "3", "all"], default="all")
    parser.add_argument(
        "--search-only",
        action="store_true",
        help="derive A-D and measure control without retraining them",
    )
    add_common_flags(parser)
    args = parser.parse_args()
    apply_smoke(args)
    args.channels = args.channels or CHANNELS
    run_and_record(args, "nas-paper-tables", run_experiment, table)


if __name__ == "__main__":
    main()
