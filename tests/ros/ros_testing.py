"""Helpers for tests that cross real DDS (import from test modules in tests/ros)."""

from __future__ import annotations

import time
from collections.abc import Callable


def spin_until(executor, predicate: Callable[[], bool], timeout_s: float) -> bool:
    """Spin `executor` until predicate() is true or timeout_s passes; returns predicate()."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return True
        executor.spin_once(timeout_sec=0.05)
    return predicate()
