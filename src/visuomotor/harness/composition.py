"""Composed mode: the nodes of a launch plan in ONE process on a multi-threaded executor.

Each node is constructed from its module's NODE_CLASS with the same `--ros-args` (name, namespace,
parameter files, remaps) `ros2 launch` would give its process. Frames go from sim_node to detector_node
and localizer_node as in-process RGBDFrames (no serialisation: rclpy has no intra-process transport), and
the image topics are published only if another process subscribes to them. Everything else (detections,
objects, tracks, chunks, commands) still crosses DDS, so external tools see the same graph.
"""

from __future__ import annotations

import importlib
import threading

import rclpy
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node

from visuomotor.launching.loader import NodeSpec
from visuomotor.nodes.roles import BackgroundWork, FrameConsumer, FrameProducer
from visuomotor.nodes.runner import torch_threads
from visuomotor.process import configure_process


def compose(specs: list[NodeSpec], context: rclpy.Context) -> list[Node]:
    """Construct every node (in spec order) and wire the in-process frame hand-over."""
    nodes = []
    for spec in specs:
        node_class = importlib.import_module(f"visuomotor.nodes.{spec.executable}").NODE_CLASS
        nodes.append(node_class(context=context, cli_args=spec.ros_args()))
    cameras = [n for n in nodes if isinstance(n, FrameProducer)]
    if cameras:
        sinks = [n.use_in_process_frames() for n in nodes if isinstance(n, FrameConsumer)]
        for camera in cameras:
            camera.frame_sinks.extend(sinks)
    return nodes


class ComposedGraph:
    """The composed nodes spinning on a MultiThreadedExecutor in a background thread."""

    def __init__(
        self, specs: list[NodeSpec], extra_nodes: list[Node] | None = None, context: rclpy.Context | None = None
    ):
        self.context = context or rclpy.get_default_context()
        self.nodes = compose(specs, self.context)
        configure_process(torch_threads=torch_threads(self.nodes))
        self.executor = MultiThreadedExecutor(num_threads=len(self.nodes) + 2, context=self.context)
        for node in [*self.nodes, *(extra_nodes or [])]:
            self.executor.add_node(node)
        self.thread = threading.Thread(target=self.executor.spin, name="composed_executor", daemon=True)

    def start(self) -> None:
        for node in self.nodes:
            if isinstance(node, BackgroundWork):
                node.start()
        self.thread.start()

    def exited(self) -> dict[str, int]:
        """{"composed graph": 1} once the executor thread has died (it only ends on shutdown)."""
        return {} if self.thread.is_alive() else {"composed graph": 1}

    def died(self) -> dict[str, list[int]]:
        """Exit codes by node (the ProcessGroup interface): the graph, once its executor thread has died."""
        return {name: [code] for name, code in self.exited().items()}

    def stop(self) -> None:
        for node in self.nodes:
            if isinstance(node, BackgroundWork):
                node.stop()
        self.executor.shutdown(timeout_sec=5.0)
        for node in self.nodes:
            node.destroy_node()


def run_composed(specs: list[NodeSpec], duration_s: float | None) -> int:
    """`visuomotor launch NAME --composed`: run until SIGINT/SIGTERM or duration_s."""
    import signal

    rclpy.init()
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        graph = ComposedGraph(specs)
        graph.start()
        try:
            stop.wait(duration_s)
        finally:
            graph.stop()
    finally:
        rclpy.try_shutdown()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
