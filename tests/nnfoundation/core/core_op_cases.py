"""Every differentiable nnfoundation op with its torch twin: shared by the parity and gradcheck tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as TF
import torchvision.ops

import nnfoundation as nf
import nnfoundation.functional as F


@dataclass(frozen=True)
class OpCase:
    name: str
    shapes: tuple[tuple[int, ...], ...]
    nn_fn: Callable
    torch_fn: Callable
    low: float = -2.0
    high: float = 2.0
    finite_differences: bool = True  # False where the op is piecewise constant at the ε = 1e-6 scale


def _boxes(t):
    """Map uniform [0, 1) values (..., 4) to valid xyxy boxes: x1 < x2, y1 < y2."""
    if isinstance(t, torch.Tensor):
        return torch.cat([t[..., :2] * 10, t[..., :2] * 10 + 1 + t[..., 2:] * 10], dim=-1)
    return nf.concat([t[..., :2] * 10, t[..., :2] * 10 + 1 + t[..., 2:] * 10], axis=-1)


INT_TARGET = np.array([0, 2, 1, 3, 2])
SEQ_TARGET = np.array([[1, 0, 2, 2], [0, 1, 1, 0], [2, 2, 0, 1]])
SEQ_MASK = np.array([[1, 1, 1, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=float)
ATTN_MASK = np.array([[True, True, False, True], [True, False, True, True], [False, True, True, True]])
BIN_TARGET = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
FANCY = np.array([2, 0, 2, 1])


def _seq_ce_torch(z):
    per_step = TF.cross_entropy(z.reshape(-1, 3), torch.from_numpy(SEQ_TARGET).reshape(-1), reduction="none")
    m = torch.from_numpy(SEQ_MASK).to(z.dtype)
    return ((per_step.reshape(3, 4) * m).sum(1) / m.sum(1)).mean()


def _seq_mse_torch(p, y):
    m = torch.from_numpy(SEQ_MASK).to(p.dtype)
    return ((((p - y) ** 2).sum(-1) * m).sum(1) / m.sum(1)).mean()


CASES = [
    # elementwise arithmetic with broadcasting (seed 004 §12.2)
    OpCase("add_broadcast", ((3, 4), (4,)), lambda a, b: a + b, lambda a, b: a + b),
    OpCase("sub_broadcast", ((2, 3, 4), (3, 1)), lambda a, b: a - b, lambda a, b: a - b),
    OpCase("mul_broadcast", ((3, 4), (1, 4)), lambda a, b: a * b, lambda a, b: a * b),
    OpCase("div", ((3, 4), (3, 4)), lambda a, b: a / b, lambda a, b: a / b, 0.5, 2.0),
    OpCase("rdiv_scalar", ((5,),), lambda a: 2.0 / a, lambda a: 2.0 / a, 0.5, 2.0),
    OpCase("pow_scalar", ((3, 4),), lambda a: a**2.5, lambda a: a**2.5, 0.5, 2.0),
    OpCase("pow_tensor", ((3, 4), (3, 4)), lambda a, b: a**b, lambda a, b: a**b, 0.5, 2.0),
    OpCase("neg", ((4,),), lambda a: -a, lambda a: -a),
    OpCase("exp", ((3, 4),), lambda a: a.exp(), torch.exp),
    OpCase("log", ((3, 4),), lambda a: a.log(), torch.log, 0.1, 3.0),
    OpCase("log1p", ((3, 4),), lambda a: a.log1p(), torch.log1p, 0.0, 3.0),
    OpCase("sqrt", ((3, 4),), lambda a: a.sqrt(), torch.sqrt, 0.1, 3.0),
    OpCase("abs", ((3, 4),), lambda a: a.abs(), torch.abs),
    OpCase("tanh", ((3, 4),), F.tanh, torch.tanh),
    OpCase("sigmoid", ((3, 4),), F.sigmoid, torch.sigmoid, -6.0, 6.0),
    OpCase("relu", ((3, 4),), F.relu, torch.relu),
    OpCase("leaky_relu", ((3, 4),), lambda a: F.leaky_relu(a, 0.1), lambda a: TF.leaky_relu(a, 0.1)),
    OpCase("clip", ((4, 5),), lambda a: a.clip(-0.5, 1.0), lambda a: a.clamp(-0.5, 1.0)),
    OpCase(
        "astype_round_trip",
        ((3,),),
        lambda a: a.astype(np.float32).astype(a.dtype) * 2.0,
        lambda a: a.float().to(a.dtype) * 2.0,
        finite_differences=False,
    ),
    OpCase("maximum", ((3, 4), (4,)), nf.maximum, torch.maximum),
    OpCase("minimum", ((3, 4), (3, 4)), nf.minimum, torch.minimum),
    OpCase("where", ((3, 4), (3, 4)), lambda a, b: nf.where(a.data > 0, a, b), lambda a, b: torch.where(a > 0, a, b)),
    OpCase(
        "masked_fill",
        ((3, 4),),
        lambda a: a.masked_fill(ATTN_MASK, 0.5),
        lambda a: a.masked_fill(torch.from_numpy(ATTN_MASK), 0.5),
    ),
    # reductions
    OpCase("sum_all", ((3, 4),), lambda a: a.sum(), lambda a: a.sum()),
    OpCase(
        "sum_axes_keepdims",
        ((2, 3, 4),),
        lambda a: a.sum(axis=(0, 2), keepdims=True),
        lambda a: a.sum(dim=(0, 2), keepdim=True),
    ),
    OpCase("mean_axis", ((2, 3, 4),), lambda a: a.mean(axis=1), lambda a: a.mean(dim=1)),
    OpCase("max_axis", ((3, 5),), lambda a: a.max(axis=1), lambda a: a.amax(dim=1)),
    OpCase("max_all", ((3, 5),), lambda a: a.max(), lambda a: a.amax()),
    OpCase(
        "min_axis_keepdims", ((3, 5),), lambda a: a.min(axis=0, keepdims=True), lambda a: a.amin(dim=0, keepdim=True)
    ),
    OpCase("var_unbiased", ((4, 5),), lambda a: a.var(axis=0), lambda a: a.var(dim=0)),
    OpCase("var_biased", ((4, 5),), lambda a: a.var(axis=1, correction=0), lambda a: a.var(dim=1, correction=0)),
    OpCase("logsumexp", ((3, 5),), lambda a: a.logsumexp(axis=1), lambda a: a.logsumexp(dim=1), -30, 30),
    # shapes and indexing (seed 004 §12.3)
    OpCase(
        "reshape", ((2, 6),), lambda a: a.reshape(3, 4) * a.reshape(3, 4), lambda a: a.reshape(3, 4) * a.reshape(3, 4)
    ),
    OpCase("permute", ((2, 3, 4),), lambda a: a.permute(2, 0, 1), lambda a: a.permute(2, 0, 1)),
    OpCase("transpose", ((2, 3, 4),), lambda a: a.transpose(0, 2), lambda a: a.transpose(0, 2)),
    OpCase("T", ((3, 4),), lambda a: a.T, lambda a: a.T),
    OpCase("flatten", ((2, 3, 4),), lambda a: a.flatten(1), lambda a: a.flatten(1)),
    OpCase("unsqueeze_squeeze", ((3, 4),), lambda a: a.unsqueeze(1).squeeze(1), lambda a: a.unsqueeze(1).squeeze(1)),
    OpCase("broadcast_to", ((1, 4),), lambda a: a.broadcast_to((3, 4)), lambda a: a.expand(3, 4)),
    OpCase("getitem_slice", ((5, 6),), lambda a: a[1:4, ::2], lambda a: a[1:4, ::2]),
    OpCase("getitem_int", ((5, 6),), lambda a: a[2], lambda a: a[2]),
    OpCase("getitem_fancy_repeats", ((4, 3),), lambda a: a[FANCY], lambda a: a[torch.from_numpy(FANCY)]),
    OpCase(
        "getitem_fancy_pairs",
        ((4, 3),),
        lambda a: a[FANCY, np.array([0, 1, 0, 2])],
        lambda a: a[torch.from_numpy(FANCY), torch.tensor([0, 1, 0, 2])],
    ),
    OpCase("concat", ((2, 3), (4, 3)), lambda a, b: nf.concat([a, b], axis=0), lambda a, b: torch.cat([a, b], 0)),
    OpCase("stack", ((2, 3), (2, 3)), lambda a, b: nf.stack([a, b], axis=1), lambda a, b: torch.stack([a, b], 1)),
    # products
    OpCase("matmul_2d", ((3, 4), (4, 5)), lambda a, b: a @ b, lambda a, b: a @ b),
    OpCase("matmul_batched_broadcast", ((2, 1, 3, 4), (5, 4, 2)), lambda a, b: a @ b, lambda a, b: a @ b),
    OpCase("matmul_vec_mat", ((4,), (2, 4, 3)), lambda a, b: a @ b, lambda a, b: a @ b),
    OpCase("matmul_mat_vec", ((3, 4), (4,)), lambda a, b: a @ b, lambda a, b: a @ b),
    OpCase("matmul_vec_vec", ((4,), (4,)), lambda a, b: a @ b, lambda a, b: a @ b),
    OpCase(
        "einsum_bmm",
        ((2, 3, 4), (2, 4, 5)),
        lambda a, b: nf.einsum("bij,bjk->bik", a, b),
        lambda a, b: torch.einsum("bij,bjk->bik", a, b),
    ),
    OpCase(
        "einsum_outer_sum",
        ((3, 4), (5,)),
        lambda a, b: nf.einsum("ij,k->ik", a, b),
        lambda a, b: torch.einsum("ij,k->ik", a, b),
    ),
    OpCase(
        "einsum_three",
        ((2, 3), (3, 4), (4,)),
        lambda a, b, c: nf.einsum("ij,jk,k->i", a, b, c),
        lambda a, b, c: torch.einsum("ij,jk,k->i", a, b, c),
    ),
    # functional layer
    OpCase("softmax", ((3, 5),), lambda a: F.softmax(a, axis=-1), lambda a: torch.softmax(a, -1), -20, 20),
    OpCase("softmax_axis0", ((3, 5),), lambda a: F.softmax(a, axis=0), lambda a: torch.softmax(a, 0)),
    OpCase("log_softmax", ((3, 5),), lambda a: F.log_softmax(a), lambda a: torch.log_softmax(a, -1), -20, 20),
    OpCase("linear", ((4, 3), (2, 3), (2,)), F.linear, TF.linear),
    OpCase(
        "conv2d",
        ((2, 3, 5, 5), (4, 3, 3, 3), (4,)),
        lambda x, w, b: F.conv2d(x, w, b, padding=1),
        lambda x, w, b: TF.conv2d(x, w, b, padding=1),
    ),
    OpCase(
        "conv2d_stride_rect",
        ((2, 2, 6, 7), (3, 2, 2, 3), (3,)),
        lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1)),
        lambda x, w, b: TF.conv2d(x, w, b, stride=(2, 1)),
    ),
    OpCase(
        "conv2d_dilation",
        ((1, 2, 7, 7), (3, 2, 3, 3)),
        lambda x, w: F.conv2d(x, w, dilation=2, padding=1),
        lambda x, w: TF.conv2d(x, w, dilation=2, padding=1),
    ),
    OpCase(
        "conv2d_groups",
        ((2, 4, 5, 5), (6, 2, 3, 3), (6,)),
        lambda x, w, b: F.conv2d(x, w, b, groups=2, stride=2),
        lambda x, w, b: TF.conv2d(x, w, b, groups=2, stride=2),
    ),
    OpCase(
        "conv2d_depthwise",
        ((1, 3, 5, 5), (3, 1, 3, 3)),
        lambda x, w: F.conv2d(x, w, groups=3, padding=1),
        lambda x, w: TF.conv2d(x, w, groups=3, padding=1),
    ),
    OpCase("max_pool2d", ((2, 2, 4, 6),), lambda x: F.max_pool2d(x, 2), lambda x: TF.max_pool2d(x, 2)),
    OpCase(
        "max_pool2d_overlap_pad",
        ((1, 2, 5, 5),),
        lambda x: F.max_pool2d(x, 3, 2, 1),
        lambda x: TF.max_pool2d(x, 3, 2, 1),
    ),
    OpCase("avg_pool2d", ((2, 2, 4, 6),), lambda x: F.avg_pool2d(x, 2), lambda x: TF.avg_pool2d(x, 2)),
    OpCase(
        "avg_pool2d_overlap_pad",
        ((1, 2, 5, 5),),
        lambda x: F.avg_pool2d(x, 3, 2, 1),
        lambda x: TF.avg_pool2d(x, 3, 2, 1),
    ),
    OpCase(
        "upsample_nearest2d",
        ((1, 2, 3, 4),),
        lambda x: F.upsample_nearest2d(x, 2),
        lambda x: TF.interpolate(x, scale_factor=2, mode="nearest"),
    ),
    OpCase(
        "batch_norm_train",
        ((5, 3, 2, 2), (3,), (3,)),
        lambda x, w, b: F.batch_norm(x, np.zeros(3), np.ones(3), w, b, training=True),
        lambda x, w, b: TF.batch_norm(
            x, torch.zeros(3, dtype=x.dtype), torch.ones(3, dtype=x.dtype), w, b, training=True
        ),
    ),
    OpCase(
        "layer_norm",
        ((2, 3, 6), (6,), (6,)),
        lambda x, w, b: F.layer_norm(x, (6,), w, b),
        lambda x, w, b: TF.layer_norm(x, (6,), w, b),
    ),
    OpCase(
        "group_norm",
        ((2, 4, 3, 3), (4,), (4,)),
        lambda x, w, b: F.group_norm(x, 2, w, b),
        lambda x, w, b: TF.group_norm(x, 2, w, b),
    ),
    OpCase(
        "instance_norm",
        ((2, 3, 3, 4), (3,), (3,)),
        lambda x, w, b: F.instance_norm(x, w, b),
        lambda x, w, b: TF.instance_norm(x, weight=w, bias=b),
    ),
    OpCase(
        "attention_masked",
        ((2, 3, 4), (2, 4, 4), (2, 4, 5)),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, mask=ATTN_MASK),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=torch.from_numpy(ATTN_MASK)),
    ),
    OpCase(
        "attention_causal",
        ((2, 4, 3), (2, 4, 3), (2, 4, 3)),
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, causal=True),
        lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True),
    ),
    # losses (seed 004 ch. 4 and §25–27; seed 000 §9, §14)
    OpCase("mse_loss", ((4, 3), (4, 3)), F.mse_loss, TF.mse_loss),
    OpCase("l1_loss", ((4, 3), (4, 3)), F.l1_loss, TF.l1_loss),
    OpCase(
        "huber_loss",
        ((4, 5), (4, 5)),
        lambda p, y: F.huber_loss(p, y, delta=0.7),
        lambda p, y: TF.huber_loss(p, y, delta=0.7),
    ),
    OpCase(
        "binary_cross_entropy",
        ((2, 3),),
        lambda p: F.binary_cross_entropy(p, BIN_TARGET),
        lambda p: TF.binary_cross_entropy(p, torch.from_numpy(BIN_TARGET).to(p.dtype)),
        0.05,
        0.95,
    ),
    OpCase(
        "bce_with_logits",
        ((2, 3),),
        lambda z: F.binary_cross_entropy_with_logits(z, BIN_TARGET),
        lambda z: TF.binary_cross_entropy_with_logits(z, torch.from_numpy(BIN_TARGET).to(z.dtype)),
        -8,
        8,
    ),
    OpCase(
        "categorical_cross_entropy",
        ((3, 4), (3, 4)),
        lambda p, y: F.categorical_cross_entropy(F.softmax(p), F.softmax(y)),
        lambda p, y: -(torch.softmax(y, -1) * torch.log(torch.softmax(p, -1))).sum(-1).mean(),
    ),
    OpCase(
        "cross_entropy_indices",
        ((5, 4),),
        lambda z: F.cross_entropy_with_logits(z, INT_TARGET),
        lambda z: TF.cross_entropy(z, torch.from_numpy(INT_TARGET)),
        -10,
        10,
    ),
    OpCase(
        "cross_entropy_probabilities",
        ((3, 4), (3, 4)),
        lambda z, y: F.cross_entropy_with_logits(z, F.softmax(y)),
        lambda z, y: TF.cross_entropy(z, torch.softmax(y, -1)),
    ),
    OpCase(
        "sigmoid_focal_loss",
        ((2, 3),),
        lambda z: F.sigmoid_focal_loss(z, BIN_TARGET),
        lambda z: torchvision.ops.sigmoid_focal_loss(z, torch.from_numpy(BIN_TARGET).to(z.dtype), reduction="mean"),
        -4,
        4,
    ),
    OpCase(
        "giou_loss",
        ((5, 4), (5, 4)),
        lambda a, b: F.giou_loss(_boxes(a), _boxes(b)),
        lambda a, b: torchvision.ops.generalized_box_iou_loss(_boxes(a), _boxes(b), reduction="mean"),
        0.0,
        1.0,
    ),
    OpCase(
        "box_regression_loss",
        ((5, 4), (5, 4)),
        lambda a, b: F.box_regression_loss(_boxes(a), _boxes(b)),
        lambda a, b: (
            5.0 * (_boxes(a) - _boxes(b)).abs().sum(-1).mean()
            + 2.0 * torchvision.ops.generalized_box_iou_loss(_boxes(a), _boxes(b), reduction="mean")
        ),
        0.0,
        1.0,
    ),
    OpCase(
        "masked_sequence_mse",
        ((3, 4, 2), (3, 4, 2)),
        lambda p, y: F.masked_sequence_mse_loss(p, y, SEQ_MASK),
        _seq_mse_torch,
    ),
    OpCase(
        "masked_sequence_cross_entropy",
        ((3, 4, 3),),
        lambda z: F.masked_sequence_cross_entropy(z, SEQ_TARGET, SEQ_MASK),
        _seq_ce_torch,
    ),
    OpCase(
        "distillation_kl",
        ((4, 5), (4, 5)),
        lambda s, t: F.kl_divergence_with_logits(s, t, temperature=2.0),
        lambda s, t: TF.kl_div(torch.log_softmax(s / 2, -1), torch.softmax(t / 2, -1), reduction="batchmean") * 4,
    ),
    OpCase(
        "gaussian_kl",
        ((4, 3), (4, 3)),
        F.gaussian_kl_to_standard_normal,
        lambda mu, lv: (-0.5 * (1 + lv - mu**2 - lv.exp()).sum(-1)).mean(),
    ),
]

UNARY_SHAPES = [((),), ((2, 3, 4),)]
MORE_SHAPES: dict[str, list[tuple[tuple[int, ...], ...]]] = {
    **{
        name: UNARY_SHAPES
        for name in (
            "neg",
            "exp",
            "log",
            "log1p",
            "sqrt",
            "abs",
            "tanh",
            "sigmoid",
            "relu",
            "leaky_relu",
            "clip",
            "pow_scalar",
            "rdiv_scalar",
        )
    },
    "add_broadcast": [((), (3,)), ((2, 1, 4), (3, 1))],
    "sub_broadcast": [((5,), ()), ((4, 1), (1, 6))],
    "mul_broadcast": [((2, 3, 1), (1, 3, 4)), ((3,), (2, 3))],
    "div": [((2, 1), (1, 3))],
    "pow_tensor": [((3, 1), (4,))],
    "maximum": [((2, 1, 3), (4, 1))],
    "sum_all": [((5,),), ((2, 3, 4, 5),)],
    "mean_axis": [((3, 4),), ((2, 5, 3, 2),)],
    "max_axis": [((4, 2, 6),)],
    "var_unbiased": [((7, 2, 3),)],
    "logsumexp": [((2, 3, 6),)],
    "softmax": [((2, 3, 7),), ((6,),)],
    "log_softmax": [((2, 3, 7),)],
    "matmul_2d": [((1, 7), (7, 2))],
    "matmul_batched_broadcast": [((3, 2, 5), (5, 4))],
    "linear": [((2, 3, 5), (4, 5), (4,))],
    "conv2d": [((1, 3, 8, 6), (2, 3, 3, 3), (2,))],
    "max_pool2d": [((1, 3, 6, 6),)],
    "layer_norm": [((4, 6), (6,), (6,))],
    "mse_loss": [((7,), (7,)), ((2, 3, 4), (2, 3, 4))],
    "huber_loss": [((9,), (9,))],
}


def shape_sets(case: OpCase) -> list[tuple[tuple[int, ...], ...]]:
    """The case's own input shapes followed by any extra shape combinations to exercise."""
    return [case.shapes] + MORE_SHAPES.get(case.name, [])
