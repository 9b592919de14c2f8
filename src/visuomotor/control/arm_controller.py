"""The arm controller's logic, ROS-free: action chunks in, rate-limited 100 Hz joint commands out.

Each tick (period Δt = 1/rate_hz) the controller
1. picks the target q* by linear interpolation of the newest accepted chunk at the current time;
2. limits it: with e = q* − q_prev, the wanted speed is sign(e)·min(v_max, v_brake(|e|), |e|/Δt), where
   v_brake is the highest speed that can still stop within |e| at a_max in steps of Δt (no overshoot), then
   a = clip((v − v_prev)/Δt, ±a_max),
   v = v_prev + a·Δt, q = clip(q_prev + v·Δt, q_min, q_max) — position, velocity and acceleration limits;
3. holds (q = q_prev, v = 0: the command stream stops at once, the drives brake) when the joint states or
   the action chunks go stale — no new one for watchdog_timeout_s, so a vanished policy holds the arm
   within that time even if its last chunk reached further ahead — when the newest joint state was refused
   (not finite, or beyond the joint limits: a sensor fault is never a pose to move from), or when nothing
   was accepted yet.
The controller (re)starts from the measured position (clipped to the joint limits; and the measured gripper
closure, when reported) on its first joint state, when the joint states jump (visuomotor.robot.joint_checks:
further than the drives move, e.g. a simulator reset or a robot moved by hand) and when they resume after
going stale further than JUMP_TOLERANCE_RAD from the last command; it then drops the current chunk — and
any chunk planned before the restart that is still in flight — so it never drags the arm back to where it
was nor re-closes a gripper that was opened.
A chunk is rejected whole, with a reason, if it has more than max_chunk_points points, holds a non-finite
value, puts a joint beyond its limits (by more than LIMIT_TOLERANCE_RAD; within it, targets are clamped), or
if any target's tool-centre point (forward kinematics) leaves the workspace box in base_link. So no command
ever leaves the joint limits. Units: rad, rad/s, rad/s², m, s. The gripper channel is a closure in [0, 1]
(0 open, 1 closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel
from visuomotor.robot.joint_checks import LIMIT_TOLERANCE_RAD, jumped, limit_violation
from visuomotor.robot.kinematics import tcp_positions


def braking_speed(distance: np.ndarray, a_max: float, dt: float) -> np.ndarray:
    """Highest speed that stops within `distance` when speed drops by a_max·Δt per step: stopping from
    n·a·Δt covers a·Δt²·n(n+1)/2, so v = a·Δt·(√(1/4 + 2·d/(a·Δt²)) − 1/2) (→ √(2·a·d) as Δt → 0)."""
    step = a_max * dt
    return step * (np.sqrt(0.25 + 2 * distance / (step * dt)) - 0.5)


@dataclass(frozen=True)
class ArmControllerConfig:
    rate_hz: float = 100.0
    "command rate, Hz (one joint command per tick)"
    max_velocity_rad_s: float = np.pi
    "joint speed limit, rad/s, every joint (UR5e: 180 °/s)"
    max_acceleration_rad_s2: float = 15.0
    "joint acceleration limit, rad/s², every joint"
    workspace_min_m: tuple[float, float, float] = (-0.9, -0.9, -0.005)
    "lower corner (x, y, z) of the box in base_link the tool-centre point must stay in, m"
    workspace_max_m: tuple[float, float, float] = (0.9, 0.9, 0.9)
    "upper corner (x, y, z) of the box in base_link the tool-centre point must stay in, m"
    watchdog_timeout_s: float = 0.1
    "hold the arm when no joint state or no new action chunk arrived for this long, s"
    max_chunk_points: int = 200
    "longest action chunk accepted, points (a longer one is rejected before it is read: it would stall the loop)"
    arm: ArmModel = UR5E

    def __post_init__(self) -> None:
        if not (
            self.rate_hz > 0
            and self.max_velocity_rad_s > 0
            and self.max_acceleration_rad_s2 > 0
            and self.watchdog_timeout_s > 0
            and self.max_chunk_points > 0
        ):
            raise ValueError(
                "rate_hz, max_velocity_rad_s, max_acceleration_rad_s2, watchdog_timeout_s and max_chunk_points "
                "must be positive"
            )
        if np.any(np.asarray(self.workspace_min_m) >= np.asarray(self.workspace_max_m)):
            raise ValueError(
                f"workspace_min_m {self.workspace_min_m} must be below workspace_max_m "
                f"{self.workspace_max_m} on every axis"
            )


@dataclass(frozen=True)
class ActionChunk:
    """k future actions: positions (k, 7) = 6 joint targets (rad) + gripper closure, the i-th due at
    start_s + i·dt_s (seconds on the controller's clock)."""

    start_s: float
    dt_s: float
    positions: np.ndarray

    @property
    def end_s(self) -> float:
        return self.start_s + (len(self.positions) - 1) * self.dt_s


@dataclass(frozen=True)
class Command:
    joints: np.ndarray  # (6,) rad
    velocities: np.ndarray  # (6,) rad/s
    gripper: float  # closure in [0, 1]
    holding: bool
    reason: str  # why holding ("" when tracking the chunk)


@dataclass
class ArmController:
    config: ArmControllerConfig = field(default_factory=ArmControllerConfig)
    _chunk: ActionChunk | None = None
    _chunk_received_s: float = 0.0
    _joint_state_s: float | None = None  # when the newest accepted joint state was received
    _measured: np.ndarray | None = None
    _measured_stamp_s: float = 0.0
    _fault: str = ""  # why the newest joint state was refused ("" when it was accepted)
    resyncs: int = 0
    _resync_s: float = float("-inf")  # when the last restart happened; chunks planned earlier are void
    _q: np.ndarray | None = None
    _v: np.ndarray = field(default_factory=lambda: np.zeros(NUM_JOINTS))
    _gripper: float = 0.0

    def update_joint_state(
        self, positions: np.ndarray, stamp_s: float, gripper: float | None = None, received_s: float | None = None
    ) -> str:
        """positions (6,) rad measured at stamp_s, received at received_s (default stamp_s); gripper: the
        measured closure, if the robot reports it (on a restart the controller holds it rather than its last
        command). Returns "" or why the reading was refused (the controller then holds until a good one)."""
        received_s = stamp_s if received_s is None else received_s
        positions = np.asarray(positions, dtype=float)
        problem = limit_violation(positions, self.config.arm)
        if problem:
            self._fault = f"joint state refused: {problem}"
            return self._fault
        resumed = (  # after going stale, far from where the controller left the arm
            self._q is not None
            and self._joint_state_s is not None
            and received_s - self._joint_state_s > self.config.watchdog_timeout_s
            and jumped(self._q, positions, 0.0, self.config.arm)
        )
        moved = self._measured is not None and jumped(
            self._measured, positions, stamp_s - self._measured_stamp_s, self.config.arm
        )
        if self._q is None or moved or resumed:
            arm = self.config.arm
            self._q, self._v, self._chunk = np.clip(positions, arm.lower, arm.upper), np.zeros(NUM_JOINTS), None
            if gripper is not None and np.isfinite(gripper):
                self._gripper = float(np.clip(gripper, 0.0, 1.0))
            if moved or resumed:
                self.resyncs += 1
                self._resync_s = stamp_s
        self._fault = ""
        self._measured, self._measured_stamp_s, self._joint_state_s = positions, stamp_s, received_s
        return ""

    def submit(self, chunk: ActionChunk, now_s: float) -> str:
        """Accept a chunk received at now_s; returns "" or why it was rejected (the previous chunk stays
        in force, and keeps ageing towards the watchdog)."""
        positions = np.asarray(chunk.positions, dtype=float)
        if chunk.start_s < self._resync_s:
            return "action chunk planned before the controller restarted from the measured pose: discarded"
        if positions.ndim != 2 or positions.shape[1] != NUM_JOINTS + 1 or len(positions) == 0:
            return f"action chunk must be (k, {NUM_JOINTS + 1}), got {positions.shape}"
        if len(positions) > self.config.max_chunk_points:
            limit = self.config.max_chunk_points
            return f"action chunk has {len(positions)} points, more than max_chunk_points {limit}"
        if not (np.all(np.isfinite(positions)) and np.isfinite(chunk.start_s) and chunk.dt_s > 0):
            return "action chunk holds NaN/inf or a non-positive dt"
        arm = self.config.arm
        joints = positions[:, :NUM_JOINTS]
        beyond = np.flatnonzero(
            np.any((joints < arm.lower - LIMIT_TOLERANCE_RAD) | (joints > arm.upper + LIMIT_TOLERANCE_RAD), axis=1)
        )
        if beyond.size:
            i = int(beyond[0])
            return f"action {i}: {limit_violation(joints[i], arm)}"
        positions = positions.copy()
        positions[:, :NUM_JOINTS] = np.clip(joints, arm.lower, arm.upper)
        positions[:, NUM_JOINTS] = np.clip(positions[:, NUM_JOINTS], 0.0, 1.0)
        low, high = np.asarray(self.config.workspace_min_m), np.asarray(self.config.workspace_max_m)
        tcp = tcp_positions(positions[:, :NUM_JOINTS], arm)
        outside = np.flatnonzero(np.any((tcp < low) | (tcp > high), axis=1))
        if outside.size:
            i = int(outside[0])
            return f"action {i} puts the tool at {np.round(tcp[i], 3).tolist()} m, outside the workspace box"
        self._chunk = ActionChunk(chunk.start_s, chunk.dt_s, positions)
        self._chunk_received_s = now_s
        return ""

    def tick(self, now_s: float) -> Command | None:
        """One control period; None until a joint state has been accepted (nothing safe to command)."""
        if self._q is None:
            return None
        reason = self._stale_reason(now_s)
        if reason or self._chunk is None:  # no chunk is a stale reason
            self._v = np.zeros(NUM_JOINTS)
            return Command(self._q.copy(), self._v.copy(), self._gripper, True, reason)
        target = _interpolate(self._chunk, now_s)
        dt = 1.0 / self.config.rate_hz
        v_max, a_max = self.config.max_velocity_rad_s, self.config.max_acceleration_rad_s2
        error = target[:NUM_JOINTS] - self._q
        v_wanted = np.sign(error) * np.minimum.reduce(
            [np.full(NUM_JOINTS, v_max), braking_speed(np.abs(error), a_max, dt), np.abs(error) / dt]
        )
        v = self._v + np.clip((v_wanted - self._v) / dt, -a_max, a_max) * dt
        arm = self.config.arm
        self._q = np.clip(self._q + v * dt, arm.lower, arm.upper)
        self._v, self._gripper = v, float(target[NUM_JOINTS])
        return Command(self._q.copy(), v.copy(), self._gripper, False, "")

    def _stale_reason(self, now_s: float) -> str:
        timeout = self.config.watchdog_timeout_s
        if self._fault:
            return self._fault
        if self._joint_state_s is None or now_s - self._joint_state_s > timeout:
            return "joint states stale"
        if self._chunk is None:
            return "no action chunk yet"
        if now_s - self._chunk_received_s > timeout:
            return "action chunks stale (policy silent)"
        return ""


def _interpolate(chunk: ActionChunk, now_s: float) -> np.ndarray:
    """The chunk's target at now_s: linear between its points, clamped to the first and the last."""
    position = np.clip((now_s - chunk.start_s) / chunk.dt_s, 0.0, len(chunk.positions) - 1)
    i = min(int(position), len(chunk.positions) - 2) if len(chunk.positions) > 1 else 0
    if len(chunk.positions) == 1:
        return chunk.positions[0]
    w = position - i
    return (1 - w) * chunk.positions[i] + w * chunk.positions[i + 1]
