"""Run a job on a Yandex Cloud GPU machine of its own, and never leave the machine behind.

One run: stage the spec, the inputs, the runner wheel and the last checkpoint in the
bucket; wait for a free machine slot (KONSTRUKTOR_YC_MAX_VMS); create the machine with
user-data that names presigned URLs only; read its progress events from the bucket and
mirror each checkpoint it uploads into the job's local resume folder (as a local run
keeps it); on `exit.json`, import the outputs like a local run's. The machine is deleted
in a `finally`, whatever happened. A preempted machine is replaced by a new one that
resumes from the last checkpoint, at most KONSTRUKTOR_YC_MAX_PREEMPTIONS times.
"""

from __future__ import annotations

import json
import logging
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backend.storage import create_storage
from backend.yandex_settings import YANDEX, YandexSettings, get_yandex_settings
from mlcore.contract.job import JobSpec
from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.engines.base import RESUME_DIR
from storage import Storage, StorageError
from storage.files import file_sha256, pack_folder, unpack_folder
from storage.s3 import S3Storage
from worker.compute.base import (
    COMPUTE_BACKENDS,
    ComputeBackend,
    JobCancelled,
    JobFailed,
    JobHooksProtocol,
)
from worker.compute.local import job_folder
from worker.compute.yandex import machines
from worker.compute.yandex.cloud import (
    LABEL_ATTEMPT,
    LABEL_JOB,
    LABEL_MACHINE,
    CloudError,
    YandexCloud,
)
from worker.compute.yandex.userdata import user_data
from worker.events import RESULT_FILE

log = logging.getLogger(__name__)

MAX_URL_TTL_S = 7 * 24 * 3600  # the longest a SigV4 presigned URL may live
GONE = {"STOPPING", "STOPPED", "CRASHED", "ERROR", "DELETING"}
AGENT_INTERVAL_S = 10.0


def bucket_storage(settings: YandexSettings) -> S3Storage:
    """The bucket that carries jobs to and from the machines."""
    return S3Storage(
        bucket=settings.bucket,
        endpoint_url=settings.s3_endpoint,
        region=settings.s3_region,
        access_key_id=settings.s3_access_key_id,
        secret_access_key=settings.s3_secret_access_key,
        prefix=settings.s3_prefix,
    )


@dataclass
class Keys:
    """Where one job's objects are in the bucket."""

    root: str

    def input(self, key: str) -> str:
        return f"{self.root}/inputs/{key}"

    @property
    def spec(self) -> str:
        return f"{self.root}/spec.json"

    @property
    def resume(self) -> str:
        return f"{self.root}/resume.tar"

    @property
    def events(self) -> str:
        return f"{self.root}/events.jsonl"

    @property
    def outputs(self) -> str:
        return f"{self.root}/outputs.tar"

    @property
    def exit(self) -> str:
        return f"{self.root}/exit.json"


@dataclass
class Watch:
    """What one machine's run has reported so far."""

    seen: int = 0
    resume_etag: str | None = None
    ready: bool = False
    last_status_check: float = -math.inf  # the first look asks at once


class Preempted(Exception):
    """The machine stopped before its job finished (a preemptible machine was reclaimed)."""


