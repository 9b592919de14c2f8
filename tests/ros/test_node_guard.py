"""The last line of defence (nodes.base.VisuomotorNode): an exception escaping a subscription or timer callback
is logged, counted and reported on /diagnostics, and the node keeps running."""

from __future__ import annotations

import rclpy
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.executors import SingleThreadedExecutor
from ros_testing import spin_until
from std_msgs.msg import Empty

from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode


class Fragile(VisuomotorNode):
    def __init__(self, **node_kwargs):
        super().__init__("fragile_node", **node_kwargs)
        self.handled = 0
        self.create_subscription(Empty, "poke", self.on_poke, qos.DATA)
        self.create_timer(0.05, self.tick)
        self.ticks = 0

    def on_poke(self, _: Empty) -> None:
        self.handled += 1
        if self.handled == 1:
            raise ZeroDivisionError("a bug on the first message")

    def tick(self) -> None:
        self.ticks += 1
        if self.ticks == 1:
            raise KeyError("a bug on the first tick")


def test_a_raising_callback_is_reported_and_the_node_keeps_running():
    context = rclpy.Context()
    rclpy.init(context=context)
    node = Fragile(context=context)
    probe = rclpy.create_node("guard_probe", context=context)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    executor.add_node(probe)
    reports: list[str] = []
    probe.create_subscription(
        DiagnosticArray, "/diagnostics", lambda m: reports.extend(s.message for s in m.status), qos.DATA
    )
    poke = probe.create_publisher(Empty, "/poke", qos.DATA)
    try:
        assert spin_until(executor, lambda: poke.get_subscription_count() > 0, 10)
        poke.publish(Empty())
        poke.publish(Empty())
        assert spin_until(executor, lambda: node.handled == 2 and node.ticks > 3, 10)  # alive after both bugs
        assert spin_until(executor, lambda: any("poke callback failed: ZeroDivisionError" in r for r in reports), 5)
        assert any("tick timer failed: KeyError" in r for r in reports)
        assert node.diagnostics.counters["callback_errors"] == 2
    finally:
        executor.shutdown()
        node.destroy_node()
        probe.destroy_node()
        rclpy.shutdown(context=context)
