"""A crash leaves nothing behind: children die with their parent, scratch files of dead
processes are swept when the API starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from backend.services.uploads import process_tmp_dir, sweep_tmp
from tests.support.paths import ROOT
from tests.support.processes import alive

PARENT = """
import subprocess, sys
from backend.child_processes import child_environment, dies_with_parent
SELF_ARMED = "from backend.child_processes import die_with_parent as d; import time; d(); "
if sys.argv[1] == "preexec":  # another program, armed by its parent
    child = subprocess.Popen(["sleep", "600"], preexec_fn=dies_with_parent())
else:  # Konstruktor's own child, armed by itself (as the ingest check is)
    command = [sys.executable, "-c", SELF_ARMED + "print('armed', flush=True); time.sleep(600)"]
    child = subprocess.Popen(command, env=child_environment({"PYTHONPATH": "."}), stdout=-1)
    child.stdout.readline()
print(child.pid, flush=True)
child.wait()
"""


@pytest.mark.parametrize("armed_by", ["preexec", "itself"])
def test_a_child_dies_when_its_parent_is_killed(armed_by: str) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, armed_by], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    if alive([child], wait_s=20):
        os.kill(child, signal.SIGKILL)
        raise AssertionError(f"the child {child} outlived its killed parent")


def test_leftovers_of_dead_processes_are_swept(tmp_path: Path) -> None:
    var = tmp_path / "var"
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftovers = [var / "tmp" / f"pid-{dead.pid}" / "upload-1.zip", var / "tmp" / "upload-2.zip"]
    alive = var / "tmp" / f"pid-{os.getppid()}" / "upload-3.zip"  # another live process's
    mine = process_tmp_dir(var) / "upload-4.zip"  # an earlier process with this id
    for path in [*leftovers, alive, mine]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1024)
    removed = sweep_tmp(var)
    assert sorted(removed) == sorted([leftovers[0].parent, leftovers[1], process_tmp_dir(var)])
    assert alive.exists() and not any(p.exists() for p in [*leftovers, mine])


def test_a_starting_api_sweeps_what_a_killed_one_left(sqlite_service: Path) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    leftover = sqlite_service / "tmp" / f"pid-{dead.pid}" / "upload-1.zip"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"x" * 1024)
    from backend.main import create_app

    with TestClient(create_app()):
        assert not leftover.parent.exists()
