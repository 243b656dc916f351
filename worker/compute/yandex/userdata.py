"""The cloud-init user-data that turns a fresh GPU machine into one job's runner.

It writes the job's manifest (presigned URLs only: the machine holds no long-lived secret)
and a start script that installs the pinned runner wheel into a virtual environment, runs
`python -m worker.vm_agent` under the job's time limit, and powers the machine off after,
so that even a machine whose worker is gone stops costing for its GPU. An installation that
fails reports itself through the manifest's exit URL.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

HOME = "/opt/konstruktor"
MANIFEST = f"{HOME}/job.json"
START = f"{HOME}/start.sh"
AGENT_MODULE = "worker.vm_agent"

START_SCRIPT = f"""#!/bin/bash
# Konstruktor: install the pinned runner, run one job, power off.
set -uo pipefail
cd {HOME}
field() {{ python3 -c "import json,sys; print(json.load(open('{MANIFEST}'))$1)"; }}
report() {{
  python3 - "$1" <<'PY'
import json, sys, urllib.request
manifest = json.load(open("{MANIFEST}"))
body = json.dumps({{"code": 1, "error": sys.argv[1]}}).encode()
urllib.request.urlopen(urllib.request.Request(manifest["put"]["exit"], data=body, method="PUT"))
PY
}}
install() {{
  set -e
  command -v nvidia-smi >/dev/null && nvidia-smi
  python3 -m venv venv \
    || {{ apt-get update && apt-get install -y python3-venv && python3 -m venv venv; }}
  curl -fsSL --retry 5 "$(field "['runner']['requirements']")" -o requirements-runner.txt
  curl -fsSL --retry 5 "$(field "['runner']['wheel']")" -o "$(field "['runner']['wheel_name']")"
  venv/bin/pip install --quiet --upgrade pip
  venv/bin/pip install --quiet -r requirements-runner.txt
  venv/bin/pip install --quiet --no-deps "./$(field "['runner']['wheel_name']")"
}}
if ! (install) > install.log 2>&1; then
  report "installing the runner on the machine failed: $(tail -c 1500 install.log)"
else
  timeout "$(field "['max_seconds']")" venv/bin/python -m {AGENT_MODULE} {MANIFEST} \\
    || echo "the job agent exited with $?"
fi
sleep 60
poweroff
"""


def user_data(manifest: dict[str, Any]) -> str:
    """The `#cloud-config` document for a machine that runs the job `manifest` describes."""
    config = {
        "write_files": [
            {"path": MANIFEST, "permissions": "0600", "content": json.dumps(manifest)},
            {"path": START, "permissions": "0755", "content": START_SCRIPT},
        ],
        "runcmd": [["bash", "-c", f"{START} > {HOME}/start.log 2>&1"]],
    }
    return "#cloud-config\n" + yaml.safe_dump(config, sort_keys=False, width=1 << 20)


def manifest_of(document: str) -> dict[str, Any]:
    """The manifest a user-data document carries (what a machine, or a test's fake one, runs)."""
    config = yaml.safe_load(document)
    for entry in config["write_files"]:
        if entry["path"] == MANIFEST:
            manifest: dict[str, Any] = json.loads(entry["content"])
            return manifest
    raise ValueError("the user-data carries no job manifest")
