"""`visuomotor eval bag <bag>`: deterministic replay of a recorded bag through detection → localization →
tracking, scored against the recorded ground truth, with plots and report.md (docs/replay.md)."""
from __future__ import annotations

import argparse
from pathlib import Path

from visuomotor.commands import Command, UserError, add_json_flag, emit_result


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("bag", type=Path, help="rosbag2 directory (MCAP or sqlite3) or .mcap file with the camera "
                                               "topics, /camera/extrinsics and /sim/ground_truth")
    parser.add_argument("--detections", choices=("model", "ground-truth"), default="model",
                        help="detector on the images (default), or the ground-truth boxes to score "
                             "localization and tracking alone")
    parser.add_argument("--weights", default=None,
                        help="YOLO .pt / model .yaml or DETR save_pretrained directory (default: the shipped YOLO)")
    parser.add_argument("--confidence", type=float, default=0.25, help="detector score threshold (default 0.25)")
    parser.add_argument("--iou", type=float, default=0.7, help="detector NMS IoU threshold (default 0.7)")
    parser.add_argument("--image-size", type=int, default=None, help="detector input size (default: as trained)")
    parser.add_argument("--device", default="cpu", help="torch device of the detector (default cpu)")
    parser.add_argument("--seed", type=int, default=0, help="torch seed before the detector is built (default 0)")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (default 0: all)")
    parser.add_argument("--match-distance", type=float, default=0.05,
                        help="3D match threshold in metres of the error and MOT metrics (default 0.05)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the plots and report.md (default: <bag>.eval next to the bag)")
    add_json_flag(parser)


def _detector_config(args: argparse.Namespace):
    from visuomotor.detection import DetectorConfig
    from visuomotor.detection.assets import SHIPPED_YOLO, backend_of

    if args.detections == "ground-truth":
        return None
    weights = args.weights or str(SHIPPED_YOLO)
    if args.weights is None and not SHIPPED_YOLO.is_file():
        raise UserError(f"no shipped detector at {SHIPPED_YOLO}; pass --weights (a .pt, a model .yaml such as "
                        "yolov8n.yaml, or a DETR directory) or --detections ground-truth")
    return DetectorConfig(backend=backend_of(weights), weights=weights, confidence=args.confidence, iou=args.iou,
                          image_size=args.image_size, device=args.device)


def _run(args: argparse.Namespace) -> int:
    if args.max_frames < 0 or args.match_distance <= 0:
        raise UserError(f"--max-frames ({args.max_frames}) must be ≥ 0 and --match-distance "
                        f"({args.match_distance}) > 0 metres")
    if not args.bag.exists():
        raise UserError(f"bag {args.bag} does not exist: pass a rosbag2 directory or .mcap file "
                        "(record one with `visuomotor record`)")
    from visuomotor.detection import DetectorError
    from visuomotor.eval.bag_replay import BagReplayConfig, replay_bag
    from visuomotor.eval.bag_replay_frames import ReplayBagError
    from visuomotor.eval.bag_replay_report import write_plots, write_report
    from visuomotor.eval.tracking_sim_evaluation import sim_size_priors
    from visuomotor.localization import LocalizerConfig

    config = BagReplayConfig(detections=args.detections, detector=_detector_config(args), max_frames=args.max_frames,
                             match_distance_m=args.match_distance, seed=args.seed,
                             localizer=LocalizerConfig(size_priors_m=sim_size_priors()))
    try:
        outcome = replay_bag(args.bag, config)
    except (ReplayBagError, DetectorError) as error:
        raise UserError(str(error)) from None
    out_dir = args.out or args.bag.parent / f"{args.bag.name}.eval"
    plots = write_plots(outcome, out_dir)
    report = write_report(outcome, out_dir, plots)
    emit_result({**outcome.summary, "out_dir": str(out_dir), "plots": [str(p) for p in plots],
                 "report": str(report)}, args.json)
    return 0


COMMANDS = [
    Command("eval", "bag", "replay a recorded bag through detection, localization and tracking; mAP, 3D error, "
            "MOTA/IDF1/HOTA and per-stage latency against the recorded ground truth", _add_arguments, _run),
]
