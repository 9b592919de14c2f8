"""Every layer matches its torch twin: weights copied from nnfoundation into torch, then forward values,
input gradients, parameter gradients and buffers compared (float64 rtol 1e-8, float32 rtol 1e-4)."""

import numpy as np
import pytest
import torch
import torchvision

import nnfoundation as nf
import nnfoundation.functional as F
import nnfoundation.nn as nn

DTYPES = pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])


def rng():
    return np.random.default_rng(7)


@DTYPES
def test_linear_and_sequential_mlp(parity, dtype):
    ours = nn.Sequential(nn.Linear(5, 8, rng=rng()), nn.Tanh(), nn.Linear(8, 3, rng=rng()), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.Tanh(), torch.nn.Linear(8, 3), torch.nn.Sigmoid())
    parity([(4, 5)], ours, theirs, dtype=dtype, modules=(ours, theirs))


@DTYPES
@pytest.mark.parametrize(
    "kwargs",
    [dict(stride=1, padding=1), dict(stride=2, padding=0, dilation=2), dict(stride=1, padding=1, groups=2)],
    ids=["pad", "stride_dilation", "groups"],
)
def test_conv2d(parity, dtype, kwargs):
    ours = nn.Conv2d(4, 6, 3, rng=rng(), **kwargs)
    theirs = torch.nn.Conv2d(4, 6, 3, **kwargs)
    parity([(2, 4, 7, 7)], ours, theirs, dtype=dtype, modules=(ours, theirs))


@DTYPES
def test_pooling_and_flatten(parity, dtype):
    ours = nn.Sequential(nn.MaxPool2d(2), nn.AvgPool2d(3, 1, 1), nn.Flatten())
    theirs = torch.nn.Sequential(torch.nn.MaxPool2d(2), torch.nn.AvgPool2d(3, 1, 1), torch.nn.Flatten())
    parity([(2, 3, 6, 6)], ours, theirs, dtype=dtype)


@DTYPES
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
def test_batchnorm1d_and_2d(parity, dtype, training):
    for ours, theirs, shape in (
        (nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), (6, 4)),
        (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3), (4, 3, 3, 3)),
    ):
        ours.running_mean[:] = np.linspace(-0.5, 0.5, len(ours.running_mean))
        ours.running_var[:] = np.linspace(0.5, 2.0, len(ours.running_var))
        ours.weight.data[:] = np.linspace(0.5, 1.5, len(ours.weight.data))
        ours.train(training)
        theirs.train(training)
        parity([shape], ours, theirs, dtype=dtype, modules=(ours, theirs))  # buffers compared after forward


@DTYPES
def test_layer_group_instance_norm(parity, dtype):
    for ours, theirs, shape in (
        (nn.LayerNorm((3, 4)), torch.nn.LayerNorm((3, 4)), (2, 5, 3, 4)),
        (nn.GroupNorm(2, 6), torch.nn.GroupNorm(2, 6), (2, 6, 3, 3)),
        (nn.InstanceNorm2d(3, affine=True), torch.nn.InstanceNorm2d(3, affine=True), (2, 3, 4, 4)),
    ):
        ours.weight.data[...] = np.random.default_rng(1).uniform(0.5, 1.5, ours.weight.shape)
        ours.bias.data[...] = np.random.default_rng(2).uniform(-0.5, 0.5, ours.bias.shape)
        parity([shape], ours, theirs, dtype=dtype, modules=(ours, theirs))


def _drop_layer_axis(torch_output):
    """torch returns states as (layers=1, N, H); ours are (N, H)."""
    outputs, state = torch_output
    return outputs, tuple(s[0] for s in state) if isinstance(state, tuple) else state[0]


@DTYPES
def test_rnn_bptt(parity, dtype):
    ours, theirs = nn.RNN(3, 5, rng=rng()), torch.nn.RNN(3, 5, batch_first=True)
    parity(
        [(2, 6, 3), (1, 2, 5)],
        lambda x, h0: ours(x, h0[0]),
        lambda x, h0: _drop_layer_axis(theirs(x, h0)),
        dtype=dtype,
        modules=(ours, theirs),
        name_map=lambda name: name + "_l0",
    )


