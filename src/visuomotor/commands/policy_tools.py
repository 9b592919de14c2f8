"""ACT policy commands: `visuomotor demos record`, `visuomotor train policy` (one process, or DDP under
torchrun), `visuomotor eval policy` (closed loop in the sim on held-out seeds), `visuomotor bench policy`."""

from __future__ import annotations

import argparse
import os

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError
from visuomotor.process import configure_process


def _image_size(text: str) -> tuple[int, int]:
    try:
        height, width = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"image size {text!r} must look like HEIGHTxWIDTH, e.g. 240x320") from None
    return height, width


# -- demos record -------------------------------------------------------------------------------------------
def _add_record_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--episodes", type=int, required=True, help="seeds to run (failed episodes are skipped)")
    parser.add_argument("--out", required=True, help="directory for episode_<seed>.hdf5 files")
    parser.add_argument("--seed-start", type=int, default=0, help="first seed (default 0)")
    parser.add_argument("--images", action="store_true", help="also store camera colour images")
    parser.add_argument("--cameras", default="fixed", help="comma-separated cameras for --images (default fixed)")
    parser.add_argument(
        "--start-jitter-rad",
        type=float,
        default=None,
        help="± jitter of the start pose around home (default: the scene's 0.05)",
    )
    parser.add_argument(
        "--action-noise-rad",
        type=float,
        default=0.0,
        help="σ of correlated noise on the executed joint targets (DART; recorded actions stay "
        "the expert's); default 0",
    )
    add_json_flag(parser)


def _run_record(args: argparse.Namespace) -> int:
    if args.episodes < 1 or args.seed_start < 0:
        raise UserError(f"--episodes ({args.episodes}) must be >= 1 and --seed-start ({args.seed_start}) >= 0")
    if args.action_noise_rad < 0 or (args.start_jitter_rad is not None and args.start_jitter_rad < 0):
        raise UserError("--action-noise-rad and --start-jitter-rad must be >= 0 (radians)")
    from visuomotor.policy.config import EVAL_SEED_START
    from visuomotor.policy.rollout import record_demos

    if args.seed_start + args.episodes > EVAL_SEED_START:
        raise UserError(f"demo seeds must stay below {EVAL_SEED_START}, where held-out evaluation seeds start")
    cameras = tuple(c for c in args.cameras.split(",") if c) if args.images else ()
    try:
        result = record_demos(
            args.episodes,
            args.out,
            args.seed_start,
            cameras,
            progress=not args.json,
            start_jitter_rad=args.start_jitter_rad,
            action_noise_rad=args.action_noise_rad,
        )
    except ValueError as error:
        raise UserError(str(error)) from error
    emit_result(result, args.json)
    return 0 if result["written"] else 1


