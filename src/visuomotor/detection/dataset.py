"""Render randomised sim scenes into a detection dataset: YOLO format (images/, labels/, data.yaml) and
COCO json, with seeded train/val/test splits.

Layout of DIR:
    images/{train,val,test}/scene_000123.jpg     RGB renders of spec.camera, 640×480
                                                 (scene_000123_view02.jpg with approach_views: view 2 of scene 123)
    labels/{train,val,test}/scene_000123.txt     YOLO: "class cx cy w h" per object, normalised to [0, 1]
    annotations/{train,val,test}.json            COCO: bbox [x, y, w, h] pixels, category_id = class id
    data.yaml                                    ultralytics dataset file (path, splits, names)
    dataset.json                                 how it was made (scenes, seed, rule, counts)
Scene i is sim seed `seed · 1_000_000 + i`; it has 3–9 distractors and the arm jittered around home so it
sometimes occludes objects. Labels follow labels.box_labels (≥ 50 % of the silhouette visible).
With approach_views = N ≥ 1 each scene is instead rendered N times along the scripted expert's pick-and-place
(sim.expert, started at the scene's start pose): at N distinct control steps drawn from
[0, approach_s) with seed (spec.seed, scene index), so a wrist camera sees the objects from above as it
descends, grasps and carries the cube. All views of a scene share its split.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from visuomotor.detection.labels import MIN_VISIBLE_FRACTION, BoxLabel, box_labels

SPLITS = ("train", "val", "test")
SCENE_SEED_STRIDE = 1_000_000
JPEG_QUALITY = 95


@dataclass(frozen=True)
class DatasetSpec:
    """num_scenes scenes from `seed`; split fractions (train, val, test) sum to 1; camera: sim camera name;
    distractors: inclusive range of extra objects per scene; joint_jitter_rad: arm pose spread around home at
    the start; approach_views: 0 = one image per scene at its start pose, N ≥ 1 = N images per scene along
    the scripted expert's pick-and-place within its first approach_s seconds (module docstring)."""

    num_scenes: int
    seed: int = 0
    split_fractions: tuple[float, float, float] = (0.8, 0.1, 0.1)
    camera: str = "fixed"
    distractors: tuple[int, int] = (3, 9)
    joint_jitter_rad: float = 0.5
    approach_views: int = 0
    approach_s: float = 6.0


def scene_config(spec: DatasetSpec, index: int):
    """(SceneConfig, sim seed) of scene `index`: its distractor count is drawn from spec.seed."""
    from visuomotor.sim.layout import SceneConfig

    counts = np.random.default_rng(spec.seed).integers(spec.distractors[0], spec.distractors[1] + 1, spec.num_scenes)
    config = SceneConfig(num_distractors=int(counts[index]), joint_jitter_rad=spec.joint_jitter_rad)
    return config, spec.seed * SCENE_SEED_STRIDE + index


def split_of_scenes(num_scenes: int, seed: int, fractions: tuple[float, float, float]) -> list[str]:
    """The split name of each scene index: a seeded permutation cut at the fractions (val, test rounded)."""
    if num_scenes < len(SPLITS):
        raise ValueError(f"{num_scenes} scenes cannot fill {len(SPLITS)} splits; use at least 3")
    if abs(sum(fractions) - 1.0) > 1e-9 or min(fractions) <= 0:
        raise ValueError(f"split fractions {fractions} must be positive and sum to 1")
    order = np.random.default_rng(seed).permutation(num_scenes)
    num_val = max(1, round(num_scenes * fractions[1]))
    num_test = max(1, round(num_scenes * fractions[2]))
    names = np.array(["train"] * num_scenes, dtype=object)
    names[order[:num_test]] = "test"
    names[order[num_test : num_test + num_val]] = "val"
    return names.tolist()


def yolo_label_lines(labels: list[BoxLabel], width: int, height: int) -> list[str]:
    """YOLO rows "class cx cy w h", coordinates divided by the image width/height."""
    lines = []
    for label in labels:
        x1, y1, x2, y2 = label.xyxy
        lines.append(
            f"{label.class_id} {(x1 + x2) / 2 / width:.6f} {(y1 + y2) / 2 / height:.6f} "
            f"{(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}"
        )
    return lines


def coco_annotations(labels: list[BoxLabel], image_id: int, first_id: int) -> list[dict]:
    """COCO annotation dicts, bbox = [x, y, w, h] pixels, area = w·h."""
    annotations = []
    for offset, label in enumerate(labels):
        x1, y1, x2, y2 = label.xyxy
        annotations.append(
            {
                "id": first_id + offset,
                "image_id": image_id,
                "category_id": label.class_id,
                "bbox": [x1, y1, x2 - x1, y2 - y1],
                "area": (x2 - x1) * (y2 - y1),
                "iscrowd": 0,
            }
        )
    return annotations


