"""The package import graph runs one way: facts → client → products → desired/plan → engine → front ends.

Built from the source with ``ast`` (``reconciler.devtools.imports``): a
package-level cycle, or an import of a higher layer, fails here.
"""

from __future__ import annotations

from reconciler.devtools import imports

# Lowest first. A unit may import its own layer or lower ones, never a higher one.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"facts"}),
    frozenset(
        {"errors", "secret", "secretsbundle", "loopback", "escape", "clicktypes", "thresholds"}
    ),
    frozenset({"api"}),
    frozenset({"configs", "products"}),
    frozenset({"desired", "credentials", "fetch", "resolve", "plan", "apply"}),
    frozenset({"emulator"}),
    frozenset({"engine"}),
    frozenset({"cli", "render", "devtools", "github", "__main__"}),
)


def test_no_package_level_cycle() -> None:
    assert imports.find_cycle(imports.import_graph()) is None


def test_imports_follow_the_layer_order() -> None:
    assert imports.upward_imports(imports.import_graph(), LAYERS) == []


def test_facts_import_nothing_of_the_pipeline() -> None:
    assert imports.import_graph()["facts"] == set()


def test_the_command_uses_the_same_order() -> None:
    assert imports.LAYERS == LAYERS


def test_the_graph_sees_real_edges() -> None:
    graph = imports.import_graph()
    assert {"api", "facts", "configs"} <= graph["products"]
    assert "cli" in graph["__main__"]
    assert "configs" in graph["products"]  # via ``from reconciler.configs import``


def test_a_cycle_and_an_upward_import_are_found() -> None:
    graph = {"facts": set(), "api": {"products"}, "products": {"api"}}
    cycle = imports.find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1] and set(cycle) == {"api", "products"}
    assert imports.upward_imports(graph, LAYERS) == ["api -> products"]
    assert imports.upward_imports({"mystery": set()}, LAYERS) == [
        "mystery is in no layer: add it to LAYERS"
    ]