# -- train policy -------------------------------------------------------------------------------------------
def _add_train_arguments(parser: argparse.ArgumentParser) -> None:
    from visuomotor.policy.config import ACTConfig, TrainConfig

    model, train = ACTConfig(), TrainConfig(data="", out="")
    parser.add_argument("--data", required=True, help="directory of episode HDF5 files (visuomotor demos record)")
    parser.add_argument("--out", required=True, help="checkpoint directory; resumed if it holds training_state.*")
    parser.add_argument("--steps", type=int, default=train.steps, help=f"total optimizer steps ({train.steps})")
    parser.add_argument("--batch-size", type=int, default=train.batch_size, help="global batch over all processes")
    parser.add_argument("--lr", type=float, default=train.lr)
    parser.add_argument("--lr-schedule", choices=("constant", "cosine"), default=train.lr_schedule)
    parser.add_argument("--weight-decay", type=float, default=train.weight_decay)
    parser.add_argument("--seed", type=int, default=train.seed)
    parser.add_argument("--checkpoint-every", type=int, default=train.checkpoint_every)
    parser.add_argument("--log-every", type=int, default=train.log_every)
    parser.add_argument("--time-limit-min", type=float, default=0.0, help="stop and checkpoint after this (0 = off)")
    parser.add_argument("--device", default=train.device, help="auto (cuda if available) | cpu | cuda | cuda:N")
    parser.add_argument("--num-workers", type=int, default=train.num_workers)
    parser.add_argument("--threads", type=int, default=train.threads, help="torch threads per process (0 = default)")
    parser.add_argument("--no-progress", action="store_true", help="no tqdm bar")
    parser.add_argument("--chunk-size", type=int, default=model.chunk_size, help="k actions per query")
    parser.add_argument("--latent-dim", type=int, default=model.latent_dim)
    parser.add_argument("--d-model", type=int, default=model.d_model)
    parser.add_argument("--heads", type=int, default=model.n_heads)
    parser.add_argument("--feedforward", type=int, default=model.d_feedforward)
    parser.add_argument("--cvae-layers", type=int, default=model.n_cvae_layers)
    parser.add_argument("--encoder-layers", type=int, default=model.n_encoder_layers)
    parser.add_argument("--decoder-layers", type=int, default=model.n_decoder_layers)
    parser.add_argument("--dropout", type=float, default=model.dropout)
    parser.add_argument("--kl-weight", type=float, default=model.kl_weight)
    parser.add_argument(
        "--relative-joints", action="store_true", help="predict joint targets as offsets from the current joint angles"
    )
    parser.add_argument("--cameras", default="", help="comma-separated cameras for image mode (default: state only)")
    parser.add_argument(
        "--image-size",
        type=_image_size,
        default=(model.image_height, model.image_width),
        help="HEIGHTxWIDTH the camera images are resized to (default 240x320)",
    )
    parser.add_argument("--pretrained-backbone", default="", help="local ResNet18 .safetensors for image mode")
    add_json_flag(parser)


def _run_train(args: argparse.Namespace) -> int:
    from visuomotor.policy.act import ACTConfig
    from visuomotor.policy.checkpoint import CheckpointError
    from visuomotor.policy.dataset import DatasetError
    from visuomotor.policy.training import TrainConfig, train_policy

    try:
        model = ACTConfig(
            chunk_size=args.chunk_size,
            latent_dim=args.latent_dim,
            d_model=args.d_model,
            n_heads=args.heads,
            d_feedforward=args.feedforward,
            n_cvae_layers=args.cvae_layers,
            n_encoder_layers=args.encoder_layers,
            n_decoder_layers=args.decoder_layers,
            dropout=args.dropout,
            kl_weight=args.kl_weight,
            relative_joints=args.relative_joints,
            camera_names=tuple(c for c in args.cameras.split(",") if c),
            image_height=args.image_size[0],
            image_width=args.image_size[1],
        )
        config = TrainConfig(
            data=args.data,
            out=args.out,
            steps=args.steps,
            batch_size=args.batch_size,
            lr=args.lr,
            lr_schedule=args.lr_schedule,
            weight_decay=args.weight_decay,
            seed=args.seed,
            checkpoint_every=args.checkpoint_every,
            log_every=args.log_every,
            time_limit_s=60.0 * args.time_limit_min,
            device=args.device,
            num_workers=args.num_workers,
            threads=args.threads,
            progress=not args.no_progress,
            pretrained_backbone=args.pretrained_backbone,
        )
        configure_process(torch_threads=args.threads or None)
        result = train_policy(config, model, {"command": "visuomotor train policy"})
    except (DatasetError, CheckpointError, FileNotFoundError, ValueError) as error:
        raise UserError(str(error)) from error
    if int(os.environ.get("RANK", "0")) == 0:
        losses = result.losses
        emit_result(
            {
                "out": str(result.out),
                "step": result.step,
                "steps_this_run": len(losses),
                "final_loss": losses[-1] if losses else None,
                "seconds": round(result.seconds, 1),
            },
            args.json,
        )
    return 0


