"""Vision building blocks: ViT patch embedding, ResNet blocks, FPN top-down merge (seed 004 §22.2,
§22.3, §26.1, §26.4). Parameter names mirror torchvision's BasicBlock / Bottleneck."""

from __future__ import annotations

import numpy as np

from nnfoundation import functional as F
from nnfoundation.nn.conv import Conv2d
from nnfoundation.nn.module import Module, ModuleList, Parameter, Sequential, default_rng
from nnfoundation.nn.normalization import BatchNorm2d
from nnfoundation.ops import concat
from nnfoundation.tensor import Tensor


class PatchEmbedding(Module):
    """S = [c_cls; x_1 W_e; ...; x_P W_e] + PE (seed 004 eqs. 26.11–26.17).

    The linear projection of flattened P×P patches is a convolution with kernel = stride = P.
    forward(images (N, C, H, W)) → tokens (N, 1 + (H/P)(W/P), d).
    """

    def __init__(
        self,
        image_size: int,
        patch_size: int,
        in_channels: int,
        embed_dim: int,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"PatchEmbedding: image_size {image_size} is not a multiple of patch_size {patch_size}")
        rng = default_rng(rng)
        self.patch_size = patch_size
        num_patches = (image_size // patch_size) ** 2
        self.proj = Conv2d(in_channels, embed_dim, patch_size, stride=patch_size, rng=rng, dtype=dtype)
        self.cls_token = Parameter((rng.standard_normal((1, 1, embed_dim)) * 0.02).astype(dtype))
        self.pos_embedding = Parameter((rng.standard_normal((1, num_patches + 1, embed_dim)) * 0.02).astype(dtype))

    def forward(self, images: Tensor) -> Tensor:
        patches = self.proj(images).flatten(2).transpose(1, 2)  # (N, P, d)
        cls = self.cls_token.broadcast_to((images.shape[0], 1, patches.shape[2]))
        tokens = concat([cls, patches], axis=1)
        if tokens.shape[1] != self.pos_embedding.shape[1]:
            raise ValueError(
                f"PatchEmbedding: got {tokens.shape[1] - 1} patches from input {images.shape}, "
                f"expected {self.pos_embedding.shape[1] - 1}; resize the images"
            )
        return tokens + self.pos_embedding


def _projection_shortcut(in_channels: int, out_channels: int, stride: int, rng, dtype) -> Sequential | None:
    """1×1 convolution + BN matching the residual's shape when stride or width change (seed 004 §22.2)."""
    if stride == 1 and in_channels == out_channels:
        return None
    return Sequential(
        Conv2d(in_channels, out_channels, 1, stride=stride, bias=False, rng=rng, dtype=dtype),
        BatchNorm2d(out_channels, dtype=dtype),
    )


class BasicBlock(Module):
    """y = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x))))) + shortcut(x)) (ResNet-18/34 block)."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        stride: int = 1,
        rng: np.random.Generator | None = None,
        dtype=np.float32,
    ):
        super().__init__()
        rng = default_rng(rng)
        self.conv1 = Conv2d(in_channels, out_channels, 3, stride, 1, bias=False, rng=rng, dtype=dtype)
        self.bn1 = BatchNorm2d(out_channels, dtype=dtype)
        self.conv2 = Conv2d(out_channels, out_channels, 3, 1, 1, bias=False, rng=rng, dtype=dtype)
        self.bn2 = BatchNorm2d(out_channels, dtype=dtype)
        self.downsample = _projection_shortcut(in_channels, out_channels, stride, rng, dtype)

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class Bottleneck(Module):
    """1×1 reduce → 3×3 (stride here) → 1×1 expand ×4, plus shortcut (ResNet-50, seed 004 §22.2)."""

    expansion = 4

    def __init__(
        self, in_channels: int, width: int, stride: int = 1, rng: np.random.Generator | None = None, dtype=np.float32
    ):
        super().__init__()
        rng = default_rng(rng)
        out_channels = width * self.expansion
        self.conv1 = Conv2d(in_channels, width, 1, bias=False, rng=rng, dtype=dtype)
        self.bn1 = BatchNorm2d(width, dtype=dtype)
        self.conv2 = Conv2d(width, width, 3, stride, 1, bias=False, rng=rng, dtype=dtype)
        self.bn2 = BatchNorm2d(width, dtype=dtype)
        self.conv3 = Conv2d(width, out_channels, 1, bias=False, rng=rng, dtype=dtype)
        self.bn3 = BatchNorm2d(out_channels, dtype=dtype)
        self.downsample = _projection_shortcut(in_channels, out_channels, stride, rng, dtype)

    def forward(self, x: Tensor) -> Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class FeaturePyramid(Module):
    """FPN top-down merge M_i = Upsample₂(M_{i+1}) + conv1×1(F_i), output P_i = conv3×3(M_i)
    (seed 004 eqs. 22.21–22.26). forward([F_2, ..., F_5], finest first, each level half the size of
    the previous) → [P_2, ..., P_5], all with `out_channels` channels."""

    def __init__(
        self, in_channels: list[int], out_channels: int, rng: np.random.Generator | None = None, dtype=np.float32
    ):
        super().__init__()
        rng = default_rng(rng)
        self.inner_blocks = ModuleList(Conv2d(c, out_channels, 1, rng=rng, dtype=dtype) for c in in_channels)
        self.layer_blocks = ModuleList(
            Conv2d(out_channels, out_channels, 3, padding=1, rng=rng, dtype=dtype) for _ in in_channels
        )

    def forward(self, features: list[Tensor]) -> list[Tensor]:
        if len(features) != len(self.inner_blocks):
            raise ValueError(f"FeaturePyramid built for {len(self.inner_blocks)} levels got {len(features)}")
        merged = self.inner_blocks[-1](features[-1])
        outputs = [self.layer_blocks[-1](merged)]
        for level in range(len(features) - 2, -1, -1):
            lateral = self.inner_blocks[level](features[level])
            if lateral.shape[2:] != (2 * merged.shape[2], 2 * merged.shape[3]):
                raise ValueError(
                    f"FPN level {level} has size {lateral.shape[2:]}, expected twice the coarser "
                    f"level {merged.shape[2:]}"
                )
            merged = lateral + F.upsample_nearest2d(merged, 2)
            outputs.insert(0, self.layer_blocks[level](merged))
        return outputs
