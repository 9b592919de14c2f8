"""`visuomotor bench perception`: localization (20 detections, 640×480) and tracking (50 × 50) ms/frame."""

from __future__ import annotations

import argparse

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--repeats", type=int, default=15, help="timed batches, summarised (default 15)")
    parser.add_argument("--batch", type=int, default=20, help="frames per timed batch (default 20)")
    add_json_flag(parser)


def _run(args: argparse.Namespace) -> int:
    if args.repeats < 1 or args.batch < 1:
        raise UserError(f"--repeats ({args.repeats}) and --batch ({args.batch}) must be ≥ 1")
    from visuomotor.eval.tracking.perception_benchmark import benchmark_perception

    emit_result(benchmark_perception(args.repeats, args.batch), args.json)
    return 0


COMMANDS = [
    Command(
        "bench",
        "perception",
        "3D localization ms/frame (20 detections, 640×480) and tracking ms/frame (50 tracks × 50 detections)",
        _add_arguments,
        _run,
    ),
]
