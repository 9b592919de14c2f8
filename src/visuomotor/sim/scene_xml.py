"""MJCF generation for the tabletop scene: UR5e-class arm built from its DH table, parallel gripper, table,
bin, objects and RGB-D cameras. No external assets; every geom is a primitive.

Arm: body i+1 sits at the joint-independent DH transform Tz(d_i)·Tx(a_i)·Rx(α_i) of body i and rotates
about its own z axis, so MuJoCo's body poses equal the DH frames of visuomotor.robot.kinematics.
Arm links are visual only; the gripper palm and fingers collide with objects, bin and table.
"""

from __future__ import annotations

import numpy as np

from visuomotor.robot.arm import NUM_JOINTS, UR5E, ArmModel
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.robot.kinematics import dh_fixed_transform
from visuomotor.robot.wrist_mount import WRIST_CAMERA_POS_M, look_at_optical, wrist_camera_optical_rotation
from visuomotor.sim.layout import CameraConfig, SceneConfig, SceneLayout
from visuomotor.sim.objects import HALF_EXTENTS_M, MASS_KG, object_class

FINGER_JOINTS = ("finger_left", "finger_right")
FINGER_MAX_OPENING_M = 0.045  # per finger, inner face to the gripper's centre plane
ARM_KP = (4000.0, 4000.0, 3000.0, 1000.0, 1000.0, 1000.0)  # N·m/rad
ARM_KV = (400.0, 400.0, 300.0, 60.0, 60.0, 60.0)  # N·m·s/rad
ARM_ARMATURE = (0.5, 0.5, 0.3, 0.1, 0.1, 0.1)  # kg·m², reflected rotor inertia
ARM_TORQUE_LIMIT = (150.0, 150.0, 150.0, 28.0, 28.0, 28.0)  # N·m, UR5e size-3/size-1 joints
GRIPPER_KP, GRIPPER_KV, GRIPPER_FORCE_N = 600.0, 8.0, 25.0


def _fmt(values) -> str:
    return " ".join(f"{float(v):.12g}" for v in np.ravel(values))


def _camera_xml(cam: CameraConfig, pos: np.ndarray, R_optical: np.ndarray) -> str:
    """A MuJoCo camera (looks along −z, y up) whose optical frame is R_optical, with pinhole intrinsics.

    MuJoCo's principal offset is measured from the image centre (W/2, H/2) with both axes flipped
    (verified by ray casting); pixel (u, v) of our image has its centre at u + 0.5 in those units, so
    cx = W/2 − 0.5 − offset_x and cy = H/2 − 0.5 − offset_y.
    """
    k = cam.intrinsics
    x_axis, y_axis = R_optical[:, 0], -R_optical[:, 1]
    offset = (-(k.cx - (k.width / 2 - 0.5)), -(k.cy - (k.height / 2 - 0.5)))
    sensor = (k.width * 1e-5, k.height * 1e-5)  # any physical size: focal/principal are given in pixels
    return (
        f'<camera name="{cam.name}" pos="{_fmt(pos)}" xyaxes="{_fmt(x_axis)} {_fmt(y_axis)}" '
        f'resolution="{k.width} {k.height}" sensorsize="{_fmt(sensor)}" '
        f'focalpixel="{_fmt((k.fx, k.fy))}" principalpixel="{_fmt(offset)}"/>'
    )


