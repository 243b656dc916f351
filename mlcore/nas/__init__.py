"""Neural architecture search (research 002): search space -> strategy -> evaluator.

`space.SearchSpace` + `genotype.Genotype` describe architectures; `supernet.SuperNet` and
`discrete.build_discrete` (the packaged `nas_network`) build them; `strategies.STRATEGIES`
(hyper_darts, darts, gdas) drive `search.run_family_search`, whose
`result.SearchResult.derive(s)` picks an architecture for a complexity vector s;
`retrain.retrain` evaluates it.
"""
