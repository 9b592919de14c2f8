"""The arm controller's logic, ROS-free: action chunks in, rate-limited 100 Hz joint commands out.

Each tick (period Δt = 1/rate_hz) the controller
1. picks the target q* by linear interpolation of the newest accepted chunk at the current time;
2. limits it: with e = q* − q_prev, the wanted speed is sign(e)·min(v_max, v_brake(|e|), |e|/Δt), where
   v_brake is the highest speed that can still stop within |e| at a_max in steps of Δt (no overshoot), then
   a = clip((v − v_prev)/Δt, ±a_max),
   v = v_prev + a·Δt, q = clip(q_prev + v·Δt, q_min, q_max) — position, velocity and acceleration limits;
3. holds (q = q_prev, v = 0: the command stream stops at once, the drives brake) when the joint states or
   the action chunks go stale — no new one for watchdog_timeout_s, so a vanished policy holds the arm
   within that time even if its last chunk reached further ahead — or nothing was accepted yet.
When a joint state jumps by more than resync_jump_rad from the previous one (a simulator reset, a robot
moved by hand), the controller restarts from the measured position (and measured gripper closure, when
reported) and drops the current chunk — and any chunk planned before the jump that is still in flight —
so it never drags the arm back to where it was nor re-closes a gripper that was opened.
A chunk is rejected whole, with a reason, if it holds a non-finite value or if any target's tool-centre
point (forward kinematics) leaves the workspace box in base_link; targets beyond the joint limits are
clamped. Units: rad, rad/s, rad/s², m, s. The gripper channel is a closure in [0, 1] (0 open, 1 closed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel
from visuomotor.robot.kinematics import tcp_positions


def braking_speed(distance: np.ndarray, a_max: float, dt: float) -> np.ndarray:
    """Highest speed that stops within `distance` when speed drops by a_max·Δt per step: stopping from
    n·a·Δt covers a·Δt²·n(n+1)/2, so v = a·Δt·(√(1/4 + 2·d/(a·Δt²)) − 1/2) (→ √(2·a·d) as Δt → 0)."""
    step = a_max * dt
    return step * (np.sqrt(0.25 + 2 * distance / (step * dt)) - 0.5)


@dataclass(frozen=True)
class ArmControllerConfig:
    rate_hz: float = 100.0
    max_velocity_rad_s: float = np.pi  # UR5e: 180 °/s on every joint
    max_acceleration_rad_s2: float = 15.0
    workspace_min_m: tuple[float, float, float] = (-0.9, -0.9, -0.005)  # TCP box in base_link
    workspace_max_m: tuple[float, float, float] = (0.9, 0.9, 0.9)
    watchdog_timeout_s: float = 0.1  # hold when inputs are older than this
    resync_jump_rad: float = 0.2  # a joint state this far from the last one (no drive moves that
    # far in one update) means the arm was reset or moved by hand:
    # restart from the measured position
    arm: ArmModel = UR5E

    def __post_init__(self) -> None:
        if not (
            self.rate_hz > 0
            and self.max_velocity_rad_s > 0
            and self.max_acceleration_rad_s2 > 0
            and self.watchdog_timeout_s > 0
        ):
            raise ValueError(
                "rate_hz, max_velocity_rad_s, max_acceleration_rad_s2 and watchdog_timeout_s must be positive"
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
    _joint_state_s: float | None = None
    _measured: np.ndarray | None = None
    resyncs: int = 0
    _resync_s: float = float("-inf")  # when the last resync happened; chunks planned earlier are void
    _q: np.ndarray | None = None
    _v: np.ndarray = field(default_factory=lambda: np.zeros(NUM_JOINTS))
    _gripper: float = 0.0

    def update_joint_state(self, positions: np.ndarray, stamp_s: float, gripper: float | None = None) -> None:
        """positions (6,) rad measured at stamp_s; gripper: the measured closure, if the robot reports it
        (on a (re)start the controller holds it rather than its last command)."""
        positions = np.asarray(positions, dtype=float)
        if positions.shape != (NUM_JOINTS,) or not np.all(np.isfinite(positions)):
            return  # a bad reading is ignored; the watchdog holds if no good one follows
        jumped = self._measured is not None and np.max(np.abs(positions - self._measured)) > self.config.resync_jump_rad
        if self._q is None or jumped:
            self._q, self._v, self._chunk = positions.copy(), np.zeros(NUM_JOINTS), None
            if gripper is not None and np.isfinite(gripper):
                self._gripper = float(np.clip(gripper, 0.0, 1.0))
            if jumped:
                self.resyncs += 1
                self._resync_s = stamp_s
        self._measured, self._joint_state_s = positions, stamp_s

    def submit(self, chunk: ActionChunk, now_s: float) -> str:
        """Accept a chunk received at now_s; returns "" or why it was rejected (the previous chunk stays
        in force, and keeps ageing towards the watchdog)."""
        positions = np.asarray(chunk.positions, dtype=float)
        if chunk.start_s < self._resync_s:
            return "action chunk planned before the joint states jumped (robot reset or moved): discarded"
        if positions.ndim != 2 or positions.shape[1] != NUM_JOINTS + 1 or len(positions) == 0:
            return f"action chunk must be (k, {NUM_JOINTS + 1}), got {positions.shape}"
        if not (np.all(np.isfinite(positions)) and np.isfinite(chunk.start_s) and chunk.dt_s > 0):
            return "action chunk holds NaN/inf or a non-positive dt"
        arm = self.config.arm
        positions = positions.copy()
        positions[:, :NUM_JOINTS] = np.clip(positions[:, :NUM_JOINTS], arm.lower, arm.upper)
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
        """One control period; None until a joint state has arrived (nothing safe to command)."""
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