@COMPUTE_BACKENDS.register(YANDEX)
class YandexBackend(ComputeBackend):
    """A Yandex Cloud GPU machine per run of the job (docs/yandex-cloud.md)."""

    def __init__(self) -> None:
        self.settings = get_yandex_settings()
        self.cloud = YandexCloud(self.settings)
        self.bucket = bucket_storage(self.settings)
        self.poll_s = self.settings.poll_s
        self.last = ProgressEvent()  # the job's latest event, whichever machine sent it

    def _say(self, hooks: JobHooksProtocol, message: str) -> None:
        """A log line of the backend's own, at the job's current progress."""
        last = self.last
        event = ProgressEvent(
            type="log",
            epoch=last.epoch,
            epochs=last.epochs,
            progress=last.progress,
            message=message,
        )
        hooks.on_event(event)

    # -- the job ---------------------------------------------------------------------------

    def run(self, spec: JobSpec, hooks: JobHooksProtocol) -> JobResult:
        service = create_storage()
        keys = Keys(f"jobs/{spec.job_id}")
        attempt = hooks.attempt
        try:
            with job_folder(spec.job_id) as tmp:
                resume = tmp / "work" / RESUME_DIR
                runner = self._stage(spec, service, keys)
                for preemptions in range(self.settings.max_preemptions + 1):
                    try:
                        self._run_machine(spec, hooks, attempt, keys, runner, resume, tmp)
                        break
                    except Preempted as exc:
                        if preemptions == self.settings.max_preemptions:
                            raise JobFailed(
                                f"{exc}; preempted {preemptions + 1} time(s), giving up "
                                "(KONSTRUKTOR_YC_MAX_PREEMPTIONS)"
                            ) from exc
                        self._say(
                            hooks,
                            f"{exc}; resuming from the last checkpoint on a new machine "
                            f"({preemptions + 1} of {self.settings.max_preemptions} "
                            "preemptions allowed)",
                        )
                outputs = unpack_folder(
                    self.bucket.get_file(keys.outputs, tmp / "outputs.tar"), tmp / "outputs"
                )
                service.put_folder(spec.output_prefix, outputs)
        finally:
            try:
                self.bucket.delete_prefix(keys.root)
            except StorageError:  # the bucket's lifecycle rule is the safety net
                log.exception("the bucket objects of job %s were not deleted", spec.job_id)
        raw = service.read_bytes(f"{spec.output_prefix}/{RESULT_FILE}")
        return JobResult.model_validate(json.loads(raw))

    def _stage(self, spec: JobSpec, service: Storage, keys: Keys) -> dict[str, str]:
        """Copy the spec and the inputs into the bucket, and the runner once per build; the
        runner's bucket keys."""
        self.bucket.put_bytes(keys.spec, spec.model_dump_json().encode())
        for key in spec.inputs.values():
            self.bucket.put_stream(keys.input(key), service.iter_chunks(key))
        wheel = self.settings.wheel()
        requirements = wheel.parent / "requirements-runner.txt"
        if not requirements.is_file():
            raise JobFailed(
                f"{requirements} is missing beside the runner wheel: run `make runner-wheel`"
            )
        folder = f"runner/{file_sha256(wheel)[:16]}-{file_sha256(requirements)[:8]}"
        runner = {
            "wheel": f"{folder}/{wheel.name}",
            "requirements": f"{folder}/{requirements.name}",
        }
        for path, key in ((wheel, runner["wheel"]), (requirements, runner["requirements"])):
            if not self.bucket.exists(key):
                self.bucket.put_file(key, path)
        return runner

    # -- one machine -----------------------------------------------------------------------

    def _manifest(self, spec: JobSpec, keys: Keys, runner: dict[str, str]) -> dict[str, Any]:
        """The machine's instructions: presigned URLs that live as long as the job may."""
        max_s = int(self.settings.max_job_hours * 3600)
        ttl = min(MAX_URL_TTL_S, max_s + int(self.settings.startup_s) + 3600)
        get = lambda key: self.bucket.download_url(key, ttl)  # noqa: E731
        put = lambda key: self.bucket.upload_url(key, ttl)  # noqa: E731
        return {
            "job_id": spec.job_id,
            "spec": get(keys.spec),
            "inputs": {key: get(keys.input(key)) for key in spec.inputs.values()},
            "resume": get(keys.resume),
            "put": {
                name: put(getattr(keys, name)) for name in ("events", "resume", "outputs", "exit")
            },
            "runner": {
                "wheel": get(runner["wheel"]),
                "wheel_name": Path(runner["wheel"]).name,
                "requirements": get(runner["requirements"]),
            },
            "interval_s": AGENT_INTERVAL_S,
            "max_seconds": max_s,
        }

    def _reserve(self, spec: JobSpec, hooks: JobHooksProtocol, attempt: int) -> int:
        """A machine slot; waits (visibly, cancellable) while the limit is reached."""
        s = self.settings
        said = False
        while True:
            machine_id = machines.reserve(
                YANDEX, spec.job_id, attempt, s.max_vms, s.price_per_hour, s.currency
            )
            if machine_id is not None:
                return machine_id
            if not said:
                self._say(
                    hooks,
                    f"waiting for a Yandex Cloud machine: all {s.max_vms} allowed "
                    "(KONSTRUKTOR_YC_MAX_VMS) are busy with other jobs",
                )
                said = True
            if hooks.should_cancel():
                raise JobCancelled()
            time.sleep(self.poll_s)

    def _run_machine(
        self,
        spec: JobSpec,
        hooks: JobHooksProtocol,
        attempt: int,
        keys: Keys,
        runner: dict[str, str],
        resume: Path,
        tmp: Path,
    ) -> None:
        """One machine, from creation to deletion; returns when the job's outputs are in the
        bucket. Raises Preempted, JobFailed or JobCancelled."""
        for key in (keys.events, keys.exit, keys.outputs):  # an earlier machine's
            self.bucket.delete_prefix(key)
        if any(p.is_file() for p in resume.rglob("*")):
            self.bucket.put_file(keys.resume, pack_folder(resume, tmp / "resume-out.tar"))
        else:
            self.bucket.delete_prefix(keys.resume)
        machine_id = self._reserve(spec, hooks, attempt)
        manifest = self._manifest(spec, keys, runner)  # its URLs live from now
        outcome = "failed"
        instance_id: str | None = None
        try:
            labels = {
                LABEL_JOB: spec.job_id,
                LABEL_ATTEMPT: str(attempt),
                LABEL_MACHINE: str(machine_id),
            }
            name = f"konstruktor-{spec.job_id[:16]}-{machine_id}"
            request = self.cloud.request(name, labels, user_data(manifest))
            self._say(hooks, f"starting a machine ({self.settings.machine})")
            instance_id, operation = self.cloud.create(request)
            machines.set_instance(machine_id, instance_id)
            self.cloud.wait(operation, "creating the machine")
            hooks.on_event(
                ProgressEvent(
                    type="log", message=f"machine {instance_id} is up; installing the runner"
                )
            )
            outcome = self._watch(spec, hooks, machine_id, instance_id, keys, resume, tmp)
        except JobCancelled:
            outcome = "cancelled"
            raise
        except Preempted:
            outcome = "preempted"
            raise
        except CloudError as exc:
            raise JobFailed(str(exc)) from exc
        finally:
            self._delete(machine_id, instance_id, outcome)

    def _delete(self, machine_id: int, instance_id: str | None, outcome: str) -> None:
        """Delete the machine and close its record; a machine the cloud would not delete
        stays on record as running, for the reaper's next pass."""
        if instance_id is not None:
            try:
                self.cloud.delete(instance_id)
            except CloudError:
                log.exception("machine %s was not deleted; the reaper will retry", instance_id)
                return
        machines.release(machine_id, outcome)

    def _watch(
        self,
        spec: JobSpec,
        hooks: JobHooksProtocol,
        machine_id: int,
        instance_id: str,
        keys: Keys,
        resume: Path,
        tmp: Path,
    ) -> str:
        """Follow the machine until its job exits; the outcome."""
        watch = Watch()
        deadline = time.monotonic() + self.settings.max_job_hours * 3600
        while True:
            if hooks.should_cancel():
                raise JobCancelled()
            self._events(hooks, machine_id, keys, watch)
            self._checkpoint(keys, watch, resume, tmp)
            if self.bucket.exists(keys.exit):
                self._events(hooks, machine_id, keys, watch)
                ended = json.loads(self.bucket.read_bytes(keys.exit))
                if ended.get("code") != 0:
                    raise JobFailed(ended.get("error") or "the job failed on the machine")
                return "succeeded"
            if time.monotonic() > deadline:
                raise JobFailed(
                    f"the job ran past its limit of {self.settings.max_job_hours:g} h "
                    "(KONSTRUKTOR_YC_MAX_JOB_HOURS)"
                )
            now = time.monotonic()
            if now - watch.last_status_check >= self.settings.status_poll_s:
                watch.last_status_check = now
                machine = self.cloud.get(instance_id)
                status = machine.status if machine else "DELETED"
                if status in GONE or machine is None:
                    if self.bucket.exists(keys.exit):
                        continue  # it finished just before it stopped
                    if self.settings.preemptible:
                        raise Preempted(f"machine {instance_id} was preempted ({status})")
                    raise JobFailed(f"machine {instance_id} stopped unexpectedly ({status})")
            time.sleep(self.poll_s)

    def _events(self, hooks: JobHooksProtocol, machine_id: int, keys: Keys, watch: Watch) -> None:
        """Pass on the progress events the machine uploaded since the last look."""
        if not self.bucket.exists(keys.events):
            return
        lines = self.bucket.read_bytes(keys.events).decode().splitlines()
        for line in lines[watch.seen :]:
            self.last = ProgressEvent.model_validate_json(line)
            hooks.on_event(self.last)
        watch.seen = max(watch.seen, len(lines))
        if lines and not watch.ready:
            machines.mark_ready(machine_id)
            watch.ready = True

    def _checkpoint(self, keys: Keys, watch: Watch, resume: Path, tmp: Path) -> None:
        """Mirror a new checkpoint from the bucket into the job's resume folder."""
        etag = self.bucket.etag(keys.resume)
        if etag is None or etag == watch.resume_etag:
            return
        archive = self.bucket.get_file(keys.resume, tmp / "resume-in.tar")
        unpack_folder(archive, resume.resolve())
        watch.resume_etag = etag
