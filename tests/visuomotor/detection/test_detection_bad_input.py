"""Bad weights, configuration and images give one-line DetectorErrors naming the cause and the fix."""

import numpy as np
import pytest

from visuomotor.detection import DetectorConfig, DetectorError, load_detector
from visuomotor.detection.detector import as_rgb


def _error(config: DetectorConfig) -> str:
    with pytest.raises(DetectorError) as caught:
        load_detector(config)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_and_corrupt_weights(tmp_path, tiny_detr_dir):
    assert "does not exist" in _error(DetectorConfig("yolo", str(tmp_path / "missing.pt")))
    corrupt = tmp_path / "corrupt.pt"
    corrupt.write_bytes(b"\x00not a checkpoint" * 100)
    assert "corrupt" in _error(DetectorConfig("yolo", str(corrupt)))
    assert ".pt checkpoint or a model .yaml" in _error(DetectorConfig("yolo", str(tmp_path / "model.onnx")))
    assert "save_pretrained directory" in _error(DetectorConfig("detr", str(tmp_path / "missing_dir")))
    broken = tmp_path / "broken_detr"
    broken.mkdir()
    for item in tiny_detr_dir.iterdir():
        (broken / item.name).write_bytes(item.read_bytes())
    (broken / "model.safetensors").write_bytes(b"garbage")
    assert "corrupt" in _error(DetectorConfig("detr", str(broken)))


def test_bad_configuration():
    assert "unknown detector backend" in _error(DetectorConfig("ssd", "x"))
    assert "half precision needs a CUDA device" in _error(DetectorConfig("yolo", "yolov8n.yaml", half=True))
    assert "multiple of 32" in _error(DetectorConfig("yolo", "yolov8n.yaml", image_size=300))
    assert "confidence" in _error(DetectorConfig("yolo", "yolov8n.yaml", confidence=1.5))
    assert "iou" in _error(DetectorConfig("yolo", "yolov8n.yaml", iou=0.0))
    assert "unknown to the model" in _error(DetectorConfig("yolo", "yolov8n.yaml", classes=("unicorn",)))
    assert "runtime 'tensorrt' is unknown" in _error(DetectorConfig("yolo", "yolov8n.yaml", runtime="tensorrt"))
    assert "runs YOLO on the CPU only" in _error(DetectorConfig("detr", "x", runtime="onnxruntime"))
    assert "threads -1 is negative" in _error(DetectorConfig("yolo", "yolov8n.yaml", threads=-1))


@pytest.mark.parametrize(
    "image,expected",
    [
        (np.zeros((480, 640, 4), np.uint8), "drop the alpha channel"),
        (np.zeros((480, 640), np.uint8), "convert grey to RGB"),
        (np.zeros((480, 640, 3), np.uint16), "scale to 8-bit"),
        (np.zeros((480, 640, 3), np.float32), "expected uint8"),
        (np.zeros((0, 640, 3), np.uint8), "empty"),
        (np.zeros((4, 640, 3), np.uint8), "too small"),
        ([[1, 2, 3]], "numpy array"),
    ],
)
def test_bad_images(image, expected):
    with pytest.raises(DetectorError, match=expected):
        as_rgb(image)


def test_encodings():
    bgr = np.random.default_rng(0).integers(0, 256, (16, 24, 3), dtype=np.uint8)
    np.testing.assert_array_equal(as_rgb(bgr, "bgr8"), bgr[..., ::-1])
    np.testing.assert_array_equal(as_rgb(bgr, "rgb8"), bgr)
    with pytest.raises(DetectorError, match="encoding 'mono16' is not supported"):
        as_rgb(bgr, "mono16")


def test_detector_refuses_a_bad_image_before_running():
    detector = load_detector(DetectorConfig("yolo", "yolov8n.yaml", image_size=64))
    with pytest.raises(DetectorError, match="4 channels"):
        detector.detect(np.zeros((480, 640, 4), np.uint8))
