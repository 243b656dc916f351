"""Konstruktor's ML engine: catalog, data, training, evaluation, export (torch-free at import)."""
