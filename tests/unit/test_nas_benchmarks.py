"""The NAS benchmarks run end to end (--smoke) and record consistent results."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support.paths import ROOT, shared_dataset

pytestmark = pytest.mark.slow  # trains models


def run_benchmark(script: str, out: Path) -> dict[str, Any]:
    """Run benchmarks/`script` --smoke on experiment 1 (Fashion-MNIST); its result file."""
    command = [sys.executable, f"benchmarks/{script}", "--experiment", "1", "--smoke"]
    ran = subprocess.run(
        [*command, "--out", str(out)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    (path,) = out.glob("*.json")
    result: dict[str, Any] = json.loads(path.read_text())
    return result


def test_paper_tables_record_members_and_the_control_sweep(tmp_path: Path) -> None:
    (entry,) = run_benchmark("nas_paper_tables.py", tmp_path)["experiments"]
    assert set(entry["members"]) == {"A", "B", "C", "D"}
    assert entry["space"]["cell_sharing"] == "shared"
    for label, member in entry["members"].items():
        assert sum(member["op_counts"].values()) == 28  # a normal and a reduction cell
        assert 0.0 <= member["test_accuracy"] <= 1.0 and member["params"] > 0
        placed = member["paper_counts_params"]  # the thesis row's counts in our network
        assert 0 < placed["fewest"] <= placed["most"], label
        assert (placed["fewest"] == placed["most"]) == (member["paper"]["conv"] == 0), label
    sweep = entry["control_sweep"]
    assert set(sweep) == {"maxpool3", "identity", "conv3"}
    for row in sweep.values():
        assert len(row["count"]) == len(row["s_m"]) and all(0 <= n <= 28 for n in row["count"])
    monotonicity = entry["control_monotonicity"]
    assert set(monotonicity["per_op"]) == {"maxpool3", "identity", "conv3"}
    assert monotonicity["count_rose"] + monotonicity["count_fell"] <= 1.0


def test_baselines_compare_every_method_on_every_member(tmp_path: Path) -> None:
    (entry,) = run_benchmark("nas_baselines.py", tmp_path)["experiments"]
    methods = entry["runs"][0]["methods"]
    assert set(methods) == {"hyper_darts", "random", "darts", "gdas"}
    for label in "ABCD":
        ours, shuffled = methods["hyper_darts"][label], methods["random"][label]
        assert shuffled["params"] == ours["params"]  # the same ops on other edges
        assert shuffled["op_counts"] == ours["op_counts"]
        stats = entry["summary"]["darts"][label]
        assert stats["test_accuracy"] == {
            "mean": methods["darts"][label]["test_accuracy"],
            "std": 0.0,
        }
        assert stats["p_hyper_darts"] is None  # one seed: no test
    rose = entry["runs"][0]["control_monotonicity"]["count_rose"]
    assert entry["summary"]["control_monotonicity"]["count_rose"] == {"mean": rose, "std": 0.0}


def test_the_control_check_skips_kinds_a_never_had() -> None:
    from benchmarks.nas_paper_tables import control_check
    from mlcore.nas.paper import OPS_3

    def member(pool: int, conv: int, identity: int) -> dict[str, Any]:
        return {"kinds": {"pool": pool, "conv": conv, "identity": identity}}

    members = {"A": member(10, 32, 0), "B": member(30, 4, 8), "C": member(0, 42, 0)}
    check = control_check({**members, "D": member(12, 30, 0)}, OPS_3)
    assert [row["lowered"] for row in check["members"]] == [True, True, None]
    assert check["holds"]
    worse = control_check({**members, "C": member(10, 32, 0), "D": member(12, 30, 0)}, OPS_3)
    assert [row["lowered"] for row in worse["members"]] == [True, False, None]
    assert not worse["holds"]


def test_welch_p_separates_clear_gaps_from_noise() -> None:
    from benchmarks.nas_baselines import welch_p

    clear, noise = (
        welch_p([0.70, 0.71, 0.72], [0.50, 0.51, 0.52]),
        welch_p([0.7, 0.6, 0.8], [0.69, 0.59, 0.81]),
    )
    assert clear is not None and clear < 0.001
    assert noise is not None and noise > 0.5
    assert welch_p([0.7], [0.5, 0.6]) is None


def test_control_monotonicity_counts_the_raises_that_raised_the_op() -> None:
    """On a stand-in search whose op 0 count follows s_0 the wrong way, every raise of s_0
    raises it; ops 1 and 2 never move."""
    from benchmarks.nas_common import control_monotonicity
    from mlcore.nas.space.genotype import Genotype

    class WrongWay:
        space = type("Space", (), {"ops": ("maxpool3", "identity", "conv3"), "k": 3})()

        def derive(self, s: tuple[float, ...]) -> Genotype:
            n = min(14, int(s[0] * 14))  # op 0 on n edges: more as s_0 rises
            return Genotype(self.space.ops, ((0,) * n + (2,) * (14 - n),))

    result = control_monotonicity(WrongWay(), samples=50)  # type: ignore[arg-type]
    per_op = result["per_op"]
    assert per_op["maxpool3"]["count_rose"] > 0.9 and per_op["identity"]["count_rose"] == 0
    assert 0 < result["count_rose"] < 1


def test_job_budget_retrains_the_chosen_member_per_recipe(tmp_path: Path) -> None:
    shared_dataset("flowers12_fewshot.zip")  # fails clearly without ../shared
    command = [
        sys.executable,
        "benchmarks/nas_job_budget.py",
        *("--data", "flowers", "--seeds", "0", "--search-epochs", "1", "--retrain-epochs", "1"),
        *("--out", str(tmp_path)),
    ]
    ran = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stderr[-3000:]
    (path,) = tmp_path.glob("nas-job-budget-flowers-*.json")
    result = json.loads(path.read_text())
    (run,) = result["runs"]
    assert run["chance"] == pytest.approx(1 / 12) and run["train_images"] == 240
    assert run["search_split"] == {"weights": 192, "choices": 48}  # hyper_darts holds out 20 %
    assert run["space"]["cell_sharing"] == "shared"
    assert sum(run["chosen"]["counts"].values()) == 28
    assert set(run["recipes"]) == {"plain", "augment"}
    for recipe in run["recipes"].values():
        assert len(recipe["losses"]) == 1
    summary = result["summary"]["flowers"]
    assert summary["augment"]["mean"] == run["recipes"]["augment"]["val_accuracy"]
