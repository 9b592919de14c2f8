"""The one torch-parity helper for nnfoundation core (tinygrad's `helper_test_op` style).

`helper_test_op` draws seeded random float inputs, runs the nnfoundation function and the torch
function on the same values, and compares forward outputs and the gradients of every input (and of
every parameter/buffer of a module pair, after copying the nnfoundation weights into torch) under
L = Σ_k Σ (out_k ⊙ G_k) with a seeded random upstream adjoint G_k.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

import nnfoundation as nf

TOLERANCE = {np.float64: dict(rtol=1e-8, atol=1e-10), np.float32: dict(rtol=1e-4, atol=1e-5)}


def _as_tuple(out) -> tuple:
    if isinstance(out, (tuple, list)):
        return tuple(x for item in out for x in _as_tuple(item))
    return (out,)


def copy_weights(
    nn_module: nf.nn.Module, torch_module: torch.nn.Module, name_map: Callable[[str], str] = lambda name: name
) -> None:
    """Load every nnfoundation parameter/buffer into the torch module under name_map(name)."""
    state = {name_map(k): torch.from_numpy(v.copy()) for k, v in nn_module.state_dict().items()}
    missing, unexpected = torch_module.load_state_dict(state, strict=False)
    assert not unexpected, f"names unknown to torch: {unexpected}"
    assert all(k.endswith("num_batches_tracked") for k in missing), f"torch weights left uncopied: {missing}"


def helper_test_op(
    shapes: Sequence[tuple[int, ...]],
    nn_fn: Callable,
    torch_fn: Callable,
    *,
    dtype=np.float64,
    low: float = -2.0,
    high: float = 2.0,
    seed: int = 0,
    modules: tuple[nf.nn.Module, torch.nn.Module] | None = None,
    name_map: Callable[[str], str] = lambda name: name,
    grad: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    tolerance = dict(TOLERANCE[np.dtype(dtype).type])
    tolerance.update({k: v for k, v in (("rtol", rtol), ("atol", atol)) if v is not None})
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(low, high, size=shape).astype(dtype) for shape in shapes]
    if modules is not None:
        modules[0].to_dtype(dtype)
        modules[1].to(torch.float64 if dtype == np.float64 else torch.float32)
        copy_weights(modules[0], modules[1], name_map)

    nn_inputs = [nf.Tensor(a.copy(), requires_grad=grad) for a in arrays]
    torch_inputs = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]
    nn_out = _as_tuple(nn_fn(*nn_inputs))
    torch_out = _as_tuple(torch_fn(*torch_inputs))
    assert len(nn_out) == len(torch_out), f"{len(nn_out)} outputs vs torch's {len(torch_out)}"
    for k, (mine, theirs) in enumerate(zip(nn_out, torch_out)):
        assert mine.dtype == np.dtype(dtype), f"output {k} has dtype {mine.dtype}, expected {np.dtype(dtype)}"
        assert mine.shape == tuple(theirs.shape), f"output {k} shape {mine.shape} vs torch {tuple(theirs.shape)}"
        np.testing.assert_allclose(mine.data, theirs.detach().numpy(), **tolerance, err_msg=f"forward output {k}")
    if modules is not None:
        torch_state = modules[1].state_dict()
        for name, buffer in modules[0].named_buffers():
            np.testing.assert_allclose(
                buffer, torch_state[name_map(name)].numpy(), **tolerance, err_msg=f"buffer {name} after forward"
            )
    if not grad:
        return

    adjoints = [rng.standard_normal(o.shape).astype(dtype) for o in nn_out]
    sum(((o * g).sum() for o, g in zip(nn_out[1:], adjoints[1:])), (nn_out[0] * adjoints[0]).sum()).backward()
    torch_loss = sum((o * torch.from_numpy(g)).sum() for o, g in zip(torch_out, adjoints))
    torch_loss.backward()
    for k, (mine, theirs) in enumerate(zip(nn_inputs, torch_inputs)):
        expected = np.zeros(mine.shape) if theirs.grad is None else theirs.grad.numpy()
        actual = np.zeros(mine.shape) if mine.grad is None else mine.grad
        np.testing.assert_allclose(actual, expected, **tolerance, err_msg=f"gradient of input {k}")
    if modules is not None:
        torch_params = dict(modules[1].named_parameters())
        for name, parameter in modules[0].named_parameters():
            theirs = torch_params[name_map(name)].grad
            assert parameter.grad is not None and theirs is not None, f"parameter {name} got no gradient"
            np.testing.assert_allclose(parameter.grad, theirs.numpy(), **tolerance, err_msg=f"gradient of {name}")
