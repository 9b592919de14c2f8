"""One demo/bench session: the sim graph (one process per node, or composed) driven episode by episode
by the DemoMonitor, with a report written at the end. Used by `visuomotor demo` and `visuomotor bench`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import rclpy
from rclpy.executors import SingleThreadedExecutor

from visuomotor.errors import UserError
from visuomotor.eval.demo.report import image_strip, summarize, write_report
from visuomotor.harness.composition import ComposedGraph
from visuomotor.harness.demo_monitor import DemoMonitor
from visuomotor.harness.recorder import start_recorder, stop_recorder
from visuomotor.launching.loader import load_launch_file
from visuomotor.launching.runner import ProcessGroup
from visuomotor.paths import share_dir


@dataclass
class SessionConfig:
    """One demo/bench session. Add an option here (with its default) and read it in run_session; callers that
    do not know it keep working."""

    out: Path
    "report folder (created; the node logs go to out/logs)"
    seed_start: int
    "scene seed of the first episode; episode i uses seed_start + i"
    episodes: int = 20
    "episodes to run (more while until_s has not passed)"
    composed: bool = False
    "all nodes in this process (harness.composition) instead of one process per node"
    episode_timeout_s: float = 25.0
    "seconds before an episode counts as failed"
    startup_timeout_s: float = 180.0
    "seconds for the graph to produce action chunks"
    record_bag: bool = True
    "record episode 1 into out/bag (MCAP)"
    parameter_overrides: dict[str, dict] = field(default_factory=dict)
    "node name → {parameter: value} replacing config/sim.yaml's"
    until_s: float | None = None
    "keep running episodes (beyond `episodes`) until this many seconds have passed"


def run_session(config: SessionConfig, log, after_episode=None) -> dict:
    """Start the sim graph (one process per node, or composed), run the episodes, write the report to
    config.out and return its summary. after_episode(group, record): called after each episode (e.g. to
    sample memory)."""
    out, composed = config.out, config.composed
    plan = load_launch_file(share_dir() / "launch" / "sim.launch.py")
    for spec in plan.nodes:
        spec.param_values.update(config.parameter_overrides.get(spec.name, {}))
    mode = "composed" if composed else "multi-process"
    out.mkdir(parents=True, exist_ok=True)
    rclpy.init()
    monitor = DemoMonitor()
    executor = None
    if composed:
        log(f"starting {len(plan.nodes)} nodes in this process: {', '.join(s.name for s in plan.nodes)}")
        group = ComposedGraph(plan.nodes, extra_nodes=[monitor])
        group.start()
    else:
        (out / "logs").mkdir(exist_ok=True)
        log(
            f"starting {len(plan.nodes)} node processes: {', '.join(s.name for s in plan.nodes)} "
            f"(logs in {out / 'logs'})"
        )
        group = ProcessGroup(plan.nodes, log_dir=out / "logs")
        executor = SingleThreadedExecutor()
        executor.add_node(monitor)
        threading.Thread(target=executor.spin, daemon=True).start()
    records, recorder = [], None
    try:
        wait_until_flowing(monitor, group, config.startup_timeout_s, log)
        started = time.monotonic()
        index = 0
        until_s = config.until_s
        while index < config.episodes or (until_s is not None and time.monotonic() - started < until_s):
            seed = config.seed_start + index
            if index == 0 and config.record_bag:
                recorder = start_recorder(out / "bag")
                wait_for_recorder(monitor, recorder, config.startup_timeout_s, log)
            record = monitor.run_episode(seed, config.episode_timeout_s)
            if recorder is not None:
                stop_recorder(recorder)
                recorder = None
            records.append(record)
            log(
                f"episode {index + 1} seed {seed}: {'success' if record.success else 'FAILED'} "
                f"in {record.duration_s:.1f} s"
            )
            if after_episode is not None:
                after_episode(group, record)
            index += 1
            if group.exited():
                log(f"nodes exited: {group.exited()}; stopping")
                break
    finally:
        if recorder is not None:
            stop_recorder(recorder)
        crashes = [f"{name} (exit {code})" for name, codes in group.died().items() for code in codes]
        group.stop()
        if executor is not None:
            executor.shutdown()
        monitor.destroy_node()
        rclpy.try_shutdown()
    summary = summarize(records, mode, crashes)
    strip = image_strip(out / "bag") if (out / "bag").exists() else None
    write_report(out, summary, records, strip)
    summary["report"] = str(out)
    return summary


def wait_until_flowing(monitor, group, timeout_s: float, log) -> None:
    """Until action chunks flow (the whole chain works) — or a node dies, or timeout_s passes."""

    deadline = time.monotonic() + timeout_s
    while not monitor.pipeline_flowing():
        if group.exited():
            raise UserError(f"nodes exited during start-up: {group.exited()}; see the node logs")
        if time.monotonic() > deadline:
            raise UserError(f"the graph did not produce action chunks within {timeout_s:.0f} s; see the node logs")
        time.sleep(0.5)
    log("graph is up: camera → detector → localizer → tracker → policy → controller")


def wait_for_recorder(monitor, recorder, timeout_s: float, log) -> None:
    """Until the recorder subscribes to /joint_states (it records from then on), so episode 1 is recorded
    from its start; a recorder that dies or never comes up is reported and the demo goes on without a bag."""
    deadline = time.monotonic() + timeout_s
    baseline = monitor.count_subscribers("/joint_states")  # the recorder needs seconds to start: not yet in it
    while monitor.count_subscribers("/joint_states") <= baseline:
        if recorder.poll() is not None or time.monotonic() > deadline:
            log("the recorder did not start: episode 1 is not recorded")
            return
        time.sleep(0.1)
    time.sleep(0.5)  # the remaining topics match within discovery's round trip
