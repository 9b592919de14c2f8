"""Write sim/gazebo/tabletop.sdf: the gz sim (Harmonic, SDFormat 1.9) twin of the MuJoCo tabletop scene.

Every number comes from the code that builds the MuJoCo scene (visuomotor.sim.scene_xml, .layout, .objects,
visuomotor.robot.kinematics), so the two simulators cannot drift apart; tests/sim/test_gazebo_files.py
checks that the committed SDF equals this script's output. Run after changing the scene:

    .venv/bin/python sim/gazebo/make_world.py

Arm: link i+1 sits at the DH transform Tz(d_i)·Tx(a_i)·Rx(α_i) of link i and turns about its own z axis, so
at q = 0 every link frame is the DH frame of visuomotor.robot.kinematics.link_frames (as in scene_xml.py).
Objects, colours and light are episode `LAYOUT_SEED` of sample_layout; the fixed camera sits at the nominal
(un-jittered) CameraConfig eye, looking at its target. SDF poses are `x y z roll pitch yaw` with
R = Rz(yaw)·Ry(pitch)·Rx(roll).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from visuomotor.robot.arm import NUM_JOINTS, UR5E
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.robot.kinematics import dh_fixed_transform
from visuomotor.robot.wrist_mount import look_at_optical
from visuomotor.sim.layout import HOME_Q, CameraConfig, SceneConfig, sample_layout
from visuomotor.sim.objects import HALF_EXTENTS_M, MASS_KG, object_class
from visuomotor.sim.scene_xml import (
    ARM_KP,
    ARM_KV,
    ARM_TORQUE_LIMIT,
    FINGER_JOINTS,
    FINGER_MAX_OPENING_M,
    GRIPPER_FORCE_N,
    GRIPPER_KP,
    GRIPPER_KV,
)

WORLD_PATH = Path(__file__).with_name("tabletop.sdf")
WORLD_NAME = "tabletop"
ARM_MODEL = "ur5e"
LAYOUT_SEED = 0
CAMERA_RATE_HZ = 30
MAX_JOINT_VELOCITY_RAD_S = np.pi  # UR5e: 180 °/s on every joint (control/arm_controller.py)
CLIP_NEAR_M, CLIP_FAR_M = 0.01, 10.0  # as the MuJoCo renderer (znear·extent, zfar·extent)
# gz topics; bridge.yaml maps them onto the ROS camera/robot contract
CAMERA_TOPIC = "/camera"  # rgbd_camera publishes <topic>/image, /depth_image, /points, /camera_info
JOINT_STATE_TOPIC = f"/world/{WORLD_NAME}/model/{ARM_MODEL}/joint_state"
TRAJECTORY_TOPIC = f"/model/{ARM_MODEL}/joint_trajectory"
FINGER_OPENING_TOPIC = f"/model/{ARM_MODEL}/finger_opening"
# gz camera frame: x forward, y left, z up; columns = optical x (right), y (down), z (forward) in it
GZ_CAMERA_FROM_OPTICAL = np.array([[0.0, 0.0, 1.0], [-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]])


def _fmt(values) -> str:
    return " ".join(f"{float(v) + 0.0:.12g}" for v in np.ravel(values))  # + 0.0: no "-0"


def pose_text(T: np.ndarray) -> str:
    """4×4 rigid transform → SDF `x y z roll pitch yaw` (R = Rz(yaw)·Ry(pitch)·Rx(roll)). At pitch = ±π/2
    scipy warns of gimbal lock and sets yaw to 0; the angles still compose to exactly R."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        rpy = Rotation.from_matrix(T[:3, :3]).as_euler("xyz")
    return _fmt([*T[:3, 3], *rpy])


def _transform(R: np.ndarray | None = None, p=(0.0, 0.0, 0.0)) -> np.ndarray:
    T = np.eye(4)
    if R is not None:
        T[:3, :3] = R
    T[:3, 3] = p
    return T


def _pose(T: np.ndarray, relative_to: str | None = None) -> str:
    attribute = f' relative_to="{relative_to}"' if relative_to else ""
    return f"<pose{attribute}>{pose_text(T)}</pose>"


def _material(rgba) -> str:
    return f"<material><ambient>{_fmt(rgba)}</ambient><diffuse>{_fmt(rgba)}</diffuse></material>"


def _friction(mu: float) -> str:
    return f"<surface><friction><ode><mu>{mu}</mu><mu2>{mu}</mu2></ode></friction></surface>"


