"""Run one job from its spec, self-contained:
`python -m worker.runner SPEC --storage URL [--work-dir DIR] [--weights-dir DIR]
[--weights-mirror URL] [--offline] [--resume]`.

Pulls the inputs from the storage it is given, runs the engine the spec's configuration
names, uploads everything under the spec's output prefix with a `result.json`, and prints
progress events on stdout (see worker.events). It needs mlcore and the storage library only
(no service settings, database or queue), so the same command runs on a cloud GPU VM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import traceback
from pathlib import Path, PurePosixPath

from mlcore.contract.job import DATASET_INPUT, JobSpec
from mlcore.contract.results import JobResult, ProgressEvent
from mlcore.contract.weights import WeightsSource, default_weights_dir
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from storage import Storage, open_storage
from storage.files import file_sha256, safe_extract
from worker.events import ERROR_PREFIX, EVENT_PREFIX, RESULT_FILE


def emit(event: ProgressEvent) -> None:
    print(EVENT_PREFIX + event.model_dump_json(), flush=True)


def fetch_inputs(spec: JobSpec, storage: Storage, work_dir: Path) -> tuple[Path, dict[str, Path]]:
    """The dataset, extracted, and every other input (an earlier model's file) by name."""
    archive = storage.get_file(spec.inputs[DATASET_INPUT], work_dir / "dataset.zip")
    dataset_dir = safe_extract(archive, work_dir / "dataset")
    files = {
        name: storage.get_file(key, work_dir / "inputs" / name / PurePosixPath(key).name)
        for name, key in spec.inputs.items()
        if name != DATASET_INPUT
    }
    return dataset_dir, files


def run(
    spec: JobSpec,
    storage: Storage,
    work_dir: Path,
    weights: WeightsSource | None = None,
    resume: bool = False,
) -> JobResult:
    """Fetch the inputs, run the job's engine, upload its outputs and result.json."""
    epochs = spec.params.epochs
    emit(ProgressEvent(type="log", epochs=epochs, message="downloading dataset"))
    dataset_dir, inputs = fetch_inputs(spec, storage, work_dir)
    request = EngineRequest(
        spec.params,
        dataset_dir,
        work_dir,
        emit,
        inputs=inputs,
        weights=weights or WeightsSource(),
        resume=resume,
        llm_api_key=spec.llm_api_key,
    )
    result = run_job(request)
    package = request.output_dir / result.files["package"]
    result.package_sha256, result.package_size = file_sha256(package), package.stat().st_size
    message = "uploading artifacts"
    emit(ProgressEvent(type="log", epoch=epochs, epochs=epochs, progress=0.99, message=message))
    storage.put_folder(spec.output_prefix, request.output_dir)
    storage.put_bytes(f"{spec.output_prefix}/{RESULT_FILE}", result.model_dump_json().encode())
    return result


def _stop(signum: int, _frame: object) -> None:
    """A stop request (the worker cancelling) unwinds the job like an error would, so what
    is half-written (a checkpoint being saved) is cleaned up on the way out."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(prog="python -m worker.runner", description=__doc__)
    parser.add_argument("spec", type=Path, help="path to a JobSpec JSON file")
    parser.add_argument(
        "--storage",
        required=True,
        help="where inputs and outputs are: file:///DIR or s3://BUCKET/PREFIX?endpoint=URL"
        "&region=R (S3 credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
    )
    parser.add_argument("--work-dir", type=Path, help="scratch folder (default: a temp dir)")
    parser.add_argument(
        "--weights-dir",
        type=Path,
        default=default_weights_dir(),
        help="publisher weights cache, fetched into on first use (pretrained: true)",
    )
    parser.add_argument("--weights-mirror", metavar="URL", help="fetch weights from URL/<file>")
    parser.add_argument("--offline", action="store_true", help="never fetch publisher weights")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue from the last epoch checkpoint an earlier attempt left in --work-dir",
    )
    args = parser.parse_args(argv)
    try:
        spec = JobSpec.model_validate_json(args.spec.read_text())
        storage = open_storage(args.storage)
        weights = WeightsSource(args.weights_dir, args.weights_mirror, args.offline)
        if args.work_dir:
            args.work_dir.mkdir(parents=True, exist_ok=True)
            run(spec, storage, args.work_dir, weights, resume=args.resume)
        else:
            with tempfile.TemporaryDirectory(prefix="konstruktor-job-") as tmp:
                run(spec, storage, Path(tmp), weights)
    except Exception as exc:
        traceback.print_exc()
        print(ERROR_PREFIX + (str(exc) or type(exc).__name__), file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