@DTYPES
def test_lstm_bptt(parity, dtype):
    ours, theirs = nn.LSTM(3, 4, rng=rng()), torch.nn.LSTM(3, 4, batch_first=True)
    parity(
        [(2, 5, 3), (1, 2, 4), (1, 2, 4)],
        lambda x, h0, c0: ours(x, (h0[0], c0[0])),
        lambda x, h0, c0: _drop_layer_axis(theirs(x, (h0, c0))),
        dtype=dtype,
        modules=(ours, theirs),
        name_map=lambda name: name + "_l0",
    )


def test_lstm_forget_gate_bias_starts_at_one():
    lstm = nn.LSTM(3, 4, rng=rng())
    total_bias = lstm.bias_ih.data + lstm.bias_hh.data
    np.testing.assert_array_equal(total_bias[4:8], 1.0)
    np.testing.assert_array_equal(np.delete(total_bias, np.s_[4:8]), 0.0)


@DTYPES
@pytest.mark.parametrize("masking", ["none", "causal", "padding"])
def test_multihead_attention(parity, dtype, masking):
    ours, theirs = nn.MultiheadAttention(8, 2, rng=rng()), torch.nn.MultiheadAttention(8, 2, batch_first=True)
    lengths = np.array([5, 3])
    mask = {"none": None, "causal": F.causal_mask(4, 5), "padding": F.padding_mask(lengths, 5)}[masking]
    torch_kwargs = {
        "none": {},
        "causal": dict(attn_mask=torch.from_numpy(~F.causal_mask(4, 5))),
        "padding": dict(key_padding_mask=torch.from_numpy(np.arange(5)[None] >= lengths[:, None])),
    }[masking]
    parity(
        [(2, 4, 8), (2, 5, 8), (2, 5, 8)],
        lambda q, k, v: ours(q, k, v, mask),
        lambda q, k, v: theirs(q, k, v, need_weights=False, **torch_kwargs)[0],
        dtype=dtype,
        modules=(ours, theirs),
    )


@DTYPES
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_transformer_encoder_layer(parity, dtype, norm_first):
    ours = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first, rng=rng())
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    causal = torch.from_numpy(~F.causal_mask(5))
    parity(
        [(2, 5, 8)],
        lambda x: ours(x, causal=True),
        lambda x: theirs(x, src_mask=causal, is_causal=True),
        dtype=dtype,
        modules=(ours, theirs),
    )


@DTYPES
@pytest.mark.parametrize("norm_first", [False, True], ids=["post_norm", "pre_norm"])
def test_transformer_decoder_layer(parity, dtype, norm_first):
    ours = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first, rng=rng())
    theirs = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    causal = torch.from_numpy(~F.causal_mask(4))
    parity(
        [(2, 4, 8), (2, 6, 8)],
        lambda x, memory: ours(x, memory),
        lambda x, memory: theirs(x, memory, tgt_mask=causal, tgt_is_causal=True),
        dtype=dtype,
        modules=(ours, theirs),
    )


@DTYPES
@pytest.mark.parametrize("final_norm", [False, True], ids=["no_final_norm", "final_norm"])
def test_transformer_encoder_stack(parity, dtype, final_norm):
    ours = nn.TransformerEncoder(2, 8, 2, 16, dropout=0.0, norm_first=True, final_norm=final_norm, rng=rng())
    layer = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True)
    theirs = torch.nn.TransformerEncoder(
        layer, 2, norm=torch.nn.LayerNorm(8) if final_norm else None, enable_nested_tensor=False
    )
    parity([(2, 5, 8)], ours, theirs, dtype=dtype, modules=(ours, theirs))


@DTYPES
@pytest.mark.parametrize("final_norm", [False, True], ids=["no_final_norm", "final_norm"])
def test_transformer_decoder_stack(parity, dtype, final_norm):
    """Non-causal queries (as DETR / ACT use them); the copied weights differ per layer, so a stack that
    skipped or repeated a layer would not match."""
    ours = nn.TransformerDecoder(3, 8, 2, 16, dropout=0.0, norm_first=True, final_norm=final_norm, rng=rng())
    layer = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True)
    theirs = torch.nn.TransformerDecoder(layer, 3, norm=torch.nn.LayerNorm(8) if final_norm else None)
    parity(
        [(2, 4, 8), (2, 6, 8)],
        lambda x, memory: ours(x, memory, causal=False),
        theirs,
        dtype=dtype,
        modules=(ours, theirs),
    )


