"""Both backends, built from config, return well-formed Detection lists in original-image pixels."""

import numpy as np
import pytest
import torch

# Imported at collection, before any test renders: importing torchvision (→ triton) after MuJoCo has made an
# EGL context in the process segfaults (triton's and Mesa's bundled LLVM clash).
import torchvision  # noqa: F401

from visuomotor.detection import Detection, DetectorConfig, load_detector


def _check_well_formed(detections, image, class_names, confidence):
    height, width = image.shape[:2]
    scores = [d.score for d in detections]
    assert scores == sorted(scores, reverse=True)
    for detection in detections:
        assert isinstance(detection, Detection)
        assert 0 <= detection.class_id < len(class_names)
        assert detection.class_name == class_names[detection.class_id]
        assert confidence <= detection.score <= 1.0
        x1, y1, x2, y2 = detection.xyxy
        assert detection.xyxy.shape == (4,) and np.isfinite(detection.xyxy).all()
        assert 0 <= x1 <= x2 <= width and 0 <= y1 <= y2 <= height


def _load(backend: str, weights: str, **overrides):
    """A detector at image size 320; a YOLO .yaml is randomly initialised, so seed it for identical copies."""
    torch.manual_seed(0)
    return load_detector(DetectorConfig(backend, weights, image_size=320, **({"confidence": 0.0} | overrides)))


@pytest.fixture(scope="module")
def yolo():
    return _load("yolo", "yolov8n.yaml")


@pytest.fixture(scope="module")
def detr(tiny_detr_dir):
    return _load("detr", str(tiny_detr_dir), iou=1.0)  # untrained queries coincide: NMS would keep one


@pytest.mark.parametrize("backend", ["yolo", "detr"])
def test_backend_detects_on_real_images_with_timing(backend, request, real_images):
    detector = request.getfixturevalue(backend)
    for image in real_images:
        detections = detector.detect(image)
        assert detections, "confidence 0 keeps at least the best box"
        _check_well_formed(detections, image, detector.class_names, 0.0)
        timing = detector.last_timing
        assert min(timing.preprocess_ms, timing.inference_ms, timing.postprocess_ms) > 0
        assert timing.total_ms == pytest.approx(timing.preprocess_ms + timing.inference_ms + timing.postprocess_ms)


@pytest.mark.parametrize("backend", ["yolo", "detr"])
def test_confidence_threshold_keeps_exactly_the_higher_scores(backend, request, real_images):
    detector = request.getfixturevalue(backend)
    everything = detector.detect(real_images[1])
    levels = sorted({d.score for d in everything})  # a random-init model ties many scores: cut between two levels
    assert len(levels) >= 2
    threshold = (levels[len(levels) // 2 - 1] + levels[len(levels) // 2]) / 2
    kept = _load(backend, detector.config.weights, iou=detector.config.iou, confidence=threshold).detect(real_images[1])
    expected = [d for d in everything if d.score >= threshold]

    def as_rows(detections):  # order-free: a random-init model has many tied scores
        return sorted((d.class_id, round(d.score, 6), *np.round(d.xyxy, 3)) for d in detections)

    assert 0 < len(kept) < len(everything)
    assert as_rows(kept) == as_rows(expected)


@pytest.mark.parametrize("backend", ["yolo", "detr"])
def test_class_filter_keeps_only_named_classes(backend, request, real_images):
    detector = request.getfixturevalue(backend)
    everything = detector.detect(real_images[0])
    wanted = everything[0].class_name
    filtered = _load(backend, detector.config.weights, iou=detector.config.iou, classes=(wanted,)).detect(
        real_images[0]
    )
    assert filtered and {d.class_name for d in filtered} == {wanted}


def test_nms_threshold_limits_overlap(yolo, real_images):
    from torchvision.ops import box_iou

    detections = _load("yolo", "yolov8n.yaml", iou=0.3).detect(real_images[2])
    for class_id in {d.class_id for d in detections}:
        boxes = torch.tensor(np.array([d.xyxy for d in detections if d.class_id == class_id]))
        iou = box_iou(boxes, boxes).fill_diagonal_(0)
        assert float(iou.max()) <= 0.3 + 1e-6


class _FindBrightBox(torch.nn.Module):
    """A stand-in network that 'detects' the bright rectangle in its input, answering in the backend's raw
    output format: proves the pre-processing + post-processing chain maps boxes back exactly."""

    def __init__(self, output_format: str, num_classes: int):
        super().__init__()
        self.output_format, self.num_classes = output_format, num_classes

    def forward(self, pixel_values=None, pixel_mask=None):
        image = pixel_values[0, 0]
        ys, xs = torch.nonzero(image > image.mean() + 0.5 * (image.max() - image.mean()), as_tuple=True)
        x1, y1, x2, y2 = float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)
        if self.output_format == "yolo":  # (1, 4 + C, anchors): cx, cy, w, h canvas pixels, class scores
            out = torch.zeros(1, 4 + self.num_classes, 1)
            out[0, :4, 0] = torch.tensor([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1])
            out[0, 4, 0] = 0.9
            return (out, {})
        height, width = image.shape
        logits = torch.full((1, 1, self.num_classes + 1), -10.0)
        logits[0, 0, 0] = 10.0
        boxes = torch.tensor([[[(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height]]])
        return type("DetrOutput", (), {"logits": logits, "pred_boxes": boxes})()


@pytest.mark.parametrize("backend", ["yolo", "detr"])
@pytest.mark.parametrize("width,height", [(640, 480), (480, 640), (1280, 320), (333, 251), (1000, 1000)])
def test_box_mapping_through_the_backend_is_exact(backend, request, width, height):
    detector = request.getfixturevalue(backend)
    rng = np.random.default_rng(width + height)
    x1, y1 = int(rng.integers(0, width // 2)), int(rng.integers(0, height // 2))
    x2, y2 = int(rng.integers(x1 + width // 8, width)), int(rng.integers(y1 + height // 8, height))
    image = np.full((height, width, 3), 40, dtype=np.uint8)
    image[y1:y2, x1:x2] = 220
    original_network = detector.network
    detector.network = _FindBrightBox(backend, len(detector.class_names))
    try:
        detections = detector.detect(image)
    finally:
        detector.network = original_network
    assert len(detections) == 1
    # The network sees a resampled image (≤ 1 px of its own blur at each edge); one input pixel is
    # max(W, H) / image_size original pixels.
    tolerance = max(width, height) / detector.image_size + 1e-6
    np.testing.assert_allclose(detections[0].xyxy, [x1, y1, x2, y2], atol=tolerance)


def test_onnxruntime_yolo_gives_the_torch_detections(real_images):
    from visuomotor.detection.assets import SHIPPED_YOLO
    from visuomotor.detection.benchmark import sim_frames

    eager = load_detector(DetectorConfig("yolo", str(SHIPPED_YOLO), confidence=0.05))
    exported = load_detector(
        DetectorConfig("yolo", str(SHIPPED_YOLO), confidence=0.05, runtime="onnxruntime", threads=1)
    )
    compared = 0
    for image in sim_frames(3) + real_images:
        expected, found = eager.detect(image), exported.detect(image)
        assert [d.class_name for d in found] == [d.class_name for d in expected]
        for a, b in zip(found, expected):
            assert a.score == pytest.approx(b.score, abs=1e-3)
            np.testing.assert_allclose(a.xyxy, b.xyxy, atol=0.05)  # pixels
            compared += 1
        assert exported.last_timing.inference_ms > 0
    assert compared > 0
