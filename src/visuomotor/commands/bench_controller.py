"""`visuomotor bench controller --json`: arm controller loop period and jitter (statistics.latency_summary, ms)."""

from __future__ import annotations

import argparse

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=20.0, help="measurement length (default 20)")
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    if args.seconds <= 0:
        raise UserError(f"--seconds {args.seconds}: give a positive duration")
    from visuomotor.harness.controller_bench import measure_controller_jitter

    emit_result(measure_controller_jitter(args.seconds), args.json)
    return 0


COMMANDS = [
    Command("bench", "controller", "arm controller 100 Hz loop: command period and jitter p50/p99", add_arguments, run)
]
