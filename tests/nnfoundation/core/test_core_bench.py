"""The benchmark workloads run and `visuomotor bench nn --json` prints one JSON object last
(timings are reported by the command, never asserted)."""

import json
import time

import numpy as np

from nnfoundation import bench
from visuomotor.cli import main


def test_bench_workloads_compute_what_they_claim():
    config = bench.BenchConfig(
        mlp_sizes=(20, 16, 4),
        mlp_batch=8,
        conv_input=(2, 3, 8, 8),
        transformer_batch=2,
        transformer_length=5,
        d_model=16,
        heads=2,
        dim_feedforward=32,
    )
    data = bench.inputs(config)
    step = bench.mlp_train_step(config, data)
    first = step()
    assert np.isfinite(first) and first > 0
    assert np.mean([step() for _ in range(30)]) < first  # SGD steps on one batch lower its loss
    bench.conv_forward_backward(config, data)()
    assert bench.transformer_block_forward(config, data)().shape == (2, 5, 16)
    calls = []
    fast, slow = bench.paired_milliseconds(
        lambda: calls.append("a"), lambda: time.sleep(0.002) or calls.append("b"), repeats=3, warmup=1
    )
    assert calls == ["a", "b"] * 4 and fast < slow and slow >= 2.0


def test_bench_nn_command_emits_json(capsys):
    assert main(["bench", "nn", "--repeats", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    for workload in ("mlp_train_step", "conv2d_forward_backward", "transformer_block_forward"):
        entry = result[workload]
        assert entry["nnfoundation_ms"] > 0 and entry["torch_ms"] > 0
        ratio = entry["torch_ms"] / entry["nnfoundation_ms"]  # both rounded to µs, so compare loosely
        assert abs(entry["speed_vs_torch"] - ratio) <= 0.05 * ratio
    assert result["threads"] == 1


def test_bench_nn_rejects_bad_thread_count(capsys):
    assert main(["bench", "nn", "--threads", "0"]) == 2
    assert "--threads" in capsys.readouterr().err
