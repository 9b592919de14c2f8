"""arm_controller_node: /policy/action_chunk + /joint_states -> 100 Hz /arm_controller/joint_trajectory
and /gripper_controller/commands (the forms ros2_control's joint_trajectory_controller and
forward_command_controller accept). The logic is visuomotor.control.arm_controller; this node converts
messages and keeps time. Its state ("tracking", or "holding: <why>") is the main status on /diagnostics,
published when it changes, with the tick's computation time as latency; rejected chunks and refused joint
states are reported as refusals."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from diagnostic_msgs.msg import DiagnosticStatus
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from visuomotor.camera.image_codec import stamp_to_ns
from visuomotor.control.arm_controller import ActionChunk, ArmController, ArmControllerConfig
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.runner import run_node
from visuomotor.robot.joints import GRIPPER_JOINT, JOINT_NAMES


@dataclass(frozen=True)
class ArmControllerNodeOptions:
    joint_names: tuple[str, ...] = JOINT_NAMES
    "the six arm joints, in the order of the published trajectory"


def seconds(stamp) -> float:
    return stamp.sec + stamp.nanosec * 1e-9


def chunk_from_msg(msg: JointTrajectory, joint_names: list[str], now_s: float) -> ActionChunk:
    """JointTrajectory (k points over the 6 joints + gripper, any joint order) -> ActionChunk.
    header.stamp is when point 0 is due (0: now); points must be evenly spaced in time_from_start."""
    names = list(msg.joint_names)
    missing = [n for n in (*joint_names, GRIPPER_JOINT) if n not in names]
    if missing:
        raise ValueError(f"action chunk lacks joints {missing}")
    if not msg.points:
        raise ValueError("action chunk has no points")
    order = [names.index(n) for n in (*joint_names, GRIPPER_JOINT)]
    positions = np.array([[p.positions[i] if i < len(p.positions) else np.nan for i in order] for p in msg.points])
    offsets = np.array([seconds(p.time_from_start) for p in msg.points])
    dt = float(np.diff(offsets).mean()) if len(offsets) > 1 else 0.01
    if len(offsets) > 1 and not np.allclose(np.diff(offsets), dt, atol=1e-4):
        raise ValueError("action chunk points must be evenly spaced in time_from_start")
    start = seconds(msg.header.stamp) or now_s
    return ActionChunk(start + offsets[0], dt, positions)


class ArmControllerNode(VisuomotorNode):
    PARAMETERS = (ArmControllerConfig, ArmControllerNodeOptions)

    def __init__(self, **node_kwargs):
        super().__init__("arm_controller_node", **node_kwargs)
        config: ArmControllerConfig = self.declare_config(ArmControllerConfig)
        self.joint_names = list(self.declare_config(ArmControllerNodeOptions).joint_names)
        self.controller = ArmController(config)
        self.trajectory_pub = self.create_publisher(JointTrajectory, "arm_controller/joint_trajectory", qos.DATA)
        self.gripper_pub = self.create_publisher(Float64MultiArray, "gripper_controller/commands", qos.DATA)
        self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.create_subscription(JointTrajectory, "policy/action_chunk", self.on_chunk, qos.DATA)
        self.period_s = 1.0 / config.rate_hz
        self.create_timer(self.period_s, self.on_tick)

    def now_s(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def on_joint_state(self, msg: JointState) -> None:
        names = list(msg.name)
        try:
            positions = np.array([msg.position[names.index(n)] for n in self.joint_names], dtype=float)
        except (ValueError, IndexError):
            self.diagnostics.refuse(f"joint_states lack some of {self.joint_names}")
            return
        gripper = msg.position[names.index(GRIPPER_JOINT)] if GRIPPER_JOINT in names[: len(msg.position)] else None
        now = self.now_s()
        stamp = stamp_to_ns(msg.header.stamp) * 1e-9 or now
        problem = self.controller.update_joint_state(positions, stamp, gripper, received_s=now)
        if problem:
            self.diagnostics.refuse(problem)

    def on_chunk(self, msg: JointTrajectory) -> None:
        limit = self.controller.config.max_chunk_points
        if len(msg.points) > limit:  # before reading it: a huge chunk would stall the control loop
            reason = f"action chunk has {len(msg.points)} points, more than max_chunk_points {limit}"
        else:
            try:
                now = self.now_s()
                reason = self.controller.submit(chunk_from_msg(msg, self.joint_names, now), now)
            except ValueError as error:
                reason = str(error)
        if reason:
            self.diagnostics.refuse(f"rejected action chunk: {reason}")

    def on_tick(self) -> None:
        started = time.perf_counter()
        command = self.controller.tick(self.now_s())
        if command is None:
            return
        trajectory = JointTrajectory(joint_names=self.joint_names)
        trajectory.header.stamp = self.get_clock().now().to_msg()
        point = JointTrajectoryPoint(positions=command.joints.tolist(), velocities=command.velocities.tolist())
        point.time_from_start.nanosec = int(self.period_s * 1e9)
        trajectory.points = [point]
        self.trajectory_pub.publish(trajectory)
        self.gripper_pub.publish(Float64MultiArray(data=[command.gripper]))
        self.diagnostics.record_latency((time.perf_counter() - started) * 1e3)
        if command.holding:
            self.diagnostics.set_state(DiagnosticStatus.WARN, f"holding: {command.reason}")
        else:
            self.diagnostics.set_state(DiagnosticStatus.OK, "tracking")


NODE_CLASS = ArmControllerNode


def main(args: list[str] | None = None) -> int:
    return run_node(ArmControllerNode, "arm_controller_node", args)
