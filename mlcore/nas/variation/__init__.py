"""Variation operators of the black-box strategies: rule-based and LLM-proposed mutation and
crossover."""
