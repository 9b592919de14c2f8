"""The one way a node declares its parameters: one ROS parameter per field of a config dataclass.

For each field of the dataclass (a core config such as TrackerConfig, or a node's options dataclass holding its
node-only knobs: topics, markers, …):
- the name is the field's name and the default the field's default — the dataclass is the one source of both;
- the type comes from the annotation: bool, int, float, str, or a tuple/list of one of them (an array
  parameter); `X | None` with default None is a typed parameter left unset (None) unless a parameter file or
  the command line sets it; a union of several types (e.g. `str | float`) is dynamically typed;
- the description is the field's attribute docstring (visuomotor.config_docs), so `ros2 param describe` shows
  it; a field without one is a programming error (ValueError at declaration);
- parameters are read once at construction, so they are declared read-only (`ros2 param set` says so instead
  of silently changing nothing).
Fields of any other type (a dict, an arm model) are not parameters; the node fills them.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.exceptions import InvalidParameterTypeException, ParameterUninitializedException
from rclpy.node import Node
from rclpy.parameter import Parameter

from visuomotor.config_docs import field_docs

SCALARS = {
    bool: Parameter.Type.BOOL,
    int: Parameter.Type.INTEGER,
    float: Parameter.Type.DOUBLE,
    str: Parameter.Type.STRING,
}
ARRAYS = {
    bool: Parameter.Type.BOOL_ARRAY,
    int: Parameter.Type.INTEGER_ARRAY,
    float: Parameter.Type.DOUBLE_ARRAY,
    str: Parameter.Type.STRING_ARRAY,
}
TYPE_NAMES = {
    Parameter.Type.BOOL: "bool",
    Parameter.Type.INTEGER: "int",
    Parameter.Type.DOUBLE: "float",
    Parameter.Type.STRING: "string",
    Parameter.Type.BOOL_ARRAY: "bool[]",
    Parameter.Type.INTEGER_ARRAY: "int[]",
    Parameter.Type.DOUBLE_ARRAY: "float[]",
    Parameter.Type.STRING_ARRAY: "string[]",
}


@dataclass(frozen=True)
class ParameterSpec:
    """One node parameter made from a dataclass field. type None: dynamically typed; length: the number of
    values a fixed-size tuple field needs (None: any); container: tuple or list for array fields."""

    name: str
    type: Parameter.Type | None
    default: Any  # None: unset
    description: str
    length: int | None = None
    container: type | None = None

    @property
    def type_name(self) -> str:
        return "any" if self.type is None else TYPE_NAMES[self.type]


def _array_of(annotation: Any) -> tuple[Parameter.Type, int | None, type] | None:
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin not in (tuple, list) or not args:
        return None
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        element, length = args[0], None
    elif origin is tuple and len(set(args)) == 1:
        element, length = args[0], len(args)
    elif origin is list:
        element, length = args[0], None
    else:
        return None
    return (ARRAYS[element], length, origin) if element in ARRAYS else None


def spec_of(field: dataclasses.Field, annotation: Any, description: str) -> ParameterSpec | None:
    """The parameter for one field, None when its type is not a parameter type."""
    default = field.default
    if default is dataclasses.MISSING and field.default_factory is not dataclasses.MISSING:
        default = field.default_factory()
    if default is dataclasses.MISSING:
        raise ValueError(f"field {field.name} has no default; a node parameter needs one")
    union = isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union
    members = typing.get_args(annotation) if union else (annotation,)
    optional = type(None) in members
    members = tuple(m for m in members if m is not type(None))
    if len(members) > 1:  # e.g. str | float: dynamically typed
        if not all(m in SCALARS for m in members):
            return None
        return ParameterSpec(field.name, None, default, description)
    (member,) = members
    if member in SCALARS:
        return ParameterSpec(field.name, SCALARS[member], default, description)
    array = _array_of(member)
    if array is None:
        return None
    kind, length, container = array
    value = None if default is None and optional else list(default)
    return ParameterSpec(field.name, kind, value, description, length, container)


def parameter_specs(config_class: type) -> list[ParameterSpec]:
    """The parameters of a config dataclass, in field order."""
    hints, docs = typing.get_type_hints(config_class), field_docs(config_class)
    specs = []
    for field in dataclasses.fields(config_class):
        description = docs.get(field.name, "")
        spec = spec_of(field, hints[field.name], description)
        if spec is None:
            continue
        if not description:
            raise ValueError(
                f"{config_class.__name__}.{field.name} has no attribute docstring: add a string literal "
                "right after the field (it is the parameter's description)"
            )
        specs.append(spec)
    return specs


def declare_values(node: Node, config_class: type) -> dict[str, Any]:
    """Declare the parameters of `config_class` on `node` and return {field: value} (arrays converted to the
    field's tuple/list, unset optionals None), ready for config_class(**values, <non-parameter fields>).
    A value of the wrong type or length raises ValueError naming the parameter and what it needs."""
    values = {}
    for spec in parameter_specs(config_class):
        descriptor = ParameterDescriptor(description=spec.description, read_only=True, dynamic_typing=spec.type is None)
        initial = spec.type if spec.default is None and spec.type is not None else spec.default
        try:
            node.declare_parameter(spec.name, initial, descriptor)
        except InvalidParameterTypeException as error:
            raise ValueError(f"parameter {spec.name} must be a {spec.type_name}: {error}") from None
        try:
            value = node.get_parameter(spec.name).value
        except ParameterUninitializedException:
            value = None
        if value is not None and spec.container is not None:
            if spec.length is not None and len(value) != spec.length:
                raise ValueError(f"parameter {spec.name} needs {spec.length} values, got {list(value)}")
            value = spec.container(value)
        values[spec.name] = value
    return values


def parameter_table(node_classes: dict[str, type]) -> str:
    """A markdown section per node: parameter, type, default, description (docs/parameters.md)."""
    lines = []
    for executable, node_class in node_classes.items():
        lines += [f"## {executable}", "", "| parameter | type | default | description |", "|---|---|---|---|"]
        for config_class in node_class.PARAMETERS:
            for spec in parameter_specs(config_class):
                default = "unset" if spec.default is None else f"`{_format(spec.default)}`"
                description = spec.description.replace("|", "\\|")
                lines.append(f"| `{spec.name}` | {spec.type_name} | {default} | {description} |")
        lines.append("")
    return "\n".join(lines)


def _format(value: Any) -> str:
    if isinstance(value, float):  # 100.0, not 100: a parameter file must write a float as one
        return f"{value:.1f}" if value.is_integer() else f"{value:.6g}"
    if isinstance(value, list):
        return "[" + ", ".join(_format(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value).lower() if isinstance(value, bool) else str(value)