def _inertial(mass: float, com: np.ndarray, diagonal) -> str:
    ixx, iyy, izz = (f"{float(v):.6g}" for v in diagonal)
    return (
        f"<inertial>{_pose(_transform(p=com))}<mass>{mass:.6g}</mass><inertia><ixx>{ixx}</ixx><iyy>{iyy}</iyy>"
        f"<izz>{izz}</izz><ixy>0</ixy><ixz>0</ixz><iyz>0</iyz></inertia></inertial>"
    )


def box_inertia(mass: float, half) -> np.ndarray:
    """Diagonal inertia (kg·m²) of a solid box with half extents `half` (m) about its centre."""
    x, y, z = (2 * np.asarray(half, float)) ** 2
    return mass / 12.0 * np.array([y + z, x + z, x + y])


def cylinder_inertia(mass: float, radius: float, half_length: float) -> np.ndarray:
    """Diagonal inertia (kg·m²) of a solid cylinder along z about its centre."""
    side = mass * (3 * radius**2 + (2 * half_length) ** 2) / 12.0
    return np.array([side, side, mass * radius**2 / 2.0])


def _shape(kind: str, size) -> str:
    if kind == "box":
        return f"<box><size>{_fmt(2 * np.asarray(size))}</size></box>"
    if kind == "cylinder":
        return f"<cylinder><radius>{size[0]:.6g}</radius><length>{2 * size[1]:.6g}</length></cylinder>"
    if kind == "capsule":
        return f"<capsule><radius>{size[0]:.6g}</radius><length>{size[1]:.12g}</length></capsule>"
    return f"<sphere><radius>{size[0]:.6g}</radius></sphere>"


def _visual(name: str, kind: str, size, T: np.ndarray, rgba, relative_to: str | None = None) -> str:
    return (
        f'<visual name="{name}_visual">{_pose(T, relative_to)}<geometry>{_shape(kind, size)}</geometry>'
        f"{_material(rgba)}</visual>"
    )


def _collision(name: str, kind: str, size, T: np.ndarray, mu: float) -> str:
    return (
        f'<collision name="{name}_collision">{_pose(T)}<geometry>{_shape(kind, size)}</geometry>'
        f"{_friction(mu)}</collision>"
    )


def _static_box(name: str, half, position, mu: float, rgba) -> str:
    """A static model holding one box (half extents `half`, m) at `position` (m): floor, table."""
    T = _transform(p=position)
    return (
        f'<model name="{name}"><static>true</static><link name="{name}">'
        f"{_collision(name, 'box', half, T, mu)}{_visual(name, 'box', half, T, rgba)}</link></model>"
    )


