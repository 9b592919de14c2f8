"""`visuomotor dataset make`, `train detector`, `eval detector`, `bench detector`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError
from visuomotor.process import configure_process


def _add_dataset_make_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenes", type=int, required=True, help="number of sim scenes (images) to render")
    parser.add_argument("--out", type=Path, required=True, help="dataset directory to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of the scenes and of the split")
    parser.add_argument("--camera", default="fixed", help="sim camera name (default: fixed)")
    parser.add_argument(
        "--approach-views",
        type=int,
        default=0,
        help="0: one image per scene at its start pose (default); N: N images per scene along the "
        "scripted expert's pick-and-place (e.g. with --camera wrist)",
    )
    parser.add_argument(
        "--approach-s",
        type=float,
        default=6.0,
        help="with --approach-views: the views are drawn from the expert's first S seconds (default 6)",
    )
    parser.add_argument(
        "--joint-jitter",
        type=float,
        default=0.5,
        help="± rad per joint of the arm's start pose around home (default 0.5)",
    )


def _run_dataset_make(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from visuomotor.detection.dataset import DatasetSpec, make_dataset

    if args.scenes < 3:
        raise UserError(f"--scenes {args.scenes} is too few for train/val/test splits; use at least 3")
    if args.seed < 0:
        raise UserError(f"--seed {args.seed} is negative; use a seed ≥ 0")
    spec = DatasetSpec(
        args.scenes,
        args.seed,
        camera=args.camera,
        joint_jitter_rad=args.joint_jitter,
        approach_views=args.approach_views,
        approach_s=args.approach_s,
    )
    try:
        summary = make_dataset(spec, args.out, progress=lambda it: tqdm(it, desc="rendering scenes", unit="scene"))
    except ValueError as error:
        raise UserError(str(error)) from None
    emit_result(summary, as_json=False)
    return 0


def _add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("yolo", "detr"), required=True)
    parser.add_argument("--data", type=Path, required=True, help="dataset made by `visuomotor dataset make`")
    parser.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, metrics, model)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument(
        "--image-size", type=int, default=None, help="YOLO letterbox side / DETR longest side, px (default 320 / 640)"
    )
    parser.add_argument("--batch", type=int, default=None, help="images per step (default 16 / 4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    parser.add_argument(
        "--init-weights",
        type=Path,
        default=None,
        help="YOLO only: start from this .pt checkpoint (fine-tuning; its classes must be the "
        "dataset's) instead of random init",
    )


def _run_train(args: argparse.Namespace) -> int:
    from visuomotor.detection.dataset import read_class_names

    if not (args.data / "data.yaml").is_file():
        raise UserError(f"{args.data} is not a dataset (no data.yaml); make one with `visuomotor dataset make`")
    if args.epochs < 1:
        raise UserError(f"--epochs {args.epochs} must be ≥ 1")
    try:
        class_names = read_class_names(args.data)
    except ValueError as error:
        raise UserError(str(error)) from None
    if args.init_weights is not None and (args.backend != "yolo" or args.resume):
        raise UserError("--init-weights is for a new YOLO run: drop it with --backend detr or --resume")
    if args.backend == "yolo":
        from visuomotor.detection.yolo_training import YoloTrainConfig, train_yolo

        config = YoloTrainConfig(
            epochs=args.epochs,
            image_size=args.image_size or 320,
            batch=args.batch or 16,
            seed=args.seed,
            init_weights=args.init_weights,
        )
        if config.image_size % 32:
            raise UserError(f"--image-size {config.image_size} must be a multiple of 32 for YOLO")
        if args.init_weights is not None:
            _check_init_weights(args.init_weights, class_names)
        try:
            model = train_yolo(args.data, args.out, config, resume=args.resume)
        except FileNotFoundError as error:
            raise UserError(str(error)) from None
    else:
        from visuomotor.detection.detr_training import DetrTrainConfig, train_detr

        config = DetrTrainConfig(
            epochs=args.epochs, image_size=args.image_size or 640, batch=args.batch or 4, seed=args.seed
        )
        try:
            model = train_detr(args.data, args.out, class_names, config, resume=args.resume)
        except FileNotFoundError as error:
            raise UserError(str(error)) from None
    emit_result({"backend": args.backend, "model": str(model)}, as_json=False)
    return 0


def _check_init_weights(weights: Path, class_names: list[str]) -> None:
    """--init-weights must be a loadable YOLO .pt whose classes are the dataset's, in the same order."""
    from visuomotor.detection.yolo_training import checkpoint_class_names

    if weights.suffix != ".pt" or not weights.is_file():
        raise UserError(f"--init-weights {weights} is not a YOLO .pt file; pass a checkpoint such as a run's model.pt")
    try:
        names = checkpoint_class_names(weights)
    except Exception as error:  # ultralytics raises many types for a corrupt checkpoint
        raise UserError(
            f"--init-weights {weights} cannot be loaded ({type(error).__name__}: "
            f"{' '.join(str(error).split())}); "
            "pass a YOLO .pt checkpoint"
        ) from None
    if names != class_names:
        raise UserError(
            f"--init-weights {weights} has classes {names} but the dataset has {class_names}; "
            "fine-tune only on a dataset with the same classes"
        )


