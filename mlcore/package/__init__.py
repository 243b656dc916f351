"""The model package: exports, INT8, parity, README, plots; `runtime/` is the starter code
shipped in every package."""
