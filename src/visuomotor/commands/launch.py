"""`visuomotor launch NAME [arg:=value ...]`: start the nodes of launch/NAME.launch.py, as ros2 launch would."""

from __future__ import annotations

import argparse

from visuomotor.commands import Command
from visuomotor.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="launch file launch/NAME.launch.py (e.g. sim, robot, replay)")
    parser.add_argument("launch_arguments", nargs="*", metavar="ARG:=VALUE", help="launch arguments")
    parser.add_argument("--dry-run", action="store_true", help="print the node commands, start nothing")
    parser.add_argument("--duration", type=float, default=None, help="stop everything after this many seconds")
    parser.add_argument(
        "--composed", action="store_true", help="run all nodes in this one process on a multi-threaded executor"
    )


def parse_launch_arguments(items: list[str]) -> dict[str, str]:
    values = {}
    for item in items:
        name, separator, value = item.partition(":=")
        if not separator or not name:
            raise UserError(f"launch argument {item!r} must look like name:=value")
        values[name] = value
    return values


def run(args: argparse.Namespace) -> int:
    from visuomotor.launching.loader import load_launch_file
    from visuomotor.launching.runner import node_command, run_processes
    from visuomotor.paths import share_dir

    path = share_dir() / "launch" / f"{args.name}.launch.py"
    if not path.is_file():
        available = sorted(p.name.removesuffix(".launch.py") for p in path.parent.glob("*.launch.py"))
        raise UserError(f"no launch file {path.name}; available: {', '.join(available)}")
    try:
        plan = load_launch_file(path, parse_launch_arguments(args.launch_arguments))
    except (ValueError, KeyError, FileNotFoundError) as error:
        raise UserError(str(error)) from error
    if plan.foreign:
        raise UserError(
            f"{path.name} needs {', '.join(plan.foreign)}, which only a full ROS 2 install has; use ros2 launch there"
        )
    if args.dry_run:
        for spec in plan.nodes:
            print(" ".join(node_command(spec)))
        return 0
    if args.composed:
        from visuomotor.harness.composition import run_composed

        try:
            return run_composed(plan.nodes, args.duration)
        except (ValueError, FileNotFoundError) as error:
            raise UserError(str(error)) from error
    return run_processes(plan.nodes, duration_s=args.duration)


COMMANDS = [Command("launch", None, "start a launch file's nodes as separate processes", add_arguments, run)]
