"""Loss functions (seed 004 ch. 4, §25.3, §27.2.7, §27.4.2; seed 000 §9, §14; seed 002 §14).

`reduction` is "mean" (average over the elements, or over samples where stated), "sum" or "none".
Class scores live on the last axis: logits (..., C), integer targets (...).
"""

from __future__ import annotations

import numpy as np

from nnfoundation.functional.activations import log_softmax, softmax
from nnfoundation.ops import maximum, minimum, where
from nnfoundation.tensor import Tensor

REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"reduction '{reduction}' is not one of {REDUCTIONS}")


def _target(target, like: Tensor) -> Tensor:
    return target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=like.dtype))


def mse_loss(prediction: Tensor, target, reduction: str = "mean") -> Tensor:
    """(ŷ - y)² averaged over all elements (seed 004 §4.2). Seed 000 §9 averages ‖ŷ - y‖² over samples
    only, which is this value times the feature count."""
    diff = prediction - _target(target, prediction)
    return _reduce(diff * diff, reduction)


def l1_loss(prediction: Tensor, target, reduction: str = "mean") -> Tensor:
    """Mean absolute error |ŷ - y|."""
    return _reduce((prediction - _target(target, prediction)).abs(), reduction)


def huber_loss(prediction: Tensor, target, delta: float = 1.0, reduction: str = "mean") -> Tensor:
    """½ d² for |d| ≤ δ, δ(|d| - δ/2) otherwise, d = ŷ - y (seed 004 eqs. 4.19–4.20)."""
    diff = prediction - _target(target, prediction)
    size = diff.abs()
    return _reduce(where(size.data <= delta, diff * diff * 0.5, (size - 0.5 * delta) * delta), reduction)


def binary_cross_entropy(probability: Tensor, target, reduction: str = "mean") -> Tensor:
    """-[y ln ŷ + (1 - y) ln(1 - ŷ)] (seed 000 §1, §9; seed 004 §4.3); each log clamped at -100 like torch."""
    y = _target(target, probability)
    log_p = probability.log().clip(low=-100.0)
    log_not_p = (1.0 - probability).log().clip(low=-100.0)
    return _reduce(-(y * log_p + (1.0 - y) * log_not_p), reduction)


def binary_cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """BCE of σ(z) written stably: max(z, 0) - z y + ln(1 + e^-|z|) (seed 004 §4.3, §11.2)."""
    y = _target(target, logits)
    return _reduce(logits.relu() - logits * y + (-logits.abs()).exp().log1p(), reduction)


def categorical_cross_entropy(probability: Tensor, target_probability, reduction: str = "mean") -> Tensor:
    """-Σ_c y_c ln ŷ_c per sample, averaged over samples (seed 000 §9, seed 004 §4.4)."""
    per_sample = -(_target(target_probability, probability) * probability.log()).sum(axis=-1)
    return _reduce(per_sample, reduction)


def cross_entropy_with_logits(logits: Tensor, target, reduction: str = "mean") -> Tensor:
    """CCE from logits via log-softmax: -Σ_c y_c (z'_c - logsumexp z') (seed 004 eq. 11.5).

    target: integer class indices of shape logits.shape[:-1], or class probabilities like logits.
    """
    log_p = log_softmax(logits, axis=-1)
    target_array = target.data if isinstance(target, Tensor) else np.asarray(target)
    if np.issubdtype(target_array.dtype, np.integer):
        if target_array.shape != logits.shape[:-1]:
            raise ValueError(
                f"class-index target of shape {target_array.shape} must match logits "
                f"{logits.shape} without its last (class) axis"
            )
        flat = log_p.reshape(-1, logits.shape[-1])
        picked = flat[np.arange(flat.shape[0]), target_array.reshape(-1)].reshape(target_array.shape)
        return _reduce(-picked, reduction)
    return _reduce(-(_target(target, logits) * log_p).sum(axis=-1), reduction)


def sigmoid_focal_loss(
    logits: Tensor, target, alpha: float = 0.25, gamma: float = 2.0, reduction: str = "mean"
) -> Tensor:
    """Focal loss -α_t (1 - p_t)^γ ln p_t on binary logits (seed 004 eq. 27.24, RetinaNet's α_t weighting).

    p_t = p y + (1 - p)(1 - y) with p = σ(z); α_t = α y + (1 - α)(1 - y); α < 0 disables the weighting.
    """
    y = _target(target, logits)
    p = logits.sigmoid()
    ce = binary_cross_entropy_with_logits(logits, y, reduction="none")
    p_t = p * y + (1.0 - p) * (1.0 - y)
    loss = ce * (1.0 - p_t) ** gamma
    if alpha >= 0:
        loss = loss * (y * alpha + (1.0 - y) * (1.0 - alpha))
    return _reduce(loss, reduction)


