"""Replay a rosbag2 recording through detection -> localization -> tracking at the recorded rate.
Metrics against the recorded ground truth: `visuomotor eval bag <bag> --realtime --json`."""

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
            DeclareLaunchArgument("bag", description="path of the rosbag2 (MCAP or sqlite3) to replay"),
            DeclareLaunchArgument(
                "config",
                default_value=PathJoinSubstitution([share, "config", "replay.yaml"]),
                description="ROS parameter file for every node",
            ),
            DeclareLaunchArgument("namespace", default_value="", description="namespace for every node and topic"),
            DeclareLaunchArgument("rate", default_value="recorded", description="recorded | max | <Hz>"),
            Node(
                package="visuomotor_ros",
                executable="camera_node",
                name="camera_node",
                namespace=namespace,
                parameters=[config, {"bag_path": LaunchConfiguration("bag"), "rate": LaunchConfiguration("rate")}],
                output="screen",
            ),
            IncludeLaunchDescription(
                PythonLaunchDescriptionSource(PathJoinSubstitution([share, "launch", "perception.launch.py"])),
                launch_arguments=[("config", config), ("namespace", namespace)],
            ),
        ]
    )
