"""The whole stack in MuJoCo simulation: sim_node (camera + arm) -> perception -> ACT policy -> arm controller."""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare


def generate_launch_description():
    share = FindPackageShare("visuomotor_ros")
    config = LaunchConfiguration("config")
    namespace = LaunchConfiguration("namespace")
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                "config",
                default_value=PathJoinSubstitution([share, "config", "sim.yaml"]),
                description="ROS parameter file for every node",
            ),
            DeclareLaunchArgument("namespace", default_value="", description="namespace for every node and topic"),
            Node(
                package="visuomotor_ros",
                executable="sim_node",
                name="sim_node",
                namespace=namespace,
                parameters=[config],
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
                parameters=[config],
                output="screen",
            ),
            Node(
                package="visuomotor_ros",
                executable="arm_controller_node",
                name="arm_controller_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
            ),
        ]
    )
