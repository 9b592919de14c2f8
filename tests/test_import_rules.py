"""Architecture rules: rclpy only in visuomotor/nodes; nnfoundation imports only NumPy, SciPy and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
NNFOUNDATION_ALLOWED = {"numpy", "scipy", "nnfoundation"}
ROS_MODULES = {"rclpy", "rosidl_runtime_py", "launch", "launch_ros", "ament_index_python"}


def imported_top_level_modules(path: Path) -> set[str]:
    """Every module a file imports (absolute imports, at any depth: functions count too)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.split(".")[0])
    return modules


def test_rclpy_only_in_nodes():
    offenders = {}
    for path in (SRC / "visuomotor").rglob("*.py"):
        if "nodes" in path.relative_to(SRC / "visuomotor").parts[:1]:
            continue
        bad = imported_top_level_modules(path) & ROS_MODULES
        if bad:
            offenders[str(path.relative_to(SRC))] = sorted(bad)
    assert not offenders, f"ROS imports outside visuomotor/nodes: {offenders}"


def test_nnfoundation_imports_only_numpy_and_scipy():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offenders = {}
    for path in (SRC / "nnfoundation").rglob("*.py"):
        bad = imported_top_level_modules(path) - NNFOUNDATION_ALLOWED - stdlib
        if bad:
            offenders[str(path.relative_to(SRC))] = sorted(bad)
    assert not offenders, f"nnfoundation imports beyond numpy/scipy: {offenders}"


def test_rule_checker_sees_nested_imports(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import rclpy.node\n    from torch import nn\n")
    assert imported_top_level_modules(sample) == {"rclpy", "torch"}
