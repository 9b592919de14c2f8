"""`visuomotor eval expert` (scripted pick-and-place success rate) and `visuomotor bench sim` (render rate,
physics real-time factor)."""

from __future__ import annotations

import argparse

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError


def _add_eval_expert_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--episodes", type=int, default=100, help="number of seeds to run (default 100)")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    add_json_flag(parser)


def _run_eval_expert(args: argparse.Namespace) -> int:
    if args.episodes < 1 or args.seed_start < 0:
        raise UserError(f"--episodes ({args.episodes}) must be ≥ 1 and --seed-start ({args.seed_start}) ≥ 0")
    from visuomotor.eval.expert import evaluate_expert

    emit_result(evaluate_expert(args.episodes, args.seed_start), args.json)
    return 0


def _add_bench_sim_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--frames", type=int, default=100, help="frames rendered per camera and mode (default 100)")
    parser.add_argument("--physics-seconds", type=float, default=5.0, help="sim time to step (default 5 s)")
    parser.add_argument("--seed", type=int, default=0, help="scene seed (default 0)")
    add_json_flag(parser)


def _run_bench_sim(args: argparse.Namespace) -> int:
    if args.frames < 1 or not args.physics_seconds > 0 or args.seed < 0:
        raise UserError("--frames must be ≥ 1, --physics-seconds > 0 and --seed ≥ 0")
    from visuomotor.sim.benchmark import benchmark_sim

    emit_result(benchmark_sim(args.frames, args.physics_seconds, args.seed), args.json)
    return 0


COMMANDS = [
    Command(
        "eval",
        "expert",
        "scripted pick-and-place expert: success rate over seeded episodes",
        _add_eval_expert_arguments,
        _run_eval_expert,
    ),
    Command(
        "bench",
        "sim",
        "MuJoCo simulator: RGB-D render rate at 640×480 and physics real-time factor",
        _add_bench_sim_arguments,
        _run_bench_sim,
    ),
]
