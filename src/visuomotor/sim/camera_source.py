"""Frames from the MuJoCo tabletop (visuomotor.sim): a D455-like camera watching the cell of one seed.

The arm holds its start pose; physics advances 1/fps s between frames, so stamps are sim time
(ns, from 0) spaced 1/fps apart. Depth is metric along the optical axis (16UC1 mm or 32FC1 m, 0 = no
hit) and every frame carries the camera's T_base_camera (docs/simulation.md). For a moving arm driven by
the controllers, run sim_node, which renders the same camera topics itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from visuomotor.camera.frame import CameraIntrinsics, RGBDFrame
from visuomotor.camera.source import FrameSource, FrameSourceError


@dataclass(frozen=True)
class SimSourceConfig:
    seed: int = 0  # scene layout (objects, lights, camera jitter), see sim.layout
    camera: str = "fixed"  # "fixed" (front/above) or "wrist" (on the gripper)
    width: int = 640  # px; D455 intrinsics scaled to the size (fx = fy = 600 at 640×480, §29.3)
    height: int = 480
    fps: int = 30
    depth_encoding: str = "16UC1"
    num_frames: int = 0  # 0 = endless


def scaled_d455_intrinsics(width: int, height: int) -> CameraIntrinsics:
    """fx = 600·W/640, fy = 600·H/480, principal point at the image centre (W/2, H/2)."""
    return CameraIntrinsics(
        width=width, height=height, fx=600.0 * width / 640, fy=600.0 * height / 480, cx=width / 2, cy=height / 2
    )


class SimSource(FrameSource):
    def __init__(self, config: SimSourceConfig = SimSourceConfig()):
        from visuomotor.sim.layout import CameraConfig, SceneConfig

        if config.camera not in ("fixed", "wrist"):
            raise FrameSourceError(f"sim camera {config.camera!r}: use fixed or wrist")
        if config.fps <= 0:
            raise FrameSourceError(f"sim fps {config.fps}: use a rate > 0")
        try:
            camera = CameraConfig(
                name=config.camera,
                mount=config.camera,
                depth_encoding=config.depth_encoding,
                intrinsics=scaled_d455_intrinsics(config.width, config.height),
            )
        except ValueError as error:
            raise FrameSourceError(f"sim camera: {error}") from None
        self.config = config
        self._scene = SceneConfig(cameras=(camera,))
        self._closed = False

    def frames(self) -> Iterator[RGBDFrame]:
        from visuomotor.sim.simulator import TabletopSim

        with TabletopSim(self._scene) as sim:
            sim.reset(self.config.seed)
            steps = max(1, round(1.0 / (self.config.fps * self._scene.timestep_s)))
            count = 0
            while not self._closed and (self.config.num_frames == 0 or count < self.config.num_frames):
                yield sim.render(self.config.camera, with_segmentation=False)
                sim.step(steps)
                count += 1

    def close(self) -> None:
        self._closed = True
