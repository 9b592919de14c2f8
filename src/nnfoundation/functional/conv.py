"""2-D convolution, pooling and nearest upsampling on NCHW tensors (seed 000 §3, seed 004 §22.1).

Convolution is im2col: a strided view (numpy.lib.stride_tricks.as_strided, no copy) exposes every
receptive field, one batched GEMM per sample and group multiplies the kernel by it, and the backward
pass scatters the column adjoints back with one strided add per kernel offset (col2im).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from nnfoundation.tensor import Tensor

IntPair = int | tuple[int, int]


def _pair(value: IntPair) -> tuple[int, int]:
    if isinstance(value, (int, np.integer)):
        return (int(value), int(value))
    first, second = value
    return (int(first), int(second))


def conv_output_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """H_out = ⌊(H_in + 2P - D(K - 1) - 1) / S⌋ + 1 (seed 000 §3; D = 1 gives the seed's formula)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _windows(
    padded: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    out_hw: tuple[int, int],
) -> np.ndarray:
    """View (N, C, H_out, W_out, K_h, K_w) of every receptive field of a padded NCHW array."""
    n, c = padded.shape[:2]
    s_n, s_c, s_h, s_w = padded.strides
    return as_strided(
        padded,
        shape=(n, c, *out_hw, *kernel),
        strides=(s_n, s_c, s_h * stride[0], s_w * stride[1], s_h * dilation[0], s_w * dilation[1]),
        writeable=False,
    )


def _offset_slices(i: int, j: int, stride, dilation, out_hw) -> tuple[slice, slice, slice, slice]:
    """Positions in the padded input touched by kernel offset (i, j) over all output pixels."""
    rows = slice(i * dilation[0], i * dilation[0] + stride[0] * (out_hw[0] - 1) + 1, stride[0])
    cols = slice(j * dilation[1], j * dilation[1] + stride[1] * (out_hw[1] - 1) + 1, stride[1])
    return slice(None), slice(None), rows, cols


def _pad(data: np.ndarray, padding: tuple[int, int], value: float = 0.0) -> np.ndarray:
    if padding == (0, 0):
        return data
    return np.pad(data, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2), constant_values=value)


def _check_nchw(x: Tensor, name: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{name} expects an NCHW input with 4 dimensions, got shape {x.shape}")


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntPair = 1,
    padding: IntPair = 0,
    dilation: IntPair = 1,
    groups: int = 1,
) -> Tensor:
    """Cross-correlation Y[n,o] = Σ_c Σ_ij W[o,c,i,j] X[n,c, S·h + D·i, S·w + D·j] + b[o] (seed 004 §22.1).

    x: (N, C_in, H, W); weight: (C_out, C_in / groups, K_h, K_w); bias: (C_out,) →
    (N, C_out, H_out, W_out), H_out from `conv_output_size`. groups = C_in gives a depthwise convolution.
    """
    _check_nchw(x, "conv2d")
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    n, c_in, h, w = x.shape
    c_out, c_group, k_h, k_w = weight.shape
    if c_in != c_group * groups or c_out % groups:
        raise ValueError(
            f"conv2d: input has {c_in} channels, weight {weight.shape} with groups={groups} "
            f"needs C_in = {c_group * groups} and C_out divisible by groups"
        )
    out_hw = (
        conv_output_size(h, k_h, stride[0], padding[0], dilation[0]),
        conv_output_size(w, k_w, stride[1], padding[1], dilation[1]),
    )
    if min(out_hw) <= 0:
        raise ValueError(f"conv2d: kernel {k_h}x{k_w} does not fit input {h}x{w} with padding {padding}")
    o_group, pixels = c_out // groups, out_hw[0] * out_hw[1]
    padded = _pad(x.data, padding)
    windows = _windows(padded, (k_h, k_w), stride, dilation, out_hw)
    # columns (N, G, C_g·K_h·K_w, H_out·W_out): one GEMM per (sample, group) yields NCHW directly
    cols = (
        windows.reshape(n, groups, c_group, *out_hw, k_h, k_w)
        .transpose(0, 1, 2, 5, 6, 3, 4)
        .reshape(n, groups, c_group * k_h * k_w, pixels)
    )
    kernel = weight.data.reshape(groups, o_group, c_group * k_h * k_w)
    out = np.matmul(kernel, cols).reshape(n, c_out, *out_hw)  # (N, G, O_g, P) → NCHW
    if bias is not None:
        out += bias.data[:, None, None]

    def backward(g):
        g_cols = np.ascontiguousarray(g).reshape(n, groups, o_group, pixels)  # BLAS needs real strides
        grad_w = None
        if weight.requires_grad:  # Σ_n G_n colsᵀ_n: per-sample GEMMs, then the sum over samples
            grad_w = np.matmul(g_cols, cols.transpose(0, 1, 3, 2)).sum(axis=0).reshape(weight.shape)
        grad_b = g.sum(axis=(0, 2, 3)) if bias is not None and bias.requires_grad else None
        grad_x = None
        if x.requires_grad:
            d_cols = np.matmul(kernel.transpose(0, 2, 1), g_cols).reshape(n, c_in, k_h, k_w, *out_hw)
            d_padded = np.zeros(padded.shape, dtype=padded.dtype)
            for i in range(k_h):
                for j in range(k_w):
                    d_padded[_offset_slices(i, j, stride, dilation, out_hw)] += d_cols[:, :, i, j]
            grad_x = d_padded[:, :, padding[0] : padding[0] + h, padding[1] : padding[1] + w]
        return (grad_x, grad_w) if bias is None else (grad_x, grad_w, grad_b)

    parents = (x, weight) if bias is None else (x, weight, bias)
    return Tensor.from_op(out, parents, backward)