def _arm_xml(arm: ArmModel, wrist_cameras: str) -> str:
    """Nested bodies link1…link6 + flange (+ gripper); link i+1 and the flange sit at the DH transform
    Tz(d)·Tx(a)·Rx(α) of their parent and every link rotates about its own z axis."""
    fixed = [dh_fixed_transform(arm.d[i], arm.a[i], arm.alpha[i]) for i in range(NUM_JOINTS)]

    def placement(i: int) -> str:  # pose of link i+1 (i < 6) or of the flange (i = 6) in its parent
        if i == 0:
            return ""
        T = fixed[i - 1]
        return f' pos="{_fmt(T[:3, 3])}" xyaxes="{_fmt(T[:3, 0])} {_fmt(T[:3, 1])}"'

    inner = f'<body name="flange"{placement(NUM_JOINTS)} gravcomp="1">{_gripper_xml(arm)}{wrist_cameras}</body>'
    for i in reversed(range(NUM_JOINTS)):
        end = fixed[i][:3, 3]
        length = float(np.linalg.norm(end))
        mass = arm.link_masses_kg[i]
        inertia = max(mass * length**2 / 12.0, 2e-3)
        capsule = (
            f'<geom type="capsule" fromto="0 0 0 {_fmt(end)}" size="0.04" rgba="0.75 0.78 0.8 1" '
            f'contype="0" conaffinity="0" mass="0"/>'
            if length > 1e-9
            else ""
        )
        inner = (
            f'<body name="link{i + 1}"{placement(i)} gravcomp="1">'
            f'<joint name="{JOINT_NAMES[i]}" axis="0 0 1" range="{_fmt((arm.q_min[i], arm.q_max[i]))}" '
            f'armature="{ARM_ARMATURE[i]}" damping="1"/>'
            f'<inertial pos="{_fmt(end / 2)}" mass="{mass}" diaginertia="{_fmt([inertia] * 3)}"/>'
            f'<geom type="cylinder" size="0.045 0.055" rgba="0.3 0.35 0.4 1" contype="0" conaffinity="0" '
            f'mass="0"/>{capsule}{inner}</body>'
        )
    return inner


def _gripper_xml(arm: ArmModel) -> str:
    """Coupling, palm and two fingers sliding along flange ±y; the TCP site at tcp_offset_m along flange z."""
    finger_z = arm.tcp_offset_m - 0.07  # finger body origin = palm bottom
    pad = 'friction="1.5 0.02 0.002" condim="4" solref="0.004 1" solimp="0.95 0.99 0.001"'
    fingers = ""
    for name, sign in zip(FINGER_JOINTS, (1, -1)):
        fingers += (
            f'<body name="{name}" pos="0 0 {finger_z:.6g}" gravcomp="1">'
            f'<joint name="{name}" type="slide" axis="0 {sign} 0" range="0 {FINGER_MAX_OPENING_M}" '
            f'armature="0.01" damping="2"/>'
            f'<geom name="{name}_pad" type="box" size="0.012 0.008 0.04" pos="0 {sign * 0.008} 0.04" '
            f'mass="0.05" rgba="0.2 0.2 0.2 1" {pad}/></body>'
        )
    palm_z = finger_z - 0.03
    return (
        f'<geom type="cylinder" size="0.037 {finger_z / 2 - 0.03:.6g}" pos="0 0 {finger_z / 2 - 0.03:.6g}" '
        f'rgba="0.3 0.3 0.3 1" contype="0" conaffinity="0" mass="0.2"/>'
        f'<geom name="palm" type="box" size="0.025 0.068 0.03" pos="0 0 {palm_z:.6g}" rgba="0.25 0.25 0.28 1" '
        f'mass="0.6"/>'
        f'{fingers}<site name="tcp" pos="0 0 {arm.tcp_offset_m}" size="0.005" rgba="1 0 1 0"/>'
    )


def _object_xml(obj) -> str:
    cls = object_class(obj.class_name)
    half = HALF_EXTENTS_M[cls.shape]
    size = {"cube": half, "cylinder": (half[0], half[2]), "sphere": (half[0],)}[cls.shape]
    geom_type = {"cube": "box", "cylinder": "cylinder", "sphere": "sphere"}[cls.shape]
    quat = (np.cos(obj.yaw_rad / 2), 0.0, 0.0, np.sin(obj.yaw_rad / 2))
    return (
        f'<body name="object_{obj.object_id}" pos="{_fmt(obj.position_m)}" quat="{_fmt(quat)}">'
        f'<freejoint/><geom name="object_{obj.object_id}" type="{geom_type}" size="{_fmt(size)}" '
        f'rgba="{_fmt(obj.rgba)}" mass="{MASS_KG[cls.shape]}" friction="1.2 0.02 0.002" condim="4"/></body>'
    )


