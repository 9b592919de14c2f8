"""Detections + aligned depth → object centres in base_link with covariance (seed 004 §29.2)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from visuomotor.camera.frame import BASE_FRAME, RGBDFrame
from visuomotor.detection.result import Detection
from visuomotor.localization.covariance import position_covariances
from visuomotor.localization.deprojection import deproject, transform_points
from visuomotor.localization.diagnostics import Diagnostic
from visuomotor.localization.frame_checks import check_frame, check_transform
from visuomotor.localization.object_centre import estimate_centres
from visuomotor.localization.object_pixels import clip_boxes, sample_object_pixels, select_foreground

_NO_PRIOR = np.full(3, np.nan)


@dataclass
class LocalizerConfig:
    """Every knob of the localizer, with its default and effect (each field's docstring)."""

    box_shrink: float = 0.0
    """fraction of the box width/height removed (half per side) when there is no instance mask, for loose
    detector boxes. 0: the centre model needs the whole top face (shrinking cuts its far edge and biases the
    centre towards the camera), and background pixels are already removed by the foreground depth window and
    the top band"""
    samples_per_axis: int = 16
    """each detection reads a samples_per_axis² grid of pixels spread over its box; bounds the cost (fewer
    samples: faster, noisier centres)"""
    min_depth_m: float = 0.1
    "depths below this (besides 0 and NaN) are invalid, m (e.g. the RealSense minimum range)"
    max_depth_m: float = 3.0
    "depths beyond this are invalid, m (far background)"
    foreground_gap_m: float = 0.02
    """a jump in sorted depth larger than this separates two depth clusters (object, occluder in front, table
    or wall behind) in the foreground selection (object_pixels.py), m"""
    foreground_mode_fraction: float = 0.25
    """a depth cluster counts when it has at least this fraction of the samples of the box's largest cluster;
    lower accepts smaller objects, higher ignores more flying pixels"""
    foreground_min_coverage: float = 0.5
    """the object's cluster must span at least this fraction of the box (touched grid rows × columns); an
    occluder crossing only part of the box is skipped"""
    default_depth_extent_m: float = 0.15
    "how deep behind its nearest point an object without a size prior may reach, m (with a prior: its diagonal)"
    min_points: int = 10
    "fewer foreground pixels than this → no object (a diagnostic), never a guess"
    top_band_m: float = 0.002
    """thickness of the top slice whose (x, y) mean is the centre (object_centre.py), m; must exceed the depth
    noise (raise it to ~3σ for a real sensor) and stay small: the side-face strip inside the band biases the
    centre towards the camera (~1 mm at 2 mm, ~3 mm at 4 mm)"""
    top_quantile: float = 0.98
    "quantile of z taken as the object's top (robust to noisy points)"
    size_priors_m: dict[str, tuple[float, float, float]] = field(default_factory=dict)
    """class name → full size (x, y, z) in m; sets the height used for the centre (z_top − h/2), the reported
    size and the foreground depth extent. Unknown classes are measured"""
    pixel_sigma_px: float = 1.0
    "pixel noise of the centre's image position, px, for the covariance"
    depth_sigma_floor_m: float = 0.002
    """depth standard deviation never undercut in the covariance (sensor bias, size-prior error), m; the depth
    variance is var(top-point depths)/n_top + this²"""
    border_margin_px: float = 1.0
    """a box within this distance of the image border is truncated, px: part of the object is outside the
    image, so its top may be cut and the centre biased (centimetres)"""
    truncated_sigma_m: float = 0.02
    "added isotropically (σ² I) to a truncated object's covariance, m, so a tracker trusts it accordingly"
    max_box_overhang_px: float = 16.0
    """a box reaching further than this beyond the image border is refused, px (not a detection of this image:
    a detector's boxes lie within the image, give or take its rounding)"""


@dataclass
class LocalizedObject:
    """One object in base_link: position (3,) m (its centre), covariance (3, 3) m², size (3,) m,
    its class and score, the Detection it came from, the image stamp (ns) it is valid at, and whether
    its box is truncated by the image border (less accurate; see LocalizerConfig.border_margin_px)."""

    position: np.ndarray
    covariance: np.ndarray
    size: np.ndarray
    class_id: int
    class_name: str
    score: float
    detection: Detection
    stamp_ns: int
    truncated: bool = False
    frame_id: str = BASE_FRAME


@dataclass
class LocalizationResult:
    """The objects localized in one frame and the diagnostics of everything refused."""

    stamp_ns: int
    objects: list[LocalizedObject]
    diagnostics: list[Diagnostic]


class Localizer:
    """Localizes all detections of a frame at once (vectorised over detections)."""

    def __init__(self, config: LocalizerConfig | None = None):
        self.config = config or LocalizerConfig()
        priors = {name: np.asarray(size, dtype=float) for name, size in self.config.size_priors_m.items()}
        # class → (size prior (3,), how deep the object reaches behind its nearest point: its diagonal)
        self._priors = {name: (size, float(np.linalg.norm(size[None], axis=1)[0])) for name, size in priors.items()}
        self._no_prior = (_NO_PRIOR, self.config.default_depth_extent_m)

    def localize(
        self,
        frame: RGBDFrame,
        detections: list[Detection],
        *,
        T_base_camera: np.ndarray | None = None,
        detections_frame_id: str | None = None,
    ) -> LocalizationResult:
        """Localize every detection of `frame`.

        T_base_camera: the 4×4 camera pose valid at frame.stamp_ns (e.g. WristCameraPose.at(stamp));
        defaults to frame.T_base_camera. A frame whose RGB, depth, intrinsics, frames or transform
        disagree is refused whole; a detection whose box is not finite or reaches beyond the image (by more
        than max_box_overhang_px), whose score is not in [0, 1], or without enough valid foreground depth is
        left out; all with diagnostics, never a guessed position.
        """
        config = self.config
        T = frame.T_base_camera if T_base_camera is None else T_base_camera
        problems = check_frame(frame, detections_frame_id) + check_transform(T)
        if problems or not detections:
            return LocalizationResult(frame.stamp_ns, [], problems)
        T = np.asarray(T, dtype=float)
        R, t = T[:3, :3], T[:3, 3]
        height, width = frame.depth.shape
        diagnostics: list[Diagnostic] = []
        xyxy = np.array(
            [
                np.asarray(d.xyxy, dtype=float).reshape(-1)[:4] if np.size(d.xyxy) == 4 else np.full(4, np.nan)
                for d in detections
            ]
        )
        mask_labels = np.array([d.mask_label for d in detections], dtype=np.int64)
        use_mask = (mask_labels != 0) & (frame.segmentation is not None)
        boxes = clip_boxes(xyxy, width, height, np.where(use_mask, 0.0, config.box_shrink))  # masks: whole box
        usable = np.all(np.isfinite(xyxy), axis=1) & (xyxy[:, 2] > xyxy[:, 0]) & (xyxy[:, 3] > xyxy[:, 1])
        for index in np.flatnonzero(~usable):
            diagnostics.append(
                Diagnostic(
                    "bad_box",
                    f"box {xyxy[index].tolist()} is not a finite [x1, y1, x2, y2] with x2 > x1 and y2 > y1",
                    int(index),
                )
            )
        scores = np.array([float(d.score) for d in detections])
        for index in np.flatnonzero(~((scores >= 0.0) & (scores <= 1.0))):  # NaN fails both
            diagnostics.append(
                Diagnostic("bad_score", f"score {scores[index]} is not a probability in [0, 1]", int(index))
            )
        overhang = config.max_box_overhang_px
        within = np.all(xyxy >= -overhang, axis=1) & np.all(xyxy <= [width + overhang, height + overhang] * 2, axis=1)
        for index in np.flatnonzero(usable & ~within):
            diagnostics.append(
                Diagnostic(
                    "bad_box",
                    f"box {xyxy[index].tolist()} reaches more than {overhang:g} px beyond the {width}×{height} "
                    "image: not a detection of this frame",
                    int(index),
                )
            )
        usable &= within & (scores >= 0.0) & (scores <= 1.0)
        inside = usable & (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
        for index in np.flatnonzero(usable & ~inside):
            diagnostics.append(
                Diagnostic(
                    "bad_box",
                    f"box {xyxy[index].tolist()} lies outside the {width}×{height} "
                    "image: detections must come from this frame",
                    int(index),
                )
            )
        kept = np.flatnonzero(inside)
        if kept.size == 0:
            return LocalizationResult(frame.stamp_ns, [], diagnostics)
        pixels = sample_object_pixels(
            frame.depth,
            frame.depth_encoding,
            boxes[kept],
            samples_per_axis=config.samples_per_axis,
            min_depth_m=config.min_depth_m,
            max_depth_m=config.max_depth_m,
            label_image=frame.segmentation,
            mask_labels=np.where(use_mask, mask_labels, 0)[kept],
        )
        prior_extent = [self._priors.get(detections[i].class_name, self._no_prior) for i in kept.tolist()]
        priors = np.array([prior for prior, _ in prior_extent])
        extent = np.array([depth_extent for _, depth_extent in prior_extent])
        foreground = select_foreground(
            pixels.depth_m,
            samples_per_axis=config.samples_per_axis,
            gap_m=config.foreground_gap_m,
            mode_fraction=config.foreground_mode_fraction,
            min_coverage=config.foreground_min_coverage,
            depth_extent_m=extent,
        )
        n_foreground = np.count_nonzero(foreground, axis=1)
        enough = n_foreground >= config.min_points
        short = np.flatnonzero(~enough)
        n_valid = np.count_nonzero(np.isfinite(pixels.depth_m[short]), axis=1)
        for row, valid in zip(short, n_valid):
            diagnostics.append(
                Diagnostic(
                    "no_valid_depth",
                    f"only {valid} valid and {n_foreground[row]} foreground depth pixels of "
                    f"{pixels.depth_m.shape[1]} sampled (need {config.min_points}): depth is 0/NaN/out of "
                    f"[{config.min_depth_m}, {config.max_depth_m}] m there",
                    int(kept[row]),
                )
            )
        rows, kept = (slice(None), kept) if n_valid is None else (np.flatnonzero(enough), kept[enough])
        if kept.size == 0:
            return LocalizationResult(frame.stamp_ns, [], diagnostics)
        depth_m = pixels.depth_m[rows]
        # camera_info convention (ROS, OpenCV): K maps the centre of pixel (col, row) to (u, v) = (col, row).
        points_base = transform_points(T, deproject(pixels.u[rows], pixels.v[rows], depth_m, frame.intrinsics))
        estimates = estimate_centres(
            points_base, foreground[rows], priors[rows], top_band_m=config.top_band_m, top_quantile=config.top_quantile
        )
        centres_cam = (estimates.centre - t) @ R
        top_depth = np.where(estimates.top, depth_m, 0.0)
        n_top = np.count_nonzero(estimates.top, axis=1)
        spread = (top_depth**2).sum(axis=1) / n_top - (top_depth.sum(axis=1) / n_top) ** 2  # var of top depths
        depth_var = np.maximum(spread, 0.0) / n_top + config.depth_sigma_floor_m**2
        covariances = position_covariances(
            centres_cam, depth_var, R, frame.intrinsics, pixel_sigma_px=config.pixel_sigma_px
        )
        margin = config.border_margin_px
        kept_xyxy = xyxy[kept]
        truncated = np.any(
            (kept_xyxy[:, :2] <= margin) | (kept_xyxy[:, 2:] >= [width - margin, height - margin]), axis=1
        )
        if truncated.any():
            covariances[truncated] += np.eye(3) * config.truncated_sigma_m**2
        objects = [
            LocalizedObject(
                position=centre,
                covariance=covariance,
                size=size,
                class_id=detections[i].class_id,
                class_name=detections[i].class_name,
                score=float(detections[i].score),
                detection=detections[i],
                stamp_ns=frame.stamp_ns,
                truncated=is_truncated,
            )
            for centre, covariance, size, i, is_truncated in zip(
                estimates.centre, covariances, estimates.size, kept.tolist(), truncated.tolist()
            )
        ]
        return LocalizationResult(frame.stamp_ns, objects, diagnostics)
