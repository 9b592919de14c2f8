"""The object's centre (not its visible surface) from its foreground points in base_link.

Model: the object stands upright on a horizontal support, base_link z pointing up (a tabletop arm),
and the camera sees its top. Then, whatever the view direction,
  z_centre = z_top − h/2                      (h: object height, from the size prior or measured),
  (x, y)_centre = mean (x, y) of the top points (z ≥ z_top − top_band_m),
because the top face of a cube or an upright cylinder, and the top cap of a sphere, are symmetric about
the vertical axis through the centre and fully visible from above. The side faces, the only part whose
position depends on the view direction (the visible-surface bias), are excluded by the band, and the
table (h below the top) never enters the top band.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class CentreEstimates:
    """centre (N, 3) m and size (N, 3) m in base_link; top (N, M) bool: the points the centre came from."""

    centre: np.ndarray
    size: np.ndarray
    top: np.ndarray


def estimate_centres(
    points_base: np.ndarray,
    foreground: np.ndarray,
    size_priors_m: np.ndarray,
    *,
    top_band_m: float,
    top_quantile: float,
) -> CentreEstimates:
    """Centres of N upright objects from their points (N, M, 3) in base_link, foreground (N, M) bool
    (≥ 1 per row). size_priors_m (N, 3): full size per object, NaN rows where there is no prior.

    z_top is the `top_quantile` quantile of each row's foreground z (robust to a few noisy points).
    Without a size prior the size is measured: height = z_top − the 2 % quantile of z, width and depth =
    the (x, y) extent of the top points.
    """
    z = np.where(foreground, points_base[..., 2], -np.inf)
    z_sorted = np.sort(z, axis=1)  # non-foreground (−inf) first
    count = np.count_nonzero(foreground, axis=1)
    first = z.shape[1] - count  # index of the lowest foreground z
    z_top = _take(z_sorted, first + np.round(top_quantile * (count - 1)))
    top = foreground & (z >= (z_top - top_band_m)[:, None])
    n_top = np.count_nonzero(top, axis=1)
    xy_sum = [np.where(top, points_base[..., axis], 0.0).sum(axis=1) for axis in (0, 1)]  # per axis: contiguous
    xy_mean = np.column_stack(xy_sum) / n_top[:, None]
    size = np.array(size_priors_m, dtype=np.float64)
    unknown = np.isnan(size).any(axis=1)
    if unknown.any():
        x = np.where(top[unknown], points_base[unknown, :, 0], np.nan)
        y = np.where(top[unknown], points_base[unknown, :, 1], np.nan)
        z_low = _take(z_sorted[unknown], first[unknown] + np.round(0.02 * (count[unknown] - 1)))
        size[unknown] = np.stack(
            [
                np.nanmax(x, axis=1) - np.nanmin(x, axis=1),
                np.nanmax(y, axis=1) - np.nanmin(y, axis=1),
                z_top[unknown] - z_low,
            ],
            axis=1,
        )
    centre = np.column_stack([xy_mean, z_top - 0.5 * size[:, 2]])
    return CentreEstimates(centre=centre, size=size, top=top)


def _take(rows_sorted: np.ndarray, index: np.ndarray) -> np.ndarray:
    return rows_sorted[np.arange(rows_sorted.shape[0]), index.astype(np.intp)]
