"""Fault test over real DDS: the sim graph of `visuomotor demo` (sim, shipped YOLO detector, localizer,
tracker, shipped ACT policy, arm controller — one process each, config/sim.yaml) loses its detector
mid-episode (SIGKILL): the tracker keeps coasting, the policy stops acting on stale perception and the
controller holds the arm still once chunks stop (its 100 ms watchdog); when the detector is started again,
chunks flow and the arm moves again."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from trajectory_msgs.msg import JointTrajectory
from visuomotor_ros.msg import Track, TrackArray

QOS = QoSProfile(depth=50, reliability=ReliabilityPolicy.RELIABLE)
PARAMS = ["--ros-args", "--params-file", str(Path(__file__).resolve().parents[2] / "config" / "sim.yaml")]
WATCHDOG_S = 0.1  # config/sim.yaml arm_controller_node watchdog_timeout_s
DELIVERY_S = 0.1  # allowance for DDS delivery and scheduling on a loaded machine


def test_detector_killed_mid_episode_holds_the_arm_and_the_stack_recovers(spawn, ros_node):
    nodes = {
        name: spawn(["-m", "visuomotor.nodes", name, *PARAMS])
        for name in (
            "sim_node",
            "detector_node",
            "localizer_node",
            "tracker_node",
            "policy_node",
            "arm_controller_node",
        )
    }
    node, executor = ros_node("fault_probe")
    received = {"tracks": [], "chunks": [], "commands": []}  # (receipt time s, message)
    now = time.monotonic
    node.create_subscription(TrackArray, "/tracks", lambda m: received["tracks"].append((now(), m)), QOS)
    node.create_subscription(
        JointTrajectory, "/policy/action_chunk", lambda m: received["chunks"].append((now(), m)), QOS
    )
    node.create_subscription(
        JointTrajectory, "/arm_controller/joint_trajectory", lambda m: received["commands"].append((now(), m)), QOS
    )
    output = lambda: "\n".join(f"--- {n}\n{p.output()[-2000:]}" for n, p in nodes.items())  # noqa: E731
    assert spin_until(executor, lambda: len(received["chunks"]) >= 25, 240), output()

    nodes["detector_node"].kill()
    killed_at = now()
    spin_until(executor, lambda: False, 3.0)
    tracks_after = [m for t, m in received["tracks"] if t > killed_at + 1.0]
    assert len(tracks_after) >= 2, "the tracker stopped publishing when its input stopped"
    assert all(t.state == Track.LOST for m in tracks_after[-1:] for t in m.tracks), "tracks not coasting"
    last_chunk_at = received["chunks"][-1][0]
    assert last_chunk_at < killed_at + 1.5, "the policy kept acting on stale perception"
    holding = [m for t, m in received["commands"] if t > last_chunk_at + WATCHDOG_S + DELIVERY_S]
    assert len(holding) >= 50, "the controller stopped commanding (it must hold, not go silent)"
    positions = np.array([m.points[0].positions for m in holding])
    velocities = np.array([m.points[0].velocities for m in holding])
    assert np.all(velocities == 0.0) and np.all(positions == positions[0]), "the arm was not held still"

    restarted = spawn(["-m", "visuomotor.nodes", "detector_node", *PARAMS])
    nodes["detector_node (restarted)"] = restarted
    chunks_before = len(received["chunks"])
    assert spin_until(executor, lambda: len(received["chunks"]) >= chunks_before + 25, 180), output()
    resumed_at = received["chunks"][chunks_before][0]
    assert spin_until(
        executor,
        lambda: any(np.any(np.array(m.points[0].velocities) != 0.0) for t, m in received["commands"] if t > resumed_at),
        10,
    ), "arm still held"
    assert all(p.alive() for n, p in nodes.items() if n != "detector_node"), output()
