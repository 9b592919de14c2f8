"""Ground-truth boxes of recorded frames (ray cast from /sim/ground_truth + recorded depth) equal the
renderer's segmentation boxes; the Object3DArray round trip keeps every object; occluders hide objects."""

import numpy as np
import pytest

from visuomotor.camera.bag import typestore
from visuomotor.camera.depth_units import with_depth_encoding
from visuomotor.detection.labels import box_labels
from visuomotor.eval.bag.ground_truth import (
    GroundTruthError,
    ground_truth_boxes,
    objects_from_message,
    raycast_segmentation,
)
from visuomotor.sim.bag_recording import ground_truth_message
from visuomotor.sim.simulator import TabletopSim


@pytest.fixture(scope="module")
def scenes():
    """(16UC1 frame with the renderer's segmentation, ground-truth objects) of three seeds."""
    sim = TabletopSim()
    rendered = []
    for seed in (0, 4, 9):
        sim.reset(seed)
        frame = with_depth_encoding(sim.render("fixed", with_segmentation=True), "16UC1")
        rendered.append((frame, list(sim.ground_truth().objects)))
    sim.close()
    return rendered


def test_ground_truth_message_round_trip_keeps_every_object(scenes):
    _, objects = scenes[0]
    store = typestore()
    cdr = store.serialize_cdr(ground_truth_message(objects, 123), "visuomotor_ros/msg/Object3DArray")
    decoded = objects_from_message(store.deserialize_cdr(cdr, "visuomotor_ros/msg/Object3DArray"))
    assert [(o.object_id, o.class_name, o.shape) for o in decoded] == [
        (o.object_id, o.class_name, o.shape) for o in objects
    ]
    for mine, true in zip(decoded, objects):
        np.testing.assert_allclose(mine.position_m, true.position_m)
        np.testing.assert_allclose(mine.quat_xyzw, true.quat_xyzw)
        np.testing.assert_allclose(mine.size_m, true.size_m)


def test_raycast_boxes_equal_the_renderer_segmentation_boxes(scenes):
    for frame, objects in scenes:
        rendered = {
            b.object_id: b for b in box_labels(frame.segmentation, objects, frame.T_base_camera, frame.intrinsics.K)
        }
        cast = {b.object_id: b for b in ground_truth_boxes(frame, objects, frame.T_base_camera)}
        assert set(cast) == set(rendered) and len(cast) >= 3
        for object_id, label in rendered.items():
            assert cast[object_id].class_name == label.class_name
            np.testing.assert_allclose(cast[object_id].xyxy, label.xyxy, atol=1.0)
        segmentation = raycast_segmentation(frame, objects, frame.T_base_camera)
        object_pixels = frame.segmentation > 0
        assert np.mean(segmentation[object_pixels] == frame.segmentation[object_pixels]) > 0.95
        cast_pixels = segmentation > 0
        assert np.mean(frame.segmentation[cast_pixels] == segmentation[cast_pixels]) > 0.95


def test_an_occluder_in_front_hides_the_object(scenes):
    frame, objects = scenes[0]
    target = ground_truth_boxes(frame, objects, frame.T_base_camera)[0]
    x1, y1, x2, y2 = (int(v) for v in target.xyxy)
    depth = frame.depth.copy()
    depth[y1:y2, x1:x2] = np.maximum(depth[y1:y2, x1:x2].astype(int) - 50, 1).astype(depth.dtype)  # 5 cm nearer
    occluded = type(frame)(
        color=frame.color,
        depth=depth,
        intrinsics=frame.intrinsics,
        stamp_ns=frame.stamp_ns,
        depth_encoding=frame.depth_encoding,
        T_base_camera=frame.T_base_camera,
    )
    labelled = {b.object_id for b in ground_truth_boxes(occluded, objects, frame.T_base_camera)}
    assert target.object_id not in labelled


def test_a_class_outside_the_simulator_is_refused(scenes):
    _, objects = scenes[0]
    message = ground_truth_message(objects[:1], 0)
    message.objects[0].results[0].class_id = "teapot"
    with pytest.raises(GroundTruthError, match="teapot"):
        objects_from_message(message)
