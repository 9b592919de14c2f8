"""INT8 min-max quantisation against torch's MinMaxObserver / quantize_per_tensor, pruning against
torch.nn.utils.prune (compression for detector inference, seed 004 §27.4)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.utils.prune as torch_prune
from torch.ao.quantization.observer import MinMaxObserver

from nnfoundation.compress import (
    apply_masks,
    dequantize,
    magnitude_prune_masks,
    minmax_quantization_params,
    quantization_error,
    quantize,
    sparsity_of,
)


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor:UserWarning")  # deprecated, still the reference
@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("low,high,seed", [(-1.0, 3.0, 0), (0.5, 2.0, 1), (-4.0, -0.1, 2), (-0.02, 0.05, 3)])
def test_quantization_matches_torch(symmetric: bool, low: float, high: float, seed: int) -> None:
    x = np.random.default_rng(seed).uniform(low, high, size=5000).astype(np.float32)
    dtype, scheme = (torch.qint8, torch.per_tensor_symmetric) if symmetric else (torch.quint8, torch.per_tensor_affine)
    observer = MinMaxObserver(dtype=dtype, qscheme=scheme)
    observer(torch.from_numpy(x))
    torch_scale, torch_zero = observer.calculate_qparams()
    params = minmax_quantization_params(x, symmetric=symmetric)
    assert params.scale == pytest.approx(float(torch_scale), rel=1e-6)
    assert params.zero_point == int(torch_zero)
    assert (params.qmin, params.qmax) == ((-128, 127) if symmetric else (0, 255))
    quantized = quantize(x, params)
    reference = (
        torch.quantize_per_tensor(torch.from_numpy(x), float(torch_scale), int(torch_zero), dtype).int_repr().numpy()
    )
    # torch rounds x·(1/s) in float32; values within float32 noise of a .5 boundary may differ by one step
    assert np.abs(quantized - reference).max() <= 1
    assert np.mean(quantized != reference) < 1e-3
    error = quantization_error(x, params)
    assert error.max_abs <= params.scale / 2 + 1e-9
    np.testing.assert_allclose(dequantize(quantize(0.0, params), params), 0.0, atol=0)


def test_constant_zero_tensor_quantizes_without_division_by_zero() -> None:
    params = minmax_quantization_params(np.zeros(4), symmetric=False)
    assert params.scale > 0 and np.all(quantize(np.zeros(4), params) == params.zero_point)


@pytest.mark.parametrize("sparsity", [0.0, 0.3, 0.5, 0.9, 1.0])
def test_layerwise_pruning_matches_torch_l1_unstructured(sparsity: float) -> None:
    rng = np.random.default_rng(7)
    weights = {"conv": rng.normal(size=(8, 3, 3, 3)), "fc": rng.normal(size=(10, 17))}
    masks = magnitude_prune_masks(weights, sparsity, scope="layer")
    for name, value in weights.items():
        module = torch.nn.Module()
        module.weight = torch.nn.Parameter(torch.from_numpy(value))
        torch_prune.l1_unstructured(module, "weight", amount=sparsity)
        np.testing.assert_array_equal(masks[name], module.weight_mask.numpy().astype(bool))


@pytest.mark.parametrize("sparsity", [0.25, 0.6])
def test_global_pruning_matches_torch_global_unstructured(sparsity: float) -> None:
    rng = np.random.default_rng(11)
    weights = {"a": rng.normal(size=(20, 5)), "b": 3 * rng.normal(size=(7, 7)), "c": 0.1 * rng.normal(size=(33,))}
    modules = {}
    for name, value in weights.items():
        modules[name] = torch.nn.Module()
        modules[name].weight = torch.nn.Parameter(torch.from_numpy(value))
    torch_prune.global_unstructured(
        [(m, "weight") for m in modules.values()], pruning_method=torch_prune.L1Unstructured, amount=sparsity
    )
    masks = magnitude_prune_masks(weights, sparsity, scope="global")
    for name in weights:
        np.testing.assert_array_equal(masks[name], modules[name].weight_mask.numpy().astype(bool))
    total = sum(v.size for v in weights.values())
    assert sparsity_of(apply_masks(weights, masks)) == pytest.approx(round(sparsity * total) / total)


def test_pruning_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="sparsity must be a fraction"):
        magnitude_prune_masks({"w": np.ones(3)}, 1.5)
    with pytest.raises(ValueError, match="unknown pruning scope"):
        magnitude_prune_masks({"w": np.ones(3)}, 0.5, scope="channel")
    with pytest.raises(ValueError, match="non-empty array of finite values"):
        minmax_quantization_params(np.array([np.nan]), symmetric=True)