def _bin_xml(config: SceneConfig) -> str:
    h, w, t = config.bin_wall_height_m, config.bin_half_width_m, 0.008
    walls = "".join(
        f'<geom type="box" size="{_fmt(size)}" pos="{_fmt(pos)}" rgba="0.35 0.35 0.4 1"/>'
        for size, pos in [
            ((w + 2 * t, w + 2 * t, t / 2), (0, 0, t / 2)),
            ((t, w + 2 * t, h / 2), (w + t, 0, h / 2)),
            ((t, w + 2 * t, h / 2), (-(w + t), 0, h / 2)),
            ((w, t, h / 2), (0, w + t, h / 2)),
            ((w, t, h / 2), (0, -(w + t), h / 2)),
        ]
    )
    return f'<body name="bin" pos="{_fmt((*config.bin_center_m, 0.0))}">{walls}</body>'


def scene_xml(config: SceneConfig, layout: SceneLayout, arm: ArmModel = UR5E) -> str:
    """The complete MJCF string of one episode."""
    wrist_cams, fixed_cams = "", ""
    R_wrist = wrist_camera_optical_rotation()
    for cam in config.cameras:
        if cam.mount == "wrist":
            wrist_cams += _camera_xml(cam, np.asarray(WRIST_CAMERA_POS_M), R_wrist)
        else:
            eye, target = np.asarray(layout.camera_eyes_m[cam.name]), np.asarray(layout.camera_targets_m[cam.name])
            fixed_cams += _camera_xml(cam, eye, look_at_optical(eye, target))
    max_w = max([c.intrinsics.width for c in config.cameras] + [64])
    max_h = max([c.intrinsics.height for c in config.cameras] + [64])
    li = layout.light_intensity
    actuators = "".join(
        f'<position name="{JOINT_NAMES[i]}" joint="{JOINT_NAMES[i]}" kp="{ARM_KP[i]}" kv="{ARM_KV[i]}" '
        f'ctrlrange="{_fmt((arm.q_min[i], arm.q_max[i]))}" forcerange="{-ARM_TORQUE_LIMIT[i]} {ARM_TORQUE_LIMIT[i]}"/>'
        for i in range(NUM_JOINTS)
    )
    actuators += "".join(
        f'<position name="{name}" joint="{name}" kp="{GRIPPER_KP}" kv="{GRIPPER_KV}" '
        f'ctrlrange="0 {FINGER_MAX_OPENING_M}" forcerange="{-GRIPPER_FORCE_N} {GRIPPER_FORCE_N}"/>'
        for name in FINGER_JOINTS
    )
    objects = "".join(_object_xml(obj) for obj in layout.objects)
    return f"""<mujoco model="visuomotor_tabletop">
<compiler angle="radian" autolimits="true"/>
<option timestep="{config.timestep_s}" integrator="implicitfast" cone="elliptic" impratio="10"/>
<statistic extent="2.0" center="0.4 0 0.3"/>
<visual><global offwidth="{max_w}" offheight="{max_h}"/><quality shadowsize="0" offsamples="0"/>
<map znear="0.005" zfar="5"/><headlight ambient="{0.3 * li:.4g} {0.3 * li:.4g} {0.3 * li:.4g}" diffuse="0.2 0.2 0.2"
 specular="0 0 0"/></visual>
<worldbody>
<light name="key" directional="true" dir="{_fmt(layout.light_direction)}" diffuse="{_fmt([0.6 * li] * 3)}"
 specular="0.1 0.1 0.1" castshadow="false"/>
<geom name="floor" type="plane" size="3 3 0.1" pos="0 0 -0.75" rgba="0.45 0.47 0.5 1"/>
<geom name="table" type="box" size="0.75 0.7 0.02" pos="0.45 0.05 -0.02" rgba="{_fmt(layout.table_rgba)}"
 friction="0.8 0.01 0.001"/>
<geom name="robot_pedestal" type="cylinder" size="0.08 0.03" pos="0 0 0.03" rgba="0.2 0.2 0.22 1"
 contype="0" conaffinity="0"/>
{_arm_xml(arm, wrist_cams)}
{_bin_xml(config)}
{objects}
{fixed_cams}
</worldbody>
<actuator>{actuators}</actuator>
</mujoco>"""
