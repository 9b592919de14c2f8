"""Convolution calculators against torch: shapes, parameters, FLOP counter, gradient receptive field."""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from nnfoundation.detection.conv_arithmetic import (
    conv2d_macs,
    conv2d_parameter_count,
    conv_output_size,
    dense_parameter_count,
    receptive_fields,
)

CASES = [
    # in_ch, out_ch, kernel, stride, padding, dilation, groups, input size
    (3, 64, (7, 7), 2, 3, 1, 1, (224, 224)),
    (64, 64, (3, 3), 1, 1, 1, 64, (56, 57)),
    (16, 32, (1, 1), 2, 0, 1, 1, (28, 28)),
    (8, 12, (5, 3), 3, 2, 2, 4, (31, 40)),
    (6, 6, (3, 3), 1, 0, 1, 2, (3, 9)),
]


@pytest.mark.parametrize("in_ch,out_ch,kernel,stride,padding,dilation,groups,size", CASES)
def test_output_size_parameters_and_macs_match_torch(
    in_ch, out_ch, kernel, stride, padding, dilation, groups, size
) -> None:
    conv = torch.nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=padding, dilation=dilation, groups=groups)
    x = torch.zeros(2, in_ch, *size)
    with FlopCounterMode(display=False) as counter:
        y = conv(x)
    out_h = conv_output_size(size[0], kernel[0], stride, padding, dilation)
    out_w = conv_output_size(size[1], kernel[1], stride, padding, dilation)
    assert y.shape == (2, out_ch, out_h, out_w)
    assert conv2d_parameter_count(in_ch, out_ch, kernel, groups) == sum(p.numel() for p in conv.parameters())
    assert conv2d_parameter_count(in_ch, out_ch, kernel, groups, bias=False) == conv.weight.numel()
    assert 2 * conv2d_macs(2, in_ch, out_ch, (out_h, out_w), kernel, groups) == counter.get_total_flops()


@pytest.mark.parametrize("size,kernel,stride", [(112, 3, 2), (13, 2, 2), (7, 7, 1), (10, 3, 3)])
def test_pool_output_size_matches_torch(size: int, kernel: int, stride: int) -> None:
    pooled = torch.nn.MaxPool2d(kernel, stride)(torch.zeros(1, 1, size, size))
    assert pooled.shape[-1] == conv_output_size(size, kernel, stride)


def test_dense_parameter_count_matches_torch() -> None:
    assert dense_parameter_count(2048, 1000) == sum(p.numel() for p in torch.nn.Linear(2048, 1000).parameters())


@pytest.mark.parametrize(
    "layers", [[(3, 1), (3, 1)], [(7, 2), (3, 2), (3, 1), (3, 2)], [(5, 1), (2, 2), (3, 3), (1, 1)]]
)
def test_receptive_field_equals_gradient_support(layers: list[tuple[int, int]]) -> None:
    net = torch.nn.Sequential(*[torch.nn.Conv2d(1, 1, k, stride=s, bias=False) for k, s in layers])
    for module in net:
        torch.nn.init.ones_(module.weight)
    x = torch.zeros(1, 1, 96, 96, requires_grad=True)
    y = net(x)
    y[0, 0, y.shape[-2] // 2, y.shape[-1] // 2].backward()
    support = (x.grad[0, 0].abs() > 0).nonzero()
    extent = int(support[:, 1].max() - support[:, 1].min() + 1)
    fields = receptive_fields(layers)
    assert extent == fields[-1].field
    stride_product = 1
    for _k, s in layers:
        stride_product *= s
    assert fields[-1].stride == stride_product


def test_invalid_geometry_raises() -> None:
    with pytest.raises(ValueError, match="exceeds padded input"):
        conv_output_size(2, 5)
    with pytest.raises(ValueError, match="groups=3 must divide"):
        conv2d_parameter_count(4, 6, (3, 3), groups=3)
    with pytest.raises(ValueError, match="stride must be a positive integer"):
        conv_output_size(10, 3, stride=0)
