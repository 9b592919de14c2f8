"""Running one node as a process (`ros2 run` / `python -m`): construction errors become a one-line
message and exit code 2 (never a crash loop); SIGINT/SIGTERM stop the node's own threads BEFORE rclpy
shuts down, so nothing publishes on a dead context."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable

import rclpy
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

from visuomotor.nodes.roles import BackgroundWork
from visuomotor.process import configure_process

CONSTRUCTION_ERRORS = (ValueError, TypeError, FileNotFoundError, KeyError)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def torch_threads(nodes: list[Node]) -> int | None:
    """The process's torch thread count: the largest `threads` parameter among its nodes (torch has one
    intra-op pool per process; 0 or no such parameter: torch's default)."""
    wanted = [node.get_parameter("threads").value for node in nodes if node.has_parameter("threads")]
    return max(wanted, default=0) or None


def run_node(make_node: Callable[[], Node], name: str, args: list[str] | None = None) -> int:
    """Configure the process, construct the node, start it (a BackgroundWork node: start()/stop() around
    the spin), spin, stop."""
    configure_process()
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        node = make_node()
        configure_process(torch_threads=torch_threads([node]))
    except CONSTRUCTION_ERRORS as error:
        print(f"{name}: {error}", file=sys.stderr)
        rclpy.try_shutdown()
        return 2
    if isinstance(node, BackgroundWork):
        node.start()
    try:
        rclpy.spin(node)
    except KeyboardInterrupt:
        pass
    finally:
        if isinstance(node, BackgroundWork):
            node.stop()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
