"""Neural architecture search (research 002): search space -> strategy -> evaluator.

`space/` describes architectures (`SearchSpace`, `Genotype`) and builds them (the supernet,
`build_discrete` = the packaged `nas_network`); `strategies/` explore it under one base
(`base.Strategy`: hyper_darts, darts, gdas over a supernet; random, evolution, map_elites
over candidates); `evaluators/` score architectures; `family`, `budget` and `selection`
pick the member to retrain; `engine` runs a search job; `members` puts searched networks
into the model catalog (`member_search` regenerates them).
"""
