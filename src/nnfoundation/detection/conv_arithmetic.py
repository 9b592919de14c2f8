"""Convolution arithmetic: output size, parameters, MACs/FLOPs, receptive field (seed 000/002 §3,
seed 003 §6.1, seed 004 §22.1-22.2).

Shapes follow seed 000 §3: input (B, C_in, H_in, W_in), kernel (C_out, C_in/G, K_h, K_w), output
(B, C_out, H_out, W_out); G is the number of groups (G = C_in: depthwise, seed 004 §22.1.4).
"""

from __future__ import annotations

from dataclasses import dataclass


def _positive(name: str, value: int) -> int:
    if int(value) != value or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """⌊(n + 2p − d(k − 1) − 1) / s⌋ + 1, i.e. ⌊(n + 2p − k) / s⌋ + 1 for d = 1 (seed 004 eq. 22.2, 22.4).

    Pooling uses the same formula (seed 003 §6.1: ⌊(n − f)/s⌋ + 1 without padding).
    """
    size, kernel, stride, dilation = (
        _positive(n, v) for n, v in (("size", size), ("kernel", kernel), ("stride", stride), ("dilation", dilation))
    )
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        raise ValueError(
            f"kernel span {span} exceeds padded input {size + 2 * padding}; use a smaller kernel or more padding"
        )
    return (size + 2 * padding - span) // stride + 1


def conv2d_parameter_count(
    in_channels: int, out_channels: int, kernel_size: tuple[int, int], groups: int = 1, bias: bool = True
) -> int:
    """C_out·(C_in/G)·K_h·K_w + C_out (seed 004 eq. 22.6; the bias term only when ``bias``)."""
    in_channels, out_channels, groups = (
        _positive(n, v) for n, v in (("in_channels", in_channels), ("out_channels", out_channels), ("groups", groups))
    )
    if in_channels % groups or out_channels % groups:
        raise ValueError(f"groups={groups} must divide in_channels={in_channels} and out_channels={out_channels}")
    kernel_h, kernel_w = (_positive("kernel_size", k) for k in kernel_size)
    return out_channels * (in_channels // groups) * kernel_h * kernel_w + (out_channels if bias else 0)


def dense_parameter_count(in_features: int, out_features: int, bias: bool = True) -> int:
    """n_in·n_out + n_out for a fully connected layer (seed 003 §6.1 "FC")."""
    return _positive("in_features", in_features) * _positive("out_features", out_features) + (
        out_features if bias else 0
    )


def conv2d_macs(
    batch: int,
    in_channels: int,
    out_channels: int,
    output_size: tuple[int, int],
    kernel_size: tuple[int, int],
    groups: int = 1,
) -> int:
    """Multiply-accumulates B·C_out·H_out·W_out·(C_in/G)·K_h·K_w (seed 000 §3); FLOPs ≈ 2·MACs (seed 004 eq. 22.7)."""
    weights = conv2d_parameter_count(in_channels, out_channels, kernel_size, groups, bias=False)
    return _positive("batch", batch) * weights * _positive("H_out", output_size[0]) * _positive("W_out", output_size[1])


@dataclass(frozen=True)
class ReceptiveField:
    """Receptive field (pixels) and effective stride (jump, pixels) after a layer."""

    field: int
    stride: int


def receptive_fields(layers: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> list[ReceptiveField]:
    """Receptive field after each (kernel, stride) layer (seed 000 §3):
    stride_ℓ = stride_{ℓ−1}·S_ℓ, field_ℓ = field_{ℓ−1} + (K_ℓ − 1)·stride_{ℓ−1}, field_0 = stride_0 = 1."""
    field, stride = 1, 1
    result = []
    for kernel, layer_stride in layers:
        field += (_positive("kernel", kernel) - 1) * stride
        stride *= _positive("stride", layer_stride)
        result.append(ReceptiveField(field=field, stride=stride))
    return result
