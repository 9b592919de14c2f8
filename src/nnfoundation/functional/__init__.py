"""The functional layer: stateless differentiable functions under `nnfoundation.nn` modules."""

from nnfoundation.functional.activations import leaky_relu, log_softmax, relu, sigmoid, softmax, tanh
from nnfoundation.functional.attention import causal_mask, padding_mask, scaled_dot_product_attention
from nnfoundation.functional.conv import avg_pool2d, conv2d, conv_output_size, max_pool2d, upsample_nearest2d
from nnfoundation.functional.linear import dropout, linear
from nnfoundation.functional.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    box_regression_loss,
    categorical_cross_entropy,
    cross_entropy_with_logits,
    gaussian_kl_to_standard_normal,
    generalized_box_iou,
    giou_loss,
    huber_loss,
    kl_divergence_with_logits,
    l1_loss,
    masked_sequence_cross_entropy,
    masked_sequence_mse_loss,
    mse_loss,
    sigmoid_focal_loss,
)
from nnfoundation.functional.normalization import batch_norm, group_norm, instance_norm, layer_norm

__all__ = [
    "avg_pool2d",
    "batch_norm",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "box_regression_loss",
    "categorical_cross_entropy",
    "causal_mask",
    "conv2d",
    "conv_output_size",
    "cross_entropy_with_logits",
    "dropout",
    "gaussian_kl_to_standard_normal",
    "generalized_box_iou",
    "giou_loss",
    "group_norm",
    "huber_loss",
    "instance_norm",
    "kl_divergence_with_logits",
    "l1_loss",
    "layer_norm",
    "leaky_relu",
    "linear",
    "log_softmax",
    "masked_sequence_cross_entropy",
    "masked_sequence_mse_loss",
    "max_pool2d",
    "mse_loss",
    "padding_mask",
    "relu",
    "scaled_dot_product_attention",
    "sigmoid",
    "sigmoid_focal_loss",
    "softmax",
    "tanh",
    "upsample_nearest2d",
]
