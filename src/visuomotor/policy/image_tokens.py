"""Camera image → transformer tokens for ACT: a ResNet18 trunk (seed 004 ch. 23; torchvision, random init,
no download) whose last feature map (B, 512, H/32, W/32) is projected by a 1×1 convolution to d_model and
flattened to H/32·W/32 tokens, each with a fixed 2-D sinusoidal position code (DETR / ACT)."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def sinusoidal_positions_2d(height: int, width: int, channels: int) -> torch.Tensor:
    """2-D position code: half the channels encode the row, half the column, each as sin/cos pairs
    PE[p, 2i] = sin(p / 10000^(2i/c)), PE[p, 2i+1] = cos(p / 10000^(2i/c)) with c = channels/2.
    Returns (height·width, channels)."""
    half = channels // 2
    frequency = torch.exp(torch.arange(0, half, 2, dtype=torch.float32) * (-torch.log(torch.tensor(10000.0)) / half))

    def code(length: int) -> torch.Tensor:  # (length, half)
        angle = torch.arange(length, dtype=torch.float32)[:, None] * frequency
        return torch.stack([angle.sin(), angle.cos()], dim=-1).flatten(1)[:, :half]

    rows = code(height)[:, None].expand(height, width, half)
    cols = code(width)[None].expand(height, width, half)
    table = torch.cat([rows, cols], dim=-1)  # (h, w, 2·half)
    if table.shape[-1] < channels:  # odd channel count
        table = torch.cat([table, torch.zeros(height, width, channels - table.shape[-1])], dim=-1)
    return table.reshape(height * width, channels)


class ResNet18Tokens(nn.Module):
    """(B, 3, H, W) float RGB in [0, 1] → (B, ⌈H/32⌉·⌈W/32⌉, d_model) tokens."""

    def __init__(self, d_model: int):
        super().__init__()
        import torchvision

        trunk = torchvision.models.resnet18(weights=None)
        self.trunk = nn.Sequential(*list(trunk.children())[:-2])  # drop avgpool + fc
        self.project = nn.Conv2d(512, d_model, kernel_size=1)
        self.mean: torch.Tensor  # (1, 3, 1, 1) buffers
        self.std: torch.Tensor
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        features = self.project(self.trunk((images - self.mean) / self.std))  # (B, d, h, w)
        _batch, channels, height, width = features.shape
        tokens = features.flatten(2).transpose(1, 2)  # (B, h·w, d)
        return tokens + sinusoidal_positions_2d(height, width, channels).to(tokens)[None]

    def load_pretrained_trunk(self, path: str | Path) -> None:
        """Load ImageNet (or any) ResNet18 weights from a local safetensors file holding a torchvision
        `resnet18().state_dict()` (keys conv1.weight, layer1.0.conv1.weight, ...; fc.* is ignored).
        Convert a torchvision .pth once with:
        `safetensors.torch.save_file(torch.load(p, weights_only=True), "resnet18.safetensors")`."""
        from safetensors.torch import load_file

        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(
                f"no ResNet18 weights at {path}; pass a .safetensors file of resnet18().state_dict()"
            )
        import torchvision

        reference = torchvision.models.resnet18(weights=None)
        weights = {k: v for k, v in load_file(str(path)).items() if not k.startswith("fc.")}
        expected = {k: v.shape for k, v in reference.state_dict().items() if not k.startswith("fc.")}
        missing = sorted(set(expected) - set(weights))
        unexpected = sorted(set(weights) - set(expected))
        mismatched = [k for k in set(expected) & set(weights) if weights[k].shape != expected[k]]
        if missing or unexpected or mismatched:
            raise ValueError(
                f"{path} is not a torchvision resnet18 state dict: missing {missing[:3]}, "
                f"unexpected {unexpected[:3]}, wrong shapes {mismatched[:3]}"
            )
        reference.load_state_dict(weights, strict=False)
        self.trunk.load_state_dict(nn.Sequential(*list(reference.children())[:-2]).state_dict())
