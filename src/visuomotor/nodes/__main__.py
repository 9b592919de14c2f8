"""`python -m visuomotor.nodes NODE [args]`: run one node as a process, as `ros2 run visuomotor_ros NODE` does.

The process is configured (visuomotor.process.configure_process) before the node's module is imported, so the
environment defaults reach MuJoCo, transformers, ultralytics and Fast DDS when they load.
"""

from __future__ import annotations

import importlib
import sys

from visuomotor import nodes
from visuomotor.nodes.catalog import node_names
from visuomotor.process import configure_process


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in node_names():
        given = repr(argv[0]) if argv else "no node"
        print(f"visuomotor.nodes: {given} is not a node; choose one of {', '.join(node_names())}", file=sys.stderr)
        return 2
    configure_process()
    sys.argv = list(argv)  # the node's rclpy.init reads its --ros-args from sys.argv, as under `ros2 run`
    return importlib.import_module(f"{nodes.__name__}.{argv[0]}").main()


if __name__ == "__main__":
    sys.exit(main())
