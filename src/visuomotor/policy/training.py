"""ACT training loop: AdamW on L1 + β·KL (visuomotor.policy.act), one process or data-parallel under torchrun.

Data parallelism (DistributedDataParallel): a DistributedSampler splits every epoch's shuffled permutation
so that the W per-process batches of `batch_size / W` samples together form exactly the global batch a
single process would take; the CVAE noise ε is drawn for the whole global batch from a generator seeded by
(seed, step) and each rank takes its samples' rows; DDP averages the gradients. With dropout 0 a W-process
run therefore follows the 1-process run up to floating-point summation order. Only rank 0 logs, shows the
tqdm bar and writes checkpoints.

Resume: `--out` holding training_state.* continues at the saved step with the saved optimizer moments and RNG.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch.utils.data import DataLoader, DistributedSampler

from visuomotor.policy.act import ACT, ACTConfig, act_loss
from visuomotor.policy.checkpoint import load_policy, save_policy
from visuomotor.policy.config import TrainConfig
from visuomotor.policy.dataset import ChunkDataset, episode_files
from visuomotor.policy.distributed import DistributedContext, pick_device, start_distributed, stop_distributed
from visuomotor.policy.training_state import has_training_state, load_training_state, save_training_state

LOG_FILE = "train_log.jsonl"


def learning_rate(config: TrainConfig, step: int) -> float:
    """Learning rate of optimizer step `step` (0-based): constant, or cosine-annealed from lr to 0 over
    config.steps (SGDR without restarts, Loshchilov & Hutter 2017)."""
    if config.lr_schedule == "cosine":
        return config.lr * 0.5 * (1.0 + math.cos(math.pi * step / config.steps))
    return config.lr


@dataclass
class TrainResult:
    out: Path
    step: int  # last completed step
    losses: list[float] = field(default_factory=list)  # global-batch loss of every step run in this call
    seconds: float = 0.0


def train_policy(config: TrainConfig, act_config: ACTConfig, info: dict | None = None) -> TrainResult:
    """Train (or resume) an ACT policy; checkpoints go to config.out. Call under torchrun for DDP."""
    device_kind = (
        "cuda" if config.device.startswith("cuda") or (config.device == "auto" and torch.cuda.is_available()) else "cpu"
    )
    context = start_distributed(device_kind)
    try:
        return _train(config, act_config, context, info or {})
    finally:
        stop_distributed(context)


def _train(config: TrainConfig, act_config: ACTConfig, context: DistributedContext, info: dict) -> TrainResult:
    if config.batch_size % context.world_size:
        raise ValueError(
            f"batch_size = {config.batch_size} is not divisible by the {context.world_size} "
            "processes; pick a multiple of the process count"
        )
    device = pick_device(config.device, context)
    out = Path(config.out)
    resuming = has_training_state(out)
    torch.manual_seed(config.seed)  # identical initial weights on every rank
    if resuming:
        model, stats, _ = load_policy(out)
        if model.config != act_config:
            raise ValueError(
                f"{out} holds a run with a different model config; use a fresh --out or the same "
                f"options (saved: {model.config})"
            )
        model.train()
    else:
        model = ACT(act_config)
        stats = None
        if config.pretrained_backbone:
            if model.image_tokens is None:
                raise ValueError("pretrained_backbone needs image mode; add cameras to the model config")
            model.image_tokens.load_pretrained_trunk(config.pretrained_backbone)
    dataset = ChunkDataset(
        episode_files(config.data),
        act_config.chunk_size,
        stats,
        act_config.camera_names,
        (act_config.image_height, act_config.image_width),
        act_config.relative_joints,
    )
    model = model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    start_step = 0
    torch.manual_seed(config.seed + 1000 * context.rank)
    if resuming:
        start_step = load_training_state(out, optimizer, restore_rng=context.is_main)["step"]
        if not context.is_main:
            torch.manual_seed(config.seed + 1000 * context.rank + start_step)
    wrapped: torch.nn.Module = model
    if context.enabled:
        wrapped = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )

    per_rank = config.batch_size // context.world_size
    sampler: DistributedSampler[dict] = DistributedSampler(
        dataset, num_replicas=context.world_size, rank=context.rank, shuffle=True, seed=config.seed, drop_last=True
    )
    steps_per_epoch = len(sampler) // per_rank
    if steps_per_epoch < 1:
        raise ValueError(
            f"{len(dataset)} samples cannot fill one global batch of {config.batch_size}; "
            "record more demos or lower --batch-size"
        )
    info = {
        **info,
        "train": asdict(config),
        "samples": len(dataset),
        "episodes": len(dataset.files),
        "demo_seeds": dataset.episode_seeds,
        "world_size": context.world_size,
    }
    result = TrainResult(out, start_step)
    progress = _progress(config, context, start_step)
    started = time.monotonic()
    step = start_step
    try:
        while step < config.steps:
            epoch, within = divmod(step, steps_per_epoch)
            sampler.set_epoch(epoch)
            indices = list(sampler)
            batches = [indices[i * per_rank : (i + 1) * per_rank] for i in range(within, steps_per_epoch)]
            loader = DataLoader(dataset, batch_sampler=batches, num_workers=config.num_workers)
            for batch in loader:
                metrics = _train_step(wrapped, optimizer, batch, step, config, act_config, context, device)
                step += 1
                result.losses.append(metrics["loss"])
                if context.is_main:
                    _report(progress, out, step, metrics, started, config)
                    if step % config.checkpoint_every == 0:
                        _checkpoint(out, model, dataset, optimizer, step, config, info)
                if step >= config.steps or _out_of_time(config, started, context, device):
                    break
            if step < config.steps and _out_of_time(config, started, context, device):
                break
    finally:
        if progress is not None:
            progress.close()
    if context.is_main and step % config.checkpoint_every != 0:
        _checkpoint(out, model, dataset, optimizer, step, config, info)
    context.barrier()
    result.step = step
    result.seconds = time.monotonic() - started
    return result


def _train_step(
    model,
    optimizer,
    batch: dict,
    step: int,
    config: TrainConfig,
    act_config: ACTConfig,
    context: DistributedContext,
    device: torch.device,
) -> dict[str, float]:
    batch = {name: tensor.to(device, non_blocking=True) for name, tensor in batch.items()}
    generator = torch.Generator().manual_seed(config.seed * 1_000_003 + step)
    noise = torch.randn(config.batch_size, act_config.latent_dim, generator=generator)  # (B_global, L)
    noise = noise[context.rank :: context.world_size].to(device)  # this rank's rows
    output = model(batch["state"], batch.get("images"), batch["actions"], batch["is_pad"], noise)
    losses = act_loss(output, batch["actions"], batch["is_pad"], act_config.kl_weight)
    if not torch.isfinite(losses["loss"]):
        raise FloatingPointError(
            f"training loss became {losses['loss'].item()} at step {step}; lower --lr or "
            "check the demonstrations for NaN"
        )
    for group in optimizer.param_groups:
        group["lr"] = learning_rate(config, step)
    optimizer.zero_grad(set_to_none=True)
    losses["loss"].backward()
    optimizer.step()
    return {name: context.mean(value).item() for name, value in losses.items()}


def _out_of_time(config: TrainConfig, started: float, context: DistributedContext, device: torch.device) -> bool:
    """Every rank must agree, so rank 0's clock decides (the flag lives on `device` for NCCL)."""
    if config.time_limit_s <= 0:
        return False
    flag = torch.tensor([float(time.monotonic() - started >= config.time_limit_s)], device=device)
    if context.enabled:
        torch.distributed.broadcast(flag, src=0)
    return bool(flag.item())


def _progress(config: TrainConfig, context: DistributedContext, start_step: int):
    if not (context.is_main and config.progress):
        return None
    from tqdm import tqdm

    return tqdm(total=config.steps, initial=start_step, desc="train policy", unit="step", dynamic_ncols=True)


def _report(progress, out: Path, step: int, metrics: dict, started: float, config: TrainConfig) -> None:
    if progress is not None:
        progress.update(1)
        progress.set_postfix(
            loss=f"{metrics['loss']:.4f}", l1=f"{metrics['l1']:.4f}", kl=f"{metrics['kl']:.3f}", refresh=False
        )
    if step % config.log_every == 0:
        out.mkdir(parents=True, exist_ok=True)
        with open(out / LOG_FILE, "a") as log:
            log.write(json.dumps({"step": step, **metrics, "elapsed_s": round(time.monotonic() - started, 2)}) + "\n")


def _checkpoint(
    out: Path, model: ACT, dataset: ChunkDataset, optimizer, step: int, config: TrainConfig, info: dict
) -> None:
    save_policy(out, model, dataset.stats, {**info, "step": step})
    save_training_state(out, optimizer, step, asdict(config))
