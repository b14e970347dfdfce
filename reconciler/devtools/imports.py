"""The package-level import graph of ``reconciler``, from the source (``ast``, no imports run).

``python -m reconciler.devtools.imports`` prints one line per top-level
subpackage or module with what it imports, lowest layer first, and exits 1 if
the graph has a cycle or an import against :data:`LAYERS`.
``tests/test_layers.py`` checks the same thing on every test run.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

PACKAGE = "reconciler"
ROOT = Path(__file__).resolve().parents[1]

LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"facts"}),  # Tencent's fixed facts: imports nothing of the pipeline
    frozenset(  # leaves
        {"errors", "secret", "secretsbundle", "loopback", "escape", "clicktypes", "thresholds"}
    ),
    frozenset({"api"}),  # the client: envelopes, UserSigs, pacing, retries
    frozenset({"configs", "products"}),  # config values; one ProductSpec per product
    frozenset({"desired", "credentials", "fetch", "resolve", "plan", "apply"}),  # load … write
    frozenset({"emulator"}),  # a backend the engine can start (``--emulator SEED``)
    frozenset({"engine"}),  # the orchestrator (load → fetch → plan → apply)
    frozenset({"cli", "render", "devtools", "github", "__main__"}),  # front ends
)
"""Lowest first: a unit may import its own layer or lower ones, never a higher one."""


Layers = tuple[frozenset[str], ...]


def layer_of(unit: str, layers: Layers = LAYERS) -> int:
    for index, layer in enumerate(layers):
        if unit in layer:
            return index
    raise KeyError(unit)


def _modules(root: Path) -> Iterator[tuple[str, Path]]:
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _imported(module: str, path: Path) -> Iterator[str]:
    """Every ``reconciler.*`` module name ``path`` imports (absolute or relative)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name
            for alias in node.names:  # ``from reconciler import state``
                yield f"{name}.{alias.name}"


def _unit(module: str) -> str | None:
    """The top-level subpackage or module of ``reconciler.x.y`` (``x``), else None."""
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """``{unit: {units it imports}}`` over the top-level names of the package."""
    units = {
        p.stem if p.is_file() else p.name
        for p in root.iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()
    }
    graph: dict[str, set[str]] = {unit: set() for unit in units}
    for module, path in _modules(root):
        source = _unit(module)
        if source is None:
            continue
        for name in _imported(module, path):
            target = _unit(name)
            if target is not None and target != source and target in units:
                graph[source].add(target)
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def upward_imports(graph: Mapping[str, set[str]], layers: Layers = LAYERS) -> list[str]:
    """Imports that go against ``layers``, as ``"a -> b"``; also units with no layer."""
    problems: list[str] = []
    for source in sorted(graph):
        try:
            source_layer = layer_of(source, layers)
        except KeyError:
            problems.append(f"{source} is in no layer: add it to LAYERS")
            continue
        for target in sorted(graph[source]):
            try:
                if layer_of(target, layers) > source_layer:
                    problems.append(f"{source} -> {target}")
            except KeyError:
                problems.append(f"{target} is in no layer: add it to LAYERS")
    return problems


def render(graph: Mapping[str, set[str]]) -> str:
    lines = []
    for index, layer in enumerate(LAYERS):
        for unit in sorted(u for u in layer if u in graph):
            targets = ", ".join(sorted(graph[unit])) or "-"
            lines.append(f"{index} {unit:<9} -> {targets}")
    return "\n".join(lines)


def main() -> int:
    graph = import_graph()
    print(render(graph))
    cycle = find_cycle(graph)
    problems = upward_imports(graph)
    if cycle:
        print("cycle: " + " -> ".join(cycle), file=sys.stderr)
    for problem in problems:
        print(f"against the layer order: {problem}", file=sys.stderr)
    return 1 if cycle or problems else 0


if __name__ == "__main__":
    sys.exit(main())
