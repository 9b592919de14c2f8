"""`visuomotor dataset make`, `train detector`, `eval detector`, `bench detector`."""
from __future__ import annotations

import argparse
from pathlib import Path

from visuomotor.commands import Command, UserError, add_json_flag, emit_result


def _add_dataset_make_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scenes", type=int, required=True, help="number of sim scenes (images) to render")
    parser.add_argument("--out", type=Path, required=True, help="dataset directory to write")
    parser.add_argument("--seed", type=int, default=0, help="seed of the scenes and of the split")
    parser.add_argument("--camera", default="fixed", help="sim camera name (default: fixed)")


def _run_dataset_make(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from visuomotor.detection.dataset import DatasetSpec, make_dataset

    if args.scenes < 3:
        raise UserError(f"--scenes {args.scenes} is too few for train/val/test splits; use at least 3")
    if args.seed < 0:
        raise UserError(f"--seed {args.seed} is negative; use a seed ≥ 0")
    try:
        summary = make_dataset(DatasetSpec(args.scenes, args.seed, camera=args.camera), args.out,
                               progress=lambda it: tqdm(it, desc="rendering scenes", unit="scene"))
    except ValueError as error:
        raise UserError(str(error)) from None
    emit_result(summary, as_json=False)
    return 0


def _add_train_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("yolo", "detr"), required=True)
    parser.add_argument("--data", type=Path, required=True, help="dataset made by `visuomotor dataset make`")
    parser.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, metrics, model)")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--image-size", type=int, default=None,
                        help="YOLO letterbox side / DETR longest side, px (default 320 / 640)")
    parser.add_argument("--batch", type=int, default=None, help="images per step (default 16 / 4)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")


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
    if args.backend == "yolo":
        from visuomotor.detection.yolo_training import YoloTrainConfig, train_yolo

        config = YoloTrainConfig(epochs=args.epochs, image_size=args.image_size or 320, batch=args.batch or 16,
                                 seed=args.seed)
        if config.image_size % 32:
            raise UserError(f"--image-size {config.image_size} must be a multiple of 32 for YOLO")
        try:
            model = train_yolo(args.data, args.out, config, resume=args.resume)
        except FileNotFoundError as error:
            raise UserError(str(error)) from None
    else:
        from visuomotor.detection.detr_training import DetrTrainConfig, train_detr

        config = DetrTrainConfig(epochs=args.epochs, image_size=args.image_size or 640, batch=args.batch or 4,
                                 seed=args.seed)
        try:
            model = train_detr(args.data, args.out, class_names, config, resume=args.resume)
        except FileNotFoundError as error:
            raise UserError(str(error)) from None
    emit_result({"backend": args.backend, "model": str(model)}, as_json=False)
    return 0


COMMANDS = [
    Command("dataset", "make", "render randomised sim scenes into a YOLO + COCO detection dataset",
            _add_dataset_make_arguments, _run_dataset_make),
    Command("train", "detector", "train a YOLO or DETR detector on a sim dataset", _add_train_arguments, _run_train),
]
