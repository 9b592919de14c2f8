"""The launcher's respawn, as launch's ExecuteProcess does it: a node that exits is started again after
respawn_delay, at most respawn_max_retries times, then given up (the fault matrix, test_fault_matrix.py,
kills every node of `visuomotor launch sim` and watches it come back)."""

from __future__ import annotations

import time

from visuomotor.launching.loader import NodeSpec, RespawnPolicy
from visuomotor.launching.runner import ProcessGroup


def test_a_node_that_keeps_dying_is_respawned_max_retries_times_then_given_up(tmp_path):
    """recorder_node without `out` exits 2 at construction: a crash loop the launcher must end."""
    looping = NodeSpec("visuomotor_ros", "recorder_node", "looping", "", respawn=RespawnPolicy(0.2, 2))
    once = NodeSpec("visuomotor_ros", "recorder_node", "once", "")
    group = ProcessGroup([looping, once], log_dir=tmp_path)
    try:
        deadline = time.monotonic() + 120
        while len(group.exited()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert group.exited() == {"looping": 2, "once": 2}
        assert group.died() == {"looping": [2, 2, 2], "once": [2]}  # started 1 + 2 respawns
        assert not group.running()
    finally:
        group.stop()
    log = (tmp_path / "looping.log").read_text()
    assert log.count("recorder_node: recorder needs an output path") == 3
    assert not group.clean_exit()
