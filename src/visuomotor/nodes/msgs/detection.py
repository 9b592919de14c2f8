"""visuomotor.detection.Detection <-> visuomotor_ros/Detection2D(Array), LabelInfo."""

from __future__ import annotations

from std_msgs.msg import Header
from visuomotor_ros.msg import BoundingBox2D, Detection2D, Detection2DArray, LabelInfo, ObjectHypothesis, VisionClass

from visuomotor.detection.result import Detection, xyxy_from_center_size


def detection_msg(detection: Detection, header: Header, detection_id: str) -> Detection2D:
    """xyxy (px) -> centre/size box in the pixels of the image in `header`."""
    x1, y1, x2, y2 = (float(v) for v in detection.xyxy)
    return Detection2D(
        header=header,
        id=detection_id,
        mask_label=int(detection.mask_label),
        results=[ObjectHypothesis(class_id=detection.class_name, score=float(detection.score))],
        bbox=BoundingBox2D(center_x=(x1 + x2) / 2, center_y=(y1 + y2) / 2, size_x=x2 - x1, size_y=y2 - y1),
    )


def detections_msg(detections: list[Detection], header: Header) -> Detection2DArray:
    return Detection2DArray(
        header=header, detections=[detection_msg(d, header, str(i)) for i, d in enumerate(detections)]
    )


def detection_from_msg(message: Detection2D, class_ids: dict[str, int]) -> Detection:
    """The inverse of detection_msg, best hypothesis only; class_ids maps names to the model's ids
    (from LabelInfo; -1 when unknown)."""
    best = message.results[0] if message.results else ObjectHypothesis(class_id="", score=0.0)
    box = message.bbox
    return Detection(
        class_id=class_ids.get(best.class_id, -1),
        class_name=best.class_id,
        score=best.score,
        xyxy=xyxy_from_center_size(box.center_x, box.center_y, box.size_x, box.size_y),
        mask_label=message.mask_label,
    )


def label_info_msg(class_names: list[str], threshold: float, header: Header) -> LabelInfo:
    return LabelInfo(
        header=header,
        threshold=float(threshold),
        class_map=[VisionClass(class_id=i, class_name=name) for i, name in enumerate(class_names)],
    )
