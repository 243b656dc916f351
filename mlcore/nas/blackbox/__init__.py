"""Black-box architecture search (issue 6): space · strategy · evaluator, NASLib/NNI-style.

An `evaluator.Evaluator` turns a `Genotype` into a scored `candidate.Candidate` (proxy
accuracy, params, FLOPs, behaviour descriptors); `strategies.BLACKBOX_STRATEGIES` (random
search, regularized evolution, MAP-Elites) spend a budget of evaluations, varying parents
with a `mutation.Mutator` (rule-based, or `llm_mutator.LLMMutator` as in LLMatic), and
return a `result.BlackBoxResult` with the best candidate, the Pareto front and the archive.
"""
