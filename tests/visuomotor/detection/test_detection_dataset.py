"""The dataset writer on a few rendered sim scenes: YOLO and COCO labels equal the tight boxes of the
instance segmentation, splits are seeded, and the visibility rule skips mostly hidden objects."""

import json
import os

import cv2
import numpy as np
import pytest

os.environ.setdefault("MUJOCO_GL", "egl")
from visuomotor.detection.dataset import (
    SPLITS,
    DatasetSpec,
    approach_control_steps,
    make_dataset,
    scene_config,
    scene_views,
    split_of_scenes,
)
from visuomotor.detection.labels import MIN_VISIBLE_FRACTION, box_labels

SPEC = DatasetSpec(num_scenes=5, seed=7)  # as the sim_dataset fixture (conftest.py)


def _render(index):
    from visuomotor.sim.simulator import TabletopSim

    config, sim_seed = scene_config(SPEC, index)
    with TabletopSim(config) as sim:
        sim.reset(sim_seed)
        return sim.render(SPEC.camera), sim.ground_truth()


def _tight_boxes(segmentation, truth):
    """{class_id: sorted tight boxes} of every object's visible pixels (no visibility rule)."""
    boxes = {}
    for obj in truth.objects:
        ys, xs = np.nonzero(segmentation == obj.object_id)
        if len(xs):
            boxes.setdefault(obj.class_id, []).append([xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])
    return boxes


def test_yolo_and_coco_labels_match_the_segmentation(sim_dataset):
    out, spec, summary = sim_dataset
    assert spec == SPEC
    splits = split_of_scenes(SPEC.num_scenes, SPEC.seed, SPEC.split_fractions)
    coco = {split: json.loads((out / "annotations" / f"{split}.json").read_text()) for split in SPLITS}
    assert sum(summary["images"].values()) == SPEC.num_scenes
    total_labels = 0
    for index in range(SPEC.num_scenes):
        frame, truth = _render(index)
        height, width = frame.color.shape[:2]
        split, stem = splits[index], f"scene_{index:06d}"
        image = cv2.imread(str(out / "images" / split / f"{stem}.jpg"))
        assert image.shape == frame.color.shape
        assert np.abs(image[..., ::-1].astype(int) - frame.color).mean() < 3  # JPEG of the same render
        expected = _tight_boxes(frame.segmentation, truth)
        rows = np.loadtxt(out / "labels" / split / f"{stem}.txt", ndmin=2)
        assert len(rows) >= 3
        for class_id, cx, cy, w, h in rows:
            box = [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height]
            assert np.abs(np.array(expected[int(class_id)]) - box).max(axis=1).min() < 1e-3
        annotations = [a for a in coco[split]["annotations"] if a["image_id"] == index]
        assert len(annotations) == len(rows)
        for annotation, (class_id, cx, cy, w, h) in zip(annotations, rows):
            x, y, bw, bh = annotation["bbox"]
            assert annotation["category_id"] == int(class_id)
            np.testing.assert_allclose(
                [x + bw / 2, y + bh / 2, bw, bh], [cx * width, cy * height, w * width, h * height], atol=1e-3
            )
            assert annotation["area"] == pytest.approx(bw * bh)
        total_labels += len(rows)
    assert total_labels == sum(summary["boxes"].values())
    assert "names:" in (out / "data.yaml").read_text()


def test_splits_are_seeded_and_cover_every_scene():
    first = split_of_scenes(100, 3, (0.8, 0.1, 0.1))
    assert first == split_of_scenes(100, 3, (0.8, 0.1, 0.1))
    assert first != split_of_scenes(100, 4, (0.8, 0.1, 0.1))
    assert [first.count(s) for s in SPLITS] == [80, 10, 10]
    with pytest.raises(ValueError, match="at least 3"):
        split_of_scenes(2, 0, (0.8, 0.1, 0.1))


def test_visibility_rule_skips_mostly_hidden_objects():
    frame, truth = _render(0)
    K, T = frame.intrinsics.K, frame.T_base_camera
    labels = box_labels(frame.segmentation, truth.objects, T, K)
    target = labels[0]
    assert target.visible_fraction > 0.9  # the silhouette model explains an unoccluded object
    ys, xs = np.nonzero(frame.segmentation == target.object_id)
    for hidden_share, kept in [(0.3, True), (0.7, False)]:
        occluded = frame.segmentation.copy()
        hide = xs < np.quantile(xs, hidden_share)  # an occluder covering the object's left part
        occluded[ys[hide], xs[hide]] = 0
        relabelled = {label.object_id: label for label in box_labels(occluded, truth.objects, T, K)}
        assert (target.object_id in relabelled) == kept
        if kept:
            # fractions are capped at 1 (the rendered silhouette may exceed the model's by a few pixels)
            assert relabelled[target.object_id].visible_fraction == pytest.approx(
                target.visible_fraction * (1 - hide.mean()), rel=1e-2
            )
            assert relabelled[target.object_id].visible_fraction >= MIN_VISIBLE_FRACTION


APPROACH_SPEC = DatasetSpec(num_scenes=3, seed=11, camera="wrist", joint_jitter_rad=0.05, approach_views=3)


def test_approach_steps_are_seeded_distinct_and_within_the_approach():
    steps = approach_control_steps(APPROACH_SPEC, 0, control_hz=50.0)
    assert steps == approach_control_steps(APPROACH_SPEC, 0, control_hz=50.0)
    assert steps != approach_control_steps(APPROACH_SPEC, 1, control_hz=50.0)
    assert len(set(steps)) == 3 and steps == sorted(steps)
    assert steps[0] >= 0 and steps[-1] < APPROACH_SPEC.approach_s * 50
    with pytest.raises(ValueError, match="exceeds"):
        approach_control_steps(DatasetSpec(3, approach_views=11, approach_s=0.2), 0, control_hz=50.0)


def test_approach_views_follow_the_expert_and_match_the_segmentation(tmp_path):
    summary = make_dataset(APPROACH_SPEC, tmp_path)
    splits = split_of_scenes(APPROACH_SPEC.num_scenes, APPROACH_SPEC.seed, APPROACH_SPEC.split_fractions)
    assert sum(summary["images"].values()) == 3 * 3 and summary["approach_views"] == 3
    tasks: dict = {}
    try:
        for index in range(APPROACH_SPEC.num_scenes):
            views = list(scene_views(APPROACH_SPEC, index, tasks))  # a fresh rollout of the same scene
            assert len(views) == 3
            camera_positions = np.array([frame.T_base_camera[:3, 3] for frame, _ in views])
            assert np.linalg.norm(np.diff(camera_positions, axis=0), axis=1).min() > 1e-3  # the wrist moved
            for view, (frame, truth) in enumerate(views):
                stem = f"scene_{index:06d}_view{view:02d}"
                image = cv2.imread(str(tmp_path / "images" / splits[index] / f"{stem}.jpg"))
                assert np.abs(image[..., ::-1].astype(int) - frame.color).mean() < 3
                expected = _tight_boxes(frame.segmentation, truth)
                rows = np.loadtxt(tmp_path / "labels" / splits[index] / f"{stem}.txt", ndmin=2)
                height, width = frame.color.shape[:2]
                for class_id, cx, cy, w, h in rows:
                    box = [(cx - w / 2) * width, (cy - h / 2) * height, (cx + w / 2) * width, (cy + h / 2) * height]
                    assert np.abs(np.array(expected[int(class_id)]) - box).max(axis=1).min() < 1e-3
    finally:
        for task in tasks.values():
            task.sim.close()
    assert sum(summary["boxes"].values()) > 0
