#!/usr/bin/env bash
# Exp 1 and Exp 3 of the thesis (research 002) at its settings, in one call on a lent GPU:
# one hyper_darts search each (Fashion-MNIST 60k / 10 epochs; cifar10_small 10k / 50
# epochs), members A-D retrained as long. Needs .bench-data/ (see benchmarks/README.md)
# and BENCH_COMMIT; $PYTHON (default python3) runs it; extra arguments go to every run
# (e.g. --smoke to check the wiring on CPU). Results land in $OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?set OUT to the folder the results go to}"
export PYTHONUNBUFFERED=1
"${PYTHON:-python3}" benchmarks/nas_paper_tables.py --experiment 1 --out "$OUT" "$@"
"${PYTHON:-python3}" benchmarks/nas_paper_tables.py --experiment 3 --out "$OUT" "$@"
