"""The whole stack in gz sim (Harmonic, ROS 2 Jazzy): the tabletop world -> ros_gz_bridge -> perception ->
ACT policy -> arm controller -> bridge -> the world's JointTrajectoryController and finger controller.

Needs ros-jazzy-ros-gz and ros-jazzy-topic-tools (docs/gazebo.md). Three topic_tools `transform` adapters carry
the contract topics that have no ros_gz_bridge message pair: /joint_states gains "gripper" (closure from the
finger openings), /gripper_controller/commands (Float64MultiArray [closure]) becomes each finger's target
opening, and every camera_info yields the fixed camera's latched /camera/extrinsics (base_link <- optical frame:
CameraConfig's eye, look_at_optical rotation; tests/sim checks it against the SDF). Images are stamped with sim
time, so the policy and controller run with use_sim_time.
"""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

FINGER_OPENING_FROM_CLOSURE = "std_msgs.msg.Float64(data=0.045 * (1.0 - min(max(m.data[0], 0.0), 1.0)))"
JOINT_STATES_WITH_GRIPPER = (
    "sensor_msgs.msg.JointState(header=m.header, name=[*m.name, 'gripper'], "
    "position=[*m.position, 1.0 - (m.position[m.name.index('finger_left')]"
    " + m.position[m.name.index('finger_right')]) / (2 * 0.045)], "
    "velocity=[*m.velocity, -(m.velocity[m.name.index('finger_left')]"
    " + m.velocity[m.name.index('finger_right')]) / (2 * 0.045)], "
    "effort=[*m.effort, 0.0])"
)
CAMERA_EXTRINSICS = (
    "geometry_msgs.msg.TransformStamped(header=std_msgs.msg.Header(stamp=m.header.stamp, frame_id='base_link'), "
    "child_frame_id=m.header.frame_id, transform=geometry_msgs.msg.Transform("
    "translation=geometry_msgs.msg.Vector3(x=1.05, y=0.05, z=0.62), "
    "rotation=geometry_msgs.msg.Quaternion(x=-0.652193890192, y=-0.652193890192, z=0.273208948601, w=0.273208948601)))"
)
LATCHED = ["--qos-reliability", "reliable", "--qos-durability", "transient_local", "--qos-depth", "1"]


def generate_launch_description():
    share = FindPackageShare("visuomotor_ros")
    config = LaunchConfiguration("config")
    namespace = LaunchConfiguration("namespace")
    world = LaunchConfiguration("world")
    sim_time = {"use_sim_time": True}
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                "config",
                default_value=PathJoinSubstitution([share, "config", "sim.yaml"]),
                description="ROS parameter file for every node",
            ),
            DeclareLaunchArgument("namespace", default_value="", description="namespace for every node and topic"),
            DeclareLaunchArgument(
                "world",
                default_value=PathJoinSubstitution([share, "sim", "gazebo", "tabletop.sdf"]),
                description="SDF world file for gz sim",
            ),
            DeclareLaunchArgument(
                "gz_flags",
                default_value="-r",
                description="gz sim flags before the world: -r runs at once; "
                "'-r -s --headless-rendering' runs without GUI or display",
            ),
            IncludeLaunchDescription(
                PythonLaunchDescriptionSource(
                    PathJoinSubstitution([FindPackageShare("ros_gz_sim"), "launch", "gz_sim.launch.py"])
                ),
                launch_arguments=[
                    ("gz_args", [LaunchConfiguration("gz_flags"), " ", world]),
                    ("on_exit_shutdown", "true"),
                ],
            ),
            Node(
                package="ros_gz_bridge",
                executable="parameter_bridge",
                name="gz_bridge",
                namespace=namespace,
                parameters=[
                    {
                        "config_file": PathJoinSubstitution([share, "sim", "gazebo", "bridge.yaml"]),
                        "qos_overrides./gazebo/camera_info.publisher.durability": "transient_local",
                        **sim_time,
                    }
                ],
                output="screen",
            ),
            Node(
                package="topic_tools",
                executable="transform",
                name="camera_extrinsics_adapter",
                namespace=namespace,
                arguments=[
                    "/gazebo/camera_info",
                    "camera/extrinsics",
                    "geometry_msgs/msg/TransformStamped",
                    CAMERA_EXTRINSICS,
                    "--import",
                    "geometry_msgs",
                    "std_msgs",
                    "--wait-for-start",
                    *LATCHED,
                ],
                parameters=[sim_time],
                output="screen",
            ),
            Node(
                package="topic_tools",
                executable="transform",
                name="joint_states_adapter",
                namespace=namespace,
                arguments=[
                    PathJoinSubstitution(["/", namespace, "gazebo/joint_states"]),
                    "joint_states",
                    "sensor_msgs/msg/JointState",
                    JOINT_STATES_WITH_GRIPPER,
                    "--import",
                    "sensor_msgs",
                    "--wait-for-start",
                ],
                parameters=[sim_time],
                output="screen",
            ),
            Node(
                package="topic_tools",
                executable="transform",
                name="gripper_command_adapter",
                namespace=namespace,
                arguments=[
                    PathJoinSubstitution(["/", namespace, "gripper_controller/commands"]),
                    "gazebo/finger_opening",
                    "std_msgs/msg/Float64",
                    FINGER_OPENING_FROM_CLOSURE,
                    "--import",
                    "std_msgs",
                    "--wait-for-start",
                ],
                parameters=[sim_time],
                output="screen",
            ),
            IncludeLaunchDescription(
                PythonLaunchDescriptionSource(PathJoinSubstitution([share, "launch", "perception.launch.py"])),
                launch_arguments=[("config", config), ("namespace", namespace)],
            ),
            Node(
                package="visuomotor_ros",
                executable="policy_node",
                name="policy_node",
                namespace=namespace,
                parameters=[config, sim_time],
                output="screen",
            ),
            Node(
                package="visuomotor_ros",
                executable="arm_controller_node",
                name="arm_controller_node",
                namespace=namespace,
                parameters=[config, sim_time],
                output="screen",
            ),
        ]
    )
