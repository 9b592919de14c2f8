"""`visuomotor eval bag <bag>`: replay of a recorded bag through detection → localization → tracking, scored
against the recorded ground truth, with plots and report.md (docs/replay.md): deterministic (frame by frame in
this process), or `--realtime` (the live node graph over DDS at the recorded rate)."""

from __future__ import annotations

import argparse
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "bag",
        type=Path,
        help="rosbag2 directory (MCAP or sqlite3) or .mcap file with the camera "
        "topics, /camera/extrinsics and /sim/ground_truth",
    )
    parser.add_argument(
        "--detections",
        choices=("model", "ground-truth"),
        default="model",
        help="detector on the images (default), or the ground-truth boxes to score localization and tracking alone",
    )
    parser.add_argument(
        "--weights",
        default=None,
        help="YOLO .pt / model .yaml or DETR save_pretrained directory (default: the shipped YOLO)",
    )
    parser.add_argument(
        "--realtime",
        action="store_true",
        help="replay through the live graph (launch/replay.launch.py, config/replay.yaml: one process "
        "per node over DDS) at the recorded rate instead of frame by frame",
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=None,
        help="detector score threshold (default 0.25; --realtime: config/replay.yaml's)",
    )
    parser.add_argument(
        "--iou",
        type=float,
        default=None,
        help="detector NMS IoU threshold (default 0.7; --realtime: config/replay.yaml's)",
    )
    parser.add_argument("--image-size", type=int, default=None, help="detector input size (default: as trained)")
    parser.add_argument("--device", default="cpu", help="torch device of the detector (default cpu)")
    parser.add_argument("--seed", type=int, default=0, help="torch seed before the detector is built (default 0)")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (default 0: all)")
    parser.add_argument(
        "--match-distance",
        type=float,
        default=0.05,
        help="3D match threshold in metres of the error and MOT metrics (default 0.05)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="directory for the plots and report.md (default: <bag>.eval, --realtime: "
        "<bag>.realtime-eval next to the bag)",
    )
    parser.add_argument(
        "--startup-timeout",
        type=float,
        default=120.0,
        help="--realtime: seconds for the nodes to come up (default 120)",
    )
    parser.add_argument(
        "--drain-timeout",
        type=float,
        default=30.0,
        help="--realtime: seconds for the last frames to leave the graph after the bag ended (default 30)",
    )
    add_json_flag(parser)


def _detector_config(args: argparse.Namespace):
    from visuomotor.detection import DetectorConfig
    from visuomotor.detection.assets import SHIPPED_YOLO, backend_of

    if args.detections == "ground-truth":
        return None
    weights = args.weights or str(SHIPPED_YOLO)
    if args.weights is None and not SHIPPED_YOLO.is_file():
        raise UserError(
            f"no shipped detector at {SHIPPED_YOLO}; pass --weights (a .pt, a model .yaml such as "
            "yolov8n.yaml, or a DETR directory) or --detections ground-truth"
        )
    chosen = {"confidence": args.confidence, "iou": args.iou}  # unset: DetectorConfig's defaults
    return DetectorConfig(
        backend=backend_of(weights),
        weights=weights,
        image_size=args.image_size,
        device=args.device,
        **{name: value for name, value in chosen.items() if value is not None},
    )


def _detector_overrides(args: argparse.Namespace) -> dict:
    """--realtime: the detector_node parameters the options replace in config/replay.yaml."""
    from visuomotor.detection.assets import SHIPPED_YOLO, backend_of

    if args.weights is None and not SHIPPED_YOLO.is_file():
        raise UserError(
            f"no shipped detector at {SHIPPED_YOLO}; pass --weights (a .pt, a model .yaml or a DETR directory)"
        )
    overrides = {"device": args.device}
    if args.weights is not None:
        overrides.update(weights=args.weights, backend=backend_of(args.weights))
    for name, value in (
        ("confidence", args.confidence),
        ("iou", args.iou),
        ("image_size", args.image_size),
    ):
        if value is not None:
            overrides[name] = value
    return overrides


def _run(args: argparse.Namespace) -> int:
    if args.max_frames < 0 or args.match_distance <= 0:
        raise UserError(
            f"--max-frames ({args.max_frames}) must be ≥ 0 and --match-distance ({args.match_distance}) > 0 metres"
        )
    if not args.bag.exists():
        raise UserError(
            f"bag {args.bag} does not exist: pass a rosbag2 directory or .mcap file "
            "(record one with `visuomotor record`)"
        )
    if args.realtime:
        return _run_realtime(args)
    from visuomotor.detection import DetectorError
    from visuomotor.eval.bag.replay import BagReplayConfig, replay_bag
    from visuomotor.eval.bag.replay_frames import ReplayBagError
    from visuomotor.eval.bag.replay_report import write_plots, write_report
    from visuomotor.eval.tracking.sim_evaluation import sim_size_priors
    from visuomotor.localization import LocalizerConfig

    config = BagReplayConfig(
        detections=args.detections,
        detector=_detector_config(args),
        max_frames=args.max_frames,
        match_distance_m=args.match_distance,
        seed=args.seed,
        localizer=LocalizerConfig(size_priors_m=sim_size_priors()),
    )
    try:
        outcome = replay_bag(args.bag, config)
    except (ReplayBagError, DetectorError) as error:
        raise UserError(str(error)) from None
    out_dir = args.out or args.bag.parent / f"{args.bag.name}.eval"
    plots = write_plots(outcome, out_dir)
    report = write_report(outcome, out_dir, plots)
    emit_result(
        {
            **outcome.summary,
            "mode": "deterministic",
            "out_dir": str(out_dir),
            "plots": [str(p) for p in plots],
            "report": str(report),
        },
        args.json,
    )
    return 0


def _run_realtime(args: argparse.Namespace) -> int:
    if args.detections != "model" or args.max_frames or args.seed:
        raise UserError(
            "--realtime runs the detector node on the live images: --detections ground-truth, "
            "--max-frames and --seed are for the deterministic mode only"
        )
    if args.startup_timeout <= 0 or args.drain_timeout <= 0:
        raise UserError(
            f"--startup-timeout ({args.startup_timeout}) and --drain-timeout ({args.drain_timeout}) must be > 0 seconds"
        )
    from visuomotor.eval.bag.realtime import (
        LiveReplayError,
        RealtimeReplayConfig,
        live_report_lines,
        plan_bag,
        realtime_detector,
        score_live_replay,
    )
    from visuomotor.eval.bag.replay_frames import ReplayBagError
    from visuomotor.eval.bag.replay_report import write_plots, write_report
    from visuomotor.harness.replay_probe import record_live_replay

    overrides = _detector_overrides(args)
    out_dir = args.out or args.bag.parent / f"{args.bag.name}.realtime-eval"
    config = RealtimeReplayConfig(
        detector_overrides=overrides,
        match_distance_m=args.match_distance,
        startup_timeout_s=args.startup_timeout,
        drain_timeout_s=args.drain_timeout,
        log_dir=out_dir / "logs",
    )
    log = (lambda line: None) if args.json else print
    try:
        plan = plan_bag(args.bag)
        recording = record_live_replay(args.bag.resolve(), plan, config, log)
        outcome = score_live_replay(args.bag, plan, recording, config, realtime_detector(overrides))
    except (ReplayBagError, LiveReplayError) as error:
        raise UserError(str(error)) from None
    plots = write_plots(outcome, out_dir)
    report = write_report(outcome, out_dir, plots)
    report.write_text(report.read_text() + "\n".join(live_report_lines(outcome.summary)) + "\n")
    emit_result(
        {
            **outcome.summary,
            "out_dir": str(out_dir),
            "logs": str(config.log_dir),
            "plots": [str(p) for p in plots],
            "report": str(report),
        },
        args.json,
    )
    return 0


COMMANDS = [
    Command(
        "eval",
        "bag",
        "replay a recorded bag through detection, localization and tracking; mAP, 3D error, "
        "MOTA/IDF1/HOTA and per-stage latency against the recorded ground truth",
        _add_arguments,
        _run,
    ),
]
