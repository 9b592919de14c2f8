"""Every launch file's executables, parameter files, parameters and arguments exist and match what
`visuomotor launch` starts (ros2 launch cannot run here; both read the same files)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from visuomotor.launching.loader import load_launch_file
from visuomotor.launching.runner import node_command
from visuomotor.nodes.catalog import node_class
from visuomotor.nodes.parameters import parameter_specs

ROOT = Path(__file__).resolve().parents[1]
LAUNCH_FILES = sorted((ROOT / "launch").glob("*.launch.py"))
REQUIRED_ARGUMENTS = {"replay.launch.py": {"bag": "/tmp/recording"}}


def declared_parameters(executable: str) -> set[str]:
    """Parameter names a node declares: the fields of its PARAMETERS dataclasses (visuomotor.nodes.parameters)."""
    names = {"use_sim_time", "start_type_description_service"}  # declared by every rclpy Node
    return names | {spec.name for config in node_class(executable).PARAMETERS for spec in parameter_specs(config)}


@pytest.mark.parametrize("path", LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_file_references_exist_and_match(path):
    plan = load_launch_file(path, REQUIRED_ARGUMENTS.get(path.name, {}))
    assert plan.nodes, f"{path.name} starts no visuomotor node"
    for argument in plan.arguments.values():
        assert argument.description, f"{path.name}: argument {argument.name} needs a description"
    for spec in plan.nodes:
        module = ROOT / "src/visuomotor/nodes" / f"{spec.executable}.py"
        assert module.is_file(), f"{path.name}: no node module for executable {spec.executable}"
        assert spec.name == spec.executable, "node names equal executables, so config keys are predictable"
        declared = declared_parameters(spec.executable)
        for param_file in spec.param_files:
            assert param_file.is_file(), f"{path.name}: parameter file {param_file} missing"
            params = yaml.safe_load(param_file.read_text())
            key = f"/**/{spec.name}"
            assert key in params, f"{param_file.name} has no section {key} for {spec.name}"
            unknown = set(params[key]["ros__parameters"]) - declared
            assert not unknown, f"{param_file.name}: {spec.name} does not declare {sorted(unknown)}"
        unknown = set(spec.param_values) - declared
        assert not unknown, f"{path.name}: {spec.name} does not declare {sorted(unknown)}"


@pytest.mark.parametrize("name", ["sim", "robot"])
def test_every_node_of_the_sim_and_robot_graphs_is_respawned(name):
    plan = load_launch_file(ROOT / "launch" / f"{name}.launch.py")
    assert all(spec.respawn is not None and spec.respawn.max_retries > 0 for spec in plan.nodes), [
        spec.name for spec in plan.nodes if spec.respawn is None
    ]


@pytest.mark.parametrize("name", ["sim", "robot", "replay", "perception"])
def test_visuomotor_launch_starts_what_the_launch_file_describes(name):
    arguments = [f"{k}:={v}" for k, v in REQUIRED_ARGUMENTS.get(f"{name}.launch.py", {}).items()]
    result = subprocess.run(
        [sys.executable, "-m", "visuomotor.cli", "launch", name, *arguments, "--dry-run"],
        capture_output=True,
        text=True,
        check=True,
    )
    plan = load_launch_file(ROOT / "launch" / f"{name}.launch.py", REQUIRED_ARGUMENTS.get(f"{name}.launch.py", {}))
    assert result.stdout.splitlines() == [" ".join(node_command(spec)) for spec in plan.nodes]


def test_gazebo_launch_needs_a_full_ros_install():
    result = subprocess.run(
        [sys.executable, "-m", "visuomotor.cli", "launch", "gazebo"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "ros_gz_sim" in result.stderr


def test_bad_launch_argument_is_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "visuomotor.cli", "launch", "sim", "nonsense:=1"], capture_output=True, text=True
    )
    assert result.returncode == 2 and result.stderr.startswith("visuomotor: sim.launch.py has no argument")
