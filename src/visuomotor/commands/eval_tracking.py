"""`visuomotor eval tracking`: 3D localization error and MOT metrics on simulated sequences."""

from __future__ import annotations

import argparse

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError

SCENARIO_CHOICES = ("static", "moved", "occlusion", "wrist")  # visuomotor.eval.tracking.sim_scenarios.SCENARIOS


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=SCENARIO_CHOICES,
        default=list(SCENARIO_CHOICES),
        help="sequences to run (default: all)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="scene seeds per scenario, 0…N−1 (default 3)")
    parser.add_argument("--frames", type=int, default=60, help="frames per sequence (default 60)")
    parser.add_argument("--frame-hz", type=float, default=10.0, help="camera frame rate in sim time (default 10)")
    parser.add_argument(
        "--detections",
        choices=("gt-masks", "gt-boxes", "yolo"),
        default="gt-masks",
        help="ground-truth boxes with instance masks, ground-truth boxes only, or the YOLO "
        "detector on the rendered colour images (default gt-masks)",
    )
    parser.add_argument(
        "--weights",
        default="",
        help="YOLO checkpoint for --detections yolo (default: the shipped YOLOv8n), run on the "
        "CPU at its training size with 1 thread",
    )
    parser.add_argument(
        "--runtime",
        choices=("torch", "onnxruntime"),
        default="torch",
        help="what runs the YOLO network for --detections yolo (default torch)",
    )
    parser.add_argument(
        "--no-class-gating",
        dest="class_gating",
        action="store_false",
        help="let the tracker match a detection to a track of another class (TrackerConfig."
        "class_gating=False): for a detector that flips the class of a partly hidden object",
    )
    parser.add_argument(
        "--depth-encoding",
        choices=("32FC1", "16UC1"),
        default="32FC1",
        help="rendered depth: float metres or uint16 millimetres (default 32FC1)",
    )
    add_json_flag(parser)


def _run(args: argparse.Namespace) -> int:
    if args.weights and args.detections != "yolo":
        raise UserError(f"--weights is for --detections yolo, not {args.detections}: drop it or add --detections yolo")
    if args.seeds < 1 or args.frames < 1 or not 0 < args.frame_hz <= 50:
        raise UserError(
            f"--seeds ({args.seeds}) and --frames ({args.frames}) must be ≥ 1 and --frame-hz "
            f"({args.frame_hz}) in (0, 50] (the control rate)"
        )
    from visuomotor.eval.tracking.sim_evaluation import (
        TrackingEvalConfig,
        evaluate_tracking,
        load_yolo,
        sim_size_priors,
    )
    from visuomotor.localization import LocalizerConfig
    from visuomotor.tracking import TrackerConfig

    config = TrackingEvalConfig(
        scenarios=tuple(args.scenarios),
        seeds=tuple(range(args.seeds)),
        frame_hz=args.frame_hz,
        max_frames=args.frames,
        detections=args.detections,
        weights=args.weights,
        detector_runtime=args.runtime,
        depth_encoding=args.depth_encoding,
        localizer=LocalizerConfig(size_priors_m=sim_size_priors()),
        tracker=TrackerConfig(class_gating=args.class_gating),
    )
    detector = None
    if args.detections == "yolo":
        from visuomotor.detection import DetectorError

        try:
            detector = load_yolo(config)
        except DetectorError as error:
            raise UserError(str(error)) from None
    emit_result(evaluate_tracking(config, detector), args.json)
    return 0


COMMANDS = [
    Command(
        "eval",
        "tracking",
        "3D localization error and MOT metrics (MOTA, IDF1, HOTA) on simulated sequences with ground truth",
        _add_arguments,
        _run,
    ),
]
