"""The node executables (every nodes/*_node.py) and their node classes, without constructing anything."""

from __future__ import annotations

import importlib
import pkgutil

from visuomotor import nodes


def node_names() -> list[str]:
    """The node executables: every nodes/*_node.py."""
    return sorted(m.name for m in pkgutil.iter_modules(nodes.__path__) if m.name.endswith("_node"))


def node_class(executable: str) -> type:
    """The executable's node class: NODE_CLASS for the nodes a composed graph can hold (harness.composition),
    else the one VisuomotorNode its module defines (camera_node and recorder_node run their own loops)."""
    from visuomotor.nodes.base import VisuomotorNode

    module = importlib.import_module(f"{nodes.__name__}.{executable}")
    if hasattr(module, "NODE_CLASS"):
        return module.NODE_CLASS
    (found,) = [
        value
        for value in vars(module).values()
        if isinstance(value, type) and issubclass(value, VisuomotorNode) and value.__module__ == module.__name__
    ]
    return found
