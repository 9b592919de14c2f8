"""DETR training from scratch: trainable batch norms load back frozen with identical outputs; a run
checkpoints, resumes and writes a loadable model."""

import json

import torch

from visuomotor.detection import DetectorConfig, load_detector
from visuomotor.detection.detr_model import DetrSize, build_detr, save_detr
from visuomotor.detection.detr_training import DetrTrainConfig, frozen_copy, train_detr, trainable_batch_norm


def test_trained_batch_norm_statistics_survive_save_and_load(tmp_path):
    from transformers import AutoModelForObjectDetection

    torch.manual_seed(0)
    model, processor = build_detr(
        ["a", "b"],
        DetrSize(
            d_model=32, encoder_layers=1, decoder_layers=1, attention_heads=2, ffn_dim=64, num_queries=5, image_size=128
        ),
    )
    trainable_batch_norm(model)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert norms and all(m.weight.requires_grad for m in norms)
    model.train()
    model(pixel_values=torch.randn(2, 3, 96, 128) * 3 + 1)  # moves the running statistics
    assert not torch.allclose(norms[0].running_mean, torch.zeros_like(norms[0].running_mean))
    model.eval()
    pixels = torch.randn(1, 3, 96, 128)
    with torch.no_grad():
        expected = model(pixel_values=pixels)
    save_detr(frozen_copy(model), processor, tmp_path)
    reloaded = AutoModelForObjectDetection.from_pretrained(tmp_path).float().eval()
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in reloaded.modules())
    with torch.no_grad():
        actual = reloaded(pixel_values=pixels)
    torch.testing.assert_close(actual.logits, expected.logits, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(actual.pred_boxes, expected.pred_boxes, atol=1e-4, rtol=1e-4)


def test_detr_training_checkpoints_and_resumes(sim_dataset, tmp_path):
    data_dir, _spec, summary = sim_dataset
    config = DetrTrainConfig(epochs=1, image_size=128, batch=2)
    model_dir = train_detr(data_dir, tmp_path, summary["class_names"], config)
    assert (tmp_path / "detr" / "checkpoint.pt").is_file()
    train_detr(
        data_dir, tmp_path, summary["class_names"], DetrTrainConfig(epochs=2, image_size=128, batch=2), resume=True
    )
    history = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert [row["epoch"] for row in history] == [1, 2]
    assert all(row["train_loss"] > 0 and 0 <= row["val_map50"] <= 1 for row in history)
    detector = load_detector(DetectorConfig("detr", str(model_dir), confidence=0.0))
    assert detector.image_size == 128 and detector.class_names == summary["class_names"]
