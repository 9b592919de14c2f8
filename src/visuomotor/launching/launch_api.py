"""The subset of the `launch` / `launch_ros` Python API our launch files use, evaluated eagerly.

Substitutions resolve against a LaunchContext holding the launch arguments; `Node` records what
`ros2 launch` would start (package, executable, name, namespace, parameter files and values,
remappings), so `visuomotor launch` can start exactly that.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LaunchContext:
    arguments: dict[str, str]
    share_dirs: dict[str, Path]  # package -> share directory

    def share_dir(self, package: str) -> Path:
        if package in self.share_dirs:
            return self.share_dirs[package]
        for prefix in filter(None, os.environ.get("AMENT_PREFIX_PATH", "").split(os.pathsep)):
            marker = Path(prefix) / "share/ament_index/resource_index/packages" / package
            if marker.exists():
                return Path(prefix) / "share" / package
        raise LookupError(
            f"package {package!r} is not installed here (needed by the launch file); "
            "install it on a full ROS 2 machine or drop that part of the launch"
        )


class Substitution:
    def perform(self, context: LaunchContext) -> str:
        raise NotImplementedError


SomeSubstitution = str | Substitution | Sequence[str | Substitution]


def resolve(value: SomeSubstitution | None, context: LaunchContext) -> str | None:
    """A string, a substitution, or a list of them concatenated — as launch does."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Substitution):
        return value.perform(context)
    return "".join(resolve(part, context) for part in value)


@dataclass
class LaunchConfiguration(Substitution):
    variable_name: str
    default: str | None = None

    def perform(self, context: LaunchContext) -> str:
        if self.variable_name in context.arguments:
            return context.arguments[self.variable_name]
        if self.default is not None:
            return self.default
        raise KeyError(f"launch argument {self.variable_name!r} is used but not declared")


@dataclass
class TextSubstitution(Substitution):
    text: str

    def perform(self, context: LaunchContext) -> str:
        return self.text


@dataclass
class PathJoinSubstitution(Substitution):
    parts: Sequence[SomeSubstitution]

    def perform(self, context: LaunchContext) -> str:
        return str(Path(*(resolve(part, context) for part in self.parts)))


@dataclass
class FindPackageShare(Substitution):
    package: SomeSubstitution

    def perform(self, context: LaunchContext) -> str:
        return str(context.share_dir(resolve(self.package, context)))


@dataclass
class DeclareLaunchArgument:
    name: str
    default_value: SomeSubstitution | None = None
    description: str = ""
    choices: Sequence[str] | None = None


@dataclass
class IfCondition:
    predicate: SomeSubstitution

    def evaluate(self, context: LaunchContext) -> bool:
        return truthy(resolve(self.predicate, context))


@dataclass
class UnlessCondition(IfCondition):
    def evaluate(self, context: LaunchContext) -> bool:
        return not super().evaluate(context)


def truthy(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1", "yes", "on"):
        return True
    if lowered in ("false", "0", "no", "off", ""):
        return False
    raise ValueError(f"launch condition {text!r} is not a boolean (use true or false)")


@dataclass
class Node:
    """launch_ros.actions.Node. respawn, respawn_delay (s) and respawn_max_retries are launch's
    ExecuteProcess arguments, which Node passes on: restart the process whenever it exits while the launch
    runs, after respawn_delay, at most respawn_max_retries times (-1: without limit)."""

    package: SomeSubstitution
    executable: SomeSubstitution
    name: SomeSubstitution | None = None
    namespace: SomeSubstitution | None = None
    parameters: Sequence[Any] = ()
    remappings: Sequence[tuple[SomeSubstitution, SomeSubstitution]] = ()
    arguments: Sequence[SomeSubstitution] = ()
    output: str = "screen"
    condition: IfCondition | None = None
    respawn: bool | SomeSubstitution = False
    respawn_delay: float | None = None
    respawn_max_retries: int = -1
    extra: dict[str, Any] = field(default_factory=dict)

    def __init__(
        self,
        *,
        package,
        executable,
        name=None,
        namespace=None,
        parameters=(),
        remappings=(),
        arguments=(),
        output="screen",
        condition=None,
        respawn=False,
        respawn_delay=None,
        respawn_max_retries=-1,
        **extra,
    ):
        self.package, self.executable, self.name, self.namespace = package, executable, name, namespace
        self.parameters, self.remappings, self.arguments = list(parameters), list(remappings), list(arguments)
        self.output, self.condition, self.extra = output, condition, extra
        self.respawn, self.respawn_delay, self.respawn_max_retries = respawn, respawn_delay, respawn_max_retries


@dataclass
class PythonLaunchDescriptionSource:
    launch_file_path: SomeSubstitution


@dataclass
class IncludeLaunchDescription:
    launch_description_source: PythonLaunchDescriptionSource
    launch_arguments: Iterable[tuple[SomeSubstitution, SomeSubstitution]] = ()
    condition: IfCondition | None = None


class LaunchDescription(list):
    """launch.LaunchDescription: an ordered list of actions."""

    def __init__(self, entities: Iterable[Any] = ()):
        super().__init__(entities)

    def add_action(self, action: Any) -> None:
        self.append(action)
