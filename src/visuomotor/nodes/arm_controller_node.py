"""arm_controller_node: /policy/action_chunk + /joint_states -> 100 Hz /arm_controller/joint_trajectory
and /gripper_controller/commands (the forms ros2_control's joint_trajectory_controller and
forward_command_controller accept). The logic is visuomotor.control.arm_controller; this node converts
messages and keeps time. Holds position (and says why on /diagnostics) when inputs go stale."""

from __future__ import annotations

import numpy as np
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node
from sensor_msgs.msg import JointState
from std_msgs.msg import Float64MultiArray
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from visuomotor.control.arm_controller import ActionChunk, ArmController, ArmControllerConfig
from visuomotor.nodes import qos
from visuomotor.nodes.runner import run_node
from visuomotor.robot.joints import GRIPPER_JOINT, JOINT_NAMES


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


class ArmControllerNode(Node):
    def __init__(self, **node_kwargs):
        super().__init__("arm_controller_node", **node_kwargs)
        defaults = ArmControllerConfig()
        declare = self.declare_parameter
        declare("rate_hz", defaults.rate_hz)
        declare("max_velocity_rad_s", defaults.max_velocity_rad_s)
        declare("max_acceleration_rad_s2", defaults.max_acceleration_rad_s2)
        declare("workspace_min_m", list(defaults.workspace_min_m))
        declare("workspace_max_m", list(defaults.workspace_max_m))
        declare("watchdog_timeout_s", defaults.watchdog_timeout_s)
        declare("joint_names", list(JOINT_NAMES))
        p = lambda name: self.get_parameter(name).value  # noqa: E731
        config = ArmControllerConfig(
            rate_hz=p("rate_hz"),
            max_velocity_rad_s=p("max_velocity_rad_s"),
            max_acceleration_rad_s2=p("max_acceleration_rad_s2"),
            workspace_min_m=tuple(p("workspace_min_m")),
            workspace_max_m=tuple(p("workspace_max_m")),
            watchdog_timeout_s=p("watchdog_timeout_s"),
        )
        self.joint_names = list(p("joint_names"))
        self.controller = ArmController(config)
        self.trajectory_pub = self.create_publisher(JointTrajectory, "arm_controller/joint_trajectory", qos.DATA)
        self.gripper_pub = self.create_publisher(Float64MultiArray, "gripper_controller/commands", qos.DATA)
        self.diagnostics_pub = self.create_publisher(DiagnosticArray, "/diagnostics", qos.DATA)
        self.create_subscription(JointState, "joint_states", self.on_joint_state, qos.DATA)
        self.create_subscription(JointTrajectory, "policy/action_chunk", self.on_chunk, qos.DATA)
        self.period_s = 1.0 / config.rate_hz
        self.create_timer(self.period_s, self.on_tick)
        self.last_status = ""

    def now_s(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    def on_joint_state(self, msg: JointState) -> None:
        names = list(msg.name)
        try:
            positions = np.array([msg.position[names.index(n)] for n in self.joint_names])
        except (ValueError, IndexError):
            self.report(DiagnosticStatus.WARN, f"joint_states lack some of {self.joint_names}")
            return
        gripper = msg.position[names.index(GRIPPER_JOINT)] if GRIPPER_JOINT in names[: len(msg.position)] else None
        self.controller.update_joint_state(positions, self.now_s(), gripper)

    def on_chunk(self, msg: JointTrajectory) -> None:
        try:
            now = self.now_s()
            reason = self.controller.submit(chunk_from_msg(msg, self.joint_names, now), now)
        except ValueError as error:
            reason = str(error)
        if reason:
            self.report(DiagnosticStatus.WARN, f"rejected action chunk: {reason}")

    def on_tick(self) -> None:
        command = self.controller.tick(self.now_s())
        if command is None:
            return
        stamp = self.get_clock().now().to_msg()
        trajectory = JointTrajectory(joint_names=self.joint_names)
        trajectory.header.stamp = stamp
        point = JointTrajectoryPoint(positions=command.joints.tolist(), velocities=command.velocities.tolist())
        point.time_from_start.nanosec = int(self.period_s * 1e9)
        trajectory.points = [point]
        self.trajectory_pub.publish(trajectory)
        self.gripper_pub.publish(Float64MultiArray(data=[command.gripper]))
        self.report(
            DiagnosticStatus.WARN if command.holding else DiagnosticStatus.OK,
            f"holding: {command.reason}" if command.holding else "tracking",
        )

    def report(self, level: int, message: str) -> None:
        """Publish on /diagnostics when the status changes (not at 100 Hz)."""
        if message == self.last_status:
            return
        self.last_status = message
        if level != DiagnosticStatus.OK:
            self.get_logger().warning(message)
        status = DiagnosticStatus(
            level=level,
            name=self.get_name(),
            message=message,
            values=[KeyValue(key="rate_hz", value=f"{1 / self.period_s:g}")],
        )
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self.diagnostics_pub.publish(array)


NODE_CLASS = ArmControllerNode


def main(args: list[str] | None = None) -> int:
    return run_node(ArmControllerNode, "arm_controller_node", args)