# -- eval policy --------------------------------------------------------------------------------------------
def _add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    from visuomotor.policy.config import EVAL_SEED_START

    parser.add_argument("--checkpoint", required=True, help="policy checkpoint directory")
    parser.add_argument("--episodes", type=int, default=50, help="held-out seeds to run (default 50)")
    parser.add_argument(
        "--seed-start", type=int, default=EVAL_SEED_START, help=f"first held-out seed (default {EVAL_SEED_START})"
    )
    parser.add_argument(
        "--no-temporal-ensembling", action="store_true", help="execute each chunk open loop and re-query every k steps"
    )
    parser.add_argument("--ensemble-m", type=float, default=0.01, help="temporal ensembling weight decay m")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument(
        "--runtime",
        choices=("torch", "nnfoundation", "onnxruntime"),
        default="torch",
        help="run the ACT in torch, torch-free in nnfoundation, or in ONNX Runtime (the last two: "
        "state mode only; default torch)",
    )
    parser.add_argument(
        "--start-jitter-rad",
        type=float,
        default=None,
        help="± jitter of the start pose around home (default: the scene's 0.05)",
    )
    add_json_flag(parser)


def _run_eval(args: argparse.Namespace) -> int:
    if args.episodes < 1 or args.seed_start < 0:
        raise UserError(f"--episodes ({args.episodes}) must be >= 1 and --seed-start ({args.seed_start}) >= 0")

    from visuomotor.policy.checkpoint import CheckpointError, load_policy
    from visuomotor.policy.rollout import evaluate_policy
    from visuomotor.policy.runner import PolicyRunner

    configure_process(torch_threads=max(1, args.threads))
    try:
        model, stats, info = load_policy(args.checkpoint)
    except CheckpointError as error:
        raise UserError(str(error)) from error
    seeds = list(range(args.seed_start, args.seed_start + args.episodes))
    overlap = sorted(set(seeds) & set(info.get("demo_seeds", [])))
    if overlap:
        raise UserError(
            f"seeds {overlap[:5]} were training demonstrations of this checkpoint; evaluate on "
            f"held-out seeds (e.g. --seed-start {max(info['demo_seeds']) + 1})"
        )
    try:
        runner = PolicyRunner(
            model,
            stats,
            temporal_ensembling=not args.no_temporal_ensembling,
            ensemble_m=args.ensemble_m,
            runtime=args.runtime,
        )
    except ValueError as error:
        raise UserError(str(error)) from error
    result = evaluate_policy(runner, seeds, progress=not args.json, start_jitter_rad=args.start_jitter_rad)
    emit_result({"checkpoint": args.checkpoint, "runtime": args.runtime, **result}, args.json)
    return 0


# -- bench policy -------------------------------------------------------------------------------------------
def _add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--checkpoint",
        default="",
        help="state-mode checkpoint to time (default: a fresh model of the default ACTConfig size)",
    )
    parser.add_argument("--iterations", type=int, default=200, help="timed policy steps per mode (default 200)")
    parser.add_argument(
        "--image-size",
        type=_image_size,
        default=(480, 640),
        help="HEIGHTxWIDTH the camera image is resized to in image mode (default 480x640)",
    )
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    add_json_flag(parser)


def _run_bench(args: argparse.Namespace) -> int:
    if args.iterations < 1:
        raise UserError(f"--iterations ({args.iterations}) must be >= 1")
    from visuomotor.policy.benchmark import benchmark_policy
    from visuomotor.policy.checkpoint import CheckpointError

    try:
        configure_process(torch_threads=args.threads or None)
        result = benchmark_policy(args.checkpoint or None, args.iterations, args.image_size)
    except (CheckpointError, ValueError) as error:
        raise UserError(str(error)) from error
    emit_result(result, args.json)
    return 0


COMMANDS = [
    Command(
        "demos",
        "record",
        "record scripted pick-and-place demonstrations (ACT HDF5, one file per success)",
        _add_record_arguments,
        _run_record,
    ),
    Command(
        "train",
        "policy",
        "train an ACT policy on recorded demonstrations (DDP under torchrun)",
        _add_train_arguments,
        _run_train,
    ),
    Command(
        "eval",
        "policy",
        "closed-loop success rate of an ACT checkpoint on held-out sim seeds",
        _add_eval_arguments,
        _run_eval,
    ),
    Command(
        "bench",
        "policy",
        "ACT policy step latency, state mode and one-camera image mode",
        _add_bench_arguments,
        _run_bench,
    ),
]
