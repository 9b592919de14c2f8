"""Model compression: INT8 min-max quantisation and magnitude pruning (seed 004 §27.4.1, §27.4.3).

Quantisation maps a float tensor x to integers q ∈ [q_min, q_max] with a scale s and zero point z:
q = clamp(round(x / s) + z, q_min, q_max), x̂ = (q − z)·s. Ranges come from the observed min/max,
widened to contain 0 so that 0 is exactly representable (the PyTorch MinMaxObserver convention):
- asymmetric (affine, unsigned 8 bit, [0, 255]): s = (max − min) / 255, z = −round(min / s). This is the
  seed's q = round((x − min) / ((max − min)/255)) (seed 004 eq. 27.28) up to moving the rounding of
  min/s into z, which changes q by at most one step;
- symmetric (signed 8 bit, [−128, 127]): s = max|x| / 127.5, z = 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOAT32_EPS = float(np.finfo(np.float32).eps)
PRUNING_SCOPES = ("layer", "global")


@dataclass(frozen=True)
class QuantizationParams:
    """Scale s (float units per integer step), zero point z and the integer range [q_min, q_max]."""

    scale: float
    zero_point: int
    qmin: int
    qmax: int


def minmax_quantization_params(x: np.ndarray, symmetric: bool, num_bits: int = 8) -> QuantizationParams:
    """Min-max quantisation parameters of ``x`` (any shape) for ``num_bits``-bit integers (see module docstring)."""
    values = np.asarray(x, dtype=np.float64)
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("x must be a non-empty array of finite values to calibrate quantisation")
    if not 2 <= num_bits <= 16:
        raise ValueError(f"num_bits must be in [2, 16], got {num_bits}")
    low, high = min(float(values.min()), 0.0), max(float(values.max()), 0.0)
    if symmetric:
        qmin, qmax = -(2 ** (num_bits - 1)), 2 ** (num_bits - 1) - 1
        scale = max(max(-low, high) / ((qmax - qmin) / 2), _FLOAT32_EPS)
        return QuantizationParams(scale=scale, zero_point=0, qmin=qmin, qmax=qmax)
    qmin, qmax = 0, 2**num_bits - 1
    scale = max((high - low) / (qmax - qmin), _FLOAT32_EPS)
    zero_point = int(np.clip(qmin - np.round(low / scale), qmin, qmax))
    return QuantizationParams(scale=scale, zero_point=zero_point, qmin=qmin, qmax=qmax)


def quantize(x: np.ndarray, params: QuantizationParams) -> np.ndarray:
    """q = clamp(round(x / s) + z, q_min, q_max) as int64 (round half to even)."""
    values = np.asarray(x, dtype=np.float64)
    return np.clip(np.round(values / params.scale) + params.zero_point, params.qmin, params.qmax).astype(np.int64)


def dequantize(q: np.ndarray, params: QuantizationParams) -> np.ndarray:
    """x̂ = (q − z)·s."""
    return (np.asarray(q, dtype=np.float64) - params.zero_point) * params.scale


@dataclass(frozen=True)
class QuantizationError:
    """Round-trip error x̂ − x: largest absolute value and root mean square (float units)."""

    max_abs: float
    rms: float


def quantization_error(x: np.ndarray, params: QuantizationParams) -> QuantizationError:
    """Error of quantise→dequantise; |x̂ − x| ≤ s/2 for values inside the calibrated range."""
    values = np.asarray(x, dtype=np.float64)
    error = dequantize(quantize(values, params), params) - values
    return QuantizationError(max_abs=float(np.abs(error).max()), rms=float(np.sqrt(np.mean(error**2))))


def magnitude_prune_masks(
    weights: dict[str, np.ndarray], sparsity: float, scope: str = "layer"
) -> dict[str, np.ndarray]:
    """Keep-masks (bool, same shapes) removing the smallest-magnitude weights (seed 004 eq. 27.30).

    w' = w if |w| > τ else 0, with τ chosen so that exactly k = round(sparsity·n) weights are removed
    (Python rounding, as torch.nn.utils.prune): per layer (``scope="layer"``, n = layer size) or over all
    layers at once (``scope="global"``, n = total size). Equal magnitudes at τ are broken by position.
    """
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be a fraction in [0, 1], got {sparsity}")
    if scope not in PRUNING_SCOPES:
        raise ValueError(f"unknown pruning scope {scope!r}; use one of {PRUNING_SCOPES}")
    if not weights:
        raise ValueError("weights is empty; pass a dict of layer name -> weight array")
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in weights.items()}

    def keep_mask(magnitudes: np.ndarray) -> np.ndarray:
        keep = np.ones(magnitudes.size, dtype=bool)
        keep[np.argsort(magnitudes, kind="stable")[: round(sparsity * magnitudes.size)]] = False
        return keep

    if scope == "layer":
        return {name: keep_mask(np.abs(value).ravel()).reshape(value.shape) for name, value in arrays.items()}
    flat_keep = keep_mask(np.concatenate([np.abs(value).ravel() for value in arrays.values()]))
    masks, start = {}, 0
    for name, value in arrays.items():
        masks[name] = flat_keep[start : start + value.size].reshape(value.shape)
        start += value.size
    return masks


def apply_masks(weights: dict[str, np.ndarray], masks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Pruned copies w ⊙ mask of each layer."""
    if set(weights) != set(masks):
        raise ValueError(f"weights and masks name different layers: {sorted(set(weights) ^ set(masks))}")
    return {name: np.asarray(weights[name], dtype=np.float64) * masks[name] for name in weights}


def sparsity_of(weights: dict[str, np.ndarray]) -> float:
    """Fraction of exactly-zero weights over all layers."""
    total = sum(np.asarray(value).size for value in weights.values())
    if total == 0:
        raise ValueError("weights hold no values; pass non-empty arrays")
    return sum(int(np.count_nonzero(np.asarray(value) == 0)) for value in weights.values()) / total
