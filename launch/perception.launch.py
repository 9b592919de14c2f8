"""Detection -> 3D localization -> tracking, fed by the realsense-ros camera topics.
Included by sim, robot and replay; usable alone: ros2 launch visuomotor_ros perception.launch.py config:=<yaml>."""

from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

# A node that exits is started again, as ros2 launch does (docs/reliability.md), after RESPAWN_DELAY_S;
# one that keeps dying (e.g. a bad parameter: exit 2) is given up after RESPAWN_MAX_RETRIES restarts.
RESPAWN_DELAY_S = 1.0
RESPAWN_MAX_RETRIES = 5


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
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
            ),
            Node(
                package="visuomotor_ros",
                executable="localizer_node",
                name="localizer_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
            ),
            Node(
                package="visuomotor_ros",
                executable="tracker_node",
                name="tracker_node",
                namespace=namespace,
                parameters=[config],
                output="screen",
                respawn=True,
                respawn_delay=RESPAWN_DELAY_S,
                respawn_max_retries=RESPAWN_MAX_RETRIES,
            ),
        ]
    )
