"""`visuomotor bench nn`: nnfoundation vs torch (CPU, same thread count) on three workloads, side by side.

Reports the fastest ms per call of each framework, timed alternately call by call, and
speed = torch_ms / nnfoundation_ms (1.0 = as fast as torch).
"""

from __future__ import annotations

import argparse

from visuomotor.commands import Command, add_json_flag, emit_result
from visuomotor.errors import UserError
from visuomotor.process import configure_process


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads for NumPy and torch (default 1)")
    parser.add_argument("--repeats", type=int, default=30, help="timed calls per workload (fastest reported)")
    add_json_flag(parser)


def _torch_workloads(config, data):
    import torch

    d_in, hidden, classes = config.mlp_sizes
    mlp = torch.nn.Sequential(torch.nn.Linear(d_in, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, classes))
    optimizer = torch.optim.SGD(mlp.parameters(), lr=0.01)
    mlp_x, mlp_y = torch.from_numpy(data["mlp_x"]), torch.from_numpy(data["mlp_y"])

    def mlp_step():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(mlp(mlp_x), mlp_y)
        loss.backward()
        optimizer.step()
        return loss.item()

    conv = torch.nn.Conv2d(
        config.conv_input[1], config.conv_out_channels, config.conv_kernel, padding=config.conv_kernel // 2
    )
    conv_x = torch.from_numpy(data["conv_x"])

    def conv_step():
        x = conv_x.clone().requires_grad_(True)
        conv.zero_grad()
        conv(x).sum().backward()

    block = torch.nn.TransformerEncoderLayer(
        config.d_model, config.heads, config.dim_feedforward, dropout=0.0, batch_first=True
    ).eval()
    tokens = torch.from_numpy(data["tokens"])

    def block_step():
        with torch.inference_mode():
            return block(tokens)

    return {"mlp_train_step": mlp_step, "conv2d_forward_backward": conv_step, "transformer_block_forward": block_step}


def _run(args: argparse.Namespace) -> int:
    if args.threads < 1 or args.repeats < 1:
        raise UserError(f"--threads ({args.threads}) and --repeats ({args.repeats}) must be at least 1")
    import os
    import platform

    import torch
    from threadpoolctl import threadpool_limits

    from nnfoundation import bench

    config = bench.BenchConfig(repeats=args.repeats)
    data = bench.inputs(config)
    ours = {
        "mlp_train_step": bench.mlp_train_step(config, data),
        "conv2d_forward_backward": bench.conv_forward_backward(config, data),
        "transformer_block_forward": bench.transformer_block_forward(config, data),
    }
    configure_process(torch_threads=args.threads)
    theirs = _torch_workloads(config, data)
    result: dict = {
        "threads": args.threads,
        "repeats": args.repeats,
        "cpu_count": os.cpu_count(),
        "machine": platform.processor() or platform.machine(),
        "torch": torch.__version__,
    }
    with threadpool_limits(limits=args.threads):
        for name in ours:
            nn_ms, torch_ms = bench.paired_milliseconds(ours[name], theirs[name], config.repeats, config.warmup)
            result[name] = {
                "nnfoundation_ms": round(nn_ms, 3),
                "torch_ms": round(torch_ms, 3),
                "speed_vs_torch": round(torch_ms / nn_ms, 3),
            }
    emit_result(result, args.json)
    return 0


COMMANDS = [
    Command(
        "bench",
        "nn",
        "time nnfoundation against torch on CPU (MLP step, conv, transformer block)",
        _add_arguments,
        _run,
    )
]
