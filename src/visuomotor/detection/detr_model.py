"""A small DETR built from scratch (no pretrained weights can be downloaded), with its image processor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DetrSize:
    """DETR hyper-parameters (seed 004 §24). The defaults suit a few classes of simple sim objects."""

    backbone: str = "resnet10t"
    d_model: int = 128
    encoder_layers: int = 2
    decoder_layers: int = 2
    attention_heads: int = 4
    ffn_dim: int = 512
    num_queries: int = 20
    image_size: int = 640  # longest image side the processor resizes to, pixels


def build_detr(class_names: list[str], size: DetrSize = DetrSize()):
    """(DetrForObjectDetection randomly initialised, DetrImageProcessor) for these classes."""
    from transformers import DetrConfig, DetrForObjectDetection, DetrImageProcessor

    config = DetrConfig(  # type: ignore[call-arg]  # the legacy backbone options reach __post_init__ via **kwargs
        use_pretrained_backbone=False,
        use_timm_backbone=True,
        backbone=size.backbone,
        num_labels=len(class_names),
        id2label=dict(enumerate(class_names)),
        label2id={name: i for i, name in enumerate(class_names)},
        d_model=size.d_model,
        encoder_layers=size.encoder_layers,
        decoder_layers=size.decoder_layers,
        encoder_attention_heads=size.attention_heads,
        decoder_attention_heads=size.attention_heads,
        encoder_ffn_dim=size.ffn_dim,
        decoder_ffn_dim=size.ffn_dim,
        num_queries=size.num_queries,
    )
    processor = DetrImageProcessor(size={"shortest_edge": size.image_size, "longest_edge": size.image_size})
    return DetrForObjectDetection(config), processor


def save_detr(model, processor, directory: Path) -> None:
    """Write model + processor so DetrDetector / from_pretrained can load them offline."""
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    processor.save_pretrained(directory)
