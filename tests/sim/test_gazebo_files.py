"""The gz sim files (sim/gazebo/, launch/gazebo.launch.py) are consistent with the MuJoCo scene and the ROS contract.

No Gazebo here: the SDF is parsed with xml.etree and its kinematics recomputed from the parsed poses, the bridge
YAML is checked topic by topic against visuomotor.camera.topics and docs/architecture.md, the topic_tools
adapter expressions are evaluated on real rclpy messages, and the launch file is evaluated by load_launch_file.
"""

from __future__ import annotations

import importlib.util
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import geometry_msgs.msg
import mujoco
import numpy as np
import pytest
import sensor_msgs.msg
import std_msgs.msg
import yaml
from scipy.spatial.transform import Rotation

from visuomotor.camera import topics
from visuomotor.camera.extrinsics import transform_from_xyz_quat
from visuomotor.camera.frame import BASE_FRAME, COLOR_OPTICAL_FRAME, CameraIntrinsics
from visuomotor.launching import launch_api, loader
from visuomotor.robot.arm import UR5E
from visuomotor.robot.joints import JOINT_NAMES
from visuomotor.robot.kinematics import forward_kinematics, link_frames, rot_z
from visuomotor.robot.wrist_mount import look_at_optical
from visuomotor.sim.layout import HOME_Q, CameraConfig, SceneConfig, sample_layout
from visuomotor.sim.scene_xml import ARM_KP, ARM_KV, ARM_TORQUE_LIMIT, FINGER_JOINTS, FINGER_MAX_OPENING_M, scene_xml

ROOT = Path(__file__).resolve().parents[2]
WORLD = ROOT / "sim/gazebo/tabletop.sdf"
BRIDGE = ROOT / "sim/gazebo/bridge.yaml"
LAUNCH = ROOT / "launch/gazebo.launch.py"
ADAPTER_MODULES = {"std_msgs": std_msgs, "sensor_msgs": sensor_msgs, "geometry_msgs": geometry_msgs}


