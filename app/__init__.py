"""Calipso's shared core: configuration, the store, persistence of inventory, links and cliques."""

__version__ = "0.1.0"
