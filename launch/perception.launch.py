"""Detection -> 3D localization -> tracking, fed by the realsense-ros camera topics.
Included by sim, robot and replay; usable alone: ros2 launch visuomotor_ros perception.launch.py config:=<yaml>."""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare


def generate_launch_description():
    config = LaunchConfiguration("config")
    namespace = LaunchConfiguration("namespace")
    image = LaunchConfiguration("image_topic")
    return LaunchDescription(
        [
            DeclareLaunchArgument(
                "config",
                description="ROS parameter file for the nodes",
                default_value=PathJoinSubstitution([FindPackageShare("visuomotor_ros"), "config", "sim.yaml"]),
            ),
            DeclareLaunchArgument("namespace", default_value="", description="namespace for every node and topic"),
            DeclareLaunchArgument(
                "image_topic",
                default_value="camera/color/image_raw",
                description="colour image topic the detector reads (remap)",
            ),
            Node(
                package="visuomotor_ros",
                executable="detector_node",
                name="detector_node",
                namespace=namespace,
                parameters=[config],
                remappings=[("camera/color/image_raw", image)],
                output="screen",
            ),
            Node(
                package="visuomotor_ros",
                executable="localizer_node",
                name="localizer_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
            ),
            Node(
                package="visuomotor_ros",
                executable="tracker_node",
                name="tracker_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
            ),
        ]
    )
