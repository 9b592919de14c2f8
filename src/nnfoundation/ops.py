"""Differentiable operations on several tensors: concat, stack, where, einsum (seed 004 §12.1–12.3)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnfoundation.tensor import Tensor, unbroadcast


def _as_tensor(value, like: Tensor | None = None) -> Tensor:
    if isinstance(value, Tensor):
        return value
    return Tensor(np.asarray(value, dtype=like.dtype if like is not None else None))


def concat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join along an existing axis; the adjoint is split back at the same boundaries."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concat needs at least one tensor")
    out = np.concatenate([t.data for t in tensors], axis=axis)
    boundaries = np.cumsum([t.shape[axis] for t in tensors])[:-1]
    return Tensor.from_op(out, tuple(tensors), lambda g: tuple(np.split(g, boundaries, axis=axis)))


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join along a new axis; the adjoint of input i is the slice i of the output adjoint."""
    tensors = [_as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack needs at least one tensor")
    out = np.stack([t.data for t in tensors], axis=axis)
    return Tensor.from_op(out, tuple(tensors), lambda g: tuple(np.take(g, i, axis=axis) for i in range(len(tensors))))


def where(condition, a, b) -> Tensor:
    """Elementwise `a if condition else b` with broadcasting; each branch gets the adjoint where chosen."""
    condition = np.asarray(condition.data if isinstance(condition, Tensor) else condition, dtype=bool)
    like = a if isinstance(a, Tensor) else b if isinstance(b, Tensor) else None
    a, b = _as_tensor(a, like), _as_tensor(b, like)
    out = np.where(condition, a.data, b.data)
    return Tensor.from_op(
        out,
        (a, b),
        lambda g: (
            unbroadcast(np.where(condition, g, 0.0), a.shape),
            unbroadcast(np.where(condition, 0.0, g), b.shape),
        ),
    )


def einsum(subscripts: str, *operands: Tensor) -> Tensor:
    """Einstein summation with explicit output ('ij,jk->ik').

    The adjoint of operand i is itself an einsum of the output adjoint with the other operands onto
    operand i's indices; indices that occur only in operand i were summed over, so their adjoint is the
    broadcast of the result along them. Repeated indices within one operand and '...' are not supported.
    """
    if "->" not in subscripts or "." in subscripts:
        raise ValueError(f"einsum '{subscripts}': write an explicit '->' output and no '...' ellipsis")
    inputs_spec, output_spec = subscripts.replace(" ", "").split("->")
    input_specs = inputs_spec.split(",")
    if len(input_specs) != len(operands):
        raise ValueError(f"einsum '{subscripts}' names {len(input_specs)} operands but got {len(operands)}")
    if any(len(set(spec)) != len(spec) for spec in input_specs):
        raise ValueError(f"einsum '{subscripts}': repeated indices in one operand (diagonals) are not supported")
    operands = tuple(_as_tensor(op) for op in operands)
    out = np.einsum(subscripts, *(op.data for op in operands), optimize=True)
    sizes = {c: n for spec, op in zip(input_specs, operands) for c, n in zip(spec, op.shape)}

    def backward(g):
        grads = []
        for i, (spec, op) in enumerate(zip(input_specs, operands)):
            if not op.requires_grad:
                grads.append(None)
                continue
            others = [(s, o.data) for j, (s, o) in enumerate(zip(input_specs, operands)) if j != i]
            available = set(output_spec).union(*(set(s) for s, _ in others))
            kept = "".join(c for c in spec if c in available)
            expr = ",".join([output_spec] + [s for s, _ in others]) + "->" + kept
            partial = np.einsum(expr, g, *(d for _, d in others), optimize=True)
            expanded = partial.reshape([sizes[c] if c in kept else 1 for c in spec])
            grads.append(np.broadcast_to(expanded, op.shape).copy())
        return grads

    return Tensor.from_op(np.asarray(out), operands, backward)


def maximum(a, b) -> Tensor:
    """Elementwise max; the adjoint goes to the larger operand (to `a` on ties)."""
    a_data = a.data if isinstance(a, Tensor) else np.asarray(a)
    b_data = b.data if isinstance(b, Tensor) else np.asarray(b)
    return where(a_data >= b_data, a, b)


def minimum(a, b) -> Tensor:
    """Elementwise min; the adjoint goes to the smaller operand (to `a` on ties)."""
    a_data = a.data if isinstance(a, Tensor) else np.asarray(a)
    b_data = b.data if isinstance(b, Tensor) else np.asarray(b)
    return where(a_data <= b_data, a, b)
