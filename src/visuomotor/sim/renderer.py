"""Headless RGB-D + instance-segmentation rendering of a MuJoCo camera (EGL).

One colour pass yields both the RGB image and the depth buffer; an optional second pass with flat
per-geom ID colours yields the segmentation. The reversed-Z depth buffer value b ∈ [0, 1] (1 at the near
plane, 0 at the far plane: mjDEPTH_ZEROFAR) is linearised to the distance along the optical axis
(z_cam, m): z = near·far / (b·(far − near) + near), as mujoco.Renderer's depth mode does.
"""

from __future__ import annotations

import mujoco
import numpy as np
from mujoco.rendering.classic import gl_context


class CameraRenderer:
    """Renders named cameras of an MjModel into (H, W, 3) uint8 RGB, (H, W) float32 depth (m, 0 = no
    hit) and optionally an (H, W) int32 per-geom label image. Call close() (or use `with`) to free GL."""

    def __init__(self, model: mujoco.MjModel, max_geom: int = 2000) -> None:
        self._gl = gl_context.GLContext(model.vis.global_.offwidth, model.vis.global_.offheight)
        self._max_geom = max_geom
        self._context: mujoco.MjrContext | None = None
        self._option = mujoco.MjvOption()
        self._camera = mujoco.MjvCamera()
        self._camera.type = mujoco.mjtCamera.mjCAMERA_FIXED
        self.bind(model)

    def bind(self, model: mujoco.MjModel) -> None:
        """Switch to a new model (e.g. after a reset rebuilt the scene), keeping the GL context."""
        self._gl.make_current()
        if self._context is not None:
            self._context.free()
        self._model = model
        self._context = mujoco.MjrContext(model, mujoco.mjtFontScale.mjFONTSCALE_100.value)
        mujoco.mjr_setBuffer(mujoco.mjtFramebuffer.mjFB_OFFSCREEN.value, self._context)
        self._context.readDepthMap = mujoco.mjtDepthMap.mjDEPTH_ZEROFAR
        self._scene = mujoco.MjvScene(model, maxgeom=self._max_geom)

    def render(
        self, data: mujoco.MjData, camera_name: str, width: int, height: int, geom_labels: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """(color, depth_m, labels or None) of camera `camera_name` at the state in `data`.

        geom_labels: (ngeom,) int32 label of every model geom (e.g. its object id); when given, a second
        pass returns the (H, W) label image, 0 where no geom is hit.
        """
        camera_id = mujoco.mj_name2id(self._model, mujoco.mjtObj.mjOBJ_CAMERA, camera_name)
        if camera_id < 0:
            raise ValueError(f"no camera named {camera_name!r} in the scene")
        self._gl.make_current()
        self._camera.fixedcamid = camera_id
        mujoco.mjv_updateScene(
            self._model, data, self._option, None, self._camera, mujoco.mjtCatBit.mjCAT_ALL.value, self._scene
        )
        rect = mujoco.MjrRect(0, 0, width, height)
        color = np.empty((height, width, 3), dtype=np.uint8)
        depth_buffer = np.empty((height, width), dtype=np.float32)
        mujoco.mjr_render(rect, self._scene, self._context)
        mujoco.mjr_readPixels(color, depth_buffer, rect, self._context)
        labels = self._render_labels(rect, geom_labels) if geom_labels is not None else None
        near = np.float32(self._model.vis.map.znear * self._model.stat.extent)
        far = np.float32(self._model.vis.map.zfar * self._model.stat.extent)
        hit = depth_buffer > 0.0  # reversed Z: 0 = nothing before the far plane
        depth = depth_buffer  # linearised in place, float32
        depth *= far - near
        depth += near
        np.divide(near * far, depth, out=depth)
        depth[~hit] = 0.0
        return color[::-1].copy(), depth[::-1].copy(), labels

    def _render_labels(self, rect: mujoco.MjrRect, geom_labels: np.ndarray) -> np.ndarray:
        """Second pass with flat ID colours: pixel RGB = scene-geom segid + 1 (0 = background), mapped to labels."""
        flags = self._scene.flags
        saved = flags.copy()
        flags[mujoco.mjtRndFlag.mjRND_SEGMENT] = True
        flags[mujoco.mjtRndFlag.mjRND_IDCOLOR] = True
        try:
            ids_rgb = np.empty((rect.height, rect.width, 3), dtype=np.uint8)
            mujoco.mjr_render(rect, self._scene, self._context)
            mujoco.mjr_readPixels(ids_rgb, None, rect, self._context)
        finally:
            np.copyto(flags, saved)
        lookup = np.zeros(self._scene.ngeom + 1, dtype=np.int32)  # segid + 1 → label
        for geom in self._scene.geoms[: self._scene.ngeom]:
            if geom.segid >= 0 and geom.objtype == mujoco.mjtObj.mjOBJ_GEOM:
                lookup[geom.segid + 1] = geom_labels[geom.objid]
        segid_plus_one = ids_rgb[::-1, :, 0].astype(np.int32)
        if self._scene.ngeom >= 255:  # more ids than the red channel holds
            segid_plus_one |= ids_rgb[::-1, :, 1].astype(np.int32) << 8
            segid_plus_one |= ids_rgb[::-1, :, 2].astype(np.int32) << 16
        return lookup[np.minimum(segid_plus_one, self._scene.ngeom)]

    def close(self) -> None:
        if self._context is not None:
            self._gl.make_current()
            self._context.free()
            self._context = None
            self._gl.free()

    def __enter__(self) -> CameraRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
