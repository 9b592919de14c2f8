"""`visuomotor demo`: the whole stack in simulation as separate ROS 2 processes over DDS — sim_node,
detector_node (shipped YOLOv8n), localizer_node, tracker_node, policy_node (shipped ACT),
arm_controller_node — running N pick-and-place episodes, then a summary and a report folder (report.md,
latency / tracking-error / joint plots, an annotated image strip, the MCAP bag of episode 1).
`--composed` runs the same nodes in one process (visuomotor.harness.composition)."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError

DEMO_SEED_START = 10_000  # disjoint from the seeds the shipped policy was trained on


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--episodes", type=int, default=20, help="pick-and-place episodes (default 20)")
    parser.add_argument("--seed-start", type=int, default=DEMO_SEED_START, help="first episode's scene seed")
    parser.add_argument("--episode-timeout", type=float, default=25.0, help="seconds before an episode fails")
    parser.add_argument("--out", type=Path, default=None, help="report folder (default reports/demo-<time>)")
    parser.add_argument("--startup-timeout", type=float, default=180.0, help="seconds for the graph to come up")
    parser.add_argument(
        "--composed",
        action="store_true",
        help="all nodes in one process, frames handed over in-process (default: one process per node)",
    )
    add_json_flag(parser)


def run(args: argparse.Namespace) -> int:
    if args.episodes < 1:
        raise UserError(f"--episodes {args.episodes}: run at least 1 episode")
    out = args.out or Path("reports") / f"demo-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"
    if out.exists():
        raise UserError(f"--out {out} exists already; choose a new folder (reports are never overwritten)")
    log = (lambda line: None) if args.json else (lambda line: print(line, flush=True))

    from visuomotor.harness.demo_session import SessionConfig, run_session

    config = SessionConfig(
        out,
        args.seed_start,
        episodes=args.episodes,
        composed=args.composed,
        episode_timeout_s=args.episode_timeout,
        startup_timeout_s=args.startup_timeout,
    )
    summary = run_session(config, log)
    log(f"report: {out}")
    emit_result(summary, args.json)
    return 0 if not summary["crashes"] else 1


COMMANDS = [
    Command(
        "demo",
        None,
        "run the whole stack in simulation for N pick-and-place episodes, with a report",
        add_arguments,
        run,
    )
]
