"""When perception dies the arm holds within the documented bound (docs/reliability.md,
policy.controller.perception_hold_bound_s): the shipped policy and the arm controller in one ROS-free loop, fed
like the live graph — tracks of a 10 Hz camera until the last image, then only the tracker's coasting
predictions (LOST, stamped coast_period_s in the past, every coast_period_s)."""

from __future__ import annotations

import numpy as np

from visuomotor.control.arm_controller import ActionChunk, ArmController, ArmControllerConfig
from visuomotor.policy.controller import (
    Chunk,
    JointReading,
    PolicyController,
    PolicyControllerConfig,
    TrackedTarget,
    TrackList,
    perception_hold_bound_s,
)
from visuomotor.sim.layout import HOME_Q
from visuomotor.tracking.track import TrackState

MS = 1_000_000
CUBE = np.array([0.45, -0.05, 0.02])
PERCEPTION_LATENCY_MS = 60  # image capture → tracks at the policy
COAST_PERIOD_MS = 500  # tracker_node's coast_period_s


def test_the_arm_holds_within_the_bound_after_the_last_image():
    policy_config, controller_config = PolicyControllerConfig(), ArmControllerConfig()
    policy, arm = PolicyController.load(policy_config), ArmController(controller_config)
    last_image_ms = 400  # perception dies after this capture (the arm is still approaching the cube)
    tracks, joints = None, None
    q = np.asarray(HOME_Q)
    arm.update_joint_state(q, 0.0)
    first_hold_ms, acting = None, False
    for now_ms in range(0, 2000):  # 1 ms steps
        capture = now_ms - PERCEPTION_LATENCY_MS
        if capture <= last_image_ms and capture >= 0 and capture % 100 == 0:  # a 10 Hz camera's tracks arrive
            tracks = TrackList(
                capture * MS, (TrackedTarget("obj-1", "red_cube", TrackState.CONFIRMED, 0.9, 9, CUBE, capture * MS),)
            )
        last_input_ms = last_image_ms + PERCEPTION_LATENCY_MS
        if now_ms > last_input_ms and (now_ms - last_input_ms) % COAST_PERIOD_MS == 0:  # the tracker coasts
            stamp = (now_ms - COAST_PERIOD_MS) * MS
            tracks = TrackList(
                stamp, (TrackedTarget("obj-1", "red_cube", TrackState.LOST, 0.9, 9, CUBE, last_image_ms * MS),)
            )
        if now_ms % 20 == 0:  # joint states and the policy at 50 Hz
            joints = JointReading(now_ms * MS, now_ms * MS, np.append(q, 0.0))
            result = policy.step(now_ms * MS, joints, tracks)
            if isinstance(result, Chunk):
                chunk = ActionChunk(result.due_ns * 1e-9, result.period_s, result.actions)
                assert arm.submit(chunk, now_ms * 1e-3) == ""
                acting = True
                assert now_ms <= last_image_ms + 1000 * policy_config.stale_timeout_s + 20
        if now_ms % 10 == 0:  # the controller at 100 Hz; the arm follows its commands
            arm.update_joint_state(q, now_ms * 1e-3)
            command = arm.tick(now_ms * 1e-3)
            if command.holding and acting and first_hold_ms is None:
                first_hold_ms = now_ms
            q = command.joints
    bound_ms = 1000 * perception_hold_bound_s(policy_config, controller_config)
    assert bound_ms == 630
    assert 1000 * policy_config.stale_timeout_s < first_hold_ms - last_image_ms <= bound_ms