COMMANDS = [
    Command(
        "dataset",
        "make",
        "render randomised sim scenes into a YOLO + COCO detection dataset",
        _add_dataset_make_arguments,
        _run_dataset_make,
    ),
    Command("train", "detector", "train a YOLO or DETR detector on a sim dataset", _add_train_arguments, _run_train),
]


def _add_eval_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--weights", required=True, help="YOLO .pt checkpoint or DETR save_pretrained directory")
    parser.add_argument("--data", type=Path, required=True, help="dataset made by `visuomotor dataset make`")
    parser.add_argument("--split", choices=("train", "val", "test"), default="test")
    parser.add_argument("--image-size", type=int, default=None, help="default: the size the model was trained at")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--runtime",
        choices=("torch", "onnxruntime"),
        default="torch",
        help="what runs the network (onnxruntime: YOLO on the CPU)",
    )
    _add_threads_argument(parser)
    add_json_flag(parser)


def _add_threads_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="the runtime's CPU threads (default 1: on a shared, loaded CPU more threads wait on each other)",
    )


def _configure_threads(threads: int) -> None:
    """--threads: torch's pool for this process and ONNX Runtime's session threads (DetectorConfig.threads)."""
    if threads < 1:
        raise UserError(f"--threads {threads} must be ≥ 1")
    configure_process(torch_threads=threads)


def _run_eval(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from visuomotor.detection import DetectorConfig, DetectorError, load_detector
    from visuomotor.detection.assets import backend_of
    from visuomotor.detection.evaluation import EVAL_CONFIDENCE, evaluate

    _configure_threads(args.threads)
    try:
        detector = load_detector(
            DetectorConfig(
                backend_of(args.weights),
                str(args.weights),
                confidence=EVAL_CONFIDENCE,
                image_size=args.image_size,
                device=args.device,
                runtime=args.runtime,
                threads=args.threads,
            )
        )
        result = evaluate(
            detector,
            args.data,
            args.split,
            progress=lambda it: tqdm(it, desc=f"detecting ({args.split})", unit="image", file=sys.stderr),
        )
    except (DetectorError, ValueError) as error:
        raise UserError(str(error)) from None
    emit_result(
        {
            "weights": str(args.weights),
            "backend": detector.config.backend,
            "runtime": args.runtime,
            "image_size": detector.image_size,
            **result,
        },
        args.json,
    )
    return 0


def _add_bench_arguments(parser: argparse.ArgumentParser) -> None:
    from visuomotor.detection.assets import SHIPPED_DETR, SHIPPED_YOLO

    parser.add_argument("--yolo-weights", default=str(SHIPPED_YOLO))
    parser.add_argument("--detr-weights", default=str(SHIPPED_DETR))
    parser.add_argument("--frames", type=int, default=30, help="timed frames per backend")
    parser.add_argument("--device", default="cpu")
    _add_threads_argument(parser)
    add_json_flag(parser)


def _run_bench(args: argparse.Namespace) -> int:
    import platform

    from visuomotor.detection import DetectorConfig, DetectorError, load_detector
    from visuomotor.detection.benchmark import (
        SEED_CPU_MS_PER_FRAME,
        SEED_DETECTION_BUDGET_MS,
        SEED_PIPELINE_MS,
        sim_frames,
        time_detector,
    )
    from visuomotor.statistics import meets_goal

    if args.frames < 1:
        raise UserError(f"--frames {args.frames} must be ≥ 1")
    _configure_threads(args.threads)
    frames = sim_frames(8)
    result = {
        "input": "640x480 RGB sim renders",
        "device": args.device,
        "threads": args.threads,
        "cpu": platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "load_average_1min_before": os.getloadavg()[0],
        "seed_004_s26_5_2_cpu_ms_per_frame": SEED_CPU_MS_PER_FRAME,
        "seed_004_s29_5_detection_budget_ms": SEED_DETECTION_BUDGET_MS,
        "seed_004_s29_5_pipeline_ms": SEED_PIPELINE_MS,
    }
    runs = [("yolo", "yolo", args.yolo_weights, "torch"), ("detr", "detr", args.detr_weights, "torch")]
    if args.device == "cpu":
        runs.insert(1, ("yolo_onnxruntime", "yolo", args.yolo_weights, "onnxruntime"))
    for name, backend, weights, runtime in runs:
        try:
            detector = load_detector(
                DetectorConfig(backend, weights, device=args.device, runtime=runtime, threads=args.threads)
            )
        except DetectorError as error:
            raise UserError(str(error)) from None
        measured = time_detector(detector, frames, args.frames)
        measured["runtime"] = runtime
        measured["seed_cpu_ms_per_frame"] = SEED_CPU_MS_PER_FRAME[backend]
        measured["within_s29_5_budget"] = meets_goal(measured["latency_ms"]["total"], SEED_DETECTION_BUDGET_MS)
        result[name] = measured
    emit_result(result, args.json)
    return 0


COMMANDS += [
    Command(
        "eval",
        "detector",
        "COCO mAP@0.5 and mAP@0.5:0.95 of a detector on a dataset split",
        _add_eval_arguments,
        _run_eval,
    ),
    Command(
        "bench",
        "detector",
        "per-frame preprocess/inference/postprocess time of both backends at 640×480 "
        "(YOLO also in ONNX Runtime on the CPU)",
        _add_bench_arguments,
        _run_bench,
    ),
]
