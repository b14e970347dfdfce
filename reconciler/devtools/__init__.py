"""Contributor tools: the package import graph and the generated README reference."""
