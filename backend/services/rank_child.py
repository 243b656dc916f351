"""The recommender's ranking child, as the API starts it:
`python -m backend.services.rank_child --serve`.

First thing it arms the parent-death signal (`die_with_parent`: the API starts it with
vfork, never a `preexec_fn` that would fork the whole API process) and its memory limit
(`KONSTRUKTOR_RANK_MEMORY_MB`); then it runs `mlcore.recommend.rank` with its arguments.
That module (ONNX Runtime, NumPy, Pillow; never torch) is loaded here, in the child, by
name: the API process never imports it.
"""

from __future__ import annotations

import os
import resource
import runpy
import sys

from backend.child_processes import die_with_parent

RANK_MODULE = "mlcore.recommend.rank"
MEMORY_MB = "KONSTRUKTOR_RANK_MEMORY_MB"


def main(argv: list[str]) -> None:
    die_with_parent()
    memory_mb = os.environ.get(MEMORY_MB)
    if memory_mb:
        memory = int(memory_mb) * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    sys.argv = [RANK_MODULE, *argv]
    runpy.run_module(RANK_MODULE, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
