"""Plausibility of measured joint positions: within the arm's limits, and no jump further than the drives move.

One rule for every consumer of /joint_states (the policy and the arm controller):
- in limits: every joint finite and within [q_min − LIMIT_TOLERANCE_RAD, q_max + LIMIT_TOLERANCE_RAD]
  (a reading beyond the limits is a sensor or driver fault, never a pose to act on);
- a jump: between two readings Δt apart, some joint moved further than its drive can,
      max_i |q_i − q_prev,i| > JUMP_TOLERANCE_RAD + v_max · Δt     (v_max: the arm's max joint speed, rad/s),
  i.e. the robot was reset (simulation) or moved by hand; Δt from the readings' stamps (0 when unknown).
"""

from __future__ import annotations

import numpy as np

from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel
from visuomotor.robot.joints import JOINT_NAMES

LIMIT_TOLERANCE_RAD = 0.01  # encoder noise and the simulator's soft joint limits
JUMP_TOLERANCE_RAD = 0.2  # beyond what a drive moves between two readings besides its speed allowance


def limit_violation(q: np.ndarray, arm: ArmModel = UR5E, tolerance_rad: float = LIMIT_TOLERANCE_RAD) -> str:
    """ "" when q (6,) rad is finite and within the arm's limits, else why not (naming the joint)."""
    q = np.asarray(q, dtype=float)
    if q.shape != (NUM_JOINTS,):
        return f"joint positions must be {NUM_JOINTS} values, got shape {q.shape}"
    for name, value, low, high in zip(JOINT_NAMES, q, arm.lower, arm.upper):
        if not np.isfinite(value):
            return f"joint {name} is {value}, not a finite angle"
        if not low - tolerance_rad <= value <= high + tolerance_rad:
            return f"joint {name} at {value:.4g} rad is beyond its limits [{low:.4g}, {high:.4g}] rad"
    return ""


def jumped(
    previous: np.ndarray,
    current: np.ndarray,
    dt_s: float,
    arm: ArmModel = UR5E,
    tolerance_rad: float = JUMP_TOLERANCE_RAD,
) -> bool:
    """Whether some joint moved further between the readings (Δt = dt_s apart, clamped at 0) than
    tolerance_rad + arm.max_speed_rad_s · Δt."""
    allowed = tolerance_rad + arm.max_speed_rad_s * max(0.0, dt_s)
    return bool(np.max(np.abs(np.asarray(current, float) - np.asarray(previous, float))) > allowed)
