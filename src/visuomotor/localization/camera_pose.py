"""The camera pose in base_link valid at the image stamp, for a camera on the arm (wrist camera).

p_base = T_base_camera(t_image) @ [p_cam, 1] (seed 004 §29.2.3), with
T_base_camera(t) = FK(q(t)) @ T_link_camera, where q(t) is the joint-state history linearly
interpolated at the image stamp. Using the latest joint state instead moves the object by the arm's
motion since the exposure (decimetres at 1 m/s and 100 ms).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import deque
from collections.abc import Callable

import numpy as np

from visuomotor.localization.diagnostics import Diagnostic

ForwardKinematics = Callable[[np.ndarray], np.ndarray]  # joint positions (n,) rad → 4×4 T_base_link


class JointStateHistory:
    """A bounded, time-ordered buffer of joint positions; interpolates them at a stamp.

    max_samples: how many joint states are kept (oldest dropped). max_gap_ns: refuse to interpolate
    across a gap longer than this, or to extrapolate more than this beyond the newest/oldest sample.
    """

    def __init__(self, max_samples: int = 500, max_gap_ns: int = 50_000_000):
        self.max_gap_ns = max_gap_ns
        self._stamps: deque[int] = deque(maxlen=max_samples)
        self._positions: deque[np.ndarray] = deque(maxlen=max_samples)

    def add(self, stamp_ns: int, positions: np.ndarray) -> Diagnostic | None:
        """Append one joint state; an out-of-order or repeated stamp is ignored with a diagnostic."""
        if self._stamps and stamp_ns <= self._stamps[-1]:
            return Diagnostic(
                "stale_joint_state",
                f"joint state at {stamp_ns} ns is not newer than {self._stamps[-1]} ns: "
                "ignored; publish joint states in time order",
            )
        self._stamps.append(int(stamp_ns))
        self._positions.append(np.asarray(positions, dtype=float).copy())
        return None

    def positions_at(self, stamp_ns: int) -> np.ndarray | Diagnostic:
        """Joint positions at stamp_ns, linearly interpolated between the two bracketing samples."""
        if not self._stamps:
            return Diagnostic("no_joint_state", "no joint state received yet: check the /joint_states topic")
        stamps = self._stamps
        if stamp_ns <= stamps[0] or stamp_ns >= stamps[-1]:
            nearest = 0 if stamp_ns <= stamps[0] else len(stamps) - 1
            if abs(stamp_ns - stamps[nearest]) > self.max_gap_ns:
                return Diagnostic(
                    "no_joint_state",
                    f"image stamp {stamp_ns} ns is outside the joint-state history "
                    f"[{stamps[0]}, {stamps[-1]}] ns by more than {self.max_gap_ns} ns: "
                    "check clock sync between camera and arm",
                )
            return self._positions[nearest].copy()
        after = bisect_left(stamps, stamp_ns)
        t0, t1 = stamps[after - 1], stamps[after]
        if t1 - t0 > self.max_gap_ns:
            return Diagnostic(
                "no_joint_state",
                f"joint states around {stamp_ns} ns are {t1 - t0} ns apart "
                f"(> {self.max_gap_ns} ns): joint_states dropped out",
            )
        weight = (stamp_ns - t0) / (t1 - t0)
        return (1.0 - weight) * self._positions[after - 1] + weight * self._positions[after]


class WristCameraPose:
    """T_base_camera at an image stamp from joint states and forward kinematics.

    fk: joint positions → 4×4 pose of the link the camera is mounted on, in base_link.
    T_link_camera: 4×4 pose of the camera optical frame in that link (hand-eye calibration).
    """

    def __init__(self, fk: ForwardKinematics, T_link_camera: np.ndarray, history: JointStateHistory):
        self.fk = fk
        self.T_link_camera = np.asarray(T_link_camera, dtype=float)
        self.history = history

    def at(self, stamp_ns: int) -> np.ndarray | Diagnostic:
        positions = self.history.positions_at(stamp_ns)
        if isinstance(positions, Diagnostic):
            return positions
        return np.asarray(self.fk(positions), dtype=float) @ self.T_link_camera
