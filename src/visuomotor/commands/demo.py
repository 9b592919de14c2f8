"""`visuomotor demo`: the whole stack in simulation as separate ROS 2 processes over DDS — sim_node,
detector_node (shipped YOLOv8n), localizer_node, tracker_node, policy_node (shipped ACT),
arm_controller_node — running N pick-and-place episodes, then a summary and a report folder (report.md,
latency / tracking-error / joint plots, an annotated image strip, the MCAP bag of episode 1).
`--composed` runs the same nodes in one process (visuomotor.nodes.composition)."""
from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from visuomotor.commands import Command, UserError, add_json_flag, emit_result

DEMO_SEED_START = 10_000  # disjoint from the seeds the shipped policy was trained on
RECORDED_TOPICS = ["/camera/color/image_raw", "/camera/color/camera_info", "/camera/aligned_depth_to_color/image_raw",
                   "/camera/aligned_depth_to_color/camera_info", "/camera/extrinsics", "/joint_states",
                   "/sim/ground_truth", "/detections", "/tracks", "/policy/action_chunk",
                   "/arm_controller/joint_trajectory"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--episodes", type=int, default=20, help="pick-and-place episodes (default 20)")
    parser.add_argument("--seed-start", type=int, default=DEMO_SEED_START, help="first episode's scene seed")
    parser.add_argument("--episode-timeout", type=float, default=25.0, help="seconds before an episode fails")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default reports/demo-<time>)")
    parser.add_argument("--startup-timeout", type=float, default=180.0, help="seconds for the graph to come up")
    parser.add_argument("--composed", action="store_true",
                        help="all nodes in one process, frames handed over in-process (default: one process per node)")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    if args.episodes < 1:
        raise UserError(f"--episodes {args.episodes}: run at least 1 episode")
    out = args.out or Path("reports") / f"demo-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    if out.exists():
        raise UserError(f"--out {out} exists already; choose a new folder (reports are never overwritten)")
    log = (lambda line: None) if args.json else (lambda line: print(line, flush=True))

    summary = run_session(out, args.composed, args.episodes, args.seed_start, args.episode_timeout,
                          args.startup_timeout, record_bag=True, log=log)
    log(f"report: {out}")
    emit_result(summary, args.json)
    return 0 if not summary["crashes"] else 1


def run_session(out: Path, composed: bool, episodes: int, seed_start: int, episode_timeout_s: float,
                startup_timeout_s: float, record_bag: bool, log, parameter_overrides: dict | None = None) -> dict:
    """Start the sim graph (one process per node, or composed), run the episodes, write the report to
    `out` and return its summary. parameter_overrides: node name -> {parameter: value}."""
    import rclpy
    from rclpy.executors import SingleThreadedExecutor

    from visuomotor.eval.demo_report import image_strip, summarize, write_report
    from visuomotor.launching.loader import load_launch_file
    from visuomotor.launching.runner import ProcessGroup
    from visuomotor.nodes.composition import ComposedGraph
    from visuomotor.nodes.demo_monitor import DemoMonitor
    from visuomotor.paths import share_dir

    plan = load_launch_file(share_dir() / "launch" / "sim.launch.py")
    for spec in plan.nodes:
        spec.param_values.update((parameter_overrides or {}).get(spec.name, {}))
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
        log(f"starting {len(plan.nodes)} node processes: {', '.join(s.name for s in plan.nodes)} "
            f"(logs in {out / 'logs'})")
        group = ProcessGroup(plan.nodes, log_dir=out / "logs")
        executor = SingleThreadedExecutor()
        executor.add_node(monitor)
        threading.Thread(target=executor.spin, daemon=True).start()
    records, recorder = [], None
    try:
        wait_until_flowing(monitor, group, startup_timeout_s, log)
        for index in range(episodes):
            seed = seed_start + index
            if index == 0 and record_bag:
                recorder = start_recorder(out / "bag")
            record = monitor.run_episode(seed, episode_timeout_s)
            if recorder is not None:
                stop_recorder(recorder)
                recorder = None
            records.append(record)
            log(f"episode {index + 1}/{episodes} seed {seed}: {'success' if record.success else 'FAILED'} "
                f"in {record.duration_s:.1f} s")
            if group.exited():
                log(f"nodes exited: {group.exited()}; stopping")
                break
    finally:
        if recorder is not None:
            stop_recorder(recorder)
        crashes = [f"{name} (exit {code})" for name, code in group.exited().items()]
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


def start_recorder(bag: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "visuomotor.cli", "record", "--out", str(bag), "--topics",
                             *RECORDED_TOPICS, "--json"], stdout=subprocess.DEVNULL, start_new_session=True)


def stop_recorder(recorder: subprocess.Popen) -> None:
    import os
    import signal
    os.killpg(recorder.pid, signal.SIGINT)
    try:
        recorder.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(recorder.pid, signal.SIGKILL)


COMMANDS = [Command("demo", None, "run the whole stack in simulation for N pick-and-place episodes, with a report",
                    add_arguments, run)]
