"""Start the nodes of a LaunchPlan as separate processes and supervise them, like `ros2 launch`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from visuomotor.launching.loader import NodeSpec


def node_command(spec: NodeSpec) -> list[str]:
    """`ros2 run visuomotor_ros <exe> <args> --ros-args ...`, as a module of this interpreter."""
    return [sys.executable, "-m", f"visuomotor.nodes.{spec.executable}", *spec.arguments, *spec.ros_args()]


def run_processes(specs: list[NodeSpec], grace_s: float = 5.0, duration_s: float | None = None) -> int:
    """Run every node until all exit, SIGINT/SIGTERM arrives or duration_s passes; then stop them all
    (SIGINT, SIGKILL after grace_s). Returns 0 if every node exited cleanly, else 1."""
    processes = {spec.name: subprocess.Popen(node_command(spec), start_new_session=True) for spec in specs}
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    reported: set[str] = set()
    deadline = None if duration_s is None else time.monotonic() + duration_s
    try:
        while not stopping and any(p.poll() is None for p in processes.values()):
            for name, process in processes.items():
                if process.poll() is not None and name not in reported:
                    reported.add(name)
                    print(f"[launch] {name} exited with code {process.returncode}", file=sys.stderr, flush=True)
            if deadline is not None and time.monotonic() > deadline:
                break
            time.sleep(0.1)
    finally:
        _stop_all(processes.values(), grace_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if all(p.returncode in (0, -signal.SIGINT) for p in processes.values()) else 1


def _stop_all(processes, grace_s: float) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + grace_s
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
