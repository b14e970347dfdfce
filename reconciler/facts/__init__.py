"""Tencent's fixed facts: API families, hosts per region, error codes, limits.

The lowest layer of the package: it imports nothing of the pipeline (stdlib
only), so every other layer (client, products, desired state, plan, emulator)
can read it without an import cycle. Each fact cites the docs/tencent-api.md section it
comes from (``docs/tencent-api.md``).
"""
