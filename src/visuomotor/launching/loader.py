"""Evaluate a ROS 2 Python launch file against `launch_api` and list the nodes it would start."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visuomotor.launching import launch_api as api

PACKAGE = "visuomotor_ros"

# module name -> the launch_api names it provides, as in the real launch / launch_ros packages
_SHIM_MODULES = {
    "launch": ["LaunchDescription"],
    "launch.actions": ["DeclareLaunchArgument", "IncludeLaunchDescription"],
    "launch.substitutions": ["LaunchConfiguration", "PathJoinSubstitution", "TextSubstitution"],
    "launch.conditions": ["IfCondition", "UnlessCondition"],
    "launch.launch_description_sources": ["PythonLaunchDescriptionSource"],
    "launch_ros": [],
    "launch_ros.actions": ["Node"],
    "launch_ros.substitutions": ["FindPackageShare"],
}


@dataclass(frozen=True)
class RespawnPolicy:
    """Restart a node whenever it exits while the launch runs: after delay_s, at most max_retries times
    (-1: without limit) — launch's respawn / respawn_delay / respawn_max_retries."""

    delay_s: float = 0.0
    max_retries: int = -1


@dataclass
class NodeSpec:
    """One node as `ros2 launch` would start it."""

    package: str
    executable: str
    name: str
    namespace: str
    param_files: list[Path] = field(default_factory=list)
    param_values: dict[str, Any] = field(default_factory=dict)
    remappings: list[tuple[str, str]] = field(default_factory=list)
    arguments: list[str] = field(default_factory=list)
    respawn: RespawnPolicy | None = None  # None: not restarted when it exits

    def ros_args(self) -> list[str]:
        """The `--ros-args ...` command-line tail that applies this spec to one node."""
        args = ["--ros-args", "-r", f"__node:={self.name}"]
        if self.namespace:
            args += ["-r", f"__ns:={self.namespace}"]
        for path in self.param_files:
            args += ["--params-file", str(path)]
        for key, value in self.param_values.items():
            args += ["-p", f"{key}:={_param_text(value)}"]
        for source, target in self.remappings:
            args += ["-r", f"{source}:={target}"]
        return args


@dataclass
class LaunchPlan:
    path: Path
    arguments: dict[str, api.DeclareLaunchArgument]
    values: dict[str, str]
    nodes: list[NodeSpec]
    foreign: list[str]  # actions needing packages that are not part of visuomotor (e.g. Gazebo)


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_param_text(v) for v in value) + "]"
    return str(value)


@contextmanager
def _launch_api_modules() -> Iterator[None]:
    saved = {name: sys.modules.get(name) for name in _SHIM_MODULES}
    try:
        for name, exported in _SHIM_MODULES.items():
            module = types.ModuleType(name)
            for attribute in exported:
                setattr(module, attribute, getattr(api, attribute))
            sys.modules[name] = module
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


def _generate(path: Path) -> api.LaunchDescription:
    spec = importlib.util.spec_from_file_location(f"_launch_{path.stem.replace('.', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    with _launch_api_modules():
        spec.loader.exec_module(module)
        return module.generate_launch_description()


def load_launch_file(path: Path, overrides: dict[str, str] | None = None) -> LaunchPlan:
    """Evaluate `path` with `overrides` (name -> value) for its declared arguments."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"launch file {path} does not exist")
    share = path.parent.parent  # <share>/launch/<file>
    description = _generate(path)
    declared = {a.name: a for a in description if isinstance(a, api.DeclareLaunchArgument)}
    unknown = set(overrides or {}) - set(declared)
    if unknown:
        raise ValueError(f"{path.name} has no argument(s) {sorted(unknown)}; it declares {sorted(declared)}")
    context = api.LaunchContext(arguments={}, share_dirs={PACKAGE: share})
    for name, argument in declared.items():
        value = (overrides or {}).get(name)
        if value is None:
            if argument.default_value is None:
                raise ValueError(f"{path.name} needs argument {name}:=<value> ({argument.description})")
            value = api.resolve(argument.default_value, context)
        if argument.choices and value not in argument.choices:
            raise ValueError(f"{name}:={value} is not one of {list(argument.choices)}")
        context.arguments[name] = value
    plan = LaunchPlan(path, declared, dict(context.arguments), [], [])
    for action in description:
        _add_action(action, context, plan)
    return plan


def _add_action(action: Any, context: api.LaunchContext, plan: LaunchPlan) -> None:
    condition = getattr(action, "condition", None)
    if condition is not None and not condition.evaluate(context):
        return
    if isinstance(action, api.Node):
        package = api.resolve(action.package, context)
        executable = api.resolve(action.executable, context)
        if package != PACKAGE:
            plan.foreign.append(f"{package}/{executable}")
            return
        spec = NodeSpec(
            package,
            executable,
            api.resolve(action.name, context) or executable,
            api.resolve(action.namespace, context) or "",
        )
        for parameter in action.parameters:
            if isinstance(parameter, dict):
                spec.param_values.update({k: _resolve_value(v, context) for k, v in parameter.items()})
            else:
                spec.param_files.append(Path(api.resolve(parameter, context)))
        spec.remappings = [(api.resolve(a, context), api.resolve(b, context)) for a, b in action.remappings]
        spec.arguments = [api.resolve(a, context) for a in action.arguments]
        spec.respawn = _respawn_policy(action, context)
        plan.nodes.append(spec)
    elif isinstance(action, api.IncludeLaunchDescription):
        try:
            included = Path(api.resolve(action.launch_description_source.launch_file_path, context))
        except LookupError as error:
            plan.foreign.append(str(error).split("'")[1])
            return
        values = {api.resolve(k, context): api.resolve(v, context) for k, v in action.launch_arguments}
        sub = load_launch_file(included, values)
        plan.nodes.extend(sub.nodes)
        plan.foreign.extend(sub.foreign)


def _respawn_policy(action: api.Node, context: api.LaunchContext) -> RespawnPolicy | None:
    respawn = action.respawn if isinstance(action.respawn, bool) else api.truthy(api.resolve(action.respawn, context))
    if not respawn:
        return None
    delay = float(action.respawn_delay or 0.0)
    if delay < 0:
        raise ValueError(f"{action.executable}: respawn_delay {delay} must be >= 0 seconds")
    return RespawnPolicy(delay, int(action.respawn_max_retries))


def _resolve_value(value: Any, context: api.LaunchContext) -> Any:
    """Substitutions (alone or in a list) resolve to a string; plain values pass through."""
    if isinstance(value, api.Substitution) or (
        isinstance(value, list) and any(isinstance(v, api.Substitution) for v in value)
    ):
        return api.resolve(value, context)
    return value
