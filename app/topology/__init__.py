"""Topology views over links and inventory, shared by the API and the CLI.

graph:  a clique as a bounded graph for people (depth, node cap, "+N more" aggregates);
hover:  which attributes a hover card shows (attributes_for_hover_on_data);
source: reading a clique, its links and objects from the store;
path:   the shortest chain of links between two objects;
export: a graph as JSON, GraphML, DOT or draw.io XML.
"""
