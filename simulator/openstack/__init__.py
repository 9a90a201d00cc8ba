"""Keystone, Nova and Neutron over HTTP, answering from the model in the shapes of the real services."""
