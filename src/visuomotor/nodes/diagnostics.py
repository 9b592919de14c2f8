"""Per-node health on /diagnostics: latency (and other timing) percentiles, counters, the node's state, refusals
and failed callbacks."""

from __future__ import annotations

import traceback
from collections import deque

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

from visuomotor.nodes import qos


class StageDiagnostics:
    """One DiagnosticArray per publish: the node's status first, then one status per distinct refusal.

    Collects one stage's per-frame timings (ms; "latency" = its processing time, others such as
    "input_age" = now − the input's stamp), counters, its state and refusals; publish() sends one
    DiagnosticStatus named after the node with `<timing>_p50_ms` / `<timing>_p95_ms` over the last `window`
    values and the counters, whose message is the node's state (set_state; else "ok", or "refused input" if
    anything was refused since the last publish, which also makes it WARN), and one WARN status per distinct
    refusal message since then."""

    def __init__(self, node: Node, window: int = 200):
        self.node = node
        self.publisher = node.create_publisher(DiagnosticArray, "/diagnostics", qos.DATA)
        self.window = window
        self.timings_ms: dict[str, deque[float]] = {}
        self.counters: dict[str, int] = {}
        self.problems: dict[str, int] = {}  # distinct refusal message -> occurrences since the last publish
        self.state: tuple[int, str] | None = None  # (level, message) set by set_state
        self._logged: set[str] = set()

    def record_latency(self, milliseconds: float, timing: str = "latency") -> None:
        self.timings_ms.setdefault(timing, deque(maxlen=self.window)).append(milliseconds)

    def count(self, name: str, increment: int = 1) -> None:
        self.counters[name] = self.counters.get(name, 0) + increment

    def set_counter(self, name: str, value: int) -> None:
        self.counters[name] = value

    def refuse(self, message: str) -> None:
        """Record a refused input (logged once per distinct message since the last publish)."""
        if message not in self.problems:
            self.node.get_logger().warning(message)
        self.problems[message] = self.problems.get(message, 0) + 1
        self.count("refused")

    def callback_failed(self, callback: str, error: Exception) -> None:
        """An exception escaped a callback (the guard of visuomotor.nodes.base): logged with its traceback the
        first time this message occurs, counted as callback_errors, reported like a refusal."""
        message = f"{callback} failed: {type(error).__name__}: {error}"
        if message not in self._logged and len(self._logged) < 100:
            self._logged.add(message)
            trace = "".join(traceback.format_exception(error)).rstrip()
            self.node.get_logger().error(f"{message} (the node keeps running)\n{trace}")
        self.problems[message] = self.problems.get(message, 0) + 1
        self.count("callback_errors")

    def set_state(self, level: int, message: str) -> None:
        """The node's state (e.g. the arm controller's "tracking" / "holding: …"): the main status's level and
        message from now on; a change is published at once, not at the next period."""
        if self.state == (level, message):
            return
        self.state = (level, message)
        if level != DiagnosticStatus.OK:
            self.node.get_logger().warning(message)
        self.publish()

    def publish(self) -> None:
        values = [KeyValue(key=k, value=str(v)) for k, v in sorted(self.counters.items())]
        for timing, window in sorted(self.timings_ms.items()):
            p50, p95 = np.percentile(np.asarray(window), [50, 95])
            values += [
                KeyValue(key=f"{timing}_p50_ms", value=f"{p50:.2f}"),
                KeyValue(key=f"{timing}_p95_ms", value=f"{p95:.2f}"),
            ]
        name = self.node.get_name()
        if self.state is not None:
            level, message = self.state
        else:
            level = DiagnosticStatus.WARN if self.problems else DiagnosticStatus.OK
            message = "refused input" if self.problems else "ok"
        statuses = [DiagnosticStatus(level=level, name=name, message=message, values=values)]
        statuses += [
            DiagnosticStatus(
                level=DiagnosticStatus.WARN,
                name=name,
                message=problem,
                values=[KeyValue(key="occurrences", value=str(n))],
            )
            for problem, n in self.problems.items()
        ]
        array = DiagnosticArray(status=statuses)
        array.header.stamp = self.node.get_clock().now().to_msg()
        self.publisher.publish(array)
        self.problems = {}
