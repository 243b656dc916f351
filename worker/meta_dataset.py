"""Build or grow the recommender's meta-dataset as a fan-out of Celery tasks.

    python -m worker.meta_dataset --tasks 100 --models resnet18,mobilenet_v2,... \
        --storage file:///path/to/meta [--name meta-v1] [--local]

Each (task, model) cell is one Celery task on the `<queue>-meta` queue
(`celery -A worker.meta_dataset worker -Q jobs-meta`, the default queue's); it writes its record to
`<name>/cells/<task>/<model>.json` in the storage. The command sends only the cells that
have no record yet, so an interrupted build resumes and a larger one (more tasks or models)
adds rows without recomputing any; it waits with a progress bar and an ETA, then writes
`<name>/matrix.json` from every cell the build holds (this plan's and earlier ones').
Any number of workers on any machines may share the storage (S3 for many GPU machines).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tqdm import tqdm

from backend.queue import make_celery
from backend.settings import get_settings
from storage import Storage, open_storage

CELL_TASK = "konstruktor.meta_cell"
app = make_celery()
META_QUEUE = f"{get_settings().queue_name}-meta"


@dataclass(frozen=True)
class Build:
    """Where a build keeps its cells and matrix."""

    storage: Storage
    name: str

    def cell_key(self, task: str, model: str) -> str:
        """The storage key of one cell's record."""
        return f"{self.name}/cells/{task}/{model}.json"

    @property
    def matrix_key(self) -> str:
        """The assembled matrix."""
        return f"{self.name}/matrix.json"

    def done(self) -> set[tuple[str, str]]:
        """(task id, model) of every recorded cell."""
        found = set()
        for key in self.storage.list(f"{self.name}/cells"):
            task, file = key.split("/")[-2:]
            found.add((task, file.removesuffix(".json")))
        return found

    def records(self) -> list[dict[str, object]]:
        """Every recorded cell."""
        return [
            json.loads(self.storage.read_bytes(key))
            for key in self.storage.list(f"{self.name}/cells")
        ]


@app.task(name=CELL_TASK, acks_late=True, reject_on_worker_lost=True)
def meta_cell(storage_url: str, name: str, index: int, model: str) -> None:
    """Compute one cell unless its record exists, and store the record."""
    from mlcore.recommend.matrix import run_cell
    from mlcore.recommend.protocol import Protocol
    from mlcore.recommend.tasks import task_spec

    build = Build(open_storage(storage_url), name)
    key = build.cell_key(task_spec(index).id, model)
    if build.storage.exists(key):  # a duplicate delivery: computed once
        return
    record = run_cell(index, model, Protocol())
    build.storage.put_bytes(key, (json.dumps(record, indent=2) + "\n").encode())


def missing_cells(
    build: Build, indices: Iterable[int], models: Sequence[str]
) -> list[tuple[int, str]]:
    """(task index, model) of the cells without a record, task by task."""
    from mlcore.recommend.tasks import task_spec

    done = build.done()
    return [(i, m) for i in indices for m in models if (task_spec(i).id, m) not in done]


def wait(build: Build, total: int, already: int, poll_s: float) -> None:
    """A progress bar with an ETA until every cell has a record."""
    with tqdm(total=total, initial=already, unit="cell", desc=build.name) as bar:
        while bar.n < total:
            time.sleep(poll_s)
            count = len(build.done())
            bar.update(max(0, count - bar.n))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m worker.meta_dataset", description=__doc__)
    parser.add_argument("--tasks", type=int, required=True, help="tasks 0..N-1")
    parser.add_argument("--first-task", type=int, default=0)
    parser.add_argument("--every", type=int, default=1, help="every k-th task of the range")
    parser.add_argument("--models", required=True, help="comma-separated catalog names")
    parser.add_argument("--storage", required=True, help="file:///dir or s3://bucket/prefix")
    parser.add_argument("--name", default="meta-v1")
    parser.add_argument("--local", action="store_true", help="compute here, no broker")
    parser.add_argument("--no-wait", action="store_true", help="send the cells and return")
    parser.add_argument(
        "--assemble", action="store_true", help="only write matrix.json from the recorded cells"
    )
    parser.add_argument("--poll", type=float, default=10.0)
    args = parser.parse_args(argv)

    from mlcore.contract.catalog import get_model_info
    from mlcore.recommend.matrix import assemble
    from mlcore.recommend.protocol import Protocol

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    for model in models:
        get_model_info(model)  # an unknown name fails here, listing the valid ones
    indices = range(args.first_task, args.first_task + args.tasks, args.every)
    build = Build(open_storage(args.storage), args.name)
    todo = missing_cells(build, indices, models)
    total = len(indices) * len(models)  # of this plan; the matrix holds every build's cells
    print(f"{total - len(todo)} of {total} cells recorded; {len(todo)} to compute", flush=True)
    if args.local and not args.assemble:
        for index, model in tqdm(todo, unit="cell", desc=args.name):
            meta_cell(args.storage, args.name, index, model)
    elif not args.assemble:
        for index, model in todo:
            meta_cell.apply_async((args.storage, args.name, index, model), queue=META_QUEUE)
        if args.no_wait:
            return 0
        wait(build, total, total - len(todo), args.poll)
    matrix = assemble(Protocol(), build.records(), args.name)
    build.storage.put_bytes(build.matrix_key, (json.dumps(matrix, indent=1) + "\n").encode())
    print(f"matrix: {len(matrix['cells'])} cells -> {build.storage.url}/{build.matrix_key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
