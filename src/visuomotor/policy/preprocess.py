"""Raw observations → model inputs: checked state vectors and resized image tensors."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def images_to_tensor(frames: np.ndarray, size: tuple[int, int]) -> torch.Tensor:
    """(n_cam, H, W, 3) uint8 RGB → (n_cam, 3, size[0], size[1]) float32 in [0, 1] (bilinear, antialiased)."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8:
        raise ValueError(f"camera images must be uint8 (n_cameras, H, W, 3), got {frames.dtype} {frames.shape}")
    images = torch.from_numpy(frames).permute(0, 3, 1, 2).float() / 255.0  # (n, 3, H, W)
    if tuple(images.shape[-2:]) != tuple(size):
        images = F.interpolate(images, size=tuple(size), mode="bilinear", antialias=True, align_corners=False)
    return images


def checked_vector(values, length: int, name: str) -> np.ndarray:
    """A finite float vector of `length` entries, or ValueError naming `name`."""
    vector = np.asarray(values, dtype=np.float64).reshape(-1)
    if vector.shape != (length,):
        raise ValueError(f"{name} must have {length} values, got shape {np.shape(values)}")
    if not np.all(np.isfinite(vector)):
        raise ValueError(f"{name} contains NaN or inf ({vector.tolist()}); the policy needs a valid observation")
    return vector
