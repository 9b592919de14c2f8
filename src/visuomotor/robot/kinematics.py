"""Kinematics of the 6-DOF UR5e-class arm: DH forward kinematics, geometric Jacobian, damped-least-squares IK.

Standard Denavit–Hartenberg convention (seed 004 §29.3.5 step 1, θ = IK(a)): the transform of link i is
    T_{i-1,i}(θ_i) = Rz(θ_i) · Tz(d_i) · Tx(a_i) · Rx(α_i),
and the flange pose is T_base_flange(q) = T_01 · T_12 · … · T_56. The tool centre point (TCP, between the
gripper fingertips) sits `tcp_offset_m` along the flange z axis. The arm's DH table and limits are
visuomotor.robot.arm (UR5E by default).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel


def dh_fixed_transform(d: float, a: float, alpha: float) -> np.ndarray:
    """Tz(d) · Tx(a) · Rx(α): the joint-independent part of one DH link transform, 4×4."""
    ca, sa = np.cos(alpha), np.sin(alpha)
    return np.array([[1.0, 0.0, 0.0, a], [0.0, ca, -sa, 0.0], [0.0, sa, ca, d], [0.0, 0.0, 0.0, 1.0]])


def rot_z(theta: float) -> np.ndarray:
    """4×4 homogeneous rotation about z by θ rad."""
    c, s = np.cos(theta), np.sin(theta)
    return np.array([[c, -s, 0.0, 0.0], [s, c, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])


def _check_q(q: np.ndarray) -> np.ndarray:
    q = np.asarray(q, dtype=float)
    if q.shape != (NUM_JOINTS,):
        raise ValueError(f"joint vector must have shape ({NUM_JOINTS},), got {q.shape}")
    if not np.all(np.isfinite(q)):
        raise ValueError(f"joint vector contains NaN/inf: {q}; pass finite angles in rad")
    return q


def link_frames(q: np.ndarray, arm: ArmModel = UR5E) -> np.ndarray:
    """Poses of DH frames 0…6 in base_link, shape (7, 4, 4); frame 0 = base, frame 6 = flange."""
    q = _check_q(q)
    frames = np.empty((NUM_JOINTS + 1, 4, 4))
    frames[0] = np.eye(4)
    for i in range(NUM_JOINTS):
        frames[i + 1] = frames[i] @ rot_z(q[i]) @ dh_fixed_transform(arm.d[i], arm.a[i], arm.alpha[i])
    return frames


def tcp_from_flange(arm: ArmModel = UR5E) -> np.ndarray:
    """4×4 pose of the TCP in the flange frame: a pure translation of tcp_offset_m along flange z."""
    T = np.eye(4)
    T[2, 3] = arm.tcp_offset_m
    return T


def forward_kinematics(q: np.ndarray, arm: ArmModel = UR5E) -> np.ndarray:
    """T_base_tcp(q), 4×4: the flange pose T_01…T_56 composed with the TCP offset."""
    return link_frames(q, arm)[-1] @ tcp_from_flange(arm)


def tcp_positions(qs: np.ndarray, arm: ArmModel = UR5E) -> np.ndarray:
    """TCP positions (n, 3) in base_link (m) of n joint vectors (n, 6): forward_kinematics(q)[:3, 3] for
    every row at once (the same DH chain as batched 4×4 products; what a controller checks per chunk)."""
    qs = np.asarray(qs, dtype=float)
    if qs.ndim != 2 or qs.shape[1] != NUM_JOINTS:
        raise ValueError(f"joint vectors must have shape (n, {NUM_JOINTS}), got {qs.shape}")
    if not np.all(np.isfinite(qs)):
        raise ValueError("joint vectors contain NaN/inf; pass finite angles in rad")
    frames = np.broadcast_to(np.eye(4), (len(qs), 4, 4))
    cos, sin = np.cos(qs), np.sin(qs)
    for i in range(NUM_JOINTS):
        rotation = np.zeros((len(qs), 4, 4))  # Rz(θ_i) for every row
        rotation[:, 0, 0], rotation[:, 0, 1] = cos[:, i], -sin[:, i]
        rotation[:, 1, 0], rotation[:, 1, 1] = sin[:, i], cos[:, i]
        rotation[:, 2, 2] = rotation[:, 3, 3] = 1.0
        frames = frames @ rotation @ dh_fixed_transform(arm.d[i], arm.a[i], arm.alpha[i])
    return (frames @ tcp_from_flange(arm))[:, :3, 3]


def geometric_jacobian(q: np.ndarray, arm: ArmModel = UR5E) -> np.ndarray:
    """6×6 TCP Jacobian in base_link: rows 0–2 linear (m/rad), 3–5 angular; column i = [z_i × (p − p_i); z_i]."""
    frames = link_frames(q, arm)
    p_tcp = (frames[-1] @ tcp_from_flange(arm))[:3, 3]
    J = np.empty((6, NUM_JOINTS))
    for i in range(NUM_JOINTS):
        z, p = frames[i][:3, 2], frames[i][:3, 3]
        J[:3, i] = np.cross(z, p_tcp - p)
        J[3:, i] = z
    return J


def rotation_error(R_target: np.ndarray, R_current: np.ndarray) -> np.ndarray:
    """Rotation vector (axis·angle, rad, base frame) taking R_current to R_target: log(R_t R_cᵀ)."""
    R = R_target @ R_current.T
    cos_angle = np.clip((np.trace(R) - 1.0) / 2.0, -1.0, 1.0)
    angle = np.arccos(cos_angle)
    axis_raw = np.array([R[2, 1] - R[1, 2], R[0, 2] - R[2, 0], R[1, 0] - R[0, 1]])
    if angle < 1e-9:
        return 0.5 * axis_raw
    if np.pi - angle < 1e-6:  # 180°: axis from the symmetric part
        B = (R + np.eye(3)) / 2.0
        axis = np.sqrt(np.clip(np.diag(B), 0.0, None))
        k = int(np.argmax(axis))
        axis = B[k] / axis[k]
        return angle * axis / np.linalg.norm(axis)
    return angle * axis_raw / (2.0 * np.sin(angle))


@dataclass(frozen=True)
class IKResult:
    """Solution of solve_ik: joint angles (6,) rad, whether both tolerances were met, final errors (m, rad)."""

    q: np.ndarray
    converged: bool
    position_error_m: float
    rotation_error_rad: float
    iterations: int


def solve_ik(
    T_target: np.ndarray,
    q_seed: np.ndarray,
    arm: ArmModel = UR5E,
    position_tol_m: float = 1e-4,
    rotation_tol_rad: float = 1e-3,
    max_iterations: int = 300,
    damping: float = 0.05,
    max_step_rad: float = 0.3,
) -> IKResult:
    """Damped-least-squares IK for a full TCP pose (position + orientation) within the joint limits.

    Iterates Δq = Jᵀ (J Jᵀ + λ² I)⁻¹ e with e = [p_t − p; log(R_t Rᵀ)], clips each step to
    max_step_rad and q to [q_min, q_max]. Converges to the solution branch nearest q_seed.
    """
    T_target = np.asarray(T_target, dtype=float)
    if T_target.shape != (4, 4) or not np.all(np.isfinite(T_target)):
        raise ValueError(f"IK target must be a finite 4×4 pose, got shape {T_target.shape}")
    q = np.clip(_check_q(q_seed).copy(), arm.lower, arm.upper)
    p_err = r_err = np.inf
    for iteration in range(1, max_iterations + 1):
        T = forward_kinematics(q, arm)
        e_p = T_target[:3, 3] - T[:3, 3]
        e_r = rotation_error(T_target[:3, :3], T[:3, :3])
        p_err, r_err = float(np.linalg.norm(e_p)), float(np.linalg.norm(e_r))
        if p_err < position_tol_m and r_err < rotation_tol_rad:
            return IKResult(q, True, p_err, r_err, iteration)
        J = geometric_jacobian(q, arm)
        e = np.concatenate([e_p, e_r])
        dq = J.T @ np.linalg.solve(J @ J.T + damping**2 * np.eye(6), e)
        scale = max(1.0, np.max(np.abs(dq)) / max_step_rad)
        q = np.clip(q + dq / scale, arm.lower, arm.upper)
    return IKResult(q, False, p_err, r_err, max_iterations)


def top_down_grasp_pose(position: np.ndarray, yaw_rad: float) -> np.ndarray:
    """TCP pose 4×4 at `position` (m, base_link) with the gripper pointing straight down (tool z = −z_base)
    and tool x along (cos yaw, sin yaw, 0); the fingers close along tool y."""
    c, s = np.cos(yaw_rad), np.sin(yaw_rad)
    x_tool = np.array([c, s, 0.0])
    z_tool = np.array([0.0, 0.0, -1.0])
    y_tool = np.cross(z_tool, x_tool)
    T = np.eye(4)
    T[:3, :3] = np.column_stack([x_tool, y_tool, z_tool])
    T[:3, 3] = position
    return T
