"""Run one job from its spec, self-contained: `python -m worker.runner SPEC [--work-dir DIR]`.

Pulls the inputs from storage, runs mlcore, uploads everything under the spec's output
prefix with a `result.json`, and prints progress events on stdout (see worker.events).
The same command is what a cloud GPU VM runs.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from backend.settings import get_settings
from backend.storage import Storage, create_storage
from mlcore.engines import SearchRequest, TrainRequest, run_search_job, run_train_job
from mlcore.spec import JobResult, JobSpec, ProgressEvent, SearchConfig, TrainConfig
from worker.events import ERROR_PREFIX, EVENT_PREFIX, RESULT_FILE


def emit(event: ProgressEvent) -> None:
    print(EVENT_PREFIX + event.model_dump_json(), flush=True)


def safe_extract(archive: Path, dest: Path) -> Path:
    """Extract `archive` into `dest`, refusing any member that would land outside it."""
    dest.mkdir(parents=True, exist_ok=True)
    root = dest.resolve()
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename).parts
            target = root.joinpath(*parts).resolve()
            if ".." in parts or info.filename.startswith("/") or not target.is_relative_to(root):
                raise ValueError(f"unsafe path in dataset archive: {info.filename!r}")
        zf.extractall(root)
    return root


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def upload_outputs(storage: Storage, out_dir: Path, prefix: str) -> None:
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        storage.put_file(f"{prefix}/{path.relative_to(out_dir).as_posix()}", path)


def train(spec: JobSpec, dataset_dir: Path, work_dir: Path, resume: bool) -> JobResult:
    """A catalog model's training job (transfer learning starts from `init_weights`)."""
    if not isinstance(spec.params, TrainConfig):
        raise TypeError("a train job needs TrainConfig params")
    init_key = spec.inputs.get("init_weights")
    storage = create_storage(get_settings())
    init_weights = storage.get_file(init_key, work_dir / "init.pt") if init_key else None
    request = TrainRequest(
        spec.params,
        dataset_dir,
        work_dir,
        emit,
        weights_dir=get_settings().resolved_weights_dir,
        resume=resume,
        init_weights=init_weights,
    )
    return run_train_job(request)


def search(spec: JobSpec, dataset_dir: Path, work_dir: Path, resume: bool) -> JobResult:
    """An architecture search job (or the retraining of an earlier search's `family`)."""
    if not isinstance(spec.params, SearchConfig):
        raise TypeError("a search job needs SearchConfig params")
    family_key = spec.inputs.get("family")
    storage = create_storage(get_settings())
    family = storage.get_file(family_key, work_dir / "family.json") if family_key else None
    request = SearchRequest(spec.params, dataset_dir, work_dir, emit, resume=resume, family=family)
    return run_search_job(request)


KINDS: dict[str, Callable[[JobSpec, Path, Path, bool], JobResult]] = {
    "train": train,
    "search": search,
}


def run(spec: JobSpec, work_dir: Path, resume: bool = False) -> JobResult:
    storage = create_storage(get_settings())
    emit(ProgressEvent(type="log", epochs=spec.params.epochs, message="downloading dataset"))
    archive = storage.get_file(spec.inputs["dataset"], work_dir / "dataset.zip")
    dataset_dir = safe_extract(archive, work_dir / "dataset")
    result = KINDS[spec.kind](spec, dataset_dir, work_dir, resume)
    out_dir = work_dir / "output"
    package = out_dir / result.files["package"]
    result.info["package_sha256"] = sha256_of(package)
    result.info["package_size"] = package.stat().st_size
    emit(
        ProgressEvent(
            type="log",
            epoch=spec.params.epochs,
            epochs=spec.params.epochs,
            progress=0.99,
            message="uploading artifacts",
        )
    )
    upload_outputs(storage, out_dir, spec.output_prefix)
    storage.put_bytes(f"{spec.output_prefix}/{RESULT_FILE}", result.model_dump_json().encode())
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.runner", description=__doc__)
    parser.add_argument("spec", type=Path, help="path to a JobSpec JSON file")
    parser.add_argument("--work-dir", type=Path, help="scratch folder (default: a temp dir)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue from the last epoch checkpoint an earlier attempt left in --work-dir",
    )
    args = parser.parse_args(argv)
    try:
        spec = JobSpec.model_validate_json(args.spec.read_text())
        if args.work_dir:
            args.work_dir.mkdir(parents=True, exist_ok=True)
            run(spec, args.work_dir, resume=args.resume)
        else:
            with tempfile.TemporaryDirectory(prefix="konstruktor-job-") as tmp:
                run(spec, Path(tmp))
    except Exception as exc:
        traceback.print_exc()
        print(ERROR_PREFIX + (str(exc) or type(exc).__name__), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
