"""detector_node: /camera/color/image_raw -> /detections (+ latched /detections/label_info, optional
/detections/debug_image). Always works on the newest frame: frames that arrive while the model runs
replace each other (counted as skipped, never queued). In composed mode (visuomotor.harness.composition)
frames arrive as in-process RGBDFrames instead of over the image topic. Reports per-frame latency, input
age (now − image stamp when it starts on a frame) and skips on /diagnostics; a frame it cannot read
(encoding, size) is skipped with a diagnostic, never a crash. Parameters: every DetectorConfig field (`runtime`:
torch, or onnxruntime — YOLO on the CPU: the same detections, ~30 % less time per frame) and
`publish_debug_image`."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from sensor_msgs.msg import Image
from visuomotor_ros.msg import Detection2DArray, LabelInfo

from visuomotor.camera.frame import RGBDFrame
from visuomotor.camera.image_codec import ImageEncodingError, decode_image, stamp_to_ns
from visuomotor.detection import DetectorConfig, DetectorError, load_detector
from visuomotor.detection.drawing import draw_detections
from visuomotor.nodes import qos
from visuomotor.nodes.base import VisuomotorNode
from visuomotor.nodes.msgs.detection import detections_msg, label_info_msg
from visuomotor.nodes.msgs.image import header, image_msg
from visuomotor.nodes.newest import NewestOnly
from visuomotor.nodes.roles import BackgroundWork, FrameConsumer, FrameSink
from visuomotor.nodes.runner import run_node


@dataclass(frozen=True)
class DetectorNodeOptions:
    publish_debug_image: bool = False
    "publish detections/debug_image: the image with the detections drawn (costs an image message per frame)"


class DetectorNode(VisuomotorNode, BackgroundWork, FrameConsumer):
    PARAMETERS = (DetectorConfig, DetectorNodeOptions)

    def __init__(self, **node_kwargs):
        super().__init__("detector_node", **node_kwargs)
        self.config: DetectorConfig = self.declare_config(DetectorConfig)
        self.detector = load_detector(self.config)
        self.debug = self.declare_config(DetectorNodeOptions).publish_debug_image
        self.detections_pub = self.create_publisher(Detection2DArray, "detections", qos.DATA)
        self.labels_pub = self.create_publisher(LabelInfo, "detections/label_info", qos.LATCHED)
        self.debug_pub = self.create_publisher(Image, "detections/debug_image", qos.IMAGE) if self.debug else None
        self.frames: NewestOnly[Image | RGBDFrame] = NewestOnly()
        self.image_subscription = self.create_subscription(Image, "camera/color/image_raw", self.frames.put, qos.IMAGE)
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self.work, name="detector", daemon=True)
        self.labels_pub.publish(
            label_info_msg(
                self.detector.class_names, self.config.confidence, header(self.get_clock().now().nanoseconds, "")
            )
        )

    def publish_diagnostics(self) -> None:
        self.diagnostics.set_counter("frames_received", self.frames.received)
        self.diagnostics.set_counter("frames_skipped", self.frames.skipped)
        self.diagnostics.publish()

    def use_in_process_frames(self) -> FrameSink:
        """Composed mode: stop reading the image topic; returns the callback taking RGBDFrames."""
        self.destroy_subscription(self.image_subscription)
        return self.frames.put

    def process(self, item: Image | RGBDFrame) -> None:
        started = time.perf_counter()
        try:
            if isinstance(item, RGBDFrame):
                rgb, encoding, image_header = item.color, "rgb8", header(item.stamp_ns, item.frame_id)
            else:
                rgb, encoding, image_header = decode_image(item), item.encoding, item.header
            age_ns = self.get_clock().now().nanoseconds - stamp_to_ns(image_header.stamp)
            self.diagnostics.record_latency(age_ns * 1e-6, "input_age")
            detections = self.detector.detect(rgb, encoding=encoding)
        except (ImageEncodingError, DetectorError) as error:
            self.diagnostics.refuse(f"skipped frame: {error}")
            return
        except RuntimeError as error:  # e.g. out of memory inside the model: skip, report, keep running
            self.diagnostics.refuse(f"skipped frame: model failed: {error}")
            return
        self.detections_pub.publish(detections_msg(detections, image_header))
        timing = self.detector.last_timing
        self.diagnostics.record_latency((time.perf_counter() - started) * 1e3)
        self.diagnostics.count("frames_processed")
        self.get_logger().debug(
            f"{len(detections)} detections, pre {timing.preprocess_ms:.1f} ms, "
            f"inference {timing.inference_ms:.1f} ms, post {timing.postprocess_ms:.1f} ms"
        )
        if self.debug_pub is not None:
            self.debug_pub.publish(
                image_msg(
                    draw_detections(rgb, detections), "rgb8", stamp_to_ns(image_header.stamp), image_header.frame_id
                )
            )

    def start(self) -> None:
        """Start the detection worker (its own thread: callbacks only drop frames into the slot)."""
        self._worker.start()

    def stop(self) -> None:
        self._stop.set()
        self.frames.close()
        if self._worker.is_alive():
            self._worker.join(timeout=5.0)

    def work(self) -> None:
        while not self._stop.is_set():
            item = self.frames.take(timeout_s=0.1)
            if item is None:
                continue
            try:
                self.process(item)
            except Exception as error:  # the worker outlives any frame, as a guarded callback would
                self.diagnostics.callback_failed("detector worker", error)


NODE_CLASS = DetectorNode


def main(args: list[str] | None = None) -> int:
    return run_node(DetectorNode, "detector_node", args)
