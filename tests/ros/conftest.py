"""Fixtures for tests that cross real DDS: a per-run ROS_DOMAIN_ID and process spawning with cleanup.

Every test run (and every pytest-xdist worker) gets its own ROS_DOMAIN_ID, set in os.environ before any
rclpy use, so parallel runs on one machine never cross-talk; discovery stays on localhost. Spawned
processes start in their own session and their whole process group is killed at teardown, also when the
test fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _domain_id_for_this_run() -> int:
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"{os.getpid()}-{uuid.uuid4()}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    worker_index = int(worker[2:]) if worker[2:].isdigit() else 0
    # Domain ids 1..100 are safe for Fast DDS's default port mapping; 8 slots per run for workers.
    return 1 + (zlib.crc32(run_id.encode()) % 12) * 8 + worker_index % 8


os.environ["ROS_DOMAIN_ID"] = str(_domain_id_for_this_run())
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault("RMW_IMPLEMENTATION", "rmw_fastrtps_cpp")


class SpawnedProcess:
    """A child process in its own process group, logging to a file."""

    def __init__(self, argv: list[str], log_path: Path, env: dict[str, str]):
        self.argv = argv
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (open while the process runs)
        self.popen = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=REPO_ROOT, start_new_session=True
        )

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, grace_s: float = 5.0) -> int:
        """SIGINT the group, then SIGKILL after grace_s; returns the exit code."""
        if self.alive():
            self._signal_group(signal.SIGINT)
            try:
                self.popen.wait(timeout=grace_s)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=5)
        self._log.close()
        return self.popen.returncode

    def kill(self) -> None:
        """SIGKILL the whole group at once (a crashed node: no shutdown handlers run)."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def _signal_group(self, sig: int) -> None:
        try:
            os.killpg(self.popen.pid, sig)
        except ProcessLookupError:
            pass


@pytest.fixture
def spawn(tmp_path: Path) -> Callable[..., SpawnedProcess]:
    """spawn(argv_after_python, env=None) -> SpawnedProcess running `python <argv...>` with this run's
    ROS_DOMAIN_ID; e.g. spawn(["-m", "visuomotor.nodes", "camera_node", "--ros-args", "-p", "source:=bag"])."""
    processes: list[SpawnedProcess] = []

    def _spawn(argv: list[str], env: dict[str, str] | None = None) -> SpawnedProcess:
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        log_path = tmp_path / f"process-{len(processes)}.log"
        process = SpawnedProcess([sys.executable, *argv], log_path, full_env)
        processes.append(process)
        return process

    yield _spawn
    for process in processes:
        process.stop()


@pytest.fixture
def ros_node():
    """An rclpy node in this test process on its own context; ros_node(name) -> (node, executor)."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    context = rclpy.Context()
    rclpy.init(context=context)
    created = []

    def _make(name: str):
        node = rclpy.create_node(name, context=context)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        created.append((node, executor))
        return node, executor

    yield _make
    for node, executor in created:
        executor.shutdown()
        node.destroy_node()
    rclpy.shutdown(context=context)