def generalized_box_iou(boxes_a: Tensor, boxes_b: Tensor, eps: float = 1e-7) -> Tensor:
    """GIoU = IoU - |C \\ (A ∪ B)| / |C| for paired xyxy boxes (..., 4), C the smallest enclosing box
    (seed 004 eqs. 23.9–23.11 for IoU, §25.3 for its use in DETR)."""
    ax1, ay1, ax2, ay2 = (boxes_a[..., i] for i in range(4))
    bx1, by1, bx2, by2 = (boxes_b[..., i] for i in range(4))
    area_a = (ax2 - ax1) * (ay2 - ay1)
    area_b = (bx2 - bx1) * (by2 - by1)
    inter_w = (minimum(ax2, bx2) - maximum(ax1, bx1)).clip(low=0.0)
    inter_h = (minimum(ay2, by2) - maximum(ay1, by1)).clip(low=0.0)
    intersection = inter_w * inter_h
    union = area_a + area_b - intersection
    iou = intersection / (union + eps)
    hull = (maximum(ax2, bx2) - minimum(ax1, bx1)) * (maximum(ay2, by2) - minimum(ay1, by1))
    return iou - (hull - union) / (hull + eps)


def giou_loss(predicted_boxes: Tensor, target_boxes, reduction: str = "mean") -> Tensor:
    """1 - GIoU per box pair (seed 004 eq. 27.26)."""
    return _reduce(1.0 - generalized_box_iou(predicted_boxes, _target(target_boxes, predicted_boxes)), reduction)


def box_regression_loss(
    predicted_boxes: Tensor, target_boxes, l1_weight: float = 5.0, giou_weight: float = 2.0
) -> Tensor:
    """DETR box loss λ_L1 ‖b - b̂‖₁ + λ_GIoU (1 - GIoU), averaged over boxes (seed 004 §25.3: "L_box
    combines L1 and GIoU losses"; the weights 5 and 2 are DETR's defaults)."""
    target = _target(target_boxes, predicted_boxes)
    l1 = (predicted_boxes - target).abs().sum(axis=-1).mean()
    return l1 * l1_weight + giou_loss(predicted_boxes, target) * giou_weight


def _sequence_mask(mask, like: Tensor) -> np.ndarray:
    mask = np.asarray(mask.data if isinstance(mask, Tensor) else mask).astype(like.dtype)
    if mask.ndim != 2:
        raise ValueError(f"sequence mask must have shape (N, T), got {mask.shape}")
    if np.any(mask.sum(axis=1) == 0):
        raise ValueError("every sequence needs at least one valid step in the mask (a row of zeros found)")
    return mask


def masked_sequence_mse_loss(prediction: Tensor, target, mask) -> Tensor:
    """(1/N) Σ_i (1/T_i) Σ_t m_it ‖y_it - ŷ_it‖², T_i = Σ_t m_it (seed 000 §14, seed 002 §14).

    prediction, target: (N, T, D); mask: (N, T), 1 for real steps, 0 for padding.
    """
    m = _sequence_mask(mask, prediction)
    diff = prediction - _target(target, prediction)
    per_step = (diff * diff).sum(axis=-1) * m
    return (per_step.sum(axis=1) / m.sum(axis=1)).mean()


def masked_sequence_cross_entropy(logits: Tensor, target, mask) -> Tensor:
    """(1/N) Σ_i (1/T_i) Σ_t m_it CE(z_it, y_it): per-sequence mean over real steps, then over
    sequences (the seq→seq averaging of seed 000 §14 applied to the CCE of seed 000 §9).

    logits: (N, T, C); target: (N, T) integer classes; mask: (N, T).
    """
    m = _sequence_mask(mask, logits)
    per_step = cross_entropy_with_logits(logits, np.asarray(target), reduction="none") * m
    return (per_step.sum(axis=1) / m.sum(axis=1)).mean()


def kl_divergence_with_logits(student_logits: Tensor, teacher_logits, temperature: float = 1.0) -> Tensor:
    """Distillation term T² · KL(p_teacher ‖ p_student), p = softmax(z / T), averaged over samples
    (seed 004 eq. 27.29; the T² factor keeps gradient magnitudes independent of T, Hinton et al.)."""
    teacher = _target(teacher_logits, student_logits)
    log_student = log_softmax(student_logits / temperature, axis=-1)
    log_teacher = log_softmax(teacher / temperature, axis=-1)
    p_teacher = softmax(teacher / temperature, axis=-1)
    per_sample = (p_teacher * (log_teacher - log_student)).sum(axis=-1)
    return per_sample.mean() * temperature**2


def gaussian_kl_to_standard_normal(mean: Tensor, log_variance: Tensor) -> Tensor:
    """KL(N(μ, diag σ²) ‖ N(0, I)) = -½ Σ_j (1 + ln σ_j² - μ_j² - σ_j²), averaged over samples (CVAE)."""
    per_sample = ((log_variance + 1.0) - mean * mean - log_variance.exp()).sum(axis=-1) * -0.5
    return per_sample.mean()
