"""Compute backends: where a JobSpec runs (`worker.compute.base` holds the contract and the
registry; `local` runs the job runner on this machine)."""
