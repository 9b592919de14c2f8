"""Fill any ROS 2 message with distinct, deterministic values in every field (for round-trip tests)."""

from __future__ import annotations

import importlib
import itertools

_INT_RANGES = {
    "int8": 127,
    "uint8": 255,
    "int16": 32767,
    "uint16": 65535,
    "int32": 2**31 - 1,
    "uint32": 2**32 - 1,
    "int64": 2**62,
    "uint64": 2**63,
    "octet": 255,
    "byte": 255,
}


def message_class(type_name: str):
    """'geometry_msgs/PoseWithCovariance' or 'visuomotor_ros/msg/Track' -> the rclpy class."""
    parts = type_name.split("/")
    package, name = parts[0], parts[-1]
    return getattr(importlib.import_module(f"{package}.msg"), name)


def fill(message, counter=None):
    """Set every field of `message` (recursively) to a distinct value; returns the message."""
    counter = counter if counter is not None else itertools.count(1)
    for field, type_name in message.get_fields_and_field_types().items():
        setattr(message, field, _value(type_name, counter, getattr(message, field)))
    return message


def _value(type_name: str, counter, current):
    if type_name.startswith("sequence<"):
        inner = type_name[len("sequence<") : -1].split(",")[0]
        return [_value(inner, counter, None) for _ in range(2)]
    array = type_name.rsplit("[", 1)
    if len(array) == 2 and array[1].endswith("]"):
        return [_value(array[0], counter, None) for _ in range(int(array[1][:-1]))]
    n = next(counter)
    if type_name in ("double", "float"):
        return n + 0.25
    if type_name in _INT_RANGES:
        return n % _INT_RANGES[type_name]
    if type_name == "boolean":
        return n % 2 == 1
    if type_name.startswith("string"):
        return f"s{n}"
    return fill(message_class(type_name)() if current is None else current, counter)
