"""Control-loop timing of arm_controller_node: the node runs in this process on its own executor thread,
a feeder closes the loop (joint states = the last command, a long action chunk), and the period between
consecutive /arm_controller/joint_trajectory publications is recorded as seen by a subscriber."""

from __future__ import annotations

import threading
import time

import numpy as np
import rclpy
from rclpy.duration import Duration
from rclpy.executors import SingleThreadedExecutor
from sensor_msgs.msg import JointState
from trajectory_msgs.msg import JointTrajectory, JointTrajectoryPoint

from visuomotor.nodes import qos
from visuomotor.nodes.arm_controller_node import ArmControllerNode
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.sim.layout import HOME_Q
from visuomotor.statistics import latency_summary


def measure_controller_jitter(seconds: float) -> dict:
    """Publication periods of the 100 Hz command stream over `seconds` and their jitter |period − 10 ms|
    (statistics.latency_summary, ms), and the number of commands."""
    context = rclpy.Context()
    rclpy.init(context=context)
    controller = ArmControllerNode(context=context)
    feeder = rclpy.create_node("controller_bench_feeder", context=context)
    arrivals: list[float] = []
    last = {"q": np.asarray(HOME_Q)}

    def on_command(message: JointTrajectory) -> None:
        arrivals.append(time.perf_counter())
        last["q"] = np.asarray(message.points[0].positions)

    feeder.create_subscription(JointTrajectory, "/arm_controller/joint_trajectory", on_command, qos.DATA)
    joints = feeder.create_publisher(JointState, "/joint_states", qos.DATA)
    chunks = feeder.create_publisher(JointTrajectory, "/policy/action_chunk", qos.CHUNK)
    feeder.create_timer(0.01, lambda: joints.publish(JointState(name=list(JOINT_NAMES), position=last["q"].tolist())))
    chunk = JointTrajectory(joint_names=[*JOINT_NAMES, "gripper"])
    points = controller.controller.config.max_chunk_points  # the longest chunk the controller takes
    step_ns = int((seconds + 2.0) / (points - 1) * 1e9)  # a slow sweep lasting longer than the measurement
    for i in range(points):
        t = i * step_ns * 1e-9
        point = JointTrajectoryPoint(positions=[*(np.asarray(HOME_Q) + 0.3 * np.sin(t / 2.0)).tolist(), 0.0])
        point.time_from_start = Duration(nanoseconds=i * step_ns).to_msg()
        chunk.points.append(point)
    executors = []
    for node in (controller, feeder):
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        threading.Thread(target=executor.spin, daemon=True).start()
        executors.append(executor)
    try:
        time.sleep(1.0)
        chunks.publish(chunk)
        time.sleep(1.0)
        arrivals.clear()
        time.sleep(seconds)
    finally:
        for executor in executors:
            executor.shutdown()
        controller.destroy_node()
        feeder.destroy_node()
        rclpy.shutdown(context=context)
    periods = np.diff(np.asarray(arrivals)) * 1e3
    jitter = np.abs(periods - 1e3 / controller.controller.config.rate_hz)
    return {
        "commands": len(arrivals),
        "rate_hz": controller.controller.config.rate_hz,
        "period_ms": latency_summary(periods),
        "jitter_ms": latency_summary(jitter),
    }
