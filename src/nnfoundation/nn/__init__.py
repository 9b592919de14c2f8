"""Modules: thin stateful wrappers over `nnfoundation.functional` (torch.nn-like)."""

from nnfoundation.nn.attention import (
    LearnedPositionalEncoding,
    MultiheadAttention,
    SinusoidalPositionalEncoding,
    sinusoidal_table,
)
from nnfoundation.nn.conv import AvgPool2d, Conv2d, MaxPool2d
from nnfoundation.nn.layers import Dropout, Flatten, LeakyReLU, Linear, ReLU, Sigmoid, Tanh
from nnfoundation.nn.module import Module, ModuleList, Parameter, Sequential
from nnfoundation.nn.normalization import BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm2d, LayerNorm
from nnfoundation.nn.recurrent import LSTM, RNN
from nnfoundation.nn.transformer import (
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from nnfoundation.nn.vision import BasicBlock, Bottleneck, FeaturePyramid, PatchEmbedding

__all__ = [
    "LSTM",
    "RNN",
    "AvgPool2d",
    "BasicBlock",
    "BatchNorm1d",
    "BatchNorm2d",
    "Bottleneck",
    "Conv2d",
    "Dropout",
    "FeaturePyramid",
    "Flatten",
    "GroupNorm",
    "InstanceNorm2d",
    "LayerNorm",
    "LeakyReLU",
    "LearnedPositionalEncoding",
    "Linear",
    "MaxPool2d",
    "Module",
    "ModuleList",
    "MultiheadAttention",
    "Parameter",
    "PatchEmbedding",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "SinusoidalPositionalEncoding",
    "Tanh",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "sinusoidal_table",
]
