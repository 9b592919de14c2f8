"""Every node declares its parameters one way (visuomotor.nodes.parameters, from its PARAMETERS dataclasses) and
`ros2 param describe` shows a description for each: the nodes are constructed here, in this process, and asked
over rclpy's parameter API."""

from __future__ import annotations

import pytest
import rclpy

from visuomotor.nodes.catalog import node_class, node_names
from visuomotor.nodes.parameters import parameter_specs

RCLPY_PARAMETERS = {"use_sim_time", "start_type_description_service"}  # declared by every rclpy Node


@pytest.fixture
def context():
    context = rclpy.Context()
    rclpy.init(context=context)
    yield context
    rclpy.shutdown(context=context)


@pytest.mark.parametrize("executable", node_names())
def test_every_parameter_has_a_description_and_comes_from_the_node_dataclasses(executable, context, tmp_path):
    klass = node_class(executable)
    cli_args = ["--ros-args", "-p", f"out:={tmp_path / 'bag'}"] if executable == "recorder_node" else None
    node = klass(context=context, cli_args=cli_args)
    try:
        names = [n for n in node.list_parameters([], 0).names if n not in RCLPY_PARAMETERS]
        expected = [spec.name for config in klass.PARAMETERS for spec in parameter_specs(config)]
        assert sorted(names) == sorted(expected)
        for name, descriptor in zip(names, node.describe_parameters(names)):
            assert descriptor.description.strip(), f"{executable}: parameter {name} has no description"
            assert descriptor.read_only, f"{executable}: parameter {name} is read at start-up only"
    finally:
        if hasattr(node, "close"):
            node.close()
        node.destroy_node()


def test_a_parameter_of_the_wrong_type_or_length_names_what_it_needs(context):
    from visuomotor.nodes.arm_controller_node import ArmControllerNode

    with pytest.raises(ValueError, match="parameter rate_hz must be a float"):
        ArmControllerNode(context=context, cli_args=["--ros-args", "-p", "rate_hz:=fast"])
    with pytest.raises(ValueError, match="parameter workspace_min_m needs 3 values"):
        ArmControllerNode(context=context, cli_args=["--ros-args", "-p", "workspace_min_m:=[0.0, 1.0]"])