@DTYPES
def test_positional_encodings(parity, dtype):
    ours = nn.SinusoidalPositionalEncoding(6, max_length=10, dtype=dtype)
    position = torch.arange(10, dtype=torch.float64)[:, None]
    angle = position / 10000 ** (torch.arange(0, 6, 2, dtype=torch.float64) / 6)
    table = torch.stack([angle.sin(), angle.cos()], dim=-1).reshape(10, 6)  # interleaved sin/cos
    parity([(2, 7, 6)], ours, lambda x: x + table[:7].to(x.dtype), dtype=dtype)
    learned = nn.LearnedPositionalEncoding(6, max_length=10, rng=rng())
    weight = torch.nn.Parameter(torch.zeros(10, 6))
    holder = torch.nn.Module()
    holder.weight = weight
    parity([(2, 7, 6)], learned, lambda x: x + holder.weight[:7], dtype=dtype, modules=(learned, holder))


@DTYPES
def test_vit_patch_embedding(parity, dtype):
    ours = nn.PatchEmbedding(8, 4, 3, 6, rng=rng())
    theirs = torch.nn.Module()
    theirs.proj = torch.nn.Conv2d(3, 6, 4, stride=4)
    theirs.cls_token = torch.nn.Parameter(torch.zeros(1, 1, 6))
    theirs.pos_embedding = torch.nn.Parameter(torch.zeros(1, 5, 6))

    def torch_forward(images):
        patches = theirs.proj(images).flatten(2).transpose(1, 2)
        return torch.cat([theirs.cls_token.expand(len(images), -1, -1), patches], 1) + theirs.pos_embedding

    parity([(2, 3, 8, 8)], ours, torch_forward, dtype=dtype, modules=(ours, theirs))


@DTYPES
@pytest.mark.parametrize("stride", [1, 2])
def test_resnet_basic_block(parity, dtype, stride):
    ours = nn.BasicBlock(4, 6, stride, rng=rng())
    downsample = torch.nn.Sequential(torch.nn.Conv2d(4, 6, 1, stride, bias=False), torch.nn.BatchNorm2d(6))
    theirs = torchvision.models.resnet.BasicBlock(4, 6, stride, downsample=downsample)
    parity([(2, 4, 6, 6)], ours, theirs, dtype=dtype, modules=(ours, theirs))


@DTYPES
def test_resnet_bottleneck_block(parity, dtype):
    ours = nn.Bottleneck(8, 4, stride=2, rng=rng())
    downsample = torch.nn.Sequential(torch.nn.Conv2d(8, 16, 1, 2, bias=False), torch.nn.BatchNorm2d(16))
    theirs = torchvision.models.resnet.Bottleneck(8, 4, 2, downsample=downsample)
    parity([(2, 8, 6, 6)], ours, theirs, dtype=dtype, modules=(ours, theirs))


@DTYPES
def test_feature_pyramid_top_down_merge(parity, dtype):
    ours = nn.FeaturePyramid([3, 5, 7], 4, rng=rng())
    theirs = torchvision.ops.FeaturePyramidNetwork([3, 5, 7], 4)
    features = {"c3": None, "c4": None, "c5": None}

    def torch_forward(c3, c4, c5):
        return list(theirs(dict(zip(features, (c3, c4, c5)))).values())

    parity(
        [(1, 3, 8, 8), (1, 5, 4, 4), (1, 7, 2, 2)],
        lambda *f: ours(list(f)),
        torch_forward,
        dtype=dtype,
        modules=(ours, theirs),
        name_map=lambda name: name.replace(".weight", ".0.weight").replace(".bias", ".0.bias"),
    )


def test_dropout_is_inverted_and_identity_in_eval():
    layer = nn.Dropout(0.25, rng=np.random.default_rng(0))
    x = nf.Tensor(np.ones((200, 200)), requires_grad=True)
    y = layer(x)
    kept = y.data != 0
    assert abs(kept.mean() - 0.75) < 0.01  # keep probability q = 1 - p
    np.testing.assert_allclose(y.data[kept], 1 / 0.75)  # survivors scaled by 1/q (seed 004 eq. 8.28)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.data)  # gradient flows only through kept units
    layer.eval()
    assert layer(x) is x
