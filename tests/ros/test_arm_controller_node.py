"""arm_controller_node in its own process: tracks chunks, rejects NaN chunks, holds on stale inputs and on
joint states beyond the limits (never commanding beyond them)."""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray
from rclpy.duration import Duration
from rclpy.qos import QoSProfile, ReliabilityPolicy
from ros_testing import spin_until
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from visuomotor.robot.arm import UR5E
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.sim.layout import HOME_Q

QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
HOME = np.asarray(HOME_Q)


def chunk_msg(target: np.ndarray, k: int = 200, dt: float = 0.05) -> JointTrajectory:
    msg = JointTrajectory(joint_names=[*JOINT_NAMES, "gripper"])
    for i in range(k):
        point = JointTrajectoryPoint(positions=[*target.tolist(), 1.0])
        point.time_from_start = Duration(nanoseconds=int(round(i * dt * 1e9))).to_msg()
        msg.points.append(point)
    return msg  # header.stamp 0: the first point is due on arrival


def test_tracks_rejects_nan_and_holds_when_joint_states_stop(spawn, ros_node):
    controller = spawn(["-m", "visuomotor.nodes", "arm_controller_node"])
    node, executor = ros_node("arm_controller_test")
    commands: list[JointTrajectory] = []
    diagnostics: list[str] = []  # every status message
    states: list[str] = []  # the node's state: the first status of each array

    def on_diagnostics(message: DiagnosticArray) -> None:
        diagnostics.extend(s.message for s in message.status)
        states.append(message.status[0].message)

    node.create_subscription(JointTrajectory, "/arm_controller/joint_trajectory", commands.append, QOS)
    node.create_subscription(DiagnosticArray, "/diagnostics", on_diagnostics, QOS)
    joint_pub = node.create_publisher(JointState, "/joint_states", QOS)
    chunk_pub = node.create_publisher(JointTrajectory, "/policy/action_chunk", QOS)
    feedback = {"on": True, "fault": None}

    def publish_joint_state():
        if not feedback["on"]:
            return
        position = np.array(commands[-1].points[0].positions) if commands else HOME
        if feedback["fault"] is not None:
            position = position.copy()
            position[0] = feedback["fault"]
        joint_pub.publish(JointState(name=list(JOINT_NAMES), position=position.tolist()))

    node.create_timer(0.01, publish_joint_state)
    policy = {"chunk": None}  # re-sent at 50 Hz like a policy; None: the policy is silent
    node.create_timer(0.02, lambda: policy["chunk"] is not None and chunk_pub.publish(policy["chunk"]))
    assert spin_until(executor, lambda: len(commands) > 5, 30), controller.output()
    np.testing.assert_allclose(commands[-1].points[0].positions, HOME)
    assert spin_until(executor, lambda: "holding: no action chunk yet" in states, 5)

    target = HOME + 0.2
    policy["chunk"] = chunk_msg(target)
    assert spin_until(executor, lambda: np.allclose(commands[-1].points[0].positions, target, atol=1e-3), 10), (
        controller.output()
    )

    policy["chunk"] = None  # (chunks are keep-last-1: a good one right behind would replace the NaN one)
    spin_until(executor, lambda: False, 0.1)
    chunk_pub.publish(chunk_msg(np.full(6, np.nan)))
    assert spin_until(executor, lambda: any("NaN" in d for d in diagnostics), 5)
    np.testing.assert_allclose(commands[-1].points[0].positions, target, atol=1e-3)
    chunk_pub.publish(chunk_msg(target, k=10_000))  # issue #18: reading one starved the 100 Hz loop to ~33 Hz
    assert spin_until(executor, lambda: any("10000 points, more than max_chunk_points" in d for d in diagnostics), 5)

    policy["chunk"] = None  # the policy vanishes: holding within 100 ms
    assert spin_until(executor, lambda: "holding: action chunks stale (policy silent)" in states, 5)
    policy["chunk"] = chunk_msg(target)
    assert spin_until(executor, lambda: states[-1] == "tracking", 5)

    feedback["fault"] = 100.0  # a sensor fault: held where it was, never commanded beyond the limits
    assert spin_until(executor, lambda: states[-1].startswith("holding: joint state refused: joint shoulder_pan"), 5)
    faulted = len(commands)
    spin_until(executor, lambda: len(commands) > faulted + 10, 2)
    positions = np.array([c.points[0].positions for c in commands])
    assert np.all(positions >= UR5E.lower) and np.all(positions <= UR5E.upper)
    np.testing.assert_allclose(positions[-1], target, atol=1e-3)
    feedback["fault"] = None
    assert spin_until(executor, lambda: states[-1] == "tracking", 5)

    feedback["on"] = False
    assert spin_until(executor, lambda: states[-1] == "holding: joint states stale", 5)
    spin_until(executor, lambda: False, 0.3)  # joint states still in flight have arrived by now
    held = len(commands)
    spin_until(executor, lambda: len(commands) > held + 10, 2)
    last = np.array([c.points[0].positions for c in commands[held:]])
    np.testing.assert_array_equal(last, np.repeat(last[:1], len(last), axis=0))
    assert np.all(np.array([c.points[0].velocities for c in commands[held:]]) == 0)
    assert controller.alive()