def _load_make_world():
    spec = importlib.util.spec_from_file_location("make_world", ROOT / "sim/gazebo/make_world.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def world() -> ET.Element:
    root = ET.parse(WORLD).getroot()
    worlds = root.findall("world")
    assert len(worlds) == 1
    return worlds[0]


@pytest.fixture(scope="module")
def bridge() -> list[dict]:
    return yaml.safe_load(BRIDGE.read_text())


def _model(world: ET.Element, name: str) -> ET.Element:
    (model,) = [m for m in world.findall("model") if m.get("name") == name]
    return model


def _pose(element: ET.Element | None) -> np.ndarray:
    """SDF `<pose>x y z roll pitch yaw</pose>` → 4×4, R = Rz(yaw)·Ry(pitch)·Rx(roll); absent → identity."""
    T = np.eye(4)
    if element is not None:
        x, y, z, roll, pitch, yaw = (float(v) for v in element.text.split())
        T[:3, :3] = Rotation.from_euler("xyz", [roll, pitch, yaw]).as_matrix()
        T[:3, 3] = (x, y, z)
    return T


def _plugin(parent: ET.Element, suffix: str) -> ET.Element:
    (plugin,) = [p for p in parent.findall("plugin") if p.get("name").endswith(suffix)]
    return plugin


def _resolved(ros_name: str) -> str:
    """A bridge ROS topic in the default (empty) namespace."""
    return ros_name if ros_name.startswith("/") else "/" + ros_name


def _architecture_topic_types() -> dict[str, str]:
    """topic -> ROS type (package/msg/Type) from the topic table of docs/architecture.md."""
    table = {}
    for topic, kind in re.findall(r"^\| `(/[^`]+)` \| ([\w/]+)", (ROOT / "docs/architecture.md").read_text(), re.M):
        package, name = kind.split("/")
        table[topic] = f"{package}/msg/{name}"
    return table


def _launch_nodes(overrides: dict[str, str] | None = None) -> tuple[list, launch_api.LaunchContext]:
    """The launch description's Node actions, with a context holding the evaluated arguments."""
    plan = loader.load_launch_file(LAUNCH, overrides)
    context = launch_api.LaunchContext(arguments=plan.values, share_dirs={loader.PACKAGE: ROOT})
    return [a for a in loader._generate(LAUNCH) if isinstance(a, launch_api.Node)], context


def _adapters(overrides: dict[str, str] | None = None) -> dict[str, dict]:
    """topic_tools transform nodes by name: input topic, output topic (namespace-resolved), type, expression,
    imported modules and options (`transform <input> <output> <type> <expression> [--import m ...] [--flag v]`)."""
    nodes, context = _launch_nodes(overrides)
    adapters = {}
    for node in nodes:
        if node.package == "topic_tools":
            assert launch_api.resolve(node.executable, context) == "transform"
            args = [launch_api.resolve(a, context) for a in node.arguments]
            namespace = launch_api.resolve(node.namespace, context).strip("/")
            output = args[1] if args[1].startswith("/") else "/" + "/".join(filter(None, [namespace, args[1]]))
            options: dict[str, list[str]] = {}
            for word in args[4:]:
                if word.startswith("--"):
                    options[word] = []
                else:
                    options[list(options)[-1]].append(word)
            adapters[launch_api.resolve(node.name, context)] = {
                "input": args[0],
                "output": output,
                "type": args[2],
                "expression": args[3],
                "options": options,
            }
    return adapters


def _evaluate(adapter: dict, message):
    """Apply the adapter's expression to `message` as topic_tools transform does: eval of `lambda m: <expr>`
    with only the --import modules as globals."""
    modules = {name: ADAPTER_MODULES[name] for name in adapter["options"]["--import"]}
    return eval(f"lambda m: {adapter['expression']}", modules)(message)


# --- the world -------------------------------------------------------------------------------------------------


def test_committed_world_is_the_generator_output():
    assert WORLD.read_text() == _load_make_world().world_sdf(), "run: .venv/bin/python sim/gazebo/make_world.py"


def test_world_is_sdf_1_9_with_2ms_physics_and_the_gz_sim_systems(world):
    version = ET.parse(WORLD).getroot().get("version")
    assert tuple(int(v) for v in version.split(".")) >= (1, 9)
    step = float(world.find("physics/max_step_size").text)
    assert step <= 0.002 and step == SceneConfig().timestep_s
    names = {p.get("name").rsplit("::", 1)[-1] for p in world.findall("plugin")}
    assert {"Physics", "SceneBroadcaster", "UserCommands", "Sensors"} <= names
    assert _plugin(world, "Sensors").findtext("render_engine") == "ogre2"
    arm_plugins = {p.get("name").rsplit("::", 1)[-1] for p in _model(world, "ur5e").findall("plugin")}
    assert arm_plugins == {"JointStatePublisher", "JointTrajectoryController", "JointPositionController"}


def test_arm_joints_match_the_mujoco_arm(world):
    arm = _model(world, "ur5e")
    mj = mujoco.MjModel.from_xml_string(scene_xml(SceneConfig(), sample_layout(SceneConfig(), 0)))
    revolute = [j for j in arm.findall("joint") if j.get("type") == "revolute"]
    assert [j.get("name") for j in revolute] == list(JOINT_NAMES)
    prismatic = [j for j in arm.findall("joint") if j.get("type") == "prismatic"]
    assert [j.get("name") for j in prismatic] == list(FINGER_JOINTS)
    for joint in revolute + prismatic:
        limits = [float(joint.findtext(f"axis/limit/{k}")) for k in ("lower", "upper")]
        np.testing.assert_allclose(limits, mj.jnt_range[mj.joint(joint.get("name")).id], atol=1e-12)
    for joint in revolute:
        assert joint.findtext("axis/xyz") == "0 0 1"
    np.testing.assert_allclose([float(j.findtext("axis/limit/effort")) for j in revolute], ARM_TORQUE_LIMIT)
    finger_axes = [np.array(j.findtext("axis/xyz").split(), float) for j in prismatic]
    np.testing.assert_allclose(finger_axes, [mj.jnt_axis[mj.joint(n).id] for n in FINGER_JOINTS])


def _arm_link_poses(arm: ET.Element, q: np.ndarray) -> dict[str, np.ndarray]:
    """World poses of the arm's links and frames at joint angles q, from the parsed SDF: a link's pose is
    given relative_to its parent link; a joint (frame = child link frame) turns the child about its axis."""
    joints = {j.findtext("child"): j for j in arm.findall("joint")}
    q_by_name = dict(zip(JOINT_NAMES, q))
    poses = {"base_link": np.eye(4)}
    pending = [link for link in arm.findall("link") if link.get("name") != "base_link"]
    while pending:
        link = pending.pop(0)
        pose = link.find("pose")
        parent = pose.get("relative_to") if pose is not None else None
        if parent not in poses:
            pending.append(link)
            continue
        joint = joints[link.get("name")]
        assert joint.findtext("parent") == parent
        motion = rot_z(q_by_name[joint.get("name")]) if joint.get("type") == "revolute" else np.eye(4)
        poses[link.get("name")] = poses[parent] @ _pose(pose) @ motion
    for frame in arm.findall("frame"):
        pose = frame.find("pose")
        poses[frame.get("name")] = poses[pose.get("relative_to")] @ _pose(pose)
    return poses


def test_arm_link_chain_reproduces_the_dh_kinematics(world):
    arm = _model(world, "ur5e")
    rng = np.random.default_rng(0)
    for q in [np.zeros(6), np.asarray(HOME_Q), *rng.uniform(UR5E.lower, UR5E.upper, (20, 6))]:
        poses = _arm_link_poses(arm, q)
        frames = link_frames(q)
        for i in range(6):  # link i+1 = DH frame i turned by q_i (as the MuJoCo bodies)
            np.testing.assert_allclose(poses[f"link{i + 1}"], frames[i] @ rot_z(q[i]), atol=1e-9)
        np.testing.assert_allclose(poses["flange"], frames[-1], atol=1e-9)
        np.testing.assert_allclose(poses["tcp"], forward_kinematics(q), atol=1e-9)


def test_arm_controllers_use_the_mujoco_gains_and_start_at_home(world):
    arm = _model(world, "ur5e")
    trajectory = _plugin(arm, "JointTrajectoryController")
    assert [e.text for e in trajectory.findall("joint_name")] == list(JOINT_NAMES)
    np.testing.assert_allclose([float(e.text) for e in trajectory.findall("initial_position")], HOME_Q)
    np.testing.assert_allclose([float(e.text) for e in trajectory.findall("position_p_gain")], ARM_KP)
    np.testing.assert_allclose([float(e.text) for e in trajectory.findall("position_d_gain")], 0.0)
    np.testing.assert_allclose([float(e.text) for e in trajectory.findall("velocity_p_gain")], ARM_KV)
    for kind in ("position", "velocity"):
        np.testing.assert_allclose([float(e.text) for e in trajectory.findall(f"{kind}_cmd_max")], ARM_TORQUE_LIMIT)
        np.testing.assert_allclose([-float(e.text) for e in trajectory.findall(f"{kind}_cmd_min")], ARM_TORQUE_LIMIT)
    fingers = _plugin(arm, "JointPositionController")
    assert [e.text for e in fingers.findall("joint_name")] == list(FINGER_JOINTS)
    assert float(fingers.findtext("initial_position")) == FINGER_MAX_OPENING_M  # open
    states = _plugin(arm, "JointStatePublisher")
    assert [e.text for e in states.findall("joint_name")] == [*JOINT_NAMES, *FINGER_JOINTS]


def test_start_up_sweep_from_zero_to_home_clears_the_table(world):
    """gz spawns the arm at q = 0 and its controller drives it to HOME_Q: along the straight joint-space path
    the flange and TCP stay ≥ 0.2 m above the table top wherever they are over it (docs/gazebo.md)."""
    top = _model(world, "table").find("link/collision")
    centre, half = _pose(top.find("pose"))[:3, 3], np.array(top.findtext("geometry/box/size").split(), float) / 2
    heights = []
    for s in np.linspace(0.0, 1.0, 501):
        q = s * np.asarray(HOME_Q)
        for p in (link_frames(q)[-1][:3, 3], forward_kinematics(q)[:3, 3]):
            if np.all(np.abs(p[:2] - centre[:2]) <= half[:2]):
                heights.append(p[2] - (centre[2] + half[2]))
    assert heights and min(heights) >= 0.2


def test_camera_sensor_has_the_contract_intrinsics_and_the_fixed_camera_pose(world):
    camera_model = _model(world, "fixed_camera")
    (sensor,) = camera_model.iter("sensor")
    assert sensor.get("type") == "rgbd_camera"
    assert float(sensor.findtext("update_rate")) == 30
    assert sensor.findtext("gz_frame_id") == "camera_color_optical_frame"
    k = CameraIntrinsics()
    width, height = int(sensor.findtext("camera/image/width")), int(sensor.findtext("camera/image/height"))
    assert (width, height) == (k.width, k.height) == (640, 480)
    hfov = float(sensor.findtext("camera/horizontal_fov"))
    fx_from_fov = width / (2 * np.tan(hfov / 2))
    assert fx_from_fov == pytest.approx(k.fx, abs=1e-6)
    vfov = 2 * np.arctan(np.tan(hfov / 2) * height / width)  # gz: vertical FOV from the aspect ratio
    assert height / (2 * np.tan(vfov / 2)) == pytest.approx(k.fy, abs=1e-6)
    lens = {key: float(sensor.findtext(f"camera/lens/intrinsics/{key}")) for key in ("fx", "fy", "cx", "cy")}
    assert lens == {"fx": k.fx, "fy": k.fy, "cx": k.cx, "cy": k.cy}
    (optical,) = camera_model.findall("frame")
    assert optical.get("name") == "camera_color_optical_frame"
    T_optical = _pose(camera_model.find("pose")) @ _pose(optical.find("pose"))  # camera_link at the model origin
    camera = CameraConfig()
    np.testing.assert_allclose(T_optical[:3, 3], camera.eye_m, atol=1e-12)
    np.testing.assert_allclose(
        T_optical[:3, :3], look_at_optical(np.array(camera.eye_m), np.array(camera.target_m)), atol=1e-9
    )


def test_objects_table_and_bin_match_the_mujoco_layout(world):
    layout = sample_layout(SceneConfig(), 0)
    for obj in layout.objects:
        model = _model(world, f"object_{obj.object_id}")
        assert model.find("link").get("name") == obj.class_name
        pose = _pose(model.find("pose"))
        np.testing.assert_allclose(pose[:3, 3], obj.position_m, atol=1e-12)
        assert Rotation.from_matrix(pose[:3, :3]).as_rotvec()[2] == pytest.approx(obj.yaw_rad, abs=1e-9)
    assert "red_cube" in {m.find("link").get("name") for m in world.findall("model")}
    top = _model(world, "table").find("link/collision")
    assert _pose(top.find("pose"))[2, 3] + float(top.findtext("geometry/box/size").split()[2]) / 2 == 0.0
    np.testing.assert_allclose(_pose(_model(world, "bin").find("pose"))[:2, 3], SceneConfig().bin_center_m)


# --- the bridge ------------------------------------------------------------------------------------------------


def test_bridge_entries_are_complete_and_directed(bridge):
    keys = {"ros_topic_name", "gz_topic_name", "ros_type_name", "gz_type_name", "direction"}
    for entry in bridge:
        assert keys <= set(entry), entry
        assert entry["direction"] in ("GZ_TO_ROS", "ROS_TO_GZ")
    ros_names = [_resolved(e["ros_topic_name"]) for e in bridge]
    assert len(set(ros_names)) == len(ros_names)


def test_bridge_ros_side_is_exactly_the_contract(bridge):
    """Every bridged ROS topic is a contract topic with its contract type, or the bridge end of a topic_tools
    adapter whose other end is one; together they cover every topic sim_node publishes or executes."""
    contract = _architecture_topic_types()
    for topic, kind in topics.CAMERA_TOPIC_TYPES.items():
        assert contract[topic] == kind
    adapter_ends = {}
    for adapter in _adapters().values():
        adapter_ends[adapter["input"]] = adapter
        adapter_ends[adapter["output"]] = adapter
    covered = set()
    for entry in bridge:
        name = _resolved(entry["ros_topic_name"])
        if name in contract:
            assert entry["ros_type_name"] == contract[name], name
            covered.add(name)
            continue
        adapter = adapter_ends[name]  # an adapter topic: the other end is in the contract
        if entry["direction"] == "GZ_TO_ROS":
            assert adapter["input"] == name and contract[adapter["output"]] == adapter["type"]
            covered.add(adapter["output"])
        else:
            assert adapter["output"] == name and adapter["type"] == entry["ros_type_name"]
            covered.add(adapter["input"])
    camera = {topics.COLOR_IMAGE, topics.COLOR_INFO, topics.DEPTH_IMAGE, topics.DEPTH_INFO}
    assert covered == camera | {
        topics.EXTRINSICS,
        topics.JOINT_STATES,
        "/clock",
        "/arm_controller/joint_trajectory",
        "/gripper_controller/commands",
    }
    directions = {_resolved(e["ros_topic_name"]): e["direction"] for e in bridge}
    assert {directions[t] for t in camera | {"/clock", "/gazebo/joint_states", "/gazebo/camera_info"}} == {"GZ_TO_ROS"}
    assert {directions[t] for t in ("/arm_controller/joint_trajectory", "/gazebo/finger_opening")} == {"ROS_TO_GZ"}


def test_bridge_gz_side_is_produced_or_consumed_by_the_world(bridge, world):
    sensor = _model(world, "fixed_camera").find("link/sensor")
    prefix = sensor.findtext("topic")
    arm = _model(world, "ur5e")
    produced = {  # gz topic -> gz message type
        f"{prefix}/image": "gz.msgs.Image",
        f"{prefix}/depth_image": "gz.msgs.Image",
        f"{prefix}/camera_info": "gz.msgs.CameraInfo",
        _plugin(arm, "JointStatePublisher").findtext("topic"): "gz.msgs.Model",
        "/clock": "gz.msgs.Clock",  # gz sim's own clock
    }
    consumed = {
        _plugin(arm, "JointTrajectoryController").findtext("topic"): "gz.msgs.JointTrajectory",
        _plugin(arm, "JointPositionController").findtext("topic"): "gz.msgs.Double",
    }
    for entry in bridge:
        side = produced if entry["direction"] == "GZ_TO_ROS" else consumed
        assert side.get(entry["gz_topic_name"]) == entry["gz_type_name"], entry
    assert set(consumed) <= {e["gz_topic_name"] for e in bridge}


# --- the adapters and the launch file --------------------------------------------------------------------------


def test_gripper_command_adapter_turns_closure_into_finger_opening():
    adapter = _adapters()["gripper_command_adapter"]
    assert adapter["input"] == "/gripper_controller/commands" and adapter["output"] == "/gazebo/finger_opening"
    for closure in (0.0, 0.25, 0.57, 1.0, 1.4, -0.3):
        out = _evaluate(adapter, std_msgs.msg.Float64MultiArray(data=[closure]))
        assert isinstance(out, std_msgs.msg.Float64)
        assert out.data == pytest.approx((1 - np.clip(closure, 0, 1)) * FINGER_MAX_OPENING_M, abs=1e-15)


def test_joint_states_adapter_adds_the_gripper_closure():
    adapter = _adapters()["joint_states_adapter"]
    assert adapter["input"] == "/gazebo/joint_states" and adapter["output"] == topics.JOINT_STATES
    names = [*JOINT_NAMES, *FINGER_JOINTS]
    for opening in (FINGER_MAX_OPENING_M, 0.0193, 0.0):
        message = sensor_msgs.msg.JointState(
            name=names, position=[*HOME_Q, opening, opening], velocity=[0.0] * 6 + [0.01, 0.01], effort=[0.0] * 8
        )
        message.header.stamp.sec = 12
        out = _evaluate(adapter, message)
        assert out.name == [*names, "gripper"] and out.header.stamp.sec == 12
        assert out.position[:6].tolist() == list(HOME_Q)
        assert out.position[-1] == pytest.approx(1 - opening / FINGER_MAX_OPENING_M, abs=1e-12)
        assert out.velocity[-1] == pytest.approx(-0.01 / FINGER_MAX_OPENING_M)
        assert len(out.velocity) == len(out.effort) == len(out.name)


def test_extrinsics_adapter_publishes_the_sdf_camera_pose_latched(world):
    """Every camera_info yields base_link <- camera_color_optical_frame, equal to the SDF optical frame, with
    the contract QoS (reliable, transient local, depth 1); its input is latched by the bridge's QoS override."""
    adapter = _adapters()["camera_extrinsics_adapter"]
    assert adapter["input"] == "/gazebo/camera_info" and adapter["output"] == topics.EXTRINSICS
    options = adapter["options"]
    assert (options["--qos-reliability"], options["--qos-durability"], options["--qos-depth"]) == (
        ["reliable"],
        ["transient_local"],
        ["1"],
    )
    nodes, _ = _launch_nodes()
    (bridge_node,) = [n for n in nodes if n.package == "ros_gz_bridge"]
    assert bridge_node.parameters[0][f"qos_overrides.{adapter['input']}.publisher.durability"] == "transient_local"
    info = sensor_msgs.msg.CameraInfo()
    info.header.stamp.sec, info.header.stamp.nanosec = 7, 250
    info.header.frame_id = COLOR_OPTICAL_FRAME
    out = _evaluate(adapter, info)
    assert isinstance(out, geometry_msgs.msg.TransformStamped)
    assert (out.header.frame_id, out.child_frame_id) == (BASE_FRAME, COLOR_OPTICAL_FRAME)
    assert (out.header.stamp.sec, out.header.stamp.nanosec) == (7, 250)
    t, r = out.transform.translation, out.transform.rotation
    T = transform_from_xyz_quat([t.x, t.y, t.z], [r.x, r.y, r.z, r.w])
    camera_model = _model(world, "fixed_camera")
    T_sdf = _pose(camera_model.find("pose")) @ _pose(camera_model.find("frame/pose"))
    np.testing.assert_allclose(T, T_sdf, atol=1e-9)


def test_adapters_follow_the_namespace():
    adapters = _adapters({"namespace": "cell2"})
    assert adapters["gripper_command_adapter"]["input"] == "/cell2/gripper_controller/commands"
    assert adapters["gripper_command_adapter"]["output"] == "/cell2/gazebo/finger_opening"
    assert adapters["joint_states_adapter"]["output"] == "/cell2/joint_states"
    assert adapters["camera_extrinsics_adapter"]["output"] == "/cell2/camera/extrinsics"


def test_launch_file_evaluates_and_references_existing_files():
    plan = loader.load_launch_file(LAUNCH)
    assert set(plan.arguments) >= {"config", "namespace", "world"}
    assert Path(plan.values["config"]) == ROOT / "config/sim.yaml"
    assert Path(plan.values["world"]) == WORLD
    assert [n.executable for n in plan.nodes] == [
        "detector_node",
        "localizer_node",
        "tracker_node",
        "policy_node",
        "arm_controller_node",
    ]
    assert sorted(plan.foreign) == ["ros_gz_bridge/parameter_bridge", "ros_gz_sim", *["topic_tools/transform"] * 3]
    for node in plan.nodes:
        assert all(path.is_file() for path in node.param_files)
    nodes, context = _launch_nodes()
    (bridge_node,) = [n for n in nodes if n.package == "ros_gz_bridge"]
    config_file = Path(launch_api.resolve(bridge_node.parameters[0]["config_file"], context))
    assert config_file == BRIDGE and config_file.is_file()
    other = loader.load_launch_file(LAUNCH, {"namespace": "cell2", "world": str(WORLD)})
    assert {n.namespace for n in other.nodes} == {"cell2"}
