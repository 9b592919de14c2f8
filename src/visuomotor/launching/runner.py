"""Start the nodes of a LaunchPlan as separate processes and supervise them, like `ros2 launch`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from visuomotor.launching.loader import NodeSpec


def node_command(spec: NodeSpec) -> list[str]:
    """`ros2 run visuomotor_ros <exe> <args> --ros-args ...`, as a module of this interpreter."""
    return [sys.executable, "-m", "visuomotor.nodes", spec.executable, *spec.arguments, *spec.ros_args()]


class ProcessGroup:
    """One process per node, each in its own session (so a signal reaches its children too).
    log_dir: write each node's output to <log_dir>/<name>.log instead of this terminal."""

    def __init__(self, specs: list[NodeSpec], log_dir: Path | None = None):
        self.processes: dict[str, subprocess.Popen] = {}
        for spec in specs:
            # the log file stays open while the process runs; stop() closes it
            output = open(log_dir / f"{spec.name}.log", "wb") if log_dir else None  # noqa: SIM115
            self.processes[spec.name] = subprocess.Popen(
                node_command(spec), start_new_session=True, stdout=output, stderr=subprocess.STDOUT if output else None
            )

    def exited(self) -> dict[str, int]:
        """Nodes that have exited so far, with their exit codes."""
        return {name: p.returncode for name, p in self.processes.items() if p.poll() is not None}

    def running(self) -> bool:
        return any(p.poll() is None for p in self.processes.values())

    def stop(self, grace_s: float = 5.0) -> None:
        """SIGINT every node, SIGKILL those still running after grace_s."""
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGINT)
        deadline = time.monotonic() + grace_s
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def clean_exit(self) -> bool:
        return all(p.returncode in (0, -signal.SIGINT) for p in self.processes.values())


def run_processes(specs: list[NodeSpec], grace_s: float = 5.0, duration_s: float | None = None) -> int:
    """Run every node until all exit, SIGINT/SIGTERM arrives or duration_s passes; then stop them all.
    Returns 0 if every node exited cleanly, else 1."""
    group = ProcessGroup(specs)
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    reported: set[str] = set()
    deadline = None if duration_s is None else time.monotonic() + duration_s
    try:
        while not stopping and group.running() and (deadline is None or time.monotonic() < deadline):
            for name, code in group.exited().items():
                if name not in reported:
                    reported.add(name)
                    print(f"[launch] {name} exited with code {code}", file=sys.stderr, flush=True)
            time.sleep(0.1)
    finally:
        group.stop(grace_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if group.clean_exit() else 1
