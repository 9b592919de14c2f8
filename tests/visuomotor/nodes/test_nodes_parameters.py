"""Node parameters from config dataclasses: names, types, defaults and descriptions (nodes.parameters,
config_docs)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from rclpy.parameter import Parameter

from visuomotor.config_docs import field_docs
from visuomotor.nodes.parameters import parameter_specs


@dataclass(frozen=True)
class Example:
    rate_hz: float = 50.0
    "control rate, Hz"
    enabled: bool = True
    """on or
    off"""
    count: int = 3
    "how many"
    name: str = "x"
    "a name"
    corner_m: tuple[float, float, float] = (0.0, 1.0, 2.0)
    "a point, m"
    classes: tuple[str, ...] | None = None
    "classes (unset: all)"
    rate: str | float = "recorded"
    "recorded, max or Hz"
    priors: dict[str, float] = field(default_factory=dict)
    "not a parameter type: the node fills it"


def test_attribute_docstrings_are_the_field_docs_on_one_line():
    docs = field_docs(Example)
    assert docs["rate_hz"] == "control rate, Hz" and docs["enabled"] == "on or off"


def test_each_field_of_a_parameter_type_is_one_parameter_with_its_default_type_and_description():
    specs = {s.name: s for s in parameter_specs(Example)}
    assert list(specs) == ["rate_hz", "enabled", "count", "name", "corner_m", "classes", "rate"]
    assert (specs["rate_hz"].type, specs["rate_hz"].default) == (Parameter.Type.DOUBLE, 50.0)
    assert (specs["enabled"].type, specs["count"].type, specs["name"].type) == (
        Parameter.Type.BOOL,
        Parameter.Type.INTEGER,
        Parameter.Type.STRING,
    )
    corner = specs["corner_m"]
    assert (corner.type, corner.default, corner.length, corner.container) == (
        Parameter.Type.DOUBLE_ARRAY,
        [0.0, 1.0, 2.0],
        3,
        tuple,
    )
    assert (specs["classes"].type, specs["classes"].default) == (Parameter.Type.STRING_ARRAY, None)  # unset
    assert specs["rate"].type is None  # dynamically typed
    assert specs["rate_hz"].description == "control rate, Hz"


def test_a_field_without_a_docstring_is_refused():
    @dataclass
    class Undocumented:
        rate_hz: float = 50.0

    with pytest.raises(ValueError, match="Undocumented.rate_hz has no attribute docstring"):
        parameter_specs(Undocumented)