def make_dataset(spec: DatasetSpec, out_dir: Path, progress=None) -> dict:
    """Render spec.num_scenes scenes into out_dir; returns the summary also written to dataset.json.

    progress: optional callable(iterable) → iterable (e.g. tqdm).
    """
    from visuomotor.sim.objects import CLASS_NAMES

    if spec.approach_views < 0 or spec.approach_s <= 0 or spec.joint_jitter_rad < 0:
        raise ValueError(
            f"approach views ({spec.approach_views}) and joint jitter ({spec.joint_jitter_rad} rad) "
            f"must be ≥ 0 and the approach time ({spec.approach_s} s) > 0"
        )
    out_dir = Path(out_dir)
    splits = split_of_scenes(spec.num_scenes, spec.seed, spec.split_fractions)
    for split in SPLITS:
        (out_dir / "images" / split).mkdir(parents=True, exist_ok=True)
        (out_dir / "labels" / split).mkdir(parents=True, exist_ok=True)
    (out_dir / "annotations").mkdir(exist_ok=True)
    categories = [{"id": i, "name": name} for i, name in enumerate(CLASS_NAMES)]
    coco = {split: {"images": [], "annotations": [], "categories": categories} for split in SPLITS}
    tasks: dict = {}
    skipped = 0
    image_id = 0
    try:
        for index in (progress or iter)(range(spec.num_scenes)):
            split = splits[index]
            for view, (frame, truth) in enumerate(scene_views(spec, index, tasks)):
                labels = box_labels(frame.segmentation, truth.objects, frame.T_base_camera, frame.intrinsics.K)
                skipped += len(truth.objects) - len(labels)
                stem = f"scene_{index:06d}" if spec.approach_views == 0 else f"scene_{index:06d}_view{view:02d}"
                height, width = frame.color.shape[:2]
                cv2.imwrite(
                    str(out_dir / "images" / split / f"{stem}.jpg"),
                    frame.color[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY],
                )
                lines = yolo_label_lines(labels, width, height)
                (out_dir / "labels" / split / f"{stem}.txt").write_text("".join(line + "\n" for line in lines))
                document = coco[split]
                document["images"].append(
                    {"id": image_id, "file_name": f"images/{split}/{stem}.jpg", "width": width, "height": height}
                )
                document["annotations"] += coco_annotations(labels, image_id, len(document["annotations"]) + 1)
                image_id += 1
    finally:
        for task in tasks.values():
            task.sim.close()
    for split in SPLITS:
        (out_dir / "annotations" / f"{split}.json").write_text(json.dumps(coco[split]))
    names = "".join(f"  {i}: {name}\n" for i, name in enumerate(CLASS_NAMES))
    (out_dir / "data.yaml").write_text(
        f"path: {out_dir.resolve()}\ntrain: images/train\nval: images/val\ntest: images/test\nnames:\n{names}"
    )
    summary = {
        "scenes": spec.num_scenes,
        "seed": spec.seed,
        "camera": spec.camera,
        "split_fractions": list(spec.split_fractions),
        "distractors": list(spec.distractors),
        "joint_jitter_rad": spec.joint_jitter_rad,
        "approach_views": spec.approach_views,
        "approach_s": spec.approach_s,
        "min_visible_fraction": MIN_VISIBLE_FRACTION,
        "images": {s: len(coco[s]["images"]) for s in SPLITS},
        "boxes": {s: len(coco[s]["annotations"]) for s in SPLITS},
        "skipped_objects": skipped,
        "class_names": list(CLASS_NAMES),
    }
    (out_dir / "dataset.json").write_text(json.dumps(summary, indent=2))
    return summary


def approach_control_steps(spec: DatasetSpec, index: int, control_hz: float) -> list[int]:
    """The control steps (sorted) at which scene `index` is rendered along the expert's pick-and-place:
    approach_views distinct steps of [0, approach_s · control_hz), drawn with seed (spec.seed, index)."""
    num_steps = int(round(spec.approach_s * control_hz))
    if spec.approach_views > num_steps:
        raise ValueError(
            f"approach_views {spec.approach_views} exceeds the {num_steps} control steps of "
            f"approach_s {spec.approach_s} s; render fewer views or a longer approach"
        )
    rng = np.random.default_rng([spec.seed, index])
    return sorted(rng.choice(num_steps, spec.approach_views, replace=False).tolist())


def scene_views(spec: DatasetSpec, index: int, tasks: dict) -> Iterator[tuple]:
    """(RGBDFrame of spec.camera with segmentation, SceneGroundTruth) of each image of scene `index`: its
    start pose, or its approach_views along the scripted expert's pick-and-place.

    tasks: {SceneConfig: PickPlaceTask}, reused across scenes (one simulator and GL context per config).
    """
    from visuomotor.sim.expert import ExpertConfig, PickPlaceExpert
    from visuomotor.sim.task import PickPlaceTask, TaskConfig

    config, sim_seed = scene_config(spec, index)
    if config not in tasks:
        tasks[config] = PickPlaceTask(TaskConfig(scene=config, time_limit_s=spec.approach_s + 1.0))
    task = tasks[config]
    observation = task.reset(sim_seed)
    if spec.approach_views == 0:
        yield task.sim.render(spec.camera), task.sim.ground_truth()
        return
    expert = PickPlaceExpert(ExpertConfig(bin_center_m=config.bin_center_m, control_hz=task.config.control_hz))
    steps = approach_control_steps(spec, index, task.config.control_hz)
    for step in range(steps[-1] + 1):
        if step in steps:
            yield task.sim.render(spec.camera), task.sim.ground_truth()
        observation = task.step(expert.act(observation))


def read_class_names(data_dir: Path) -> list[str]:
    """Class names of a dataset written by make_dataset."""
    summary = Path(data_dir) / "dataset.json"
    if not summary.is_file():
        raise ValueError(f"{data_dir} has no dataset.json; make one with `visuomotor dataset make --out {data_dir}`")
    return json.loads(summary.read_text())["class_names"]
