"""A real robot: RealSense camera -> perception -> ACT policy -> arm controller, whose
/arm_controller/joint_trajectory goes to ros2_control's joint_trajectory_controller (started by your
robot's bringup, e.g. ur_robot_driver)."""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

# A node that exits is started again, as ros2 launch does (docs/reliability.md), after RESPAWN_DELAY_S;
# one that keeps dying (e.g. a bad parameter: exit 2) is given up after RESPAWN_MAX_RETRIES restarts.
RESPAWN_DELAY_S = 1.0
RESPAWN_MAX_RETRIES = 5


def generate_launch_description():
    share = FindPackageShare("visuomotor_ros")
    config = LaunchConfiguration("config")
    namespace = LaunchConfiguration("namespace")
    trajectory = LaunchConfiguration("trajectory_topic")
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                "config",
                default_value=PathJoinSubstitution([share, "config", "robot.yaml"]),
                description="ROS parameter file for every node",
            ),
            DeclareLaunchArgument("namespace", default_value="", description="namespace for every node and topic"),
            DeclareLaunchArgument(
                "trajectory_topic",
                default_value="/arm_controller/joint_trajectory",
                description="the joint_trajectory_controller's command topic (remap)",
            ),
            Node(
                package="visuomotor_ros",
                executable="camera_node",
                name="camera_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
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
                parameters=[config],
                output="screen",
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
            ),
            Node(
                package="visuomotor_ros",
                executable="arm_controller_node",
                name="arm_controller_node",
                namespace=namespace,
                parameters=[config],
                remappings=[("arm_controller/joint_trajectory", trajectory)],
                output="screen",
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
            ),
        ]
    )