def _z_to(direction: np.ndarray) -> np.ndarray:
    """A rotation taking +z onto `direction` (for capsules drawn from the link origin to the next joint)."""
    z = direction / np.linalg.norm(direction)
    helper = np.array([1.0, 0.0, 0.0]) if abs(z[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    x = np.cross(helper, z)
    x /= np.linalg.norm(x)
    return np.column_stack([x, np.cross(z, x), z])


def _arm_links() -> str:
    """base_link, link1…link6 (visual only, as in MuJoCo) and the revolute joints between them."""
    arm = UR5E
    fixed = [dh_fixed_transform(arm.d[i], arm.a[i], arm.alpha[i]) for i in range(NUM_JOINTS)]
    parts = [
        '<link name="base_link">'
        + _visual("pedestal", "cylinder", (0.08, 0.03), _transform(p=(0, 0, 0.03)), (0.2, 0.2, 0.22, 1))
        + "</link>",
        '<joint name="world_to_base" type="fixed"><parent>world</parent><child>base_link</child></joint>',
    ]
    for i in range(NUM_JOINTS):
        parent = "base_link" if i == 0 else f"link{i}"
        placement = np.eye(4) if i == 0 else fixed[i - 1]
        end = fixed[i][:3, 3]
        length = float(np.linalg.norm(end))
        mass = arm.link_masses_kg[i]
        inertia = max(mass * length**2 / 12.0, 2e-3)
        capsule = (
            _visual("segment", "capsule", (0.04, length), _transform(_z_to(end), end / 2), (0.75, 0.78, 0.8, 1))
            if length > 1e-9
            else ""
        )
        parts.append(
            f'<link name="link{i + 1}">{_pose(placement, parent)}<gravity>false</gravity>'
            f"{_inertial(mass, end / 2, [inertia] * 3)}"
            f"{_visual('motor', 'cylinder', (0.045, 0.055), np.eye(4), (0.3, 0.35, 0.4, 1))}{capsule}</link>"
        )
        parts.append(
            f'<joint name="{JOINT_NAMES[i]}" type="revolute"><parent>{parent}</parent><child>link{i + 1}</child>'
            f"<axis><xyz>0 0 1</xyz><limit><lower>{arm.q_min[i]:.12g}</lower><upper>{arm.q_max[i]:.12g}</upper>"
            f"<effort>{ARM_TORQUE_LIMIT[i]}</effort><velocity>{MAX_JOINT_VELOCITY_RAD_S:.12g}</velocity></limit>"
            "<dynamics><damping>1</damping></dynamics></axis></joint>"
        )
    parts.append(_gripper(fixed[NUM_JOINTS - 1]))
    return "\n".join(parts)


def _gripper(flange_in_link6: np.ndarray) -> str:
    """flange link (coupling + palm, fixed to link6 at the DH flange frame), two fingers sliding along
    flange ±y (0 … FINGER_MAX_OPENING_M each), and the TCP frame tcp_offset_m along flange z."""
    arm = UR5E
    finger_z = arm.tcp_offset_m - 0.07  # finger link origin = palm bottom
    coupling_half = finger_z / 2 - 0.03
    palm_z = finger_z - 0.03
    palm_half = (0.025, 0.068, 0.03)
    coupling_mass, palm_mass = 0.2, 0.6
    coupling_rgba = (0.3, 0.3, 0.3, 1)
    mass = coupling_mass + palm_mass
    com_z = (coupling_mass * coupling_half + palm_mass * palm_z) / mass
    inertia = (
        cylinder_inertia(coupling_mass, 0.037, coupling_half)
        + box_inertia(palm_mass, palm_half)
        + np.array([1.0, 1.0, 0.0]) * (coupling_mass * (coupling_half - com_z) ** 2 + palm_mass * (palm_z - com_z) ** 2)
    )
    parts = [
        f'<link name="flange">{_pose(flange_in_link6, "link6")}<gravity>false</gravity>'
        f"{_inertial(mass, np.array([0, 0, com_z]), inertia)}"
        f"{_visual('coupling', 'cylinder', (0.037, coupling_half), _transform(p=(0, 0, coupling_half)), coupling_rgba)}"
        f"{_visual('palm', 'box', palm_half, _transform(p=(0, 0, palm_z)), (0.25, 0.25, 0.28, 1))}"
        f"{_collision('palm', 'box', palm_half, _transform(p=(0, 0, palm_z)), 1.0)}</link>",
        '<joint name="flange_mount" type="fixed"><parent>link6</parent><child>flange</child></joint>',
        f'<frame name="tcp" attached_to="flange">{_pose(_transform(p=(0, 0, arm.tcp_offset_m)), "flange")}</frame>',
    ]
    pad_half = (0.012, 0.008, 0.04)
    for name, sign in zip(FINGER_JOINTS, (1, -1)):
        pad = _transform(p=(0, sign * 0.008, 0.04))
        parts.append(
            f'<link name="{name}_pad">{_pose(_transform(p=(0, 0, finger_z)), "flange")}<gravity>false</gravity>'
            f"{_inertial(0.05, pad[:3, 3], box_inertia(0.05, pad_half))}"
            f"{_visual('pad', 'box', pad_half, pad, (0.2, 0.2, 0.2, 1))}{_collision('pad', 'box', pad_half, pad, 1.5)}"
            f"</link>"
        )
        parts.append(
            f'<joint name="{name}" type="prismatic"><parent>flange</parent><child>{name}_pad</child>'
            f"<axis><xyz>0 {sign} 0</xyz><limit><lower>0</lower><upper>{FINGER_MAX_OPENING_M}</upper>"
            f"<effort>{GRIPPER_FORCE_N}</effort></limit>"
            "<dynamics><damping>2</damping></dynamics></axis></joint>"
        )
    return "\n".join(parts)


def _arm_plugins() -> str:
    """Joint states out; JointTrajectoryController for the arm; one JointPositionController drives both fingers
    to the same opening. MuJoCo's position actuator τ = kp·(q* − q) − kv·q̇ becomes the controller's position P
    (kp) plus velocity P (kv) on the commanded velocity, τ = kp·(q* − q) + kv·(q̇* − q̇), each clamped to the
    torque limit (and the sum by the joint's effort limit). No position D term: its derivative of the error would
    kick by kd·Δq*/dt at every target step (100 Hz from arm_controller_node, dt = one 2 ms physics step)."""
    joints = [*JOINT_NAMES, *FINGER_JOINTS]
    states = "".join(f"<joint_name>{n}</joint_name>" for n in joints)
    trajectory = "".join(
        f"<joint_name>{n}</joint_name><initial_position>{q:.12g}</initial_position>"
        f"<position_p_gain>{kp}</position_p_gain><position_i_gain>0</position_i_gain>"
        f"<position_d_gain>0</position_d_gain><position_cmd_max>{tau}</position_cmd_max>"
        f"<position_cmd_min>{-tau}</position_cmd_min><velocity_p_gain>{kv}</velocity_p_gain>"
        f"<velocity_i_gain>0</velocity_i_gain><velocity_d_gain>0</velocity_d_gain>"
        f"<velocity_cmd_max>{tau}</velocity_cmd_max><velocity_cmd_min>{-tau}</velocity_cmd_min>"
        for n, q, kp, kv, tau in zip(JOINT_NAMES, HOME_Q, ARM_KP, ARM_KV, ARM_TORQUE_LIMIT)
    )
    fingers = "".join(f"<joint_name>{n}</joint_name>" for n in FINGER_JOINTS)
    return (
        '<plugin filename="gz-sim-joint-state-publisher-system" name="gz::sim::systems::JointStatePublisher">'
        f"<topic>{JOINT_STATE_TOPIC}</topic>{states}</plugin>\n"
        '<plugin filename="gz-sim-joint-trajectory-controller-system" '
        f'name="gz::sim::systems::JointTrajectoryController"><topic>{TRAJECTORY_TOPIC}</topic>{trajectory}</plugin>\n'
        '<plugin filename="gz-sim-joint-position-controller-system" name="gz::sim::systems::JointPositionController">'
        f"{fingers}<topic>{FINGER_OPENING_TOPIC}</topic><initial_position>{FINGER_MAX_OPENING_M}</initial_position>"
        f"<p_gain>{GRIPPER_KP}</p_gain><i_gain>0</i_gain><d_gain>{GRIPPER_KV}</d_gain>"
        f"<cmd_max>{GRIPPER_FORCE_N}</cmd_max><cmd_min>{-GRIPPER_FORCE_N}</cmd_min></plugin>"
    )


def _object(obj) -> str:
    cls = object_class(obj.class_name)
    half = HALF_EXTENTS_M[cls.shape]
    mass = MASS_KG[cls.shape]
    kind, size, inertia = {
        "cube": ("box", half, box_inertia(mass, half)),
        "cylinder": ("cylinder", (half[0], half[2]), cylinder_inertia(mass, half[0], half[2])),
        "sphere": ("sphere", (half[0],), np.full(3, 0.4 * mass * half[0] ** 2)),
    }[cls.shape]
    pose = _transform(Rotation.from_euler("z", obj.yaw_rad).as_matrix(), obj.position_m)
    return (
        f'<model name="object_{obj.object_id}">{_pose(pose)}<link name="{obj.class_name}">'
        f"{_inertial(mass, np.zeros(3), inertia)}"
        f"{_collision('body', kind, size, np.eye(4), 1.2)}{_visual('body', kind, size, np.eye(4), obj.rgba)}"
        "</link></model>"
    )


def _bin(config: SceneConfig) -> str:
    h, w, t = config.bin_wall_height_m, config.bin_half_width_m, 0.008
    walls = [
        ((w + 2 * t, w + 2 * t, t / 2), (0, 0, t / 2)),
        ((t, w + 2 * t, h / 2), (w + t, 0, h / 2)),
        ((t, w + 2 * t, h / 2), (-(w + t), 0, h / 2)),
        ((w, t, h / 2), (0, w + t, h / 2)),
        ((w, t, h / 2), (0, -(w + t), h / 2)),
    ]
    geoms = "".join(
        _collision(f"wall{k}", "box", size, _transform(p=pos), 1.0)
        + _visual(f"wall{k}", "box", size, _transform(p=pos), (0.35, 0.35, 0.4, 1))
        for k, (size, pos) in enumerate(walls)
    )
    return (
        f'<model name="bin"><static>true</static>{_pose(_transform(p=(*config.bin_center_m, 0.0)))}'
        f'<link name="bin">{geoms}</link></model>'
    )


def _camera(camera: CameraConfig) -> str:
    """A static rgbd_camera at the fixed camera's nominal eye, looking at its target. Intrinsics: the
    horizontal FOV 2·atan(W / (2·fx)) sets fx (gz derives fy from the aspect ratio), and the lens
    intrinsics state fx, fy, cx, cy for camera_info. The camera_color_optical_frame frame is REP-103."""
    k = camera.intrinsics
    eye = np.asarray(camera.eye_m, float)
    R_optical = look_at_optical(eye, np.asarray(camera.target_m, float))
    camera_pose = _transform(R_optical @ GZ_CAMERA_FROM_OPTICAL.T, eye)
    optical_in_camera = _transform(GZ_CAMERA_FROM_OPTICAL)
    hfov = 2.0 * np.arctan(k.width / (2.0 * k.fx))
    return (
        f'<model name="fixed_camera"><static>true</static>{_pose(camera_pose)}<link name="camera_link">'
        f'<sensor name="{camera.name}" type="rgbd_camera"><topic>{CAMERA_TOPIC}</topic>'
        f"<gz_frame_id>camera_color_optical_frame</gz_frame_id>"
        f"<update_rate>{CAMERA_RATE_HZ}</update_rate><always_on>true</always_on><visualize>false</visualize>"
        f"<camera><horizontal_fov>{hfov:.12g}</horizontal_fov>"
        f"<image><width>{k.width}</width><height>{k.height}</height><format>R8G8B8</format></image>"
        f"<clip><near>{CLIP_NEAR_M}</near><far>{CLIP_FAR_M}</far></clip>"
        f"<lens><intrinsics><fx>{k.fx:.12g}</fx><fy>{k.fy:.12g}</fy><cx>{k.cx:.12g}</cx><cy>{k.cy:.12g}</cy>"
        "<s>0</s></intrinsics></lens></camera></sensor></link>"
        f'<frame name="camera_color_optical_frame" attached_to="camera_link">'
        f"{_pose(optical_in_camera, 'camera_link')}</frame></model>"
    )


def world_sdf(config: SceneConfig | None = None, seed: int = LAYOUT_SEED) -> str:
    """The complete SDF of the gz sim world (one string)."""
    config = config or SceneConfig()
    layout = sample_layout(config, seed)
    fixed = [c for c in config.cameras if c.mount == "fixed"]
    if len(fixed) != 1:
        raise ValueError(f"the Gazebo world needs exactly one fixed camera, SceneConfig has {len(fixed)}")
    li = layout.light_intensity
    objects = "\n".join(_object(obj) for obj in layout.objects)
    return f"""<?xml version="1.0"?>
<!-- Generated by sim/gazebo/make_world.py from the MuJoCo scene code; do not edit by hand. -->
<sdf version="1.9">
<world name="{WORLD_NAME}">
<physics name="2ms" type="ignored"><max_step_size>{config.timestep_s}</max_step_size>
<real_time_factor>1.0</real_time_factor></physics>
<plugin filename="gz-sim-physics-system" name="gz::sim::systems::Physics"/>
<plugin filename="gz-sim-user-commands-system" name="gz::sim::systems::UserCommands"/>
<plugin filename="gz-sim-scene-broadcaster-system" name="gz::sim::systems::SceneBroadcaster"/>
<plugin filename="gz-sim-sensors-system" name="gz::sim::systems::Sensors"><render_engine>ogre2</render_engine></plugin>
<gravity>0 0 -9.81</gravity>
<scene><ambient>{_fmt([0.3 * li] * 3)} 1</ambient><background>0.7 0.7 0.7 1</background><shadows>false</shadows>
<grid>false</grid></scene>
<light type="directional" name="key"><cast_shadows>false</cast_shadows><pose>0 0 3 0 0 0</pose>
<direction>{_fmt(layout.light_direction)}</direction><diffuse>{_fmt([0.6 * li] * 3)} 1</diffuse>
<specular>0.1 0.1 0.1 1</specular></light>
{_static_box("floor", (3, 3, 0.05), (0, 0, -0.8), 1.0, (0.45, 0.47, 0.5, 1))}
{_static_box("table", (0.75, 0.7, 0.02), (0.45, 0.05, -0.02), 0.8, layout.table_rgba)}
<model name="{ARM_MODEL}">
{_arm_links()}
{_arm_plugins()}
</model>
{_bin(config)}
{objects}
{_camera(fixed[0])}
</world>
</sdf>
"""


if __name__ == "__main__":
    WORLD_PATH.write_text(world_sdf())
    print(f"wrote {WORLD_PATH}")
