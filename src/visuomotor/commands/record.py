"""`visuomotor record`: record the camera topics (and /joint_states, /sim/ground_truth, /camera/extrinsics)
into a rosbag2 that `ros2 bag`, Foxglove and `camera_node source:=bag` read."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    from visuomotor.camera.topics import RECORDED_TOPIC_TYPES

    parser.add_argument("--out", type=Path, required=True, help="bag directory to create (must not exist)")
    parser.add_argument(
        "--topics", nargs="+", default=list(RECORDED_TOPIC_TYPES), help="topics to record (default: %(default)s)"
    )
    parser.add_argument(
        "--storage",
        choices=("mcap", "sqlite3"),
        default="mcap",
        help="mcap (default) or sqlite3",
    )
    parser.add_argument(
        "--split",
        type=float,
        default=1.0,
        metavar="S",
        help="write the bag as files of S seconds, each listed in metadata.yaml once closed: if the recorder is "
        "killed, readers open the bag and lose at most the last S seconds (default 1)",
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=0.0,
        metavar="S",
        help="stop after S seconds (default: until Ctrl-C / SIGTERM)",
    )
    add_json_flag(parser)


def _run(args: argparse.Namespace) -> int:
    if args.out.exists():
        raise UserError(f"--out {args.out} exists already; choose a new bag directory (bags are never overwritten)")
    if not args.split > 0:
        raise UserError(f"--split {args.split} must be > 0 seconds (e.g. 1)")
    if args.duration < 0:
        raise UserError(f"--duration {args.duration} is negative; give seconds > 0, or 0 to record until Ctrl-C")
    bad = [topic for topic in args.topics if not topic.startswith("/")]
    if bad:
        raise UserError(f"--topics {' '.join(bad)}: topic names are absolute, e.g. /joint_states")
    from visuomotor.camera.bag import BagError
    from visuomotor.nodes.recorder_node import record

    ros_args = [
        "--ros-args",
        "-p",
        f"out:={args.out}",
        "-p",
        f"topics:={json.dumps(args.topics)}",
        "-p",
        f"storage:={args.storage}",
        "-p",
        f"duration_s:={float(args.duration)}",
        "-p",
        f"split_s:={float(args.split)}",
    ]
    try:
        counts = record(["visuomotor-record", *ros_args], log=lambda line: None if args.json else print(line))
    except BagError as error:
        raise UserError(str(error)) from None
    emit_result(
        {"bag": str(args.out), "storage": args.storage, "messages": sum(counts.values()), "per_topic": counts},
        args.json,
    )
    return 0


COMMANDS = [
    Command(
        "record", None, "record camera, joint-state and ground-truth topics into a rosbag2 (MCAP)", _add_arguments, _run
    )
]
