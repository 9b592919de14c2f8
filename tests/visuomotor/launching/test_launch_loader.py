"""Standard ROS 2 launch files evaluate against visuomotor's launch_api into the nodes ros2 launch starts."""

from __future__ import annotations

import sys
import textwrap

import pytest

from visuomotor.launching.loader import RespawnPolicy, load_launch_file
from visuomotor.launching.runner import node_command

LAUNCH_FILE = textwrap.dedent("""
    from launch import LaunchDescription
    from launch.actions import DeclareLaunchArgument, IncludeLaunchDescription
    from launch.conditions import IfCondition
    from launch.launch_description_sources import PythonLaunchDescriptionSource
    from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
    from launch_ros.actions import Node
    from launch_ros.substitutions import FindPackageShare

    def generate_launch_description():
        share = FindPackageShare("visuomotor_ros")
        return LaunchDescription([
            DeclareLaunchArgument("config", default_value=PathJoinSubstitution([share, "config", "a.yaml"])),
            DeclareLaunchArgument("namespace", default_value=""),
            DeclareLaunchArgument("debug", default_value="false", choices=["true", "false"]),
            Node(package="visuomotor_ros", executable="detector_node", name="detector",
                 namespace=LaunchConfiguration("namespace"),
                 parameters=[LaunchConfiguration("config"), {"half": False, "classes": ["a", "b"]}],
                 remappings=[("camera/color/image_raw", "/cam/image")]),
            Node(
                package="visuomotor_ros", executable="tracker_node",
                condition=IfCondition(LaunchConfiguration("debug")),
                respawn=True, respawn_delay=0.5, respawn_max_retries=2,
            ),
            Node(package="ros_gz_bridge", executable="parameter_bridge"),
        ])
""")


@pytest.fixture
def launch_file(tmp_path):
    (tmp_path / "launch").mkdir()
    path = tmp_path / "launch" / "demo.launch.py"
    path.write_text(LAUNCH_FILE)
    return path


def test_nodes_parameters_and_remaps_resolve(launch_file):
    plan = load_launch_file(launch_file, {"namespace": "arm1"})
    assert [n.name for n in plan.nodes] == ["detector"]
    detector = plan.nodes[0]
    assert detector.namespace == "arm1"
    assert detector.param_files == [launch_file.parent.parent / "config" / "a.yaml"]
    assert detector.param_values == {"half": False, "classes": ["a", "b"]}
    assert plan.foreign == ["ros_gz_bridge/parameter_bridge"]
    assert node_command(detector) == [
        sys.executable,
        "-m",
        "visuomotor.nodes",
        "detector_node",
        "--ros-args",
        "-r",
        "__node:=detector",
        "-r",
        "__ns:=arm1",
        "--params-file",
        str(detector.param_files[0]),
        "-p",
        "half:=false",
        "-p",
        "classes:=[a,b]",
        "-r",
        "camera/color/image_raw:=/cam/image",
    ]


def test_condition_enables_node(launch_file):
    plan = load_launch_file(launch_file, {"debug": "true"})
    assert [n.executable for n in plan.nodes] == ["detector_node", "tracker_node"]


def test_respawn_arguments_are_read_as_launch_does(launch_file):
    """launch_ros Node passes respawn, respawn_delay and respawn_max_retries to launch's ExecuteProcess."""
    detector, tracker = load_launch_file(launch_file, {"debug": "true"}).nodes
    assert detector.respawn is None  # respawn defaults to False
    assert tracker.respawn == RespawnPolicy(delay_s=0.5, max_retries=2)


def test_launch_modules_do_not_leak(launch_file):
    load_launch_file(launch_file)
    assert "launch_ros.actions" not in sys.modules or hasattr(sys.modules["launch_ros.actions"], "__file__")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"nope": "1"}, "has no argument"),
        ({"debug": "maybe"}, "is not one of"),
    ],
)
def test_bad_arguments_are_one_line_errors(launch_file, overrides, message):
    with pytest.raises(ValueError, match=message):
        load_launch_file(launch_file, overrides)
