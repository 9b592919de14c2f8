"""Seed 004 ch. 22 "Convolutional Neural Networks: Foundations": sizes, parameters, FLOPs, ResNet-50 shapes."""

from __future__ import annotations

import pytest

from nnfoundation.detection.conv_arithmetic import conv2d_macs, conv2d_parameter_count, conv_output_size


def test_flattened_image_size() -> None:
    assert 224 * 224 * 3 == 150_528  # §22 introduction


def test_one_dimensional_valid_convolution_length() -> None:
    assert conv_output_size(10, 3) == 10 - 3 + 1  # §22.1.1: T_out = T − S + 1
    assert conv_output_size(10, 3, stride=2, padding=1) == 5  # eq. 22.2


def test_parameters_and_flops_of_a_conv_layer() -> None:
    assert conv2d_parameter_count(64, 128, (3, 3)) == 3 * 3 * 64 * 128 + 128  # eq. 22.6
    assert 2 * conv2d_macs(1, 64, 128, (56, 56), (3, 3)) == 2 * 3 * 3 * 64 * 56 * 56 * 128  # eq. 22.7


def test_depthwise_parameter_reduction() -> None:
    standard = conv2d_parameter_count(32, 32, (3, 3), bias=False)
    depthwise = conv2d_parameter_count(32, 32, (3, 3), groups=32, bias=False)
    assert standard / depthwise == pytest.approx(32)  # §22.1.4: factor C_out (C_out/C_in·C_in with C_out = C_in)
    separable = depthwise + conv2d_parameter_count(32, 64, (1, 1), bias=False)
    assert separable < conv2d_parameter_count(32, 64, (3, 3), bias=False)  # eq. 22.9


def test_resnet50_stage_sizes() -> None:
    conv1 = conv_output_size(224, 7, stride=2, padding=3)
    assert conv1 == 112  # eq. 22.13
    # eq. 22.14 writes ⌊(112 − 3)/2⌋ + 1 = 56, but that is 55: the 3×3/2 max pool needs padding 1 (erratum)
    assert conv_output_size(112, 3, stride=2) == 55
    conv2 = conv_output_size(112, 3, stride=2, padding=1)
    assert conv2 == 56
    conv3 = conv_output_size(conv2, 1, stride=2)  # the stride-2 1×1 projection, eq. 22.15
    conv4 = conv_output_size(conv3, 1, stride=2)  # eq. 22.16
    conv5 = conv_output_size(conv4, 1, stride=2)  # eq. 22.17
    assert (conv3, conv4, conv5) == (28, 14, 7)
    assert conv_output_size(conv2, 3, stride=2, padding=1) == 28  # the 3×3 stride-2 conv of the bottleneck agrees
    assert conv2d_parameter_count(2048, 1000, (1, 1)) == 1000 * 2048 + 1000  # eq. 22.19 head as a 1×1 conv


def test_fpn_level_sizes() -> None:
    sizes = [56, 28, 14, 7]  # eq. 22.20
    assert [2 * s for s in sizes[1:]] == sizes[:-1]  # each top-down 2× upsample meets the lateral map (eq. 22.21)
    assert conv_output_size(7, 3, stride=2, padding=1) == 4  # M6: stride-2 down-sampling of M5
