"""Optimisation: optimizers, penalties, clipping, schedules, LR finder, early stopping (seed 004 ch. 8, 13)."""

from nnfoundation.optim.clipping import clip_grad_norm, clip_grad_value
from nnfoundation.optim.early_stopping import EarlyStopping
from nnfoundation.optim.lr_finder import LRFinderResult, find_learning_rate
from nnfoundation.optim.optimizers import SGD, AdaGrad, Adam, AdamW, Optimizer, RMSProp
from nnfoundation.optim.regularization import l1_penalty, l2_penalty
from nnfoundation.optim.schedules import (
    Constant,
    CosineDecay,
    ExponentialDecay,
    InverseTimeDecay,
    LinearWarmup,
    LRScheduler,
    StepDecay,
)

__all__ = [
    "SGD",
    "AdaGrad",
    "Adam",
    "AdamW",
    "Constant",
    "CosineDecay",
    "EarlyStopping",
    "ExponentialDecay",
    "InverseTimeDecay",
    "LRFinderResult",
    "LRScheduler",
    "LinearWarmup",
    "Optimizer",
    "RMSProp",
    "StepDecay",
    "clip_grad_norm",
    "clip_grad_value",
    "find_learning_rate",
    "l1_penalty",
    "l2_penalty",
]
