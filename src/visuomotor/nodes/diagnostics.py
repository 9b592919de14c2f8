"""Per-node health on /diagnostics: latency (and other timing) percentiles, frames received/skipped, last
refusal."""

from __future__ import annotations

from collections import deque

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

from visuomotor.nodes import qos


class StageDiagnostics:
    """Collects one stage's per-frame timings (ms; "latency" = its processing time, others such as
    "input_age" = now − the input's stamp), counters and refusals; publish() sends one DiagnosticStatus
    named after the node with `<timing>_p50_ms` / `<timing>_p95_ms` over the last `window` values and the
    counters (WARN if anything was refused since the last publish) and one WARN status per distinct
    refusal message since then."""

    def __init__(self, node: Node, window: int = 200):
        self.node = node
        self.publisher = node.create_publisher(DiagnosticArray, "/diagnostics", qos.DATA)
        self.window = window
        self.timings_ms: dict[str, deque[float]] = {}
        self.counters: dict[str, int] = {}
        self.problems: dict[str, int] = {}  # distinct refusal message -> occurrences since the last publish

    def record_latency(self, milliseconds: float, timing: str = "latency") -> None:
        self.timings_ms.setdefault(timing, deque(maxlen=self.window)).append(milliseconds)

    def count(self, name: str, increment: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + increment

    def set_counter(self, name: str, value: int) -> None:
        self.counters[name] = value

    def refuse(self, message: str) -> None:
        """Record a refused input (logged once per distinct message)."""
        if message not in self.problems:
            self.node.get_logger().warning(message)
        self.problems[message] = self.problems.get(message, 0) + 1
        self.count("refused")

    def publish(self) -> None:
        values = [KeyValue(key=k, value=str(v)) for k, v in sorted(self.counters.items())]
        for timing, window in sorted(self.timings_ms.items()):
            p50, p95 = np.percentile(np.asarray(window), [50, 95])
            values += [
                KeyValue(key=f"{timing}_p50_ms", value=f"{p50:.2f}"),
                KeyValue(key=f"{timing}_p95_ms", value=f"{p95:.2f}"),
            ]
        name = self.node.get_name()
        level = DiagnosticStatus.WARN if self.problems else DiagnosticStatus.OK
        statuses = [
            DiagnosticStatus(level=level, name=name, message="refused input" if self.problems else "ok", values=values)
        ]
        statuses += [
            DiagnosticStatus(
                level=DiagnosticStatus.WARN,
                name=name,
                message=message,
                values=[KeyValue(key="occurrences", value=str(n))],
            )
            for message, n in self.problems.items()
        ]
        array = DiagnosticArray(status=statuses)
        array.header.stamp = self.node.get_clock().now().to_msg()
        self.publisher.publish(array)
        self.problems = {}
