"""Start the nodes of a LaunchPlan as separate processes and supervise them, like `ros2 launch`.

A node whose spec has a RespawnPolicy (respawn=True in the launch file) is started again whenever its process
exits while the group runs — after the policy's delay, at most max_retries times — as launch's ExecuteProcess
does; a supervisor thread watches the processes every SUPERVISE_PERIOD_S.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from visuomotor.launching.loader import NodeSpec

SUPERVISE_PERIOD_S = 0.1


def node_command(spec: NodeSpec) -> list[str]:
    """`ros2 run visuomotor_ros <exe> <args> --ros-args ...`, as a module of this interpreter."""
    return [sys.executable, "-m", "visuomotor.nodes", spec.executable, *spec.arguments, *spec.ros_args()]


class ProcessGroup:
    """One process per node, each in its own session (so a signal reaches its children too), respawned as
    its spec says. log_dir: write each node's output to <log_dir>/<name>.log (appended across respawns)
    instead of this terminal."""

    def __init__(self, specs: list[NodeSpec], log_dir: Path | None = None):
        self.specs = {spec.name: spec for spec in specs}
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}  # the current process of every node
        self.exits: dict[str, list[int]] = {name: [] for name in self.specs}  # exit codes seen while running
        self._respawn_at: dict[str, float] = {}  # node -> monotonic time its next process starts
        self._handled: dict[str, subprocess.Popen] = {}  # node -> the process whose exit the supervisor handled
        self._logs: dict[str, object] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        for name in self.specs:
            self._start(name)
        self._supervisor = threading.Thread(target=self._supervise, name="launch-supervisor", daemon=True)
        self._supervisor.start()

    def exited(self) -> dict[str, int]:
        """Nodes that are down for good (exited and not going to be respawned), with their last exit code."""
        with self._lock:
            return {
                name: p.returncode
                for name, p in self.processes.items()
                if p.poll() is not None and name not in self._respawn_at and not self._will_respawn(name)
            }

    def died(self) -> dict[str, list[int]]:
        """Exit codes of every process exit while the group ran (respawned or not), by node."""
        with self._lock:
            deaths = {name: list(codes) for name, codes in self.exits.items()}
            for name, process in self.processes.items():
                if process.poll() is not None and self._handled.get(name) is not process:
                    deaths[name].append(process.returncode)  # not seen by the supervisor yet
            return {name: codes for name, codes in deaths.items() if codes}

    def running(self) -> bool:
        with self._lock:
            return bool(self._respawn_at) or any(p.poll() is None for p in self.processes.values())

    def stop(self, grace_s: float = 5.0) -> None:
        """Stop respawning, SIGINT every node, SIGKILL those still running after grace_s."""
        self._stopping.set()
        self._supervisor.join()
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
        for log in self._logs.values():
            log.close()

    def clean_exit(self) -> bool:
        """No node died while the group ran, and every node stopped on request."""
        died = any(code not in (0, -signal.SIGINT) for codes in self.exits.values() for code in codes)
        return not died and all(p.returncode in (0, -signal.SIGINT) for p in self.processes.values())

    def _start(self, name: str) -> None:
        output = None
        if self.log_dir is not None:
            if name not in self._logs:  # open while the process runs; stop() closes it
                self._logs[name] = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115
            output = self._logs[name]
        self.processes[name] = subprocess.Popen(
            node_command(self.specs[name]),
            start_new_session=True,
            stdout=output,
            stderr=subprocess.STDOUT if output else None,
        )

    def _will_respawn(self, name: str) -> bool:
        policy = self.specs[name].respawn
        retries = len(self.exits[name])
        return policy is not None and (policy.max_retries < 0 or retries <= policy.max_retries)

    def _supervise(self) -> None:
        while not self._stopping.wait(SUPERVISE_PERIOD_S):
            now = time.monotonic()
            with self._lock:
                for name, process in self.processes.items():
                    if process.poll() is None or self._handled.get(name) is process:
                        continue
                    self._handled[name] = process
                    self.exits[name].append(process.returncode)
                    policy = self.specs[name].respawn
                    if self._will_respawn(name):
                        self._respawn_at[name] = now + policy.delay_s
                        note = f"; respawning in {policy.delay_s:g} s"
                    else:
                        note = "; giving up after its respawns" if policy is not None else ""
                    print(f"[launch] {name} exited with code {process.returncode}{note}", file=sys.stderr, flush=True)
                for name, due in list(self._respawn_at.items()):
                    if now >= due:
                        del self._respawn_at[name]
                        self._start(name)
                        print(f"[launch] {name} respawned", file=sys.stderr, flush=True)


def run_processes(specs: list[NodeSpec], grace_s: float = 5.0, duration_s: float | None = None) -> int:
    """Run every node until all are down for good, SIGINT/SIGTERM arrives or duration_s passes; then stop
    them all. Returns 0 if no node died and every node stopped cleanly, else 1."""
    group = ProcessGroup(specs)
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    deadline = None if duration_s is None else time.monotonic() + duration_s
    try:
        while not stopping and group.running() and (deadline is None or time.monotonic() < deadline):
            time.sleep(0.1)
    finally:
        group.stop(grace_s)
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0 if group.clean_exit() else 1
