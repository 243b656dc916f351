"""The cell search space: layout, genotypes, the supernet and the discrete network, costs,
latency table, behaviour descriptors."""
