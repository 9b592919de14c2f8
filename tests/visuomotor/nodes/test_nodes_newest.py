from __future__ import annotations

import threading

from visuomotor.nodes.newest import NewestOnly


def test_keeps_only_the_newest_and_counts_skips():
    box: NewestOnly[int] = NewestOnly()
    for i in range(5):
        box.put(i)
    assert box.take(0.0) == 4
    assert (box.received, box.skipped) == (5, 4)
    assert box.take(0.01) is None


def test_take_wakes_on_put_and_close():
    box: NewestOnly[str] = NewestOnly()
    threading.Timer(0.05, box.put, args=("frame",)).start()
    assert box.take(5.0) == "frame"
    threading.Timer(0.05, box.close).start()
    assert box.take(5.0) is None and box.closed
