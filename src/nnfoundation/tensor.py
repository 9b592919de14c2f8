"""Reverse-mode automatic differentiation over a DAG of ndarray nodes (seed 004 ch. 10).

A `Tensor` wraps a float32/float64 `numpy.ndarray`. Every differentiable operation returns a new
Tensor that remembers its parents and a closure mapping the upstream adjoint dL/d(out) to the adjoints
of its parents (the local vector-Jacobian product, seed 004 §10.2 and §10.4). `backward()` visits the
graph in reverse topological order, summing adjoints over all paths (seed 004 eq. of §10.2: "sum over
outgoing edges"), and accumulates the result into `.grad` of the leaves that require it.

Broadcasting follows NumPy (seed 004 §12.2); the adjoint of a broadcast operand is summed back to the
operand's shape (`unbroadcast`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from scipy import special

_grad_mode = threading.local()
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
Backward = Callable[[np.ndarray], Sequence[np.ndarray | None]]


def is_grad_enabled() -> bool:
    return getattr(_grad_mode, "enabled", True)


@contextmanager
def no_grad() -> Iterator[None]:
    """Inside this context new operations record no graph (inference, optimizer updates)."""
    previous = is_grad_enabled()
    _grad_mode.enabled = False
    try:
        yield
    finally:
        _grad_mode.enabled = previous


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum `grad` over the axes NumPy broadcasting added or stretched, so it gets `shape` (seed 004 §12.2)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad.reshape(shape)


def _as_float_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    array = np.asarray(data)
    if dtype is not None:
        array = array.astype(dtype, copy=False)
    elif array.dtype.kind in "biuf" and array.dtype not in FLOAT_DTYPES:
        array = array.astype(np.float32)  # ints, bools and float16 become float32
    if array.dtype not in FLOAT_DTYPES:
        raise TypeError(f"Tensor dtype {array.dtype} is not supported; use float32 or float64")
    return array


def _normalize_axis(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return tuple(int(a) % ndim for a in axes)


def _index_is_advanced(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (list, np.ndarray)) for p in parts)


def _plain_index(index):
    """Replace Tensor indices by their arrays (indices are never differentiated)."""
    if isinstance(index, tuple):
        return tuple(p.data.astype(np.int64) if isinstance(p, Tensor) else p for p in index)
    return index.data.astype(np.int64) if isinstance(index, Tensor) else index


class Tensor:
    """An n-dimensional float array that records the operations applied to it (seed 004 §10.1)."""

    __array_priority__ = 1000  # `ndarray <op> Tensor` dispatches to Tensor's reflected operator

    def __init__(self, data, requires_grad: bool = False, dtype=None):
        self.data: np.ndarray = _as_float_array(data, dtype)
        self.requires_grad = bool(requires_grad)
        self.grad: np.ndarray | None = None
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Backward | None = None

    # ------------------------------------------------------------------ graph construction
    @classmethod
    def from_op(cls, data: np.ndarray, parents: tuple[Tensor, ...], backward: Backward) -> Tensor:
        """A node computed from `parents`; `backward(g)` returns one adjoint (or None) per parent."""
        out = cls.__new__(Tensor)
        out.data = data
        out.grad = None
        out.requires_grad = is_grad_enabled() and any(p.requires_grad for p in parents)
        out._parents = parents if out.requires_grad else ()
        out._backward = backward if out.requires_grad else None
        return out

    def _lift(self, other) -> Tensor:
        if isinstance(other, Tensor):
            return other
        return Tensor(np.asarray(other, dtype=self.data.dtype))

    def backward(self, grad: np.ndarray | None = None) -> None:
        """Accumulate dL/dx into `.grad` of every leaf x with requires_grad (seed 004 §10.2).

        `grad` is the seed adjoint dL/d(self); it defaults to 1 for a scalar (one-element) tensor.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward() called on a tensor that does not require grad; "
                "create the inputs with requires_grad=True and call outside no_grad()"
            )
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without an argument needs a one-element tensor, got shape "
                    f"{self.shape}; reduce to a scalar loss or pass grad="
                )
            grad = np.ones_like(self.data)
        grad = np.asarray(grad, dtype=self.data.dtype)
        if grad.shape != self.shape:
            raise ValueError(f"backward grad has shape {grad.shape} but the tensor has shape {self.shape}")
        adjoints: dict[int, np.ndarray] = {id(self): grad}
        for node in reversed(self._topological_order()):
            g = adjoints.pop(id(node), None)
            if g is None:
                continue
            if node._backward is None:
                g = g.astype(node.data.dtype, copy=False)
                node.grad = g.copy() if node.grad is None else node.grad + g
                continue
            for parent, parent_grad in zip(node._parents, node._backward(g)):
                if parent_grad is None or not parent.requires_grad:
                    continue
                key = id(parent)
                adjoints[key] = parent_grad if key not in adjoints else adjoints[key] + parent_grad

    def _topological_order(self) -> list[Tensor]:
        """Nodes ordered so each comes after all of its parents (iterative DFS, no recursion limit)."""
        order: list[Tensor] = []
        visited: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:
            node, parents_done = stack.pop()
            if parents_done:
                order.append(node)
                continue
            if id(node) in visited:
                continue
            visited.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p.requires_grad and id(p) not in visited)
        return order

    # ------------------------------------------------------------------ plain accessors
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        return self.data.item()

    def detach(self) -> Tensor:
        return Tensor(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        flag = ", requires_grad=True" if self.requires_grad else ""
        return f"Tensor({np.array2string(self.data, precision=4, threshold=20)}, dtype={self.dtype}{flag})"

    # comparisons give plain boolean arrays (not differentiable); __eq__ stays identity for hashing
    def __lt__(self, other):
        return self.data < _data(other)

    def __le__(self, other):
        return self.data <= _data(other)

    def __gt__(self, other):
        return self.data > _data(other)

    def __ge__(self, other):
        return self.data >= _data(other)

    # ------------------------------------------------------------------ elementwise arithmetic
    def __add__(self, other) -> Tensor:
        a, b = self, self._lift(other)
        return Tensor.from_op(a.data + b.data, (a, b), lambda g: (unbroadcast(g, a.shape), unbroadcast(g, b.shape)))

    def __sub__(self, other) -> Tensor:
        a, b = self, self._lift(other)
        return Tensor.from_op(a.data - b.data, (a, b), lambda g: (unbroadcast(g, a.shape), unbroadcast(-g, b.shape)))

    def __mul__(self, other) -> Tensor:
        a, b = self, self._lift(other)
        return Tensor.from_op(
            a.data * b.data,
            (a, b),
            lambda g: (
                unbroadcast(g * b.data, a.shape) if a.requires_grad else None,
                unbroadcast(g * a.data, b.shape) if b.requires_grad else None,
            ),
        )

    def __truediv__(self, other) -> Tensor:
        a, b = self, self._lift(other)
        out = a.data / b.data
        return Tensor.from_op(
            out,
            (a, b),
            lambda g: (
                unbroadcast(g / b.data, a.shape) if a.requires_grad else None,
                unbroadcast(-g * out / b.data, b.shape) if b.requires_grad else None,
            ),
        )

    def __pow__(self, exponent) -> Tensor:
        """x**p; d/dx = p x^(p-1), d/dp = x^p ln x (only needed when p is a Tensor)."""
        a, b = self, self._lift(exponent)
        out = a.data**b.data
        return Tensor.from_op(
            out,
            (a, b),
            lambda g: (
                unbroadcast(g * b.data * a.data ** (b.data - 1), a.shape) if a.requires_grad else None,
                unbroadcast(g * out * np.log(a.data), b.shape) if b.requires_grad else None,
            ),
        )

    def __radd__(self, other):
        return self + other

    def __rsub__(self, other):
        return self._lift(other) - self

    def __rmul__(self, other):
        return self * other

    def __rtruediv__(self, other):
        return self._lift(other) / self

    def __rpow__(self, other):
        return self._lift(other) ** self

    def __matmul__(self, other):
        return matmul(self, self._lift(other))

    def __rmatmul__(self, other):
        return matmul(self._lift(other), self)

    def __neg__(self) -> Tensor:
        return Tensor.from_op(-self.data, (self,), lambda g: (-g,))

    def _unary(self, out: np.ndarray, local_grad: Callable[[], np.ndarray]) -> Tensor:
        return Tensor.from_op(out, (self,), lambda g: (g * local_grad(),))

    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return self._unary(out, lambda: out)

    def log(self) -> Tensor:
        return self._unary(np.log(self.data), lambda: 1.0 / self.data)

    def log1p(self) -> Tensor:
        return self._unary(np.log1p(self.data), lambda: 1.0 / (1.0 + self.data))

    def sqrt(self) -> Tensor:
        out = np.sqrt(self.data)
        return self._unary(out, lambda: 0.5 / out)

    def abs(self) -> Tensor:
        return self._unary(np.abs(self.data), lambda: np.sign(self.data))

    def tanh(self) -> Tensor:
        """tanh; d/dx = 1 - tanh^2 (seed 004 §3.3)."""
        out = np.tanh(self.data)
        return self._unary(out, lambda: 1.0 - out * out)

    def sigmoid(self) -> Tensor:
        """σ(x) = 1/(1+e^-x) evaluated without overflow; σ' = σ(1-σ) (seed 004 §3.3)."""
        out = special.expit(self.data)
        return self._unary(out, lambda: out * (1.0 - out))

    def relu(self) -> Tensor:
        """max(x, 0); derivative 1 for x > 0 else 0 (seed 004 §3.3)."""
        mask = self.data > 0
        return self._unary(self.data * mask, lambda: mask)

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        """Clamp to [low, high]; the gradient passes where low <= x <= high."""
        out = np.clip(self.data, low, high)
        inside = np.ones(self.shape, dtype=bool)
        if low is not None:
            inside &= self.data >= low
        if high is not None:
            inside &= self.data <= high
        return self._unary(out, lambda: inside)

    def astype(self, dtype) -> Tensor:
        source = self.data.dtype
        return Tensor.from_op(self.data.astype(dtype), (self,), lambda g: (g.astype(source),))

    # ------------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axis(axis, self.ndim)
        shape = self.shape

        def backward(g):
            if not keepdims:
                g = np.expand_dims(g, axes)
            return (np.broadcast_to(g, shape),)

        return Tensor.from_op(np.asarray(self.data.sum(axis=axes, keepdims=keepdims)), (self,), backward)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        axes = _normalize_axis(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        return self.sum(axis=axes, keepdims=keepdims) / count

    def var(self, axis=None, keepdims: bool = False, correction: int = 1) -> Tensor:
        """Σ(x-μ)² / (n - correction); correction=0 is the biased batch variance of seed 004 eq. 7.12."""
        axes = _normalize_axis(axis, self.ndim)
        count = int(np.prod([self.shape[a] for a in axes]))
        centered = self - self.mean(axis=axes, keepdims=True)
        return (centered * centered).sum(axis=axes, keepdims=keepdims) / (count - correction)

    def _extremum(self, reduce, axis, keepdims: bool) -> Tensor:
        axes = _normalize_axis(axis, self.ndim)
        kept = reduce(self.data, axis=axes, keepdims=True)
        out = kept if keepdims else np.squeeze(kept, axis=axes)

        def backward(g):
            if not keepdims:
                g = np.expand_dims(g, axes)
            winners = self.data == kept
            return (g * winners / winners.sum(axis=axes, keepdims=True),)  # ties share the adjoint

        return Tensor.from_op(np.asarray(out), (self,), backward)

    def max(self, axis=None, keepdims: bool = False) -> Tensor:
        return self._extremum(np.max, axis, keepdims)

    def min(self, axis=None, keepdims: bool = False) -> Tensor:
        return self._extremum(np.min, axis, keepdims)

    def logsumexp(self, axis=-1, keepdims: bool = False) -> Tensor:
        """log Σ e^x computed as m + log Σ e^(x-m), m = max x (seed 004 §11.1.3); d/dx = softmax(x)."""
        axes = _normalize_axis(axis, self.ndim)
        shift = np.max(self.data, axis=axes, keepdims=True)
        shift = np.where(np.isfinite(shift), shift, 0.0)
        kept = np.log(np.sum(np.exp(self.data - shift), axis=axes, keepdims=True)) + shift
        out = kept if keepdims else np.squeeze(kept, axis=axes)

        def backward(g):
            if not keepdims:
                g = np.expand_dims(g, axes)
            return (g * np.exp(self.data - kept),)

        return Tensor.from_op(np.asarray(out), (self,), backward)

    # ------------------------------------------------------------------ shape (seed 004 §12.3)
    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        source = self.shape
        return Tensor.from_op(self.data.reshape(shape), (self,), lambda g: (g.reshape(source),))

    def flatten(self, start_axis: int = 0) -> Tensor:
        start_axis %= max(self.ndim, 1)
        return self.reshape(self.shape[:start_axis] + (-1,))

    def permute(self, *axes) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        inverse = np.argsort(axes)
        return Tensor.from_op(self.data.transpose(axes), (self,), lambda g: (g.transpose(inverse),))

    def transpose(self, axis0: int = -2, axis1: int = -1) -> Tensor:
        """Swap two axes (torch.transpose semantics); use permute for a full reordering."""
        order = list(range(self.ndim))
        order[axis0], order[axis1] = order[axis1], order[axis0]
        return self.permute(order)

    @property
    def T(self) -> Tensor:
        return self.permute(tuple(reversed(range(self.ndim))))

    def unsqueeze(self, axis: int) -> Tensor:
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def squeeze(self, axis: int) -> Tensor:
        return self.reshape(np.squeeze(self.data, axis).shape)

    def broadcast_to(self, shape) -> Tensor:
        source = self.shape
        return Tensor.from_op(np.broadcast_to(self.data, shape), (self,), lambda g: (unbroadcast(g, source),))

    def __getitem__(self, index) -> Tensor:
        """Basic and advanced (fancy) indexing; repeated fancy indices accumulate their adjoints."""
        index = _plain_index(index)
        advanced = _index_is_advanced(index)

        def backward(g):
            full = np.zeros_like(self.data)
            if advanced:
                np.add.at(full, index, g)
            else:
                full[index] = g
            return (full,)

        return Tensor.from_op(np.asarray(self.data[index]), (self,), backward)

    def masked_fill(self, mask: np.ndarray, value: float) -> Tensor:
        """Replace entries where the boolean `mask` (broadcastable) is True by `value`; no gradient there."""
        mask = np.asarray(_data(mask), dtype=bool)
        out = np.where(mask, np.asarray(value, dtype=self.dtype), self.data)
        return Tensor.from_op(out, (self,), lambda g: (unbroadcast(np.where(mask, 0.0, g), self.shape),))


def _data(value):
    return value.data if isinstance(value, Tensor) else value


def tensor(data, requires_grad: bool = False, dtype=None) -> Tensor:
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def matmul(a: Tensor, b: Tensor) -> Tensor:
    """Batched matrix product with NumPy broadcasting; dA = G Bᵀ, dB = Aᵀ G (seed 004 §1.2, §5.3)."""
    out = np.matmul(a.data, b.data)

    def backward(g):
        if a.ndim == 1 and b.ndim == 1:  # inner product: g is a scalar
            return (g * b.data if a.requires_grad else None), (g * a.data if b.requires_grad else None)
        left = a.data[None, :] if a.ndim == 1 else a.data
        right = b.data[:, None] if b.ndim == 1 else b.data
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        grad_a = grad_b = None
        if a.requires_grad:
            grad_a = np.matmul(g, np.swapaxes(right, -1, -2))
            grad_a = unbroadcast(grad_a.squeeze(-2) if a.ndim == 1 else grad_a, a.shape)
        if b.requires_grad:
            grad_b = np.matmul(np.swapaxes(left, -1, -2), g)
            grad_b = unbroadcast(grad_b.squeeze(-1) if b.ndim == 1 else grad_b, b.shape)
        return grad_a, grad_b

    return Tensor.from_op(np.asarray(out), (a, b), backward)
