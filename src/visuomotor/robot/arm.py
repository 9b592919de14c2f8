"""The arm model: a standard-DH 6-DOF arm with its joint limits and the gripper's TCP offset, and the UR5e.

UR5e DH values from Universal Robots, "Parameters for calculations of kinematics and dynamics" (UR FAQ 45257):
d1 = 0.1625, a2 = −0.425, a3 = −0.3922, d4 = 0.1333, d5 = 0.0997, d6 = 0.0996 m; α = (π/2, 0, 0, π/2, −π/2, 0).
Joint limits follow ur_description's UR5e joint_limits.yaml: ±2π except the elbow, ±π; every joint's maximum
speed is π rad/s (180°/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NUM_JOINTS = 6


@dataclass(frozen=True)
class ArmModel:
    """Standard-DH arm (lengths in m, angles in rad) plus the gripper's TCP offset along flange z."""

    a: tuple[float, ...]
    d: tuple[float, ...]
    alpha: tuple[float, ...]
    q_min: tuple[float, ...]
    q_max: tuple[float, ...]
    tcp_offset_m: float
    link_masses_kg: tuple[float, ...]
    max_speed_rad_s: float = np.pi  # every joint

    def __post_init__(self) -> None:
        for name in ("a", "d", "alpha", "q_min", "q_max", "link_masses_kg"):
            if len(getattr(self, name)) != NUM_JOINTS:
                raise ValueError(f"ArmModel.{name} needs {NUM_JOINTS} values, got {len(getattr(self, name))}")

    @property
    def lower(self) -> np.ndarray:
        return np.asarray(self.q_min)

    @property
    def upper(self) -> np.ndarray:
        return np.asarray(self.q_max)


UR5E = ArmModel(
    a=(0.0, -0.425, -0.3922, 0.0, 0.0, 0.0),
    d=(0.1625, 0.0, 0.0, 0.1333, 0.0997, 0.0996),
    alpha=(np.pi / 2, 0.0, 0.0, np.pi / 2, -np.pi / 2, 0.0),
    q_min=(-2 * np.pi, -2 * np.pi, -np.pi, -2 * np.pi, -2 * np.pi, -2 * np.pi),
    q_max=(2 * np.pi, 2 * np.pi, np.pi, 2 * np.pi, 2 * np.pi, 2 * np.pi),
    tcp_offset_m=0.17,
    link_masses_kg=(3.761, 8.058, 2.846, 1.37, 1.3, 0.365),
)
