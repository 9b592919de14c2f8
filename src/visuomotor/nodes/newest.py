"""A one-slot mailbox: a producer (a subscription callback) overwrites, a worker takes the newest item.

Items overwritten before the worker took them are counted as skipped, so a slow consumer never builds a
queue and always works on the freshest frame.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

T = TypeVar("T")


class NewestOnly(Generic[T]):
    def __init__(self) -> None:
        self._item: T | None = None
        self._condition = threading.Condition()
        self.received = 0
        self.skipped = 0
        self.closed = False

    def put(self, item: T) -> None:
        with self._condition:
            if self._item is not None:
                self.skipped += 1
            self._item = item
            self.received += 1
            self._condition.notify()

    def take(self, timeout_s: float) -> T | None:
        """The newest item (emptying the slot), or None after timeout_s or once closed."""
        with self._condition:
            if self._item is None and not self.closed:
                self._condition.wait(timeout_s)
            item, self._item = self._item, None
            return item

    def close(self) -> None:
        with self._condition:
            self.closed = True
            self._condition.notify_all()
