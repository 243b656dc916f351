"""Run one job on a cloud machine that holds no credentials: `python -m worker.vm_agent
MANIFEST [--root DIR]`, started by the machine's cloud-init (worker.compute.yandex.userdata).

The manifest names short-lived presigned URLs only. The agent downloads the spec, the
inputs and the last checkpoint, runs the same `python -m worker.runner` as a local job
against a local folder, and meanwhile uploads its progress events (the whole list so far,
every `interval_s`) and each new checkpoint; at the end the outputs as one tar and, last,
`exit.json` with the runner's exit code and error. Needs only the standard library, the
storage library's file helpers and the runner's own packages.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from mlcore.engines.base import RESUME_DIR
from storage.files import pack_folder, unpack_folder
from worker.events import ERROR_PREFIX, EVENT_PREFIX

TIMEOUT_S = 120
ATTEMPTS = 5


def _request(method: str, url: str, data: bytes | None = None) -> bytes:
    """One HTTP request, retried a few times on network errors and 5xx answers."""
    error: Exception | None = None
    for _ in range(ATTEMPTS):
        try:
            request = urllib.request.Request(url, data=data, method=method)
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                raise
            error = exc
        except OSError as exc:
            error = exc
    assert error is not None
    raise error


def download(url: str, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_bytes(_request("GET", url))
    return dest


def upload(url: str, data: bytes) -> None:
    _request("PUT", url, data)


def _signature(folder: Path) -> list[tuple[str, int, int]]:
    """What changes when a checkpoint is written into `folder`."""
    files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return [(p.as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files]


class Uploader:
    """Sends the events collected so far and each new checkpoint, every `interval_s`."""

    def __init__(self, manifest: dict[str, Any], resume: Path, root: Path) -> None:
        self.urls = manifest["put"]
        self.interval_s = float(manifest.get("interval_s", 10))
        self.resume, self.root = resume, root
        self.events: list[str] = []
        self._sent_events = 0
        self._sent_resume = _signature(resume)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def add(self, event_json: str) -> None:
        with self._lock:
            self.events.append(event_json)

    def send(self) -> None:
        """Upload what changed since the last send."""
        with self._lock:
            events = list(self.events)
        if len(events) != self._sent_events:
            upload(self.urls["events"], "".join(e + "\n" for e in events).encode())
            self._sent_events = len(events)
        signature = _signature(self.resume)
        if signature and signature != self._sent_resume:
            archive = pack_folder(self.resume, self.root / "resume.tar")
            upload(self.urls["resume"], archive.read_bytes())
            self._sent_resume = signature

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.send()
            except OSError as exc:  # the next pass tries again
                print(f"upload failed: {exc}", file=sys.stderr, flush=True)

    def __enter__(self) -> Uploader:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.send()


def fetch(manifest: dict[str, Any], root: Path) -> tuple[Path, Path, Path]:
    """The spec, the local store with the inputs under their storage keys, and the work
    folder with the last checkpoint (when an earlier machine or attempt left one)."""
    spec = download(manifest["spec"], root / "spec.json")
    store, work = root / "store", root / "work"
    for key, url in manifest["inputs"].items():
        download(url, store / key)
    (work / RESUME_DIR).mkdir(parents=True, exist_ok=True)
    try:
        archive = download(manifest["resume"], root / "resume-in.tar")
    except urllib.error.HTTPError as exc:
        if exc.code not in (403, 404):  # no checkpoint yet
            raise
    else:
        unpack_folder(archive, work / RESUME_DIR)
    return spec, store, work


def run(manifest: dict[str, Any], root: Path) -> tuple[int, str | None]:
    """Fetch, run the runner while uploading its progress, upload its outputs; the exit
    code and the runner's error message."""
    spec_path, store, work = fetch(manifest, root)
    output_prefix = json.loads(spec_path.read_text())["output_prefix"]
    stderr_path = root / "runner-stderr.log"
    command = [sys.executable, "-m", "worker.runner", str(spec_path), "--storage"]
    command += [store.resolve().as_uri(), "--work-dir", str(work), "--resume"]
    with stderr_path.open("w") as stderr, Uploader(manifest, work / RESUME_DIR, root) as up:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True)
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(EVENT_PREFIX):
                up.add(line[len(EVENT_PREFIX) :].strip())
        code = proc.wait()
    lines = stderr_path.read_text(errors="replace").splitlines()
    errors = [ln[len(ERROR_PREFIX) :].strip() for ln in lines if ln.startswith(ERROR_PREFIX)]
    error = errors[-1] if errors else ("\n".join(lines[-20:]) if code else None)
    if code == 0:
        archive = pack_folder(store / output_prefix, root / "outputs.tar")
        upload(manifest["put"]["outputs"], archive.read_bytes())
    return code, error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.vm_agent", description=__doc__)
    parser.add_argument("manifest", type=Path, help="the job's manifest (presigned URLs)")
    parser.add_argument("--root", type=Path, help="scratch folder (default: beside MANIFEST)")
    args = parser.parse_args(argv)
    manifest = json.loads(args.manifest.read_text())
    root = args.root or args.manifest.parent / "job"
    root.mkdir(parents=True, exist_ok=True)
    try:
        code, error = run(manifest, root)
    except Exception as exc:  # the worker learns why from exit.json, not from a silent VM
        code, error = 1, f"the machine could not run the job: {exc}"
    upload(manifest["put"]["exit"], json.dumps({"code": code, "error": error}).encode())
    return code


if __name__ == "__main__":
    sys.exit(main())
