"""The base of every node of the graph: its diagnostics, its parameters, and callbacks that never kill it.

- `PARAMETERS`: the config dataclasses the node declares its parameters from (visuomotor.nodes.parameters);
  `declare_config(ConfigClass)` declares one of them and returns the config.
- `diagnostics`: the node's StageDiagnostics, published on /diagnostics every DIAGNOSTICS_PERIOD_S by
  `publish_diagnostics()` (override it to set counters first).
- Every subscription and timer callback is guarded, as the last line of defence behind the validation of each
  input: an exception escaping a callback (a bug, or an input no check foresaw) is logged with its traceback once
  per distinct message, counted as `callback_errors` and reported on /diagnostics, and the node keeps running —
  one bad message never kills it, so a latched bad message cannot make it crash-loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rclpy.node import Node

from visuomotor.nodes.diagnostics import StageDiagnostics
from visuomotor.nodes.parameters import declare_values

DIAGNOSTICS_PERIOD_S = 1.0


class VisuomotorNode(Node):
    PARAMETERS: tuple[type, ...] = ()

    def __init__(self, node_name: str, **node_kwargs: Any):
        super().__init__(node_name, **node_kwargs)
        self.diagnostics = StageDiagnostics(self)
        self.create_timer(DIAGNOSTICS_PERIOD_S, self.publish_diagnostics)

    def declare_config(self, config_class: type, **fixed: Any) -> Any:
        """config_class(**its declared parameters, **fixed); `fixed` gives the fields that are not parameters."""
        if config_class not in self.PARAMETERS:
            raise TypeError(f"{type(self).__name__}.PARAMETERS must list {config_class.__name__}")
        return config_class(**declare_values(self, config_class), **fixed)

    def publish_diagnostics(self) -> None:
        self.diagnostics.publish()

    def create_subscription(self, msg_type, topic, callback, qos_profile, **kwargs):  # type: ignore[override]
        name = f"{topic} callback"

        def guarded(message) -> None:
            try:
                callback(message)
            except Exception as error:
                self.diagnostics.callback_failed(name, error)

        return super().create_subscription(msg_type, topic, guarded, qos_profile, **kwargs)

    def create_timer(self, timer_period_sec: float, callback: Callable[[], None], *args, **kwargs):  # type: ignore[override]
        name = f"{getattr(callback, '__name__', 'timer')} timer"

        def guarded() -> None:
            try:
                callback()
            except Exception as error:
                self.diagnostics.callback_failed(name, error)

        return super().create_timer(timer_period_sec, guarded, *args, **kwargs)
