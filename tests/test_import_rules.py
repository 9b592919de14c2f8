"""Architecture rules, checked on every import (module level and inside functions alike):

- the layer order: a module imports only from its own layer or lower ones (LAYERS, lowest first);
- no import cycle between modules, nor between the packages of visuomotor;
- rclpy and the launch packages only in the ROS layers (nodes, launching, harness, commands);
- nnfoundation imports only NumPy, SciPy and itself.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
NNFOUNDATION_ALLOWED = {"numpy", "scipy", "nnfoundation"}
ROS_MODULES = {"rclpy", "rosidl_runtime_py", "launch", "launch_ros", "ament_index_python"}
# Lowest first. A layer is a package or module of visuomotor ("base" = the top-level helper modules).
LAYERS = [
    "nnfoundation",
    "base",
    "robot",
    "camera",
    "control",
    "sim",
    "detection",
    "localization",
    "tracking",
    "policy",
    "eval",
    "nodes",
    "launching",
    "harness",
    "commands",
    "cli",
]
BASE_MODULES = {
    "visuomotor",
    "visuomotor.config_docs",
    "visuomotor.errors",
    "visuomotor.paths",
    "visuomotor.process",
    "visuomotor.onnx_runtime",
    "visuomotor.statistics",
}
ROS_LAYERS = {"nodes", "launching", "harness", "commands"}


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for root in ("visuomotor", "nnfoundation") for p in (SRC / root).rglob("*.py")}


def imports_in(source: str, package: str = "") -> set[str]:
    """Every module a source imports, at any depth (functions count too): `import a.b` → a.b;
    `from a import b` → a.b when that is a module, else a. Relative imports resolve against `package`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return found


def imports_of(path: Path) -> set[str]:
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    return imports_in(path.read_text(), package)


GRAPH = {name: {m for m in imports_of(path) if m in MODULES and m != name} for name, path in sorted(MODULES.items())}


def layer_of(module: str) -> str:
    if module.split(".")[0] == "nnfoundation":
        return "nnfoundation"
    if module in BASE_MODULES:
        return "base"
    return module.split(".")[1]


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the components with more than one node (the cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return cycles


def test_every_visuomotor_module_is_in_a_layer():
    unknown = sorted({layer_of(m) for m in MODULES} - set(LAYERS))
    assert not unknown, f"packages without a place in LAYERS: {unknown}; add them to the layer order"


def test_imports_follow_the_layer_order():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = [
        f"{m} ({layer_of(m)}) imports {d} ({layer_of(d)})"
        for m, deps in GRAPH.items()
        for d in sorted(deps)
        if rank[layer_of(d)] > rank[layer_of(m)]
    ]
    assert not upward, "imports against the layer order:\n" + "\n".join(upward)


def test_no_module_imports_itself_in_a_cycle():
    assert not strongly_connected(GRAPH), f"module import cycles: {strongly_connected(GRAPH)}"


PACKAGES = {module_name(p) for p in SRC.rglob("__init__.py")}


def package_of(module: str) -> str:
    return module if module in PACKAGES else module.rpartition(".")[0]


def test_no_package_cycle():
    """Between sibling-or-unrelated packages (a package importing its own subpackage is not a cycle)."""
    graph: dict[str, set[str]] = {package: set() for package in PACKAGES}
    for m, deps in GRAPH.items():
        source = package_of(m)
        for target in map(package_of, deps):
            if not (target.startswith(source + ".") or source.startswith(target + ".") or target == source):
                graph[source].add(target)
    assert not strongly_connected(graph), f"package import cycles: {strongly_connected(graph)}"


def test_ros_imports_only_in_the_ros_layers():
    offenders = {
        m: sorted({i.split(".")[0] for i in imports_of(MODULES[m])} & ROS_MODULES)
        for m in MODULES
        if layer_of(m) not in ROS_LAYERS
    }
    offenders = {m: bad for m, bad in offenders.items() if bad}
    assert not offenders, f"ROS imports outside {sorted(ROS_LAYERS)}: {offenders}"


def test_nnfoundation_imports_only_numpy_and_scipy():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offenders = {
        m: sorted({i.split(".")[0] for i in imports_of(p)} - NNFOUNDATION_ALLOWED - stdlib)
        for m, p in MODULES.items()
        if m.startswith("nnfoundation")
    }
    offenders = {m: bad for m, bad in offenders.items() if bad}
    assert not offenders, f"nnfoundation imports beyond numpy/scipy: {offenders}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    import rclpy.node\n    from torch import nn\n", {"rclpy.node", "torch"}),
        ("from visuomotor.robot import kinematics\n", {"visuomotor.robot.kinematics"}),
        ("from visuomotor.robot.kinematics import solve_ik\n", {"visuomotor.robot.kinematics"}),
    ],
)
def test_the_checker_sees_nested_and_from_imports(source, expected):
    assert imports_in(source) == expected


def test_the_cycle_finder_finds_a_cycle():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