PoolGeometry = tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]


def _pool_geometry(
    x: Tensor, kernel_size: IntPair, stride: IntPair | None, padding: IntPair, name: str
) -> PoolGeometry:
    """Checked NCHW input → (kernel, stride (default: kernel), padding, output (H, W)) of a pooling op."""
    _check_nchw(x, name)
    kernel = _pair(kernel_size)
    strides = kernel if stride is None else _pair(stride)
    pads = _pair(padding)
    h, w = x.shape[2:]
    out_hw = (
        conv_output_size(h, kernel[0], strides[0], pads[0]),
        conv_output_size(w, kernel[1], strides[1], pads[1]),
    )
    return kernel, strides, pads, out_hw


def max_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0) -> Tensor:
    """Maximum over each K_h×K_w window (padding counts as -inf); the adjoint goes to the first argmax."""
    kernel, strides, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding, "max_pool2d")
    n, c, h, w = x.shape
    padded = _pad(x.data, pads, -np.inf)
    flat = _windows(padded, kernel, strides, (1, 1), out_hw).reshape(n, c, *out_hw, -1)
    winner = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, winner[..., None], axis=-1)[..., 0]

    def backward(g):
        d_padded = np.zeros(padded.shape, dtype=x.dtype)
        for k in range(kernel[0] * kernel[1]):
            d_padded[_offset_slices(k // kernel[1], k % kernel[1], strides, (1, 1), out_hw)] += g * (winner == k)
        return (d_padded[:, :, pads[0] : pads[0] + h, pads[1] : pads[1] + w],)

    return Tensor.from_op(out, (x,), backward)


def avg_pool2d(x: Tensor, kernel_size: IntPair, stride: IntPair | None = None, padding: IntPair = 0) -> Tensor:
    """Mean over each K_h×K_w window, zero padding included in the count."""
    kernel, strides, pads, out_hw = _pool_geometry(x, kernel_size, stride, padding, "avg_pool2d")
    _n, _c, h, w = x.shape
    padded = _pad(x.data, pads)
    out = _windows(padded, kernel, strides, (1, 1), out_hw).mean(axis=(-2, -1))
    area = kernel[0] * kernel[1]

    def backward(g):
        d_padded = np.zeros(padded.shape, dtype=x.dtype)
        for i in range(kernel[0]):
            for j in range(kernel[1]):
                d_padded[_offset_slices(i, j, strides, (1, 1), out_hw)] += g / area
        return (d_padded[:, :, pads[0] : pads[0] + h, pads[1] : pads[1] + w],)

    return Tensor.from_op(out, (x,), backward)


def upsample_nearest2d(x: Tensor, scale: int = 2) -> Tensor:
    """Repeat every pixel scale×scale times (the top-down path of an FPN, seed 004 §22.3)."""
    _check_nchw(x, "upsample_nearest2d")
    n, c, h, w = x.shape
    out = x.data.repeat(scale, axis=2).repeat(scale, axis=3)
    return Tensor.from_op(out, (x,), lambda g: (g.reshape(n, c, h, scale, w, scale).sum(axis=(3, 5)),))
